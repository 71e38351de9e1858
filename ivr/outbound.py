"""Calls Screenline places: "call me now" rings a candidate into their interview.

The dashboard's button and `screenline candidate call` both come here, so the URLs
Twilio is given, and the record of each attempt, are made in one place. Twilio fetches
the call's TwiML from `Url` when the candidate answers and posts progress to
`StatusCallback` (Twilio's "Create a Call" REST resource). Both URLs carry
`?candidate=`: the first lets the flow skip the PIN; the second ties a call that is
never answered (busy, no answer, failed, canceled: Twilio then never fetches `Url`) to
its candidate. Answering machine detection is asked for, so that a mailbox gets a short
message instead of the interview (ivr.views.start.voicemail).

One call at a time: while a candidate's last "call me now" call is still queued,
ringing or in progress (`call_under_way`), another is refused with CallUnderWay, so a
button pressed again (or by two managers) never rings the candidate twice.

Only a call with something to ask: a candidate who has finished the interview
(completed or screened out), or whose interview's deadline has passed, would hear only a
goodbye (ivr.views.identify.welcome, ivr.views.start.incoming_call), so no call is placed
(NothingToAsk). `nothing_to_ask` says why, and the dashboard shows that sentence in
place of the button.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session, object_session

from ivr import calls
from ivr.flow import FINAL_CALL_STATUSES, now
from ivr.twilio_rest import TwilioRest
from voice.candidates import CLOSED, FINISHED, SCREENED_OUT, interview_over
from voice.dates import for_managers, long_date
from voice.models import Call, Candidate

VOICE_PATH = "/ivr/voice"
STATUS_PATH = "/ivr/status"
# Wait for the greeting's end, so that a message left on a machine is not cut by the
# beep; a person is still reported as soon as they speak (twilio.com/docs/voice/
# answering-machine-detection, "MachineDetection": Enable or DetectMessageEnd).
MACHINE_DETECTION = "DetectMessageEnd"
# How long a call of ours that has not connected (queued, initiated, ringing) still counts
# as under way. Twilio lets a call ring for `Timeout`, 60 s by default (600 s at most), and
# holds calls over the account's rate (1 call a second by default) in its queue first
# (twilio.com/docs/voice/api/call-resource): a "call me now" call waits minutes only
# behind hundreds of others. Ten minutes covers both; a call still not connected by then
# lost its status callbacks (or never got one) and no longer blocks the candidate.
UNANSWERED_FOR = timedelta(minutes=10)
# How long a connected call (in-progress) counts as under way: Twilio ends a call after
# its `TimeLimit`, 4 hours by default, and we set none; a call whose "completed" callback
# was lost blocks the candidate no longer than that.
CONNECTED_FOR = timedelta(hours=4)
# pg_advisory_xact_lock(namespace, candidate id): one "call me now" per candidate at a
# time, so two presses at once cannot both find no call under way.
CALL_LOCK_NAMESPACE = 0x5C1F
# How a call under way is said in CallUnderWay's message, by its CallStatus.
UNDER_WAY_WORDS = {
    "queued": "waiting at Twilio to be placed",
    "initiated": "being dialled",
    "ringing": "ringing",
    "in-progress": "in progress",
}


class CallUnderWay(Exception):
    """A "call me now" call to the candidate is still under way, so no other is placed.

    `call` is that Call row; str() is one sentence for people, e.g. "Lee Park is already
    being called (the call is ringing); try again once that call ends."
    """

    def __init__(self, candidate: Candidate, call: Call) -> None:
        self.call = call
        words = UNDER_WAY_WORDS.get(call.status, call.status)
        super().__init__(
            f"{candidate.name} is already being called (the call is {words}); "
            "try again once that call ends."
        )


class NothingToAsk(Exception):
    """A "call me now" call would only say goodbye, so none is placed; str() is the
    sentence from `nothing_to_ask`."""


def nothing_to_ask(candidate: Candidate, at: datetime | None = None) -> str | None:
    """Why a call to the candidate at `at` (default now) would only say goodbye, in one
    sentence for people, or None when the interview has questions left for them
    (voice.candidates.interview_over is the rule).

    The call flow ends such a call at once: a finished candidate hears "You have already
    answered every question", and anyone once the interview's deadline has passed hears
    that it closed on that date.
    """
    why = interview_over(candidate, at or now())
    first = candidate.name.split()[0] if candidate.name.strip() else candidate.name
    if why == SCREENED_OUT:
        return f"{candidate.name} was screened out, so there is nothing left to ask {first}."
    if why == FINISHED:
        return f"{candidate.name} has finished the interview, so there is nothing left to ask."
    if why == CLOSED:
        interview = candidate.interview
        day = long_date(interview.deadline, *for_managers(interview.organization))
        return (
            f"The interview closed on {day}, so a call "
            f"would only tell {first} that; extend its deadline first."
        )
    return None


def interview_call_urls(public_url: str, candidate_id: int) -> tuple[str, str]:
    """Return (TwiML url, status callback url) for an outbound call to one candidate."""
    base = public_url.rstrip("/")
    query = f"?candidate={candidate_id}"
    return f"{base}{VOICE_PATH}{query}", f"{base}{STATUS_PATH}{query}"


def call_under_way(
    session: Session, candidate: Candidate, at: datetime | None = None
) -> Call | None:
    """The candidate's latest outbound call still under way at `at` (default now), or None.

    Under way: not in a final status (ivr.flow.FINAL_CALL_STATUSES) and not ended, and
    started within UNANSWERED_FOR (not yet connected) or CONNECTED_FOR (in-progress) of
    `at`; an older one is taken as over (its final status callback was lost). Calls the
    candidate made themselves (inbound) do not count.
    """
    moment = at or now()
    connected = Call.status == "in-progress"
    stmt = (
        select(Call)
        .where(Call.candidate_id == candidate.id)
        .where(Call.direction.like("outbound%"))
        .where(Call.status.not_in(FINAL_CALL_STATUSES))
        .where(Call.ended_at.is_(None))
        .where(
            (connected & (Call.started_at > moment - CONNECTED_FOR))
            | (~connected & (Call.started_at > moment - UNANSWERED_FOR))
        )
        .order_by(Call.started_at.desc(), Call.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def _lock_candidate_calls(session: Session, candidate: Candidate) -> None:
    """Hold the candidate's "call me now" lock until the transaction ends (PostgreSQL;
    SQLite's transactions are serialised already, voice/db.py)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(:namespace, :candidate)"),
            {"namespace": CALL_LOCK_NAMESPACE, "candidate": candidate.id},
        )


