"""Pages that fit, measured in a real browser at 1280x800 and 390x844: the interview
page's candidate table and actions, /settings/api, the /audit filters and entries, the
retention warning, the API reference, the candidate page's cards and share form.

Runs Debian's chromium through Playwright against the real app (the server and browser
fixtures of test_dashboard_browser.py, reused here). Screenshots land in
artifacts/screenshots/layout-*.png for a person to look at.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from itertools import pairwise

import pytest
from sqlalchemy import select

import tests.browser.test_dashboard_browser as base
from tests.factories import make_candidate, make_interview, make_org, make_user
from voice import audit
from voice.models import Answer, AnswerStatus, Candidate, CandidateStatus, User, utcnow

playwright_api = pytest.importorskip("playwright.sync_api")

# `make test` installs Chromium; in CI a missing browser must fail, not skip.
pytestmark = pytest.mark.skipif(
    not base.CHROMIUM.exists() and not os.environ.get("CI"), reason="needs Debian's chromium"
)

live_url = base.live_url
browser = base.browser
DESKTOP, PHONE = base.DESKTOP, base.PHONE
open_page, sign_in, shoot = base.open_page, base.sign_in, base.shoot
EEOC = "29 CFR 1602.14"

# The right edges that matter on the interview page: the table's own width against its
# scrolling card, the last header cell, and the card against <main>.
TABLE_BOXES = """() => {
  const wrap = document.querySelector('.table-wrap');
  const table = wrap.querySelector('table');
  const cells = table.querySelectorAll('thead th');
  const right = el => el.getBoundingClientRect().right;
  return {table: table.scrollWidth, wrap: wrap.clientWidth, last: right(cells[cells.length - 1]),
          wrapRight: right(wrap), main: right(document.querySelector('main'))};
}"""


@dataclass
class Seeded:
    email: str
    interview_id: int


@pytest.fixture
def seeded(db) -> Seeded:
    """An interview like the demo's (two keypad questions, three spoken) whose candidates
    have long names, keypad answers and transcripts flagged as unreliable: the widest rows."""
    org = make_org(db)
    user = make_user(db, org)
    interview = make_interview(
        db,
        org,
        title="Warehouse associate, nights",
        questions=(
            {"kind": "yes_no", "prompt": "Are you 18 or older?", "must_be": "yes"},
            {"kind": "number", "prompt": "How many hours a week can you work?"},
            "Tell us about your most recent job.",
            "How would you get to work on time?",
            "Which shifts can you work?",
        ),
    )
    adult, hours, *spoken = interview.questions
    for n, name in enumerate(("Samuel Okafor-Lindqvist", "Jordan Rivera")):
        candidate = make_candidate(db, interview, name=name, phone=f"+1555765000{n}")
        candidate.status = CandidateStatus.COMPLETED
        candidate.started_at = utcnow() - timedelta(minutes=9)
        candidate.completed_at = utcnow() - timedelta(minutes=2)
        db.add(Answer(candidate=candidate, question=adult, status=AnswerStatus.KEYPAD, digits="1"))
        db.add(Answer(candidate=candidate, question=hours, status=AnswerStatus.KEYPAD, digits="40"))
        for k, question in enumerate(spoken):
            db.add(
                Answer(
                    candidate=candidate,
                    question=question,
                    status=AnswerStatus.TRANSCRIBED,
                    recording_sid=f"RE{n}{k}" + "a" * 30,
                    transcript="I packed orders on the night shift.",
                    transcript_flags=["unintelligible"] if n == 0 and k < 2 else None,
                    transcript_flagged=n == 0 and k < 2,
                    playback_seconds=4.0,
                )
            )
    db.commit()
    return Seeded(user.email, interview.id)


def overflow(page) -> int:
    """How far (px) the page scrolls sideways: 0 when it fits its window."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def box(locator) -> dict:
    return locator.evaluate(
        "el => { const r = el.getBoundingClientRect();"
        " return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; }"
    )


