"""Creating interviews from a description, and adding candidates with their PINs."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from voice.models import Candidate, Interview, Organization, Question
from voice.phones import normalise_phone

PIN_DIGITS = 6
DEFAULT_MAX_SECONDS = 120


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
    questions = spec.get("questions")
    if not isinstance(questions, list) or not questions:
        raise InterviewSpecError("questions: give at least one question")

    interview = Interview(
        organization=organization,
        title=title,
        phone_number=number,
        language=str(spec.get("language") or "en-US"),
        voice=str(spec.get("voice") or "Polly.Joanna"),
        intro=str(spec.get("intro") or ""),
        closing=str(spec.get("closing") or ""),
        delete_recordings_at_twilio=bool(spec.get("delete_recordings_at_twilio", False)),
    )
    for position, item in enumerate(questions, start=1):
        interview.questions.append(_question(position, item))
    session.add(interview)
    return interview


def _question(position: int, item: Any) -> Question:
    if isinstance(item, str):
        item = {"prompt": item}
    if not isinstance(item, dict):
        raise InterviewSpecError(f"question {position}: give a prompt")
    prompt = _required_text(item, "prompt", f"question {position}")
    max_seconds = item.get("max_seconds", DEFAULT_MAX_SECONDS)
    if not isinstance(max_seconds, int) or not 5 <= max_seconds <= 3600:
        raise InterviewSpecError(f"question {position}: max_seconds must be 5 to 3600")
    return Question(position=position, prompt=prompt, max_seconds=max_seconds)


def _required_text(spec: dict, key: str, where: str = "") -> str:
    value = spec.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InterviewSpecError(f"{where + ': ' if where else ''}{key} is required")
    return value.strip()


def add_candidate(
    session: Session, interview: Interview, name: str, phone: str | None = None
) -> Candidate:
    """Invite a candidate to an interview with a fresh PIN unique within it."""
    name = (name or "").strip()
    if not name:
        raise ValueError("a candidate needs a name")
    phone = normalise_phone(phone) if phone else None
    taken = set(
        session.scalars(select(Candidate.pin).where(Candidate.interview_id == interview.id))
    )
    while True:
        pin = "".join(secrets.choice("0123456789") for _ in range(PIN_DIGITS))
        if pin not in taken and pin[0] != "0":
            break
    candidate = Candidate(interview=interview, name=name, phone=phone, pin=pin)
    session.add(candidate)
    return candidate
