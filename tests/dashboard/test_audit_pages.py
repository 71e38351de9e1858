"""The audit page a page at a time by keyset: Older and Newer links followed, filters
kept, damaged links answered clearly; on PostgreSQL and on SQLite."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.dashboard.html import parse
from voice import audit

PER_PAGE = 3
ACTIONS = ("export", "candidate_viewed")


@pytest.fixture(autouse=True)
def short_pages(monkeypatch):
    monkeypatch.setattr("dashboard.audit.PER_PAGE", PER_PAGE)


def add_entries(session, organization_id: int, count: int) -> None:
    """`count` more entries in the organisation's chain, their actions alternating."""
    for n in range(count):
        audit.record(session, organization_id, ACTIONS[n % 2], audit.Actor.system())
    session.commit()


def seqs(page) -> list[int]:
    """The entry numbers on the page, top to bottom."""
    return [int(row.attrs["data-seq"]) for row in page.find_all("tr", data_seq=True)]


def follow(client, page, rel: str):
    """The page its pager's `rel` link leads to, and that link's query arguments."""
    href = page.one("nav", cls="pager").one("a", rel=rel).attrs["href"]
    response = client.get(href)
    assert response.status_code == 200
    return parse(response.data), parse_qs(urlsplit(href).query)


def walk_older(client, url: str) -> tuple[list[list[int]], object]:
    """Every page from `url` by its Older links: each page's entry numbers, and the last page."""
    page = parse(client.get(url).data)
    seen = [seqs(page)]
    while page.find("a", rel="next"):
        page, query = follow(client, page, "next")
        assert "older_than" in query and query["page"] == [str(len(seen) + 1)]
        assert f"page {len(seen) + 1} of" in page.one(id="audit-count").text()
        seen.append(seqs(page))
    return seen, page


def test_older_links_show_every_entry_once_newest_first(signed_in, db, client):
    """From the first page, Older leads through all 14 entries, three a page, in order."""
    add_entries(db, signed_in.user.organization_id, 13)  # and the sign-in: 14
    seen, last = walk_older(client, "/audit")
    assert seen == [list(range(n, max(n - 3, 0), -1)) for n in range(14, 0, -3)]
    assert "page 5 of 5" in last.one(id="audit-count").text()


def test_newer_links_go_back_through_the_same_entries(signed_in, db, client):
    """From page 4, Newer shows page 3's entries, then page 2's; page 2's leads to the
    plain first page."""
    add_entries(db, signed_in.user.organization_id, 13)
    page = parse(client.get("/audit").data)
    for _ in range(3):
        page, _ = follow(client, page, "next")
    assert seqs(page) == [5, 4, 3]
    page, query = follow(client, page, "prev")
    assert "newer_than" in query and seqs(page) == [8, 7, 6]
    assert "page 3 of 5" in page.one(id="audit-count").text()
    page, _ = follow(client, page, "prev")
    assert seqs(page) == [11, 10, 9]
    page, query = follow(client, page, "prev")
    assert query == {} and seqs(page) == [14, 13, 12]
    assert page.one("nav", cls="pager").find("a", rel="prev") is None


def test_filters_are_kept_from_page_to_page(signed_in, db, client):
    """Filtered by action, every page holds only that action and the links keep the filter."""
    add_entries(db, signed_in.user.organization_id, 13)  # exports at seq 2, 4, ... 14
    seen, last = walk_older(client, "/audit?action=export")
    assert seen == [[14, 12, 10], [8, 6, 4], [2]]
    assert {row.attrs["data-action"] for row in last.find_all("tr", data_seq=True)} == {"export"}
    back, query = follow(client, last, "prev")
    assert query["action"] == ["export"] and seqs(back) == [8, 6, 4]