def test_the_interview_table_fits_a_desktop(browser, live_url, seeded):
    """At 1280px the whole candidate table, Manage column included, sits inside its card
    and the page does not scroll sideways; the filter checkbox sits beside its label."""
    page, problems = open_page(browser, DESKTOP)
    path = f"/interviews/{seeded.interview_id}"
    sign_in(page, live_url, path, seeded.email)
    assert page.get_by_text("2 transcripts to check").count() == 1
    shoot(page, "layout-desktop-interview")
    assert overflow(page) <= 0, f"{path} scrolls sideways by {overflow(page)}px"
    boxes = page.evaluate(TABLE_BOXES)
    assert boxes["table"] <= boxes["wrap"], boxes  # nothing hidden behind a scroll
    assert boxes["last"] <= boxes["wrapRight"] <= boxes["main"], boxes
    assert page.get_by_role("link", name="Manage Samuel Okafor-Lindqvist").is_visible()

    checkbox = box(page.locator("#f-flagged"))
    words = box(page.locator("label.check", has_text="Transcript may be unreliable"))
    assert checkbox["right"] < words["right"] and checkbox["top"] >= words["top"]
    assert checkbox["bottom"] <= words["bottom"], (checkbox, words)  # one line, side by side
    assert problems == []


def test_a_table_too_wide_for_its_window_scrolls_inside_its_card(browser, live_url, seeded):
    """In a window too narrow for every column (900px) the table scrolls in its card,
    never the page, and the card shows a shadow on the side that has more."""
    page, problems = open_page(browser, {"width": 900, "height": 800})
    path = f"/interviews/{seeded.interview_id}"
    sign_in(page, live_url, path, seeded.email)
    assert overflow(page) <= 0, f"{path} scrolls sideways by {overflow(page)}px"
    wrap = page.locator(".table-wrap")
    boxes = page.evaluate(TABLE_BOXES)
    assert boxes["table"] > boxes["wrap"], boxes  # too wide: it must scroll here
    assert wrap.evaluate("el => getComputedStyle(el).overflowX") == "auto"
    assert "radial-gradient" in wrap.evaluate("el => getComputedStyle(el).backgroundImage")
    shoot(page, "layout-narrow-interview")
    assert problems == []


def test_the_interview_page_fits_a_phone(browser, live_url, seeded):
    """At 390px the "2 transcripts to check" badge stays inside its row's card."""
    page, problems = open_page(browser, PHONE, phone=True)
    path = f"/interviews/{seeded.interview_id}"
    sign_in(page, live_url, path, seeded.email)
    shoot(page, "layout-phone-interview")
    assert overflow(page) <= 0, f"{path} scrolls sideways by {overflow(page)}px"
    badge = page.locator(".transcript-flag-pill .pill")
    row = page.locator("tr", has=badge)
    assert box(badge)["right"] <= box(row)["right"] - 8, (box(badge), box(row))
    assert problems == []


def test_settings_api_is_styled_like_the_other_settings_pages(browser, live_url, seeded):
    """/settings/api: padded table cells, cards apart, a full-width webhook URL field; it
    fits a desktop and a phone, before and after a key is created."""
    page, problems = open_page(browser, DESKTOP)
    sign_in(page, live_url, "/settings/api", seeded.email)
    page.get_by_label("Name", exact=True).fill("Greenhouse sync")
    page.get_by_role("button", name="Create key").click()
    page.locator("#fresh-key").wait_for()  # the page answering the POST shows it once
    shoot(page, "layout-desktop-settings-api")
    assert overflow(page) <= 0
    header = page.locator("table.api-keys thead th").first
    assert header.evaluate("el => parseFloat(getComputedStyle(el).paddingLeft)") >= 8
    cards = page.locator("main section.card")
    tops = [box(cards.nth(i)) for i in range(cards.count())]
    assert len(tops) == 3
    for above, below in pairwise(tops):
        assert below["top"] - above["bottom"] >= 12, (above, below)
    url, card = box(page.locator("#hook-url")), tops[-1]
    assert url["right"] - url["left"] >= 0.8 * (card["right"] - card["left"]), (url, card)
    assert page.locator("#hook-url").evaluate("el => el.scrollWidth <= el.clientWidth")

    phone, problems_phone = open_page(browser, PHONE, phone=True)
    sign_in(phone, live_url, "/settings/api", seeded.email)
    shoot(phone, "layout-phone-settings-api")
    assert overflow(phone) <= 0
    assert problems == [] and problems_phone == []


