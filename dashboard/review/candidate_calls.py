"""The candidate page's calls: each call's line (when, which way, how it ended), the next
step after an outbound call, and each call's consent record as one sentence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.presenters import call_direction_words, call_next_step
from voice.dates import date_and_time, for_managers
from voice.models import Call, Candidate


def consent_line(call: Call, zone: str | None = None, language: str | None = None) -> str | None:
    """What a call's consent record says, as one sentence; None if consent was not asked.

    "Agreed to recording on Nov 30, 2026, 8:02 AM CST by pressing 1, after hearing
    (en-US): '...'"; a declined call says "Declined" and key 2. The time is in `zone` (an
    IANA name; default UTC), worded for `language` by voice/dates.py.
    """
    if call.consent_text is None:
        return None
    heard = f"({call.consent_language}): '{call.consent_text}'"
    if call.consent_key is None or call.consent_at is None:
        return f"Asked for consent but no key was pressed, after hearing {heard}"
    verb = "Agreed to" if call.consent_key == "1" else "Declined"
    when = date_and_time(call.consent_at, zone, language, year=True)
    return f"{verb} recording on {when} by pressing {call.consent_key}, after hearing {heard}"


@dataclass(frozen=True)
class CallLine:
    """One call on the candidate page: when, which way, and how it ended."""

    started_at: datetime
    direction: str  # "Call me now" or "Called in"
    outcome: str  # the flow's outcome ("no answer", "voicemail", "completed"...), or status


def calls_of(session: Session, candidate_id: int) -> tuple[list[CallLine], str | None]:
    """The candidate's calls, newest first, and the next step after the newest one
    (dashboard.presenters.call_next_step; None after a call they made themselves)."""
    calls = session.scalars(
        select(Call)
        .where(Call.candidate_id == candidate_id)
        .order_by(Call.started_at.desc(), Call.id.desc())
    ).all()
    lines = [
        CallLine(
            c.started_at,
            call_direction_words(c.direction),
            c.outcome or c.status,
        )
        for c in calls
    ]
    newest = calls[0] if calls else None
    step = call_next_step(newest.outcome) if newest and newest.direction != "inbound" else None
    return lines, step


def consents_of(session: Session, candidate: Candidate) -> list[str]:
    """The consent record of each of the candidate's calls that asked for it, oldest
    first, as `consent_line` words it in the organisation's time zone and language."""
    calls = session.scalars(
        select(Call)
        .where(Call.candidate_id == candidate.id, Call.consent_text.is_not(None))
        .order_by(Call.started_at, Call.id)
    )
    zone, language = for_managers(candidate.interview.organization)
    return [line for call in calls if (line := consent_line(call, zone, language))]
