"""The API reference page's table of contents (/api/v1/reference), as a signed-in user sees it."""

from __future__ import annotations

from tests.dashboard.html import Node, parse


def _target(heading: Node, page: Node) -> str | None:
    """The id a link to `heading` points at: its own, or its section's (an operation's or a
    schema's card)."""
    if heading.attrs.get("id"):
        return heading.attrs["id"]
    for section in page.find_all("section", id=True):
        if any(node is heading for node in section.iter()):
            return section.attrs["id"]
    return None


def test_the_contents_link_every_heading_and_nothing_else(client, signed_in):
    """The contents come first and link each section and each operation and schema by an
    id on the page; every heading below them is in the contents, so a new endpoint
    cannot be left out."""
    response = client.get("/api/v1/reference")
    assert response.status_code == 200
    page = parse(response.data)
    main = page.one("main")
    toc = main.one("nav", cls="api-toc")
    links = [a.attrs["href"] for a in toc.find_all("a")]
    assert links and all(href.startswith("#") for href in links)
    assert len(links) == len(set(links))
    ids = {node.attrs["id"] for node in page.iter() if node.attrs.get("id")}
    assert [href for href in links if href[1:] not in ids] == []

    headings = [
        h for h in main.find_all() if h.tag in ("h2", "h3") and not any(h is n for n in toc.iter())
    ]
    targets = [_target(h, main) for h in headings]
    assert None not in targets, [h.text() for h, t in zip(headings, targets, strict=True) if not t]
    assert sorted(f"#{t}" for t in targets) == sorted(links)
    assert {"#operations", "#schemas", "#problem-types"} <= set(links)
    assert "#op-get--api-v1-candidates" in links  # the ids links elsewhere already use
    # The contents sit above the first section.
    order = [node for node in main.iter() if node.tag in ("nav", "h2")]
    assert order[0] is toc


def test_each_entry_is_named_as_its_heading(client, signed_in):
    """An entry reads as its heading does: "GET /api/v1/candidates", a schema's name."""
    page = parse(client.get("/api/v1/reference").data)
    toc = page.one("nav", cls="api-toc")

    def words(node: Node) -> str:  # the text, blind to where a long path may wrap (<wbr>)
        return "".join(node.text().split())

    names = {a.attrs["href"][1:]: words(a) for a in toc.find_all("a")}
    for section in page.find_all("section", id=True):
        assert names[section.attrs["id"]] == words(section.one("h3"))