def test_the_audit_filters_are_a_grid_like_the_interview_pages(browser, live_url, seeded):
    """At 1280px each audit filter's label sits above its field, the fields share rows, and
    Candidate id, From and To are not each a full-width line; both sizes fit."""
    page, problems = open_page(browser, DESKTOP)
    sign_in(page, live_url, "/audit", seeded.email)
    shoot(page, "layout-desktop-audit")
    assert overflow(page) <= 0
    form = box(page.locator("form.filters"))
    fields = {name: box(page.get_by_label(name, exact=True)) for name in ("Candidate id", "From")}
    for name in ("Action", "Person", "Candidate id", "From", "To"):
        field, label = page.get_by_label(name, exact=True), page.locator(f"label:text-is('{name}')")
        assert box(label)["bottom"] <= box(field)["top"], name  # the label above its field
        assert box(field)["right"] - box(field)["left"] < (form["right"] - form["left"]) / 2, name
    assert fields["Candidate id"]["top"] == fields["From"]["top"]  # on one row

    phone, problems_phone = open_page(browser, PHONE, phone=True)
    sign_in(phone, live_url, "/audit", seeded.email)
    shoot(phone, "layout-phone-audit")
    assert overflow(phone) <= 0
    assert problems == [] and problems_phone == []


def test_a_short_retention_period_warns_once(browser, live_url, seeded):
    """Saving 30 days shows the EEOC warning once, not twice plus the help text; a later
    visit shows it once too."""
    page, problems = open_page(browser, DESKTOP)
    sign_in(page, live_url, "/settings/retention", seeded.email)
    page.get_by_label("Default retention (days)").fill("30")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(live_url + "/settings/retention")
    shoot(page, "layout-desktop-retention-30")
    assert page.locator("main").inner_text().count(EEOC) == 1
    assert page.locator(".flash-warning").count() == 1
    page.reload()
    assert page.locator("main").inner_text().count(EEOC) == 1
    assert problems == []


def test_the_api_reference_fits_a_phone(browser, live_url, seeded):
    """At 390px /api/v1/reference scrolls sideways nowhere: not the page, not a table in
    its card (each row stacks into label/value lines, the labels the column headers);
    inline code shows as code, not backticks."""
    page, problems = open_page(browser, PHONE, phone=True)
    page.goto(live_url + "/api/v1/reference")
    assert overflow(page) <= 0, f"/api/v1/reference scrolls sideways by {overflow(page)}px"
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    tables = page.evaluate(
        """() => [...document.querySelectorAll('main table')].map(table => {
          const wrap = table.closest('.table-wrap'), card = table.closest('.card');
          const right = el => el && el.getBoundingClientRect().right;
          const heads = [...table.querySelectorAll('thead th')].map(th => th.textContent);
          const labels = [...table.querySelectorAll('tbody tr:first-child td')].map(
            td => getComputedStyle(td, '::before').content);
          return {wrap: right(wrap), card: right(card), main: right(document.querySelector('main')),
                  table: [table.scrollWidth, table.clientWidth],
                  wrapped: wrap && [wrap.scrollWidth, wrap.clientWidth],
                  heads, labels, display: getComputedStyle(table).display,
                  blankLines: [...table.querySelectorAll('td')].filter(
                    td => !td.textContent.trim() && td.offsetHeight > 0).length};
        })"""
    )
    assert len(tables) > 10
    for sizes in tables:
        assert sizes["wrap"] is not None, sizes
        assert sizes["wrap"] <= (sizes["card"] or sizes["main"]) <= PHONE["width"], sizes
        scroll_width, client_width = sizes["table"]
        assert scroll_width <= client_width, f"a table scrolls sideways in its card: {sizes}"
        assert sizes["wrapped"][0] <= sizes["wrapped"][1], sizes
        assert sizes["display"] == "block", sizes  # stacked, not a table's columns
        assert sizes["labels"] == [f'"{head}"' for head in sizes["heads"]], sizes
        assert sizes["blankLines"] == 0, sizes  # a label over nothing overlaps the next
    assert "`" not in page.locator("main").inner_text()
    operation = page.locator("section.api-operation", has=page.locator("table")).first
    operation.scroll_into_view_if_needed()
    operation.screenshot(path=str(base.SHOTS / "layout-phone-api-reference-operation.png"))
    page.locator(".table-wrap", has=page.locator("table.api-problems")).screenshot(
        path=str(base.SHOTS / "layout-phone-api-reference-problems.png")
    )
    assert problems == []


