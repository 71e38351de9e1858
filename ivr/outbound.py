"""Calls Screenline places: "call me now" rings a candidate into their interview.

The dashboard's button and `screenline candidate call` both come here, so the URLs
Twilio is given, and the record of each attempt, are made in one place. Twilio fetches
the call's TwiML from `Url` when the candidate answers and posts progress to
`StatusCallback` (Twilio's "Create a Call" REST resource). Both URLs carry
`?candidate=`: the first lets the flow skip the PIN; the second ties a call that is
never answered (busy, no answer, failed, canceled: Twilio then never fetches `Url`) to
its candidate. Answering machine detection is asked for, so that a mailbox gets a short
message instead of the interview (ivr.views.start.voicemail).
"""

from __future__ import annotations

from sqlalchemy.orm import object_session

from ivr import calls
from ivr.twilio_rest import TwilioRest
from voice.models import Candidate

VOICE_PATH = "/ivr/voice"
STATUS_PATH = "/ivr/status"
# Wait for the greeting's end, so that a message left on a machine is not cut by the
# beep; a person is still reported as soon as they speak (twilio.com/docs/voice/
# answering-machine-detection, "MachineDetection": Enable or DetectMessageEnd).
MACHINE_DETECTION = "DetectMessageEnd"


def interview_call_urls(public_url: str, candidate_id: int) -> tuple[str, str]:
    """Return (TwiML url, status callback url) for an outbound call to one candidate."""
    base = public_url.rstrip("/")
    query = f"?candidate={candidate_id}"
    return f"{base}{VOICE_PATH}{query}", f"{base}{STATUS_PATH}{query}"


def call_candidate(twilio: TwilioRest, public_url: str, candidate: Candidate) -> str:
    """Have Twilio ring the candidate from the interview's number; return the CallSid.

    The attempt is kept as a Call of the candidate's in the candidate's session (the
    caller commits). Raises ValueError when the candidate has no phone number, and
    TwilioError when Twilio refuses or cannot be reached (then nothing is kept).
    """
    if not candidate.phone:
        raise ValueError(f"{candidate.name} has no phone number to call.")
    url, status_callback = interview_call_urls(public_url, candidate.id)
    call_sid = twilio.create_call(
        to=candidate.phone,
        from_=candidate.interview.phone_number,
        url=url,
        status_callback=status_callback,
        machine_detection=MACHINE_DETECTION,
    )
    session = object_session(candidate)
    if session is not None:
        calls.outbound_placed(session, candidate, call_sid)
    return call_sid
