"""The call's row: found (and locked) by CallSid, made for a new call, tied to the
interview answering the number and to the candidate dialled.

Every webhook starts here (ivr/views/common.py's current_call, the replay check in
ivr/views/webhook.py, the status callbacks). Functions take a database session and plain
values and leave committing to the route; every write is keyed on CallSid, so a webhook
that arrives twice, or a retry racing its original, makes one row.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from ivr.flow import FINAL_CALL_STATUSES
from voice.models import Call, Candidate, Interview

# The two statements every webhook starts with, built once: a statement built afresh on
# each request costs SQLAlchemy a walk over it to find its compiled form in the cache,
# about a third of the statement's client CPU time with these loader options (measured
# on PostgreSQL: 0.92 ms a read built each time, 0.61 ms built once). Values travel as
# bound parameters.
#
# The interview answering a number, its questions in the same round trip: every prompt
# counts them (step_limit).
_INTERVIEW_FOR_NUMBER = (
    select(Interview)
    .where(Interview.phone_number == bindparam("number"))
    .options(joinedload(Interview.questions))
)
# A call by CallSid with the interview (and its questions) and the candidate every step
# reads, in one round trip; only the calls row is locked (FOR UPDATE OF calls: PostgreSQL
# refuses to lock the nullable side of an outer join).
_CALL_BY_SID = (
    select(Call)
    .where(Call.call_sid == bindparam("call_sid"))
    .options(
        joinedload(Call.interview).joinedload(Interview.questions),
        joinedload(Call.candidate),
    )
    .with_for_update(of=Call)
)


def request_digest(token: str) -> str:
    """A fixed-size fingerprint of an I-Twilio-Idempotency-Token header (64 hex digits)."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def interview_for_number(session: Session, number: str) -> Interview | None:
    """The interview that answers calls to `number` (the Twilio number dialled)."""
    if not number:
        return None
    return session.scalars(_INTERVIEW_FOR_NUMBER, {"number": number}).unique().one_or_none()


def open_call(
    session: Session, call_sid: str, form: dict[str, str], *, number: str | None = None
) -> Call:
    """Get or create the Call row for `call_sid`; with `number`, tie it to its interview.

    `number` is the Twilio number the call is for: a call not yet tied to an interview is
    tied to the one answering that number. A new row is added but not flushed, so that
    one INSERT at commit carries everything the webhook set (a round trip per webhook
    saved, bench/bench_scale.py). When two requests race to create the same call, the
    later one's INSERT raises IntegrityError; the webhook guard (ivr/views/webhook.py)
    then runs the view again, and it finds the row.
    """
    call = find_call(session, call_sid)
    if call is None:
        call = Call(
            call_sid=call_sid,
            from_number=form.get("From", ""),
            to_number=form.get("To", ""),
            direction=form.get("Direction", "inbound"),
            status=form.get("CallStatus", "ringing"),
        )
        column_defaults(call)  # the view reads its counters before the INSERT
        if number is not None:
            call.interview = interview_for_number(session, number)
        session.add(call)
        _hold(session, call_sid, call)
    elif call.interview is None and number is not None:
        call.interview = interview_for_number(session, number)
    if form.get("CallStatus") and call.status not in FINAL_CALL_STATUSES:
        call.status = form["CallStatus"]
    return call


def column_defaults(row) -> None:
    """Fill `row`'s unset columns with their constant defaults (set at INSERT otherwise)."""
    for column in type(row).__table__.columns:
        default = column.default
        if default is not None and default.is_scalar and getattr(row, column.key) is None:
            setattr(row, column.key, default.arg)


def outbound_placed(session: Session, candidate: Candidate, call_sid: str) -> Call:
    """Keep a "call me now" call Twilio accepted as the candidate's, before it rings.

    Every attempt then belongs to its candidate whatever happens next (no answer, busy,
    voicemail). A status callback that arrived first already made the row: it is found,
    never doubled (keyed on CallSid, like `open_call`).
    """
    interview = candidate.interview
    call = find_call(session, call_sid)
    if call is None:
        call = Call(
            call_sid=call_sid,
            from_number=interview.phone_number,
            to_number=candidate.phone or "",
            direction="outbound-api",
            status="queued",
        )
        try:
            with session.begin_nested():
                session.add(call)
        except IntegrityError:
            call = find_call(session, call_sid, fresh=True)
            assert call is not None
        _hold(session, call_sid, call)
    call.direction = "outbound-api"
    dialled(call, candidate)
    return call


def dialled(call: Call, candidate: Candidate | None) -> None:
    """Tie an outbound call to the candidate we dialled (from our own signed URL's query).

    A call already tied to a candidate, or one to another interview's number, is left
    as it is.
    """
    if candidate is None or call.candidate is not None:
        return
    if call.interview is not None and call.interview.id != candidate.interview_id:
        return
    call.candidate = candidate
    call.interview = candidate.interview


def find_call(session: Session, call_sid: str, *, fresh: bool = False) -> Call | None:
    """The Call row for `call_sid`, locked until commit (PostgreSQL) so that one call's
    webhooks, including a retry racing its original, take their turns; None if unknown.

    Within one transaction the row is read once: asking again (a webhook's replay check,
    then its view) returns what the first read found, without a round trip, until the
    transaction ends. A call not found stays not found in that transaction: if another
    request creates it meanwhile, this one's INSERT fails and the webhook runs again in a
    new transaction (ivr/views/webhook.py). `fresh=True` reads the row again regardless.
    """
    if not call_sid:
        return None
    held = _held_calls(session)
    if not fresh and held is not None and call_sid in held:
        return held[call_sid]
    call = session.scalars(_CALL_BY_SID, {"call_sid": call_sid}).unique().one_or_none()
    _hold(session, call_sid, call)
    return call


_HELD = "screenline.held_calls"  # session.info key: (transaction, {CallSid: Call or None})


def _held_calls(session: Session) -> dict[str, Call | None] | None:
    """The calls the session's current transaction has read (and locked), by CallSid."""
    transaction = session.get_transaction()
    entry = session.info.get(_HELD)
    if transaction is None or entry is None or entry[0] is not transaction:
        return None
    return entry[1]


def _hold(session: Session, call_sid: str, call: Call | None) -> None:
    """Remember what the current transaction found (or made) for `call_sid`."""
    held = _held_calls(session)
    if held is None:
        held = {}
        session.info[_HELD] = (session.get_transaction(), held)
    held[call_sid] = call
