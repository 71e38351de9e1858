"""Under /ivr/ every HTTP error is one short text/plain line (Twilio's debugger logs the
body), whether or not a route matched; the dashboard keeps its HTML error pages."""

from __future__ import annotations

import pytest
from werkzeug.exceptions import BadRequestKeyError

from ivr.fields import MAX_BODY_BYTES
from tests.ivr.twilio_actions import TwilioActions

OVER_THE_LIMIT = "x" * 70_000  # a 70 kB body: past MAX_BODY_BYTES


def assert_one_plain_line(response, status: int) -> str:
    """The response is `status`, text/plain, one line of words and no markup; its text."""
    body = response.get_data(as_text=True)
    assert response.status_code == status, body
    assert response.mimetype == "text/plain", body
    assert body.endswith("\n") and body.count("\n") == 1, body
    assert "<" not in body and len(body) < 300, body
    return body.strip()


@pytest.mark.parametrize("path", ["/ivr/voice/", "/ivr/status/", "/ivr/nowhere", "/ivr"])
def test_a_post_to_no_webhook_under_ivr_is_a_plain_404(client, settings, candidate, path):
    """A trailing slash or a wrong path under /ivr/, signed as Twilio signs it, gets a
    plain 404 naming the path and the two URLs a number is given (not Flask's HTML)."""
    response = TwilioActions(client, settings).post(path, CallStatus="ringing")
    line = assert_one_plain_line(response, 404)
    assert line.startswith(f"Not found: no Twilio webhook at {path}.")
    assert "/ivr/voice" in line and "/ivr/status" in line


def test_a_70_kb_body_under_ivr_is_a_plain_413(client, settings, candidate):
    """A body over the webhook limit is refused with one plain line that gives the limit."""
    response = TwilioActions(client, settings).post(
        "/ivr/voice", CallStatus="ringing", Padding=OVER_THE_LIMIT
    )
    line = assert_one_plain_line(response, 413)
    assert line == f"Too large: a webhook body is at most {MAX_BODY_BYTES} bytes, as Twilio's are."


def test_a_70_kb_body_to_a_trailing_slash_is_still_a_plain_404(client, settings, candidate):
    """The trailing-slash probe with a large body: no route, so 404, still plain."""
    response = TwilioActions(client, settings).post(
        "/ivr/voice/", CallStatus="ringing", Padding=OVER_THE_LIMIT
    )
    assert_one_plain_line(response, 404)


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_a_method_a_webhook_does_not_take_is_a_plain_405(client, method):
    """GET (or PUT, DELETE) on a webhook: a plain 405 saying it takes POST, with Allow."""
    response = getattr(client, method)("/ivr/voice")
    line = assert_one_plain_line(response, 405)
    assert line == (
        "Method not allowed: /ivr/voice takes POST, as Twilio's webhooks are configured."
    )
    assert "POST" in response.headers["Allow"]


def test_a_bad_request_under_ivr_is_a_plain_400(app):
    """A 400 raised under /ivr/ (Flask's BadRequest, as a missing form key raises it) goes
    through the app's error handlers to a plain line that gives the reason."""
    with app.test_request_context("/ivr/voice", method="POST"):
        response = app.make_response(app.handle_http_exception(BadRequestKeyError("CallSid")))
    line = assert_one_plain_line(response, 400)
    assert line.startswith("Bad request: ")


@pytest.mark.parametrize("path", ["/nowhere", "/ivrs", "/interviews/999999999"])
def test_dashboard_paths_keep_their_html_error_pages(client, path):
    """Off /ivr/ (including a path that only begins with "ivr"), a 404 is the HTML page."""
    response = client.get(path, follow_redirects=True)
    assert response.mimetype == "text/html"
    assert "<html" in response.get_data(as_text=True).lower()
