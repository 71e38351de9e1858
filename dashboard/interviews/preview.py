"""The call preview: the whole call as the caller hears it, step by step, in one language.

The steps come from ivr/script.py, which the IVR's routes speak, so the preview cannot
drift from the call.
"""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from dashboard.access import get_visible
from ivr.script import call_script
from ivr.services import db
from voice.call_length import expected_minutes
from voice.models import Interview


def preview(interview_id: int):
    """The call as the caller hears it, step by step, in the language asked for."""
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
        steps=call_script(interview, language),
        minutes=expected_minutes(interview),
    )
