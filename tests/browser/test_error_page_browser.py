"""The 413 page's way back in a real browser: "Go back" returns to the form through the
browser's history (static/app.js), as the page's text says, not by reloading it empty.

Runs Debian's chromium through Playwright against the real app (the server and browser
fixtures of test_dashboard_browser.py, reused here).
"""

from __future__ import annotations

import os

import pytest

import tests.browser.test_dashboard_browser as base
from tests.factories import make_candidate, make_interview, make_org, make_user

playwright_api = pytest.importorskip("playwright.sync_api")

# `make test` installs Chromium; in CI a missing browser must fail, not skip.
pytestmark = pytest.mark.skipif(
    not base.CHROMIUM.exists() and not os.environ.get("CI"), reason="needs Debian's chromium"
)

live_url = base.live_url
browser = base.browser


def test_go_back_from_the_413_page_returns_through_history(browser, live_url, db):
    """A comment over 2 MB answers "Text too large"; its "Go back" button (the script's
    label) goes back in history to the candidate's page, without a console error."""
    org = make_org(db)
    user = make_user(db, org)
    candidate = make_candidate(db, make_interview(db, org), name="Ana Díaz")
    db.commit()
    path = f"/candidates/{candidate.id}"
    page, problems = base.open_page(browser, base.DESKTOP)
    base.sign_in(page, live_url, path, user.email)
    page.evaluate(
        "() => { document.getElementById('comment-candidate').value = 'x'.repeat(2300000); }"
    )
    page.locator("form.comment-form").first.get_by_role("button", name="Comment").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Text too large"
    back = page.locator("#error-back")
    assert back.inner_text() == "Go back"
    entries = page.evaluate("() => history.length")
    back.click()
    page.wait_for_url(live_url + path)
    assert page.locator("#comment-candidate").count() == 1
    # Back in history, not a new entry (the link's own way, without JavaScript).
    assert page.evaluate("() => history.length") == entries
    # The one console error is the browser's note of the 413 answer itself.
    assert [p for p in problems if "413" not in p] == []
