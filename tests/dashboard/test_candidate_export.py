"""The candidate page's "Export candidate data": who may download it, and what comes."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from tests.candidate_data import make_everything
from tests.dashboard.conftest import submit
from tests.dashboard.html import parse
from tests.factories import make_org, make_user
from voice.models import InterviewReviewer
from voice.store import AudioStore


@pytest.fixture
def store(settings) -> AudioStore:
    return AudioStore(settings.media_dir)


@pytest.fixture
def everything(db, store):
    return make_everything(db, store)


def export_action(candidate_id: int) -> str:
    return f"/candidates/{candidate_id}/export"


def download(client, candidate_id: int):
    """Press "Export candidate data" on the candidate page; return the response."""
    page = parse(client.get(f"/candidates/{candidate_id}").data)
    button = page.one("form", action=export_action(candidate_id)).one("button")
    assert button.text() == "Export candidate data"
    return submit(client, page, export_action(candidate_id))


def test_manager_downloads_the_zip_from_the_candidate_page(everything, auth, client):
    """A manager's button downloads the ZIP with candidate.json, the texts and the audio."""
    assert auth.login("manager@acme.test").status_code == 302
    response = download(client, everything.candidate.id)
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "private, no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    record = json.loads(archive.read("candidate.json"))
    assert record["candidate"]["name"] == "Dana Diaz"
    playback = f"audio/q03-attempt2-answer{everything.spoken.id}-playback.mp3"
    assert archive.read(playback) == everything.playback
    assert {"README.txt", "transcripts.txt"} <= set(archive.namelist())


def test_missing_audio_still_downloads(everything, store, auth, client):
    """With the audio purged from the store, the export still downloads and lists it."""
    store.delete(everything.spoken.original_key)
    store.delete(everything.spoken.playback_key)
    auth.login("manager@acme.test")
    response = download(client, everything.candidate.id)
    assert response.status_code == 200
    record = json.loads(zipfile.ZipFile(io.BytesIO(response.data)).read("candidate.json"))
    assert {m["copy"] for m in record["missing_audio"]} == {"original", "playback"}


def test_another_organisation_cannot_download_it(everything, db, auth, client):
    """An admin of another organisation posting the export gets 404 and no data."""
    make_user(db, make_org(db, "Globex Logistics"), email="boss@globex.test")
    db.commit()
    auth.login("boss@globex.test")
    token = parse(client.get("/").data).find("input", name="csrf_token").attrs["value"]
    response = client.post(export_action(everything.candidate.id), data={"csrf_token": token})
    assert response.status_code == 404
    assert "Dana Diaz" not in response.get_data(as_text=True)


def test_a_reviewer_sees_no_button_and_may_not_export(everything, db, auth, client):
    """A reviewer the interview is shared with sees no export button, and posting is 403."""
    db.add(
        InterviewReviewer(
            interview_id=everything.candidate.interview_id, user_id=everything.reviewer.id
        )
    )
    db.commit()
    auth.login("rev@acme.test")
    page = parse(client.get(f"/candidates/{everything.candidate.id}").data)
    assert page.find("form", action=export_action(everything.candidate.id)) is None
    token = page.find("input", name="csrf_token").attrs["value"]
    response = client.post(export_action(everything.candidate.id), data={"csrf_token": token})
    assert response.status_code == 403


def test_export_needs_the_csrf_token(everything, auth, client):
    """A post without the form's CSRF token exports nothing."""
    auth.login("manager@acme.test")
    response = client.post(export_action(everything.candidate.id))
    assert response.status_code == 400
    assert response.mimetype != "application/zip"


def test_it_is_the_only_per_candidate_export(everything, auth, client):
    """The manage page links to no other download, and the old audio zip's GET is gone:
    one export, posted with the form, for everything held about the candidate."""
    auth.login("manager@acme.test")
    cid = everything.candidate.id
    manage = parse(client.get(f"/candidates/{cid}/manage").data)
    assert manage.one("h1")  # the page rendered
    assert not [a for a in manage.find_all("a") if "zip" in a.attrs.get("href", "")]
    assert client.get(f"/candidates/{cid}/audio.zip").status_code == 404
    assert download(client, cid).mimetype == "application/zip"