@pytest.fixture
def audited(db, seeded) -> int:
    """An audit entry about a candidate's answer (a long name): its answer's id."""
    user = db.scalar(select(User).where(User.email == seeded.email))
    answer = db.scalar(
        select(Answer).join(Candidate).where(Candidate.name == "Samuel Okafor-Lindqvist").limit(1)
    )
    audit.record(
        db,
        user.organization_id,
        "answer_played",
        audit.Actor.user(user.id, user.email),
        candidate_id=answer.candidate_id,
        answer_id=answer.id,
        subject={"name": "Samuel Okafor-Lindqvist"},
    )
    db.commit()
    return answer.id


def test_the_audit_about_cell_keeps_its_parts_together_on_a_phone(browser, live_url, audited):
    """At 390px an entry's About value reads "Samuel Okafor-Lindqvist · question 3 (answer
    N)" as one run of text: the answer follows the name, not pushed to the card's other
    edge."""
    page, problems = open_page(browser, PHONE, phone=True)
    sign_in(page, live_url, "/audit", "manager@acme.test")
    row = page.locator("tr[data-action=answer_played]")
    name = row.get_by_role("link", name="Samuel Okafor-Lindqvist")
    answer = row.locator("span.muted", has_text=f"answer {audited}")
    row.screenshot(path=str(base.SHOTS / "layout-phone-audit-about.png"))
    assert overflow(page) <= 0
    end = name.evaluate(
        "el => { const r = [...el.getClientRects()].pop(); return [r.right, r.top]; }"
    )
    start = answer.evaluate("el => { const r = el.getClientRects()[0]; return [r.left, r.top]; }")
    cell = box(row.locator("td[data-label=About] .audit-about"))
    same_line = abs(start[1] - end[1]) < 4 and 0 <= start[0] - end[0] < 12
    next_line = 4 < start[1] - end[1] < 40 and start[0] >= cell["left"]  # wrapped, as text
    assert same_line or next_line, (end, start, cell)
    assert answer.evaluate("el => el.getClientRects().length") == 1  # in one piece
    assert problems == []


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two computed `rgb(r, g, b)` colours."""

    def luminance(colour: str) -> float:
        channels = [int(c) / 255 for c in colour[colour.index("(") + 1 : -1].split(",")[:3]]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


LOOK = """el => { const s = getComputedStyle(el);
  return {color: s.color, background: s.backgroundColor, border: s.borderTopColor}; }"""


def test_the_interview_pages_secondary_actions_look_like_buttons(browser, live_url, seeded):
    """ "Invite everyone not yet invited", "Export CSV" and "Share with reviewers" look like
    the page's other secondary buttons ("Apply filters"), text at 4.5:1 or more (WCAG AA)."""
    page, problems = open_page(browser, DESKTOP)
    sign_in(page, live_url, f"/interviews/{seeded.interview_id}", seeded.email)
    secondary = page.get_by_role("button", name="Apply filters").evaluate(LOOK)
    actions = page.locator(".invite-all")
    actions.screenshot(path=str(base.SHOTS / "layout-desktop-interview-actions.png"))
    for name in ("Invite everyone not yet invited", "Export CSV", "Share with reviewers"):
        look = actions.get_by_text(name, exact=True).evaluate(LOOK)
        assert look == secondary, (name, look, secondary)
        assert contrast(look["color"], look["background"]) >= 4.5, (name, look)
    assert problems == []


def test_the_candidate_pages_cards_are_apart_and_the_share_form_lines_up(
    browser, live_url, seeded, db
):
    """On a candidate's page every card below the answers (Decision, the data copy, Share,
    Legal hold, comments) is apart from the one above; the share form's labels, fields and
    button line up."""
    candidate = db.scalar(select(Candidate.id).where(Candidate.name == "Jordan Rivera"))
    page, problems = open_page(browser, DESKTOP)
    sign_in(page, live_url, f"/candidates/{candidate}", seeded.email)
    shoot(page, "layout-desktop-candidate")
    cards = page.locator("main > ol.answers ~ section")
    ids = [cards.nth(i).get_attribute("id") for i in range(cards.count())]
    assert {"decision", "export", "share", "privacy", "comments"} <= set(ids), ids
    boxes = [box(cards.nth(i)) for i in range(cards.count())]
    for (above, upper), (below, lower) in pairwise(zip(ids, boxes, strict=True)):
        assert lower["top"] - upper["bottom"] >= 12, (above, below, upper, lower)

    share = page.locator("#share")
    share.screenshot(path=str(base.SHOTS / "layout-desktop-candidate-share.png"))
    labels = [box(share.locator(f"label[for={field}]")) for field in ("share-days", "share-label")]
    fields = [box(share.locator(f"#{field}")) for field in ("share-days", "share-label")]
    button = box(share.get_by_role("button", name="Create read-only link"))
    assert labels[0]["top"] == labels[1]["top"], labels
    assert fields[0]["top"] == fields[1]["top"] == button["top"], (fields, button)
    assert fields[0]["bottom"] == fields[1]["bottom"] == button["bottom"], (fields, button)
    assert overflow(page) <= 0
    assert problems == []


