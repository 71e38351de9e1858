"""Creating interviews from a description (the YAML format), and adding candidates.

The simple form (title, phone_number, language, voice, intro, closing, questions with
prompt and max_seconds) stays valid. Any text may instead be a map of language to text;
the first language offered is the default and fills the plain columns, the others go
into `translations`.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from voice.models import Candidate, Interview, Organization, Question, QuestionKind
from voice.phones import normalise_phone

PIN_DIGITS = 6
DEFAULT_MAX_SECONDS = 120
DEFAULT_VOICES = {"en": "Polly.Joanna", "es": "Polly.Mia"}
_REMINDER = re.compile(r"^(\d+)\s*([mhd])$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")


class InterviewSpecError(ValueError):
    """The interview description is missing something or has a bad value."""


def interview_from_spec(session: Session, organization: Organization, spec: Any) -> Interview:
    """Build (and add to the session) an interview from a parsed YAML mapping."""
    if not isinstance(spec, dict):
        raise InterviewSpecError("the interview file must be a mapping of keys to values")
    title = _required_text(spec, "title")
    try:
        number = normalise_phone(str(spec.get("phone_number", "")))
    except ValueError as exc:
        raise InterviewSpecError(f"phone_number: {exc}") from None
    if session.scalar(select(Interview.id).where(Interview.phone_number == number)):
        raise InterviewSpecError(f"phone_number {number} already answers another interview")
    languages = _languages(spec)
    default = languages[0]
    questions = spec.get("questions")
    if not isinstance(questions, list) or not questions:
        raise InterviewSpecError("questions: give at least one question")

    texts = {
        name: _per_language(spec.get(name), languages, name)
        for name in ("intro", "closing", "job_details")
    }
    voices = _per_language(spec.get("voice"), languages, "voice")
    for language in languages:
        voices[language] = voices.get(language) or DEFAULT_VOICES.get(
            language.split("-")[0], "Polly.Joanna"
        )
    translations = {}
    for language in languages[1:]:
        fields = {"voice": voices[language]} | {n: texts[n].get(language, "") for n in texts}
        translations[language] = {name: value for name, value in fields.items() if value}
    interview = Interview(
        organization=organization,
        title=title,
        phone_number=number,
        language=default,
        languages=languages,
        voice=voices[default],
        intro=texts["intro"].get(default, ""),
        closing=texts["closing"].get(default, ""),
        job_details=texts["job_details"].get(default, ""),
        translations=translations,
        retakes=_int(spec, "retakes", 0, 0, 5, "interview"),
        practice=bool(spec.get("practice", False)),
        deadline=_deadline(spec.get("deadline")),
        reminders=_reminders(spec.get("reminders")),
        delete_recordings_at_twilio=bool(spec.get("delete_recordings_at_twilio", False)),
    )
    for position, item in enumerate(questions, start=1):
        interview.questions.append(_question(position, item, languages))
    session.add(interview)
    return interview


def _languages(spec: dict) -> list[str]:
    raw = spec.get("languages") or [spec.get("language") or "en-US"]
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise InterviewSpecError("languages: give a list like [en-US, es-MX]")
    languages = [x.strip() for x in raw]
    for language in languages:
        if not _LANGUAGE.match(language):
            raise InterviewSpecError(f"languages: {language!r} is not a code like en-US")
    if len(set(languages)) != len(languages):
        raise InterviewSpecError("languages: each language once")
    if len(languages) > 9:
        raise InterviewSpecError("languages: at most 9 (one key each in the menu)")
    return languages


def _per_language(value: Any, languages: list[str], where: str) -> dict[str, str]:
    """A text for every language from a string (all languages) or a {language: text} map."""
    if value is None:
        return {}
    if isinstance(value, str):
        return dict.fromkeys(languages, value.strip())
    if isinstance(value, dict):
        unknown = set(value) - set(languages)
        if unknown:
            raise InterviewSpecError(
                f"{where}: {', '.join(sorted(unknown))} is not among languages {languages}"
            )
        return {k: str(v).strip() for k, v in value.items() if v}
    raise InterviewSpecError(f"{where}: give text, or a map of language to text")


def _question(position: int, item: Any, languages: list[str]) -> Question:
    where = f"question {position}"
    if isinstance(item, str):
        item = {"prompt": item}
    if not isinstance(item, dict):
        raise InterviewSpecError(f"{where}: give a prompt")
    kind = str(item.get("kind", QuestionKind.VOICE))
    if kind not in QuestionKind.ALL:
        raise InterviewSpecError(f"{where}: kind must be one of {', '.join(QuestionKind.ALL)}")
    prompts = _per_language(item.get("prompt"), languages, f"{where} prompt")
    default = prompts.get(languages[0], "")
    if not default:
        raise InterviewSpecError(f"{where}: prompt is required (in {languages[0]} at least)")
    max_seconds = _int(item, "max_seconds", DEFAULT_MAX_SECONDS, 5, 3600, where)
    min_seconds = _int(item, "min_seconds", 0, 0, max_seconds, where)
    question = Question(
        position=position,
        kind=kind,
        prompt=default,
        translations={k: v for k, v in prompts.items() if k != languages[0]},
        max_seconds=max_seconds,
        min_seconds=min_seconds,
        think_seconds=_int(item, "think_seconds", 0, 0, 120, where),
        retakes=_int(item, "retakes", None, 0, 5, where),
    )
    must_be = item.get("must_be")
    if must_be is not None:
        # YAML reads a bare yes/no as a boolean.
        must_be = {True: "yes", False: "no"}.get(must_be, str(must_be).lower())
        if kind != QuestionKind.YES_NO or must_be not in ("yes", "no"):
            raise InterviewSpecError(f"{where}: must_be (yes or no) is for yes_no questions")
        question.must_be = must_be
    for rule in ("at_least", "at_most"):
        if item.get(rule) is not None:
            if kind != QuestionKind.NUMBER:
                raise InterviewSpecError(f"{where}: {rule} is for number questions")
            setattr(question, rule, _int(item, rule, None, 0, 10**6, where))
    return question


def _int(spec: dict, key: str, default, low: int, high: int, where: str):
    value = spec.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InterviewSpecError(f"{where}: {key} must be a whole number from {low} to {high}")
    return value


def _deadline(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise InterviewSpecError(
                f"deadline: {value!r} is not a date and time like 2026-12-31T23:59:00Z"
            ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _reminders(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise InterviewSpecError('reminders: give a list like ["48h", "4h"]')
    labels = [str(v).strip().lower() for v in value]
    for label in labels:
        if not _REMINDER.match(label):
            raise InterviewSpecError(f"reminders: {label!r} is not like 48h, 30m or 2d")
    return labels


def reminder_offset_seconds(label: str) -> int:
    """How long before the deadline a reminder like "48h" goes out."""
    amount, unit = _REMINDER.match(label).groups()
    return int(amount) * {"m": 60, "h": 3600, "d": 86400}[unit]


def _required_text(spec: dict, key: str, where: str = "") -> str:
    value = spec.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InterviewSpecError(f"{where + ': ' if where else ''}{key} is required")
    return value.strip()


def add_candidate(
    session: Session,
    interview: Interview,
    name: str,
    phone: str | None = None,
    *,
    email: str | None = None,
    extra_time: float = 1.0,
    slow_speech: bool = False,
) -> Candidate:
    """Invite a candidate to an interview with a fresh PIN unique within it."""
    name = (name or "").strip()
    if not name:
        raise ValueError("a candidate needs a name")
    if not 1.0 <= extra_time <= 3.0:
        raise ValueError("extra time is a multiplier from 1.0 to 3.0")
    phone = normalise_phone(phone) if phone else None
    taken = set(
        session.scalars(select(Candidate.pin).where(Candidate.interview_id == interview.id))
    )
    while True:
        pin = "".join(secrets.choice("0123456789") for _ in range(PIN_DIGITS))
        if pin not in taken and pin[0] != "0":
            break
    candidate = Candidate(
        interview=interview,
        name=name,
        phone=phone,
        pin=pin,
        email=email,
        extra_time=extra_time,
        slow_speech=slow_speech,
    )
    session.add(candidate)
    return candidate
