"""An answer's media: its playback MP3, waveform picture and skippable silences.

The response builders here serve signed-in pages (the routes below, which reach the
answer through dashboard.access) and share links' visitors (dashboard.share) alike.
Media is private: a browser may keep it a few minutes, a shared proxy never. Files are
streamed from the audio store whatever its backend (folder or S3), honouring HTTP Range
(a seek reads only the bytes asked for) and conditional requests.
Waveforms and silences are computed by the worker once it stores the playback copy
(voice.waveform); for older answers the first request computes and caches them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, current_app, jsonify, request
from flask_login import current_user
from werkzeug.wsgi import wrap_file

from dashboard.access import get_visible, media
from dashboard.auditing import record
from ivr.services import db, services
from voice.models import Answer
from voice.store import answer_key
from voice.waveform import cached_silences, cached_waveform

media_files = Blueprint("media", __name__)

MAX_AGE = 600  # seconds a browser may reuse media it fetched (private cache only)


def playable(answer: Answer | None) -> Answer:
    """Return the answer if its playback audio is in the store; abort 404 otherwise (503
    when the store cannot be reached)."""
    if answer is None or not answer.playback_key:
        abort(404)
    try:
        if not services().store.exists(answer.playback_key):
            abort(404)
    except ValueError:  # a key the store refuses (outside its folder) is simply missing
        abort(404)
    except OSError:  # the store cannot be reached: try again later
        abort(503)
    return answer


def private(response: Response, max_age: int = MAX_AGE) -> Response:
    """Mark a media response cacheable by the browser only, per signed-in user."""
    response.cache_control.no_cache = None
    response.cache_control.public = False
    response.cache_control.private = True
    response.cache_control.max_age = max_age
    response.vary.add("Cookie")
    return response


def stored_response(
    key: str, mimetype: str, *, download_name: str | None = None, as_attachment: bool = False
) -> Response:
    """Stream a stored file: 200, 206 for a Range, 304 when unchanged, 416 past the end.

    Aborts with 404 when nothing is stored under `key` (erased since it was checked),
    and with 503 when the store cannot be reached.
    """
    store = services().store
    try:
        info = store.stat(key)
        handle = store.open(key)
    except FileNotFoundError:
        abort(404)
    except OSError:
        abort(503)
    body = wrap_file(request.environ, handle, buffer_size=64 * 1024)
    response = current_app.response_class(body, mimetype=mimetype, direct_passthrough=True)
    response.content_length = info.size
    response.last_modified = datetime.fromtimestamp(int(info.modified), UTC)
    response.set_etag(info.etag)
    if download_name:
        response.headers.set(
            "Content-Disposition",
            "attachment" if as_attachment else "inline",
            filename=download_name,
        )
    return response.make_conditional(request, accept_ranges=True, complete_length=info.size)


def audio_response(answer: Answer, download: bool = False) -> Response:
    """The playback MP3; Range requests get 206 so the player can seek."""
    response = stored_response(
        answer.playback_key,
        "audio/mpeg",
        download_name=f"answer-{answer.id}.mp3",
        as_attachment=download,
    )
    return private(response)


def waveform_response(answer: Answer) -> Response:
    """The waveform SVG, served from its cached file (computed first if missing)."""
    cached_waveform(services().store, answer.id, answer.playback_key)
    response = stored_response(answer_key(answer.id, "waveform.svg"), "image/svg+xml")
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return private(response)


def silences_response(answer: Answer) -> Response:
    """JSON {"answer_id": id, "silences": [[start, end], ...]} in seconds."""
    spans = cached_silences(services().store, answer.id, answer.playback_key)
    return private(jsonify({"answer_id": answer.id, "silences": spans}))


def starts_playing() -> bool:
    """Whether an audio request starts a listen (a GET with no Range, or one from byte 0)
    rather than a seek within one or a HEAD: only those are audited, once per play."""
    if request.method != "GET":
        return False
    wanted = request.headers.get("Range", "").replace(" ", "")
    return not wanted or wanted.startswith("bytes=0-")


def _visible_answer(answer_id: int) -> Answer:
    return playable(get_visible(db(), current_user, Answer, answer_id))


@media_files.get("/audio/answers/<int:answer_id>.mp3")
@media
def audio(answer_id: int):
    """Serve an answer's playback MP3 (?download=1 as an attachment); audit the play or
    download ("answer_played", "answer_downloaded")."""
    answer = _visible_answer(answer_id)
    download = request.args.get("download") == "1"
    if download or starts_playing():
        action = "answer_downloaded" if download else "answer_played"
        record(action, candidate=answer.candidate, answer_id=answer.id)
        db().commit()
    return audio_response(answer, download=download)


@media_files.get("/answers/<int:answer_id>/waveform.svg")
@media
def waveform(answer_id: int):
    """Serve an answer's waveform picture."""
    return waveform_response(_visible_answer(answer_id))


@media_files.get("/answers/<int:answer_id>/silences.json")
@media
def silences(answer_id: int):
    """Serve an answer's long silences, which the player may skip."""
    return silences_response(_visible_answer(answer_id))
