"""Candidates: adding one to an interview, and the rules their fields follow.

The dashboard's CSV import, "Add a candidate" and accommodations forms, `screenline
candidate add` and the API use these limits and the one PIN generator (voice/pins.py).

One phone, one candidate per interview: caller ID finds a candidate by their number, so
a second candidate with the same number would make both unrecognisable (the caller is
asked for a PIN). `add_candidate` refuses such a second one (DuplicatePhone); the import
merges rows into the candidate already holding the number; the database holds the rule
too (a unique index on (interview_id, phone) where phone is not null, migration 0020).
An erased candidate's phone is NULL from the moment the erasure begins, so their old
number is free again.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from voice.emails import MAX_EMAIL_LENGTH, EmailAddressError, check_email_address
from voice.models import Candidate, CandidateStatus, Interview
from voice.phones import DEFAULT_REGION, PhoneError, normalise_phone
from voice.pins import new_pin, pins_in_use

EXTRA_TIME = (1.0, 4.0)  # the answer-time multiplier an accommodation may give
MAX_CANDIDATE_NAME = 200  # Candidate.name String(200)
MAX_CANDIDATE_EMAIL = MAX_EMAIL_LENGTH  # Candidate.email String(254)
MAX_EXTERNAL_ID = 100  # Candidate.external_id String(100)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # control characters: no name or address holds one


# Why a candidate has nothing left to answer (interview_over), as short reasons.
FINISHED = "finished the interview"
SCREENED_OUT = "screened out"
CLOSED = "interview closed"


def interview_over(candidate: Candidate, at: datetime) -> str | None:
    """Why the candidate has nothing left to answer at `at` (an aware datetime): FINISHED
    or SCREENED_OUT (CandidateStatus.FINISHED), CLOSED once the interview's deadline has
    passed; None while questions are left for them.

    The call flow ends a call from (or to) such a candidate with a goodbye
    (ivr.views.identify.welcome, ivr.views.start.incoming_call), so "call me now" and
    invitation texts are not sent to them.
    """
    if candidate.status == CandidateStatus.SCREENED_OUT:
        return SCREENED_OUT
    if candidate.status in CandidateStatus.FINISHED:
        return FINISHED
    if candidate.interview is not None and candidate.interview.is_closed(at):
        return CLOSED
    return None


class CandidateFieldError(ValueError):
    """One of a candidate's fields breaks its rule: the message is one readable sentence,
    `field` names the field ("name", "phone", "email", "extra_time"), so that the API can
    answer `errors: {"phone": ...}` and a form can mark the box."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


# Why an interview takes a phone number once (DuplicatePhone's sentence ends with it).
ONE_PHONE_ONE_CANDIDATE = "one phone number is one candidate, so caller ID can recognise them"


class DuplicatePhone(CandidateFieldError):
    """A phone that already belongs to a candidate of the interview (field "phone").

    `candidate_id` is that candidate's id and `phone` the number (E.164); the message
    names both: "+15557654321 already belongs to candidate 12 in this interview" (the
    command line's and the API's sentence; the dashboard names the person too).
    """

    def __init__(self, phone: str, candidate_id: int) -> None:
        super().__init__(
            "phone",
            f"{phone} already belongs to candidate {candidate_id} in this interview; "
            f"{ONE_PHONE_ONE_CANDIDATE}",
        )
        self.phone = phone
        self.candidate_id = candidate_id


def phone_owner(session: Session, interview_id: int, phone: str) -> int | None:
    """The id of the interview's candidate with this phone (E.164), or None."""
    return session.scalar(
        select(Candidate.id)
        .where(Candidate.interview_id == interview_id, Candidate.phone == phone)
        .order_by(Candidate.id)
        .limit(1)
    )