def test_the_settings_page_is_a_title_and_two_cards_apart(browser, live_url, seeded):
    """/settings/review at 1280px: a "Settings" title, the review settings card and an
    "Organisation" card listing its pages, the two cards apart; it fits a phone."""
    page, problems = open_page(browser, DESKTOP)
    sign_in(page, live_url, "/settings/review", seeded.email)
    shoot(page, "layout-desktop-settings")
    assert page.get_by_role("heading", level=1).inner_text() == "Settings"
    review = page.locator(
        "section.card", has=page.get_by_role("heading", name="Your review settings")
    )
    pages = page.locator("section.card", has=page.get_by_role("heading", name="Organisation"))
    assert box(pages)["top"] - box(review)["bottom"] >= 12, (box(review), box(pages))
    for name in ("Shared links", "Decision messages", "Retention", "Phone numbers"):
        assert pages.get_by_role("link", name=name, exact=True).is_visible(), name

    phone, problems_phone = open_page(browser, PHONE, phone=True)
    sign_in(phone, live_url, "/settings/review", seeded.email)
    shoot(phone, "layout-phone-settings")
    assert overflow(phone) <= 0
    assert problems == [] and problems_phone == []


def test_the_status_counts_and_the_retention_card_stand_apart(browser, live_url, seeded):
    """On the interview page the row of status counts stands apart from the page head,
    and the retention card (below the candidate list) from the list above it."""
    page, problems = open_page(browser, DESKTOP)
    sign_in(page, live_url, f"/interviews/{seeded.interview_id}", seeded.email)
    head = box(page.locator(".page-head"))
    counts = box(page.get_by_role("list", name="Candidates by status"))
    table = box(page.locator(".table-wrap").last)
    retention = box(page.locator("#retention"))
    page.locator("main").screenshot(path=str(base.SHOTS / "layout-desktop-interview-top.png"))
    assert counts["top"] - head["bottom"] >= 16, (head, counts)
    assert retention["top"] - table["bottom"] >= 16, (table, retention)
    assert problems == []


def test_the_builders_rules_line_up_on_a_grid(browser, live_url, seeded):
    """At 1280px the four "Rules and schedule" fields sit on one row, their labels start on
    one line and their inputs on another, whatever the lengths of labels and hints."""
    page, problems = open_page(browser, DESKTOP)
    sign_in(page, live_url, "/interviews/new", seeded.email)
    rules = page.locator("fieldset", has=page.locator("legend", has_text="Rules and schedule"))
    rules.screenshot(path=str(base.SHOTS / "layout-desktop-builder-rules.png"))
    ids = ("deadline", "reminders", "retakes", "retention_days")
    labels = [box(rules.locator(f"label[for={i}]")) for i in ids]
    inputs = [box(rules.locator(f"#{i}")) for i in ids]
    assert len({round(label["top"]) for label in labels}) == 1, labels
    assert len({round(field["top"]) for field in inputs}) == 1, inputs
    assert overflow(page) <= 0
    assert problems == []


# The line boxes of an element's text (its text nodes only, not the checkbox in it).
TEXT_LINES = """el => {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT), rects = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    const range = document.createRange(); range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      rects.push({left: r.left, top: r.top, bottom: r.bottom});
    }
  }
  return rects.filter(r => r.bottom > r.top);
}"""


