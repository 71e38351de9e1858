"""Long addresses under a real `screenline serve` (gunicorn): gunicorn's own limit on the
request line (dashboard/gunicorn_conf.py) lets them through to the dashboard, which
answers with its own page, never gunicorn's bare "URI Too Long"."""

from __future__ import annotations

import pytest
import requests

from dashboard.cli import gunicorn_args
from tests.dashboard.html import parse
from tests.factories import PASSWORD
from tests.support import env_for, free_port, start_process, stop_process, wait_for_http


@pytest.fixture
def served(settings, world, tmp_path):
    """The app under gunicorn as `screenline serve` runs it, with the world's manager
    signed in: (base URL, requests session)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_process(gunicorn_args("127.0.0.1", port, 1), env_for(settings), tmp_path / "log")
    try:
        wait_for_http(f"{base}/healthz", timeout=60)
        browser = requests.Session()
        form = parse(browser.get(f"{base}/login", timeout=30).content).one("form", method="post")
        data = form.form_fields() | {"email": world.user.email, "password": PASSWORD}
        signed = browser.post(f"{base}/login", data=data, allow_redirects=False, timeout=30)
        assert signed.status_code == 302, signed.text
        yield base, browser
    finally:
        stop_process(server)


def test_a_6kb_search_gets_the_dashboards_own_refusal(served):
    """/search?q= with a ~6 KB query (a trial's, over gunicorn's default 4094-byte request
    line) reaches the dashboard: its 422 search page says how long a search may be."""
    base, browser = served
    query = "forklift" * 750  # 6,000 characters; the request line is about 6,030 bytes
    response = browser.get(f"{base}/search", params={"q": query}, timeout=30)
    assert response.status_code == 422, response.text[:300]
    page = parse(response.content)
    [error] = page.find_all("p", cls="filter-error")
    assert error.text().startswith("A search is at most 200 characters; this one has 6,000.")
    assert page.one("input", id="q").attrs["value"] == query


def test_the_longest_the_search_box_can_send_is_searched(served):
    """200 characters of 3-byte UTF-8 (the most the box's maxlength lets a browser send:
    it counts UTF-16 units; 1,800 bytes percent-encoded) is searched."""
    base, browser = served
    query = "漢" * 200
    response = browser.get(f"{base}/search", params={"q": query}, timeout=30)
    assert response.status_code == 200
    assert parse(response.content).one("input", id="q").attrs["value"] == query


def test_an_address_near_gunicorns_most_is_a_dashboard_page(served):
    """An 8,000-byte request line (under gunicorn's most, 8190) is the dashboard's 404
    page, not gunicorn's "Request Line is too large"."""
    base, browser = served
    response = browser.get(f"{base}/{'n' * 7950}", timeout=30)
    assert response.status_code == 404
    assert parse(response.content).one("h1").text() == "Not found"
