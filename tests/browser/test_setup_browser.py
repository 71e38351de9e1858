"""Setting up in a real browser: build an interview, reorder, import candidates, funnel.

Reuses the live server, Chromium and screenshot helpers of test_dashboard_browser.
Screenshots (desktop and phone) land in artifacts/screenshots/setup-*.png.
"""

from __future__ import annotations

import os
import re

import pytest
from sqlalchemy import select

from tests.browser.test_dashboard_browser import (  # noqa: F401 (fixtures)
    CHROMIUM,
    DESKTOP,
    PHONE,
    browser,
    live_url,
    open_page,
    shoot,
    sign_in,
)
from tests.factories import make_call, make_org, make_user
from voice.models import Candidate, CandidateStatus, Interview

# `make test` installs Chromium; in CI a missing browser must fail, not skip.
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"), reason="needs Debian's chromium"
)

CSV = (
    "name,phone,email,external_id\n"
    "Ana Alvarez,(555) 201-0001,ana@example.com,A-1\n"
    "Ben Brown,555.201.0002,,B-2\n"
    "Bad Number,12,,\n"
    "Ana Again,+1 555 201 0001,,\n"
)


@pytest.fixture
def admin_email(db) -> str:
    user = make_user(db, make_org(db))
    db.commit()
    return user.email


def test_build_import_and_see_the_funnel(browser, live_url, admin_email, db, tmp_path):  # noqa: F811
    """Build an interview with a knockout and a voice question, reorder, import, see charts."""
    page, problems = open_page(browser, DESKTOP)
    sign_in(page, live_url, "/interviews/new", admin_email)

    page.get_by_label("Title").fill("Line cook, weekends")
    page.get_by_label("Number candidates call").fill("555 010 0777")
    page.get_by_label("Job details").fill("Pay is $19 an hour. Shifts are Friday to Sunday.")
    # The new form starts with one spoken question; then add a yes/no knockout.
    page.get_by_label("Question, as read aloud").fill("Tell us about a busy shift you worked.")
    page.get_by_role("button", name="+ Yes / no").click()
    second = page.locator("#question-list > li").nth(1)
    second.get_by_label("Question, as read aloud").fill("Are you 18 or older?")
    second.get_by_label("Knockout rule").select_option("yes")
    # JavaScript shows only the fields for each kind.
    assert second.get_by_label("Answer time limit (seconds)").is_hidden()
    # Reorder with the keyboard-reachable button: the knockout goes first.
    second.get_by_role("button", name="Move question 2 up").click()
    first = page.locator("#question-list > li").first
    assert first.locator(".q-number").inner_text() == "1"
    assert first.get_by_label("Question, as read aloud").input_value() == "Are you 18 or older?"
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == (
        "Move question 1 up"
    )
    shoot(page, "setup-desktop-builder")
    page.get_by_role("button", name="Create interview").click()
    page.wait_for_url(re.compile(r".*/interviews/\d+$"))  # its page: what comes next
    interview = db.scalar(select(Interview).where(Interview.title == "Line cook, weekends"))
    assert [(q.kind, q.must_be) for q in interview.questions] == [
        ("yes_no", "yes"),
        ("voice", None),
    ]

    # The preview reads the call as a script.
    page.get_by_role("link", name="Preview call").click()
    assert page.get_by_role("heading", name="Question 1").is_visible()
    assert "screened out" in page.locator(".script-note").first.inner_text()
    shoot(page, "setup-desktop-preview")

    # Import candidates from a CSV file.
    csv_file = tmp_path / "candidates.csv"
    csv_file.write_text(CSV)
    page.goto(f"{live_url}/interviews/{interview.id}/import")
    page.get_by_label("CSV or Excel file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Import").click()
    report = page.locator(".import-report")
    assert "2 added" in report.inner_text()
    assert "is not a phone number" in page.locator("#rejected").inner_text()
    shoot(page, "setup-desktop-import")
    db.expire_all()
    phones = db.scalars(select(Candidate.phone).where(Candidate.interview_id == interview.id))
    assert sorted(phones) == ["+15552010001", "+15552010002"]

    # Calls come in: one completes, one hangs up at question 2, one declines consent.
    ana, ben = db.scalars(
        select(Candidate).where(Candidate.interview_id == interview.id).order_by(Candidate.name)
    ).all()
    ana.status = CandidateStatus.COMPLETED
    ben.status = CandidateStatus.IN_PROGRESS
    make_call(db, interview, ana, "completed")
    make_call(db, interview, ben, "hung up at question 2")
    make_call(db, interview, None, "no consent", consented=False)
    db.commit()

    # The interview page and the funnel.
    page.get_by_role("link", name="See the candidates").click()
    assert page.get_by_role("checkbox", name="Select Ana Alvarez").is_visible()
    shoot(page, "setup-desktop-interview")
    page.get_by_role("link", name="Funnel & charts").click()
    assert page.get_by_role("heading", name="Funnel", exact=True).is_visible()
    assert page.locator("#funnel-chart + p + table tr").count() == 6
    shoot(page, "setup-desktop-insights")
    assert problems == []

    phone, phone_problems = open_page(browser, PHONE, phone=True)
    sign_in(phone, live_url, f"/interviews/{interview.id}", admin_email)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways ({width}px)"
    shoot(phone, "setup-phone-interview")
    phone.goto(f"{live_url}/interviews/{interview.id}/edit")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(phone, "setup-phone-builder")
    phone.goto(f"{live_url}/interviews/{interview.id}/insights")
    shoot(phone, "setup-phone-insights")
    phone.goto(f"{live_url}/team")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(phone, "setup-phone-team")
    assert phone_problems == []