def check_extra_time(value: Any) -> float:
    """Return the extra-time multiplier as a float rounded to 0.01; raise
    CandidateFieldError (a ValueError, field "extra_time") if not 1-4."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if not EXTRA_TIME[0] <= number <= EXTRA_TIME[1]:
        raise CandidateFieldError(
            "extra_time",
            f"Extra time is a multiplier from {EXTRA_TIME[0]:g} (none) to {EXTRA_TIME[1]:g}.",
        )
    return round(number, 2)


# The sentences of the rules below, one wording for every front door: the dashboard's
# forms and import, `screenline candidate add|import`, the API (which adds what to send
# instead) and the importer's rejected rows all say these, word for word.
NEEDS_NAME = "A candidate needs a name."
NAME_TOO_LONG = f"A candidate's name has at most {MAX_CANDIDATE_NAME} characters."
NAME_CONTROLS = "The name has control characters, which are not text."
NEEDS_PHONE = (
    "A candidate needs a phone number: caller ID recognises them by it, and invitations "
    "and calls go to it."
)
EXTERNAL_ID_TOO_LONG = f"An external id has at most {MAX_EXTERNAL_ID} characters."
EXTERNAL_ID_CONTROLS = "The external id has control characters, which are not text."


def check_name(name: str | None) -> str:
    """Return the candidate's name stripped; raise CandidateFieldError ("name") if it is
    empty (NEEDS_NAME), longer than MAX_CANDIDATE_NAME characters (NAME_TOO_LONG) or
    holds control characters (NAME_CONTROLS)."""
    name = (name or "").strip()
    if not name:
        raise CandidateFieldError("name", NEEDS_NAME)
    if len(name) > MAX_CANDIDATE_NAME:
        raise CandidateFieldError("name", NAME_TOO_LONG)
    if _CONTROL.search(name):
        raise CandidateFieldError("name", NAME_CONTROLS)
    return name


def check_email(email: str | None) -> str | None:
    """Return the e-mail address stripped, or None when blank; raise CandidateFieldError
    ("email") when it breaks the one email rule (voice/emails.py: not_an_email's
    sentence, or EMAIL_TOO_LONG past MAX_CANDIDATE_EMAIL characters)."""
    if not (email or "").strip():
        return None
    try:
        return check_email_address(email)
    except EmailAddressError as exc:
        raise CandidateFieldError("email", str(exc)) from None


def check_external_id(external_id: str | None) -> str | None:
    """Return the applicant tracking system's id stripped, or None when blank; raise
    CandidateFieldError ("external_id") past MAX_EXTERNAL_ID characters or with control
    characters."""
    external_id = (external_id or "").strip() or None
    if external_id and len(external_id) > MAX_EXTERNAL_ID:
        raise CandidateFieldError("external_id", EXTERNAL_ID_TOO_LONG)
    if external_id and _CONTROL.search(external_id):
        raise CandidateFieldError("external_id", EXTERNAL_ID_CONTROLS)
    return external_id


def check_phone(interview: Interview, phone: str | None, *, required: bool = False) -> str | None:
    """Return the phone as E.164, or None when blank; a number without its country code
    is read in the interview's organisation's default country (voice/phones.py, Google's
    libphonenumber rules). Raise CandidateFieldError ("phone") when it is not a number we
    can call (worded by voice.phones.not_callable), or blank with `required` (NEEDS_PHONE:
    the dashboard's form and the importer require a phone; the CLI and the API do not)."""
    org = interview.organization
    region = (org.default_country if org else None) or DEFAULT_REGION
    if not (phone and phone.strip()):
        if required:
            raise CandidateFieldError("phone", NEEDS_PHONE)
        return None
    try:
        return normalise_phone(phone, region)
    except PhoneError as exc:
        raise CandidateFieldError("phone", str(exc)) from exc


def add_candidate(
    session: Session,
    interview: Interview,
    name: str,
    phone: str | None = None,
    *,
    email: str | None = None,
    external_id: str | None = None,
    extra_time: float = 1.0,
    slow_speech: bool = False,
) -> Candidate:
    """Add a candidate to an interview with a fresh PIN unique within it, and flush.

    Adding sends nothing: the candidate may take the interview (status `invited`) but no
    invitation text exists until one is sent (dashboard/candidates/invitations.py).
    A phone without its country code is read in the organisation's default country;
    `external_id` is the applicant tracking system's id (optional).
    Raises CandidateFieldError (a ValueError: a readable sentence and the field's name)
    for a missing or over-long name, a phone that is not a number, an email that is not
    an address, an over-long external id, or extra time outside 1-4 (check_name,
    check_phone, check_email, check_external_id, check_extra_time); DuplicatePhone (a
    CandidateFieldError on "phone") when the phone already belongs to a candidate of the
    interview, even one added by a concurrent transaction. Nothing is added then.
    """
    name = check_name(name)
    email = check_email(email)
    external_id = check_external_id(external_id)
    extra_time = check_extra_time(extra_time)
    phone = check_phone(interview, phone)
    if phone and (owner := phone_owner(session, interview.id, phone)) is not None:
        raise DuplicatePhone(phone, owner)
    candidate = Candidate(
        interview_id=interview.id,
        name=name,
        phone=phone,
        pin=new_pin(pins_in_use(session, interview.id)),
        email=email,
        external_id=external_id,
        extra_time=extra_time,
        slow_speech=slow_speech,
    )
    try:
        # A savepoint, so that losing a race to the unique index (migration 0020) undoes
        # this candidate alone and says whose the number is.
        with session.begin_nested():
            session.add(candidate)
    except IntegrityError:
        owner = phone_owner(session, interview.id, phone) if phone else None
        if owner is None:
            raise
        raise DuplicatePhone(phone, owner) from None
    session.expire(interview, ["candidates"])  # loaded again, with this one, when next read
    return candidate
