"""The call preview: the whole call as a caller hears it today, step by step, in one language
(once the deadline has passed, only the closed message).

The steps come from ivr/script.py, which the IVR's routes speak, so the preview cannot
drift from the call.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import render_template, request
from flask_login import current_user

from dashboard.access import get_visible
from ivr.script import call_script
from ivr.services import db
from voice.call_length import expected_minutes
from voice.models import Interview


def preview(interview_id: int):
    """The call as a caller would hear it now, step by step, in the language asked for."""
    now = datetime.now(UTC)
    interview = get_visible(db(), current_user, Interview, interview_id)
    languages = interview.offered_languages()
    language = request.args.get("language", languages[0])
    if language not in languages:
        language = languages[0]
    return render_template(
        "preview.html",
        interview=interview,
        language=language,
        languages=languages,
        steps=call_script(interview, language, now),
        closed=interview.is_closed(now),
        minutes=expected_minutes(interview),
    )