def call_candidate(twilio: TwilioRest, public_url: str, candidate: Candidate) -> str:
    """Have Twilio ring the candidate from the interview's number; return the CallSid.

    The attempt is kept as a Call of the candidate's in the candidate's session (the
    caller commits; until then the candidate's "call me now" lock is held). Raises
    ValueError when the candidate has no phone number, CallUnderWay while another call
    to them is under way (`call_under_way`), and TwilioError when Twilio refuses or
    cannot be reached (in each case nothing is placed or kept). Raises NothingToAsk first
    when the call would only say goodbye (`nothing_to_ask`).
    """
    if (reason := nothing_to_ask(candidate)) is not None:
        raise NothingToAsk(reason)
    if not candidate.phone:
        raise ValueError(f"{candidate.name} has no phone number to call.")
    session = object_session(candidate)
    if session is not None:
        _lock_candidate_calls(session, candidate)
        if (busy := call_under_way(session, candidate)) is not None:
            raise CallUnderWay(candidate, busy)
    url, status_callback = interview_call_urls(public_url, candidate.id)
    call_sid = twilio.create_call(
        to=candidate.phone,
        from_=candidate.interview.phone_number,
        url=url,
        status_callback=status_callback,
        machine_detection=MACHINE_DETECTION,
    )
    if session is not None:
        calls.outbound_placed(session, candidate, call_sid)
    return call_sid
