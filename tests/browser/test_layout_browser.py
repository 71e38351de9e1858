"""Pages that fit, measured in a real browser at 1280x800 and 390x844: the interview
page's candidate table, /settings/api, the /audit filters, the retention warning.

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

import tests.browser.test_dashboard_browser as base
from tests.factories import make_candidate, make_interview, make_org, make_user
from voice.models import Answer, AnswerStatus, CandidateStatus, utcnow

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