def test_the_builders_checkboxes_sit_beside_their_labels_on_a_phone(browser, live_url, seeded):
    """At 390px each checkbox of "Rules and schedule" is in its label's first line, and
    the label's text starts to the right of the box, wrapping beside it, not under it."""
    page, problems = open_page(browser, PHONE, phone=True)
    sign_in(page, live_url, "/interviews/new", seeded.email)
    rules = page.locator("fieldset", has=page.locator("legend", has_text="Rules and schedule"))
    rules.screenshot(path=str(base.SHOTS / "layout-phone-builder-rules.png"))
    for name in ("practice", "delete_recordings_at_twilio"):
        label = page.locator("label.check", has=page.locator(f"#{name}"))
        checkbox = box(page.locator(f"#{name}"))
        lines = label.evaluate(TEXT_LINES)
        assert len(lines) >= 2, (name, lines)  # the label wraps at this width
        assert checkbox["top"] < lines[0]["bottom"], (name, checkbox, lines)
        assert all(line["left"] >= checkbox["right"] for line in lines), (name, checkbox, lines)
    assert overflow(page) <= 0
    assert problems == []


def test_a_phone_shows_who_is_signed_in_and_where(browser, live_url, seeded):
    """At 390px the header's Account menu shows the organisation's name and the signed-in
    email in full, inside the window."""
    page, problems = open_page(browser, PHONE, phone=True)
    sign_in(page, live_url, "/", seeded.email)
    header = page.locator("header")
    header.locator("summary", has_text="Account").click()
    page.screenshot(path=str(base.SHOTS / "layout-phone-header.png"))
    for text in ("Acme Warehousing", seeded.email):
        shown = header.get_by_text(text, exact=True).locator("visible=true")
        assert shown.is_visible(), text
        where = box(shown)
        assert where["left"] >= 0 and where["right"] <= PHONE["width"], (text, where)
        assert shown.evaluate("el => el.scrollWidth <= el.clientWidth"), text  # not cut short
    assert overflow(page) <= 0
    assert problems == []


def test_a_candidate_cards_checkbox_is_beside_the_name_on_a_phone(browser, live_url, seeded):
    """At 390px each candidate's select box is in the card's first line, left of the name,
    not on a line of its own."""
    page, problems = open_page(browser, PHONE, phone=True)
    sign_in(page, live_url, f"/interviews/{seeded.interview_id}", seeded.email)
    for name in ("Samuel Okafor-Lindqvist", "Jordan Rivera"):
        row = page.locator("table.candidates tbody tr", has_text=name)
        checkbox = box(row.get_by_role("checkbox", name=f"Select {name}"))
        link = box(row.get_by_role("link", name=name, exact=True))
        assert checkbox["right"] <= link["left"], (name, checkbox, link)
        assert checkbox["top"] < link["bottom"] and link["top"] < checkbox["bottom"], (
            name,
            checkbox,
            link,
        )
    page.locator("table.candidates tbody tr").first.screenshot(
        path=str(base.SHOTS / "layout-phone-candidate-card.png")
    )
    assert overflow(page) <= 0
    assert problems == []


def test_the_interview_actions_are_one_row_at_1280(browser, live_url, seeded):
    """At 1280px the interview page's five actions ("Funnel & charts" to "Import
    candidates") are one row under the title, none dropped under the others, inside the
    page; at 800px the row is still under the title as a group and nothing scrolls."""
    page, problems = open_page(browser, DESKTOP)
    sign_in(page, live_url, f"/interviews/{seeded.interview_id}", seeded.email)
    actions = page.get_by_role("navigation", name="Interview actions")
    names = ("Funnel & charts", "Preview call", "Edit", "Add a candidate", "Import candidates")
    boxes = [box(actions.get_by_role("link", name=name, exact=True)) for name in names]
    page.locator(".page-head").screenshot(
        path=str(base.SHOTS / "layout-desktop-interview-head.png")
    )
    assert len({round(b["top"]) for b in boxes}) == 1, boxes
    title = box(page.get_by_role("heading", level=1))
    assert boxes[0]["top"] > title["bottom"]  # a row of its own, under the title
    assert boxes[-1]["right"] <= box(page.locator("main"))["right"]
    assert overflow(page) == 0

    page.set_viewport_size({"width": 800, "height": 800})
    narrow = [box(actions.get_by_role("link", name=name, exact=True)) for name in names]
    page.locator(".page-head").screenshot(path=str(base.SHOTS / "layout-800-interview-head.png"))
    title = box(page.get_by_role("heading", level=1))
    assert min(b["top"] for b in narrow) > title["bottom"]  # the row as a whole, under it
    assert overflow(page) == 0
    assert problems == []
