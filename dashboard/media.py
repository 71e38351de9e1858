"""An answer's media: its playback MP3, waveform picture and skippable silences.

The response builders here serve signed-in pages (the routes below, which reach the
answer through dashboard.access) and share links' visitors (dashboard.share) alike.
Media is private: a browser may keep it a few minutes, a shared proxy never.
Waveforms and silences are computed by the worker once it stores the playback copy
(voice.waveform); for older answers the first request computes and caches them.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, request, send_file
from flask_login import current_user

from dashboard.access import get_visible, media
from ivr.services import db, services
from voice.models import Answer
from voice.store import answer_key
from voice.waveform import cached_silences, cached_waveform

media_files = Blueprint("media", __name__)

MAX_AGE = 600  # seconds a browser may reuse media it fetched (private cache only)


def playable(answer: Answer | None) -> Answer:
    """Return the answer if its playback audio is in the store; abort 404 otherwise."""
    if answer is None or not answer.playback_key:
        abort(404)
    try:
        if not services().store.exists(answer.playback_key):
            abort(404)
    except ValueError:  # a key the store refuses (outside its folder) is simply missing
        abort(404)
    return answer


def private(response: Response, max_age: int = MAX_AGE) -> Response:
    """Mark a media response cacheable by the browser only, per signed-in user."""
    response.cache_control.no_cache = None
    response.cache_control.public = False
    response.cache_control.private = True
    response.cache_control.max_age = max_age
    response.vary.add("Cookie")
    return response


def audio_response(answer: Answer, download: bool = False) -> Response:
    """The playback MP3; Range requests get 206 so the player can seek."""
    response = send_file(
        services().store.path(answer.playback_key),
        mimetype="audio/mpeg",
        conditional=True,
        max_age=None,
        as_attachment=download,
        download_name=f"answer-{answer.id}.mp3",
    )
    return private(response)


def waveform_response(answer: Answer) -> Response:
    """The waveform SVG, served from its cached file (computed first if missing)."""
    store = services().store
    cached_waveform(store, answer.id, answer.playback_key)
    response = send_file(
        store.path(answer_key(answer.id, "waveform.svg")),
        mimetype="image/svg+xml",
        conditional=True,
        max_age=None,
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return private(response)


def silences_response(answer: Answer) -> Response:
    """JSON {"answer_id": id, "silences": [[start, end], ...]} in seconds."""
    spans = cached_silences(services().store, answer.id, answer.playback_key)
    return private(jsonify({"answer_id": answer.id, "silences": spans}))


def _visible_answer(answer_id: int) -> Answer:
    return playable(get_visible(db(), current_user, Answer, answer_id))


@media_files.get("/audio/answers/<int:answer_id>.mp3")
@media
def audio(answer_id: int):
    """Serve an answer's playback MP3 (?download=1 as an attachment)."""
    return audio_response(_visible_answer(answer_id), download=request.args.get("download") == "1")


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
