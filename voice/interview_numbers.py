"""The number candidates call: each interview answers one Twilio number, and a number
answers one interview (a unique index on interviews.phone_number), so a call's `To` finds
its interview. The interview rule set (voice/interviews.py) checks the field here; every
front door words a number already taken as `number_taken` does.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from voice.models import Interview
from voice.phones import PhoneError, normalise_phone, not_our_number

TAKEN = "already answers another interview"


def number_taken(
    session: Session, number: str, organization_id: int | None, interview_id: int | None = None
) -> str | None:
    """The phone_number error when an interview other than `interview_id` answers
    `number` (E.164), or None when none does.

    The interview is named when it is `organization_id`'s, whose managers see every
    interview of theirs (dashboard/access.py): "phone_number +15550100200 already answers
    “Warehouse associate, nights”". Another organisation's (or any, without an
    organisation) stays unnamed, "phone_number +15550100200 already answers another
    interview" (TAKEN), so that no organisation learns another's data. Every front door
    says it so: the builder, the file import, `screenline interview import`, the API.
    """
    taken = session.execute(
        select(Interview.organization_id, Interview.title)
        .where(Interview.phone_number == number, Interview.id != (interview_id or -1))
        .limit(1)
    ).first()
    if taken is None:
        return None
    owner, title = taken
    if organization_id is not None and owner == organization_id:
        return f"phone_number {number} already answers “{title}”"
    return f"phone_number {number} {TAKEN}"


def check_interview_number(
    errors: dict,
    raw: Any,
    session: Session | None,
    interview_id: int | None,
    organization_id: int | None = None,
) -> str:
    """`raw` as the E.164 number candidates call, or "" with its error put in
    `errors["phone_number"]`: required, a number (worded for a number we answer, not one
    we dial: voice.phones.not_our_number), and, with a session, no other interview's
    (`number_taken`)."""
    if raw is None or str(raw).strip() == "":
        errors["phone_number"] = "phone_number is required: the Twilio number candidates call"
        return ""
    try:
        number = normalise_phone(str(raw))
    except PhoneError as exc:
        # Candidates ring this number; "not a phone number we can call" is about numbers
        # we dial, so this field has its own wording.
        errors["phone_number"] = f"phone_number: {not_our_number(str(raw).strip(), exc.why)}"
        return ""
    if session is not None:
        taken = number_taken(session, number, organization_id, interview_id)
        if taken:
            errors["phone_number"] = taken
    return number
