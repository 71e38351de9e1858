"""Playback, waveforms and a candidate's own copy with the audio kept on a real S3-compatible
server."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile

import pytest

from dashboard.app import create_app
from tests.dashboard.conftest import submit
from tests.dashboard.html import parse
from voice.s3store import S3Store
from voice.store import answer_key

# Bigger than one read buffer, and unlike the folder fixtures' bytes: what comes back came
# from the bucket.
S3_BYTES = bytes(reversed(range(256))) * 2400


@pytest.fixture
def app(s3_settings, db):
    """The web app with SCREENLINE_STORAGE_URL=s3://bucket/audio on the test server."""
    app = create_app(s3_settings)
    yield app
    services = app.extensions["screenline"]
    if "session_factory" in services.__dict__:
        services.session_factory.kw["bind"].dispose()


@pytest.fixture
def s3(app, signed_in):
    """The app's S3 store, holding the signed-in world's playable answer."""
    store = app.extensions["screenline"].store
    assert isinstance(store, S3Store)
    store.put(signed_in.transcribed.playback_key, S3_BYTES)
    return store


def audio_url(world) -> str:
    return f"/audio/answers/{world.transcribed.id}.mp3"


def ranged_gets(store: S3Store) -> list[str]:
    """Record the Range header of every GET the store's client sends from now on."""
    seen: list[str] = []
    store.client.meta.events.register(
        "before-send.s3.GetObject",
        lambda request, **_: seen.append(str(request.headers.get("Range", b""), "ascii")),
    )
    return seen


def test_whole_file_comes_from_the_bucket(signed_in, client, s3):
    """A plain GET streams the object's bytes, marked private, with Accept-Ranges."""
    response = client.get(audio_url(signed_in))
    assert response.status_code == 200
    assert response.data == S3_BYTES
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["Content-Length"] == str(len(S3_BYTES))
    assert response.cache_control.private and "Cookie" in response.vary


def test_range_reads_only_the_bytes_asked_for(signed_in, client, s3):
    """A Range request gets 206 with those bytes, fetched by one ranged GET from the store."""
    gets = ranged_gets(s3)
    response = client.get(audio_url(signed_in), headers={"Range": "bytes=100-299"})
    assert response.status_code == 206
    assert response.data == S3_BYTES[100:300]
    assert response.headers["Content-Range"] == f"bytes 100-299/{len(S3_BYTES)}"
    assert gets == ["bytes=100-"]


def test_seeking_near_the_end_and_past_it(signed_in, client, s3):
    """An open-ended range returns the rest of the object; a range past the end is 416."""
    tail = client.get(audio_url(signed_in), headers={"Range": "bytes=600000-"})
    assert tail.status_code == 206 and tail.data == S3_BYTES[600_000:]
    past = client.get(audio_url(signed_in), headers={"Range": f"bytes={len(S3_BYTES)}-"})
    assert past.status_code == 416


def test_unchanged_audio_is_not_sent_again(signed_in, client, s3):
    """A request carrying the ETag it was given gets 304 and no body."""
    first = client.get(audio_url(signed_in))
    again = client.get(audio_url(signed_in), headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_erased_object_is_404(signed_in, client, s3):
    """Audio deleted from the bucket (erasure, purge) is simply not found."""
    s3.delete(signed_in.transcribed.playback_key)
    assert client.get(audio_url(signed_in)).status_code == 404


def test_other_organisations_audio_stays_hidden(signed_in, client, s3):
    """The access check still comes first: another organisation's stored audio is 404."""
    s3.put(answer_key(signed_in.stranger_answer.id, "playback.mp3"), S3_BYTES)
    assert client.get(f"/audio/answers/{signed_in.stranger_answer.id}.mp3").status_code == 404


def test_waveform_is_built_from_and_cached_in_the_bucket(signed_in, client, s3):
    """The waveform of undecodable stand-in bytes is a flat SVG, cached as an object."""
    answer = signed_in.transcribed
    response = client.get(f"/answers/{answer.id}/waveform.svg")
    assert response.status_code == 200
    assert ET.fromstring(response.data).tag == "{http://www.w3.org/2000/svg}svg"
    assert s3.exists(answer_key(answer.id, "waveform.svg"))
    assert client.get(f"/answers/{answer.id}/silences.json").get_json()["silences"] == []


def test_the_candidates_copy_holds_the_bucket_audio(signed_in, client, s3):
    """ "Export candidate data" reads the playback copy from the bucket into the ZIP."""
    cid = signed_in.candidate.id
    page = parse(client.get(f"/candidates/{cid}").data)
    response = submit(client, page, f"/candidates/{cid}/export")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    name = f"audio/q01-attempt1-answer{signed_in.transcribed.id}-playback.mp3"
    assert archive.read(name) == S3_BYTES


def test_an_unreachable_store_is_503_not_500(s3_settings, signed_in, db):
    """With the object store down, playback says 503 (try later), never a server error."""
    from tests.dashboard.conftest import AuthActions
    from tests.support import free_port

    down = create_app(s3_settings.replace(s3_endpoint_url=f"http://127.0.0.1:{free_port()}"))
    try:
        client = down.test_client()
        assert AuthActions(client).login().status_code == 302
        assert client.get(audio_url(signed_in)).status_code == 503
    finally:
        down.extensions["screenline"].close()
