"""Helpers for the review, share and search tests: real audio, teammates, CSRF tokens."""

from __future__ import annotations

from functools import cache

from flask.testing import FlaskClient

from tests.dashboard.html import parse
from tests.factories import make_user
from voice.models import InterviewReviewer, Role


@cache
def tone_mp3() -> bytes:
    """4 s of real MP3: a tone, 2.5 s of silence, a tone."""
    from pydub import AudioSegment
    from pydub.generators import Sine

    tone = Sine(440).to_audio_segment(duration=700, volume=-10)
    audio = tone + AudioSegment.silent(2500) + tone
    buffer = audio.set_channels(1).set_frame_rate(16000).export(format="mp3", bitrate="48k")
    return buffer.read()


def csrf_token(client: FlaskClient, path: str = "/review") -> str:
    """The session's CSRF token, read from a page's form as a browser would."""
    page = parse(client.get(path).data)
    return page.find("input", name="csrf_token").attrs["value"]


def teammate(db, org, email: str, role: str = Role.REVIEWER, interviews=()):
    """Another user of the organisation; a reviewer gets the given interviews shared."""
    user = make_user(db, org, email=email, role=role)
    for interview in interviews:
        db.add(InterviewReviewer(interview_id=interview.id, user_id=user.id))
    db.flush()
    return user
