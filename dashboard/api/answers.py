"""`/api/v1/answers/{id}/audio`: a short-lived signed link to an answer's audio.

A key that may see the answer (its organisation's) gets a URL valid for
AUDIO_LINK_SECONDS; the URL itself carries the permission (signed with the app's secret
key, naming the answer and organisation), so an applicant tracking system can hand it
to a browser or a player without the API key. After it expires it is 404.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint as FlaskBlueprint
from flask import abort, current_app, url_for
from flask.views import MethodView
from itsdangerous import BadSignature, URLSafeTimedSerializer

from dashboard.access import find_in_organization, get_visible, public
from dashboard.api.auth import caller
from dashboard.api.body import ApiBlueprint
from dashboard.api.hooks import guard
from dashboard.api.problems import Problem
from dashboard.api.result_schemas import AudioLinkSchema
from dashboard.media import audio_response, playable
from ivr.services import db
from voice.models import Answer, utcnow

AUDIO_LINK_SECONDS = 300
SALT = "screenline-api-audio"

blp = ApiBlueprint(
    "api_answers",
    __name__,
    url_prefix="/api/v1/answers",
    description="Answers: their audio, through short-lived signed links.",
)
guard(blp)

# The signed link itself needs no key: it is its own permission (and expires).
audio_links = FlaskBlueprint("api_audio", __name__, url_prefix="/api/v1/audio")


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


@blp.route("/<int:answer_id>/audio")
class AnswerAudio(MethodView):
    """An answer's audio."""

    @blp.response(200, AudioLinkSchema)
    def get(self, answer_id: int):
        """Get a signed link to the answer's MP3, valid for five minutes."""
        answer = get_visible(db(), caller(), Answer, answer_id)
        if not answer.playback_key:
            raise Problem("not-found", "This answer has no audio (yet, or any more).")
        token = _serializer().dumps({"a": answer.id, "o": caller().organization_id})
        return {
            "url": url_for("api_audio.audio", token=token, _external=True),
            "expires_at": utcnow() + timedelta(seconds=AUDIO_LINK_SECONDS),
        }


@audio_links.get("/<token>.mp3")
@public
def audio(token: str):
    """Serve the MP3 a signed link names, while the link is valid (404 after)."""
    try:
        claims = _serializer().loads(token, max_age=AUDIO_LINK_SECONDS)
        answer_id, organization_id = int(claims["a"]), int(claims["o"])
    except (BadSignature, KeyError, TypeError, ValueError):
        abort(404)
    answer = find_in_organization(db(), organization_id, Answer, answer_id, options=())
    return audio_response(playable(answer))