@pytest.mark.parametrize(
    "query",
    [
        "older_than=abc",
        "older_than=-3",
        "newer_than=99999999999",
        "older_than=2&newer_than=5",
        # an old-style page number that is none (a trial found the search page took these
        # silently): the first of two ?page= values is the one read
        "page=abc",
        "page=0",
        "page=-2",
        "page=2.5",
    ],
)
def test_a_damaged_page_link_gets_a_clear_400_and_the_first_page(signed_in, db, client, query):
    """A cursor that is no entry number, or a page number that is no page's, is named on the
    page (400) and the newest entries shown."""
    add_entries(db, signed_in.user.organization_id, 5)
    response = client.get(f"/audit?{query}&page=3")
    assert response.status_code == 400
    page = parse(response.data)
    assert "The newest entries are shown instead." in page.one(id="cursor-error").text()
    assert seqs(page) == [6, 5, 4]


def test_a_link_past_the_oldest_entry_leads_to_the_first_page(signed_in, db, client):
    """older_than=1 (nothing is older) sends the browser to the first page, filters kept."""
    add_entries(db, signed_in.user.organization_id, 5)
    response = client.get("/audit?older_than=1&page=9&action=export")
    assert response.status_code == 302
    assert response.headers["Location"] == "/audit?action=export"


def test_an_old_page_number_link_still_works(signed_in, db, client):
    """?page=2 without a cursor shows the second page's entries (by OFFSET)."""
    add_entries(db, signed_in.user.organization_id, 7)
    assert seqs(parse(client.get("/audit?page=2").data)) == [5, 4, 3]


def test_at_the_count_cap_the_page_still_numbers_every_page(signed_in, db, client, monkeypatch):
    """With exactly as many entries as the count cap, the page says how many and "page N of M"."""
    monkeypatch.setattr("dashboard.audit.COUNT_CAP", 14)
    add_entries(db, signed_in.user.organization_id, 13)  # and the sign-in: 14
    seen, last = walk_older(client, "/audit")
    assert len(seen) == 5
    first = parse(client.get("/audit").data)
    assert first.one(id="audit-count").text() == "14 entries · page 1 of 5"
    assert "page 5 of 5" in last.one(id="audit-count").text()


def test_past_the_count_cap_the_page_says_more_than_and_still_pages(
    signed_in, db, client, monkeypatch
):
    """Past the count cap the page says "More than N entries", numbers pages without a
    last one, and Older, Newer and an old page number still lead through every entry."""
    monkeypatch.setattr("dashboard.audit.COUNT_CAP", 5)
    add_entries(db, signed_in.user.organization_id, 13)  # and the sign-in: 14
    page = parse(client.get("/audit").data)
    assert page.one(id="audit-count").text() == "More than 5 entries · page 1"
    seen = [seqs(page)]
    while page.find("a", rel="next"):
        page, query = follow(client, page, "next")
        assert query["page"] == [str(len(seen) + 1)]
        assert page.one(id="audit-count").text() == f"More than 5 entries · page {len(seen) + 1}"
        seen.append(seqs(page))
    assert seen == [list(range(n, max(n - 3, 0), -1)) for n in range(14, 0, -3)]
    back, query = follow(client, page, "prev")
    assert "newer_than" in query and seqs(back) == [5, 4, 3]
    assert "page 4" in back.one(id="audit-count").text()
    assert seqs(parse(client.get("/audit?page=2").data)) == [11, 10, 9]
    response = client.get("/audit?page=9&action=export")
    assert response.status_code == 302 and response.headers["Location"] == "/audit?action=export"
    filtered = parse(client.get("/audit?action=candidate_viewed").data)
    assert filtered.one(id="audit-count").text() == "More than 5 entries · page 1"
    narrow = parse(client.get("/audit?action=sign_in").data)
    assert narrow.one(id="audit-count").text() == "1 entry"


def test_pages_on_sqlite(sqlite_dashboard):
    """On SQLite, Older and Newer lead through the same entries as on PostgreSQL."""
    site = sqlite_dashboard
    add_entries(site.session, site.organization.id, 6)  # and the sign-in: 7
    seen, last = walk_older(site.client, "/audit")
    assert seen == [[7, 6, 5], [4, 3, 2], [1]]
    back, query = follow(site.client, last, "prev")
    assert "newer_than" in query and seqs(back) == [4, 3, 2]
    response = site.client.get("/audit?newer_than=x")
    assert response.status_code == 400 and seqs(parse(response.data)) == [7, 6, 5]
