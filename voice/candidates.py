"""Candidates: adding one to an interview, and the rules their fields follow.

The dashboard's CSV import and accommodations form and `screenline candidate add` use
these limits and the one PIN generator (voice/pins.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from voice.models import Candidate, Interview
from voice.phones import DEFAULT_REGION, normalise_phone
from voice.pins import new_pin, pins_in_use

EXTRA_TIME = (1.0, 4.0)  # the answer-time multiplier an accommodation may give
MAX_CANDIDATE_NAME = 200  # Candidate.name String(200)
MAX_CANDIDATE_EMAIL = 254  # Candidate.email String(254)


def check_extra_time(value: Any) -> float:
    """Return the extra-time multiplier as a float rounded to 0.01; raise ValueError if not 1-4."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if not EXTRA_TIME[0] <= number <= EXTRA_TIME[1]:
        raise ValueError(
            f"Extra time is a multiplier from {EXTRA_TIME[0]:g} (none) to {EXTRA_TIME[1]:g}."
        )
    return round(number, 2)


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
    """Invite a candidate to an interview with a fresh PIN unique within it.

    A phone without its country code is read in the organisation's default country.
    Raises ValueError (a readable sentence) for a missing or over-long name, a phone
    that is not a number, an email that is not an address, or extra time outside 1-4.
    """
    name = (name or "").strip()
    if not name:
        raise ValueError("a candidate needs a name")
    if len(name) > MAX_CANDIDATE_NAME:
        raise ValueError(f"a candidate's name has at most {MAX_CANDIDATE_NAME} characters")
    email = (email or "").strip() or None
    if email and ("@" not in email or len(email) > MAX_CANDIDATE_EMAIL):
        raise ValueError(f"{email[:60]!r} is not an email address")
    extra_time = check_extra_time(extra_time)
    org = interview.organization
    region = (org.default_country if org else None) or DEFAULT_REGION
    phone = normalise_phone(phone, region) if phone else None
    candidate = Candidate(
        interview=interview,
        name=name,
        phone=phone,
        pin=new_pin(pins_in_use(session, interview.id)),
        email=email,
        extra_time=extra_time,
        slow_speech=slow_speech,
    )
    session.add(candidate)
    return candidate
