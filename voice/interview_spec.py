"""A saved interview written back in the interview file format (the API's GET, exports).

The other direction, reading and checking a file, is voice/interviews.py; what this
writes, `clean_interview` accepts back unchanged.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from voice.interviews import SPOKEN_TEXTS
from voice.models import Interview, Question

# A question's settings that only a recording uses: a keypad question (yes_no, number)
# records nothing, so they are null for it, as `screenline results --json` shows its
# max_seconds (voice.results).
RECORDING_ONLY = ("max_seconds", "min_seconds", "think_seconds")


def interview_spec(interview: Interview) -> dict[str, Any]:
    """A saved interview in the interview file format: `clean_interview` accepts it back.

    Texts with translations become {language: text} maps, the others plain strings;
    the deadline is RFC 3339 UTC text; settings left unset are left out, except that a
    keypad question's RECORDING_ONLY settings are there as None (it records nothing).
    """
    languages = interview.offered_languages()
    translations = interview.translations or {}

    def texts(name: str, default: str) -> str | dict[str, str]:
        values = {languages[0]: default} | {
            lang: translations.get(lang, {}).get(name, "") for lang in languages[1:]
        }
        values = {k: v for k, v in values.items() if v}
        return default if set(values) <= {languages[0]} else values

    spec: dict[str, Any] = {
        "title": texts("title", interview.title),
        "phone_number": interview.phone_number,
        "languages": languages,
        "voice": texts("voice", interview.voice),
        **{name: texts(name, getattr(interview, name)) for name in SPOKEN_TEXTS},
        "retakes": interview.retakes,
        "practice": interview.practice,
        "deadline": (
            interview.deadline.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            if interview.deadline
            else None
        ),
        "reminders": list(interview.reminders or []),
        "retention_days": interview.retention_days,
        "delete_recordings_at_twilio": interview.delete_recordings_at_twilio,
        "questions": [_question_spec(q, languages) for q in interview.questions],
    }
    return {k: v for k, v in spec.items() if v is not None and v != ""}


def _question_spec(question: Question, languages: list[str]) -> dict[str, Any]:
    prompts = {languages[0]: question.prompt} | {
        k: v for k, v in (question.translations or {}).items() if v
    }
    spec = {
        "kind": question.kind,
        "prompt": question.prompt if len(prompts) == 1 else prompts,
        "max_seconds": question.max_seconds,
        "min_seconds": question.min_seconds,
        "think_seconds": question.think_seconds,
        "retakes": question.retakes,
        "must_be": question.must_be,
        "at_least": question.at_least,
        "at_most": question.at_most,
    }
    if question.is_keypad:
        spec |= dict.fromkeys(RECORDING_ONLY)
    return {k: v for k, v in spec.items() if v is not None or k in RECORDING_ONLY}
