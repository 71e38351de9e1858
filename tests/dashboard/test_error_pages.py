"""The dashboard's own error page for every HTTP error a person can meet, never Werkzeug's
bare one; the API and /ivr/ keep their own forms (problem details, one text/plain line)."""

from __future__ import annotations

import io

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


def test_a_request_over_the_upload_limit_names_the_limit_and_leads_back(signed_in, client):
    """A body over the dashboard's 2 MB limit was Werkzeug's "Request Entity Too Large. The
    data value transmitted exceeds the capacity limit.": now the dashboard's 413 page says
    how large a file may be, that nothing was saved, and links back to the form's page."""
    form = "http://localhost/interviews/1/import?x=1"
    data = {"file": (io.BytesIO(b"name,phone\n" * 200_000), "list.csv")}
    response = client.post(
        "/interviews/1/import",
        data=data,
        content_type="multipart/form-data",
        headers={"Referer": form},
    )
    assert response.status_code == 413
    page = parse(response.data)
    assert page.one("h1").text() == "File too large"
    section = page.one("section", cls="empty-state")
    assert (
        section.find_all("p")[0]
        .text()
        .startswith(
            "A file sent to Screenline can be at most 2 MB (with the rest of its form); "
            "this one was larger. Nothing was saved."
        )
    )
    back = page.one("a", id="error-back")
    assert back.attrs["href"] == "/interviews/1/import?x=1"
    # Without JavaScript the link reloads the form empty, and says so; app.js makes it
    # "Go back" in history, as the page's text says the Back button does.
    assert back.text() == "Open the form again (empty)"
    assert back.attrs["data-history-back"] == "Go back"
    assert page.find("nav", cls="mainnav") is not None  # the header, signed in


def test_text_over_the_limit_is_not_called_a_file(signed_in, client):
    """A 2.2 MB comment posted on a candidate's page was answered "File too large ...
    choose a smaller file: a long candidate list can be split": a request that is no
    file upload form (not multipart/form-data) is now told its text was too large."""
    candidate = signed_in.transcribed.candidate_id
    response = client.post(
        f"/candidates/{candidate}/comments",
        data={"body": "x" * int(2.2 * 1024 * 1024)},
        headers={"Referer": f"http://localhost/candidates/{candidate}"},
    )
    assert response.status_code == 413
    page = parse(response.data)
    assert page.one("h1").text() == "Text too large"
    message = page.one("section", cls="empty-state").find_all("p")[0].text()
    assert message.startswith(
        "The text sent was too large: a form sent to Screenline can hold at most 2 MB. "
        "Nothing was saved. Go back with your browser's Back button"
    )
    assert "file" not in message
    assert page.one("a", id="error-back").attrs["href"] == f"/candidates/{candidate}"


def test_the_way_back_is_only_to_this_site(signed_in, client):
    """Without a Referer, or with another site's, the 413 page offers no "Go back" link
    (only "Back to interviews")."""
    body = {"x": "y" * (3 * 1024 * 1024)}
    for headers in ({}, {"Referer": "https://elsewhere.example/form"}):
        response = client.post("/settings/review", data=body, headers=headers)
        assert response.status_code == 413
        page = parse(response.data)
        assert page.find("a", id="error-back") is None
        assert page.one("section", cls="empty-state").one("a").text() == "Back to interviews"


def test_other_errors_get_the_same_page_naming_them(signed_in, client):
    """An error without a page of its own (a range past the end of an answer's audio) is
    the dashboard's page, named as Werkzeug names it."""
    response = client.get(
        f"/audio/answers/{signed_in.transcribed.id}.mp3", headers={"Range": "bytes=999999-"}
    )
    assert response.status_code == 416
    page = parse(response.data)
    assert page.one("h1").text() == "Requested Range Not Satisfiable"


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
