"""The dashboard's own error page for every HTTP error a person can meet, never Werkzeug's
bare one; the API and /ivr/ keep their own forms (problem details, one text/plain line)."""

from __future__ import annotations

from tests.dashboard.html import parse


def test_a_form_address_opened_as_a_page_explains_itself(signed_in, client):
    """A trial saved a transcript with an error (422), reloaded the page, and the browser's
    GET of the form's address showed Werkzeug's bare "Method Not Allowed" with no header
    and no way back. Now it is the dashboard's page, saying what happened, with the Allow
    header a 405 must carry."""
    # The method is refused before any row is read, so any answer number shows it.
    for path in ("/answers/1/transcript", "/logout"):
        response = client.get(path)
        assert response.status_code == 405, path
        assert "POST" in response.headers["Allow"], path
        page = parse(response.data)
        assert page.one("h1").text() == "Not a page", path
        section = page.one("section", cls="empty-state")
        assert "cannot be opened as a page" in section.text()
        assert section.one("a").text() == "Back to interviews"
        assert page.find("nav", cls="mainnav") is not None  # the header, signed in


def test_other_errors_get_the_same_page_naming_them(signed_in, client):
    """A body over the dashboard's limit is 413 on the dashboard's page, named."""
    response = client.post("/settings/review", data={"x": "y" * (20 * 1024 * 1024)})
    assert response.status_code == 413
    page = parse(response.data)
    assert page.one("h1").text() == "Request Entity Too Large"


def test_the_api_and_webhooks_keep_their_own_error_forms(signed_in, client):
    """/api/ answers problem details and /ivr/ one text/plain line, as before."""
    api = client.delete("/api/v1/candidates")
    assert api.status_code in (401, 405) and api.mimetype == "application/problem+json"
    ivr = client.get("/ivr/voice")
    assert ivr.status_code == 405 and ivr.mimetype == "text/plain"


def test_the_interviews_address_typed_by_hand_is_the_list(signed_in, client):
    """/interviews, the address every interview's page lies under, was a 404 "Not found"
    (a trial typed it): it leads to the list of interviews at /."""
    response = client.get("/interviews")
    assert response.status_code == 301 and response.location == "/"
    page = parse(client.get(response.location).data)
    assert page.one("h1").text() == "Interviews"
