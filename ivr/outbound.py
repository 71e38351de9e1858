"""Calls Screenline places: "call me now" rings a candidate into their interview.

The dashboard's button and `screenline candidate call` both come here, so the URLs
Twilio is given are built in one place. Twilio fetches the call's TwiML from `Url`
when the candidate answers and posts progress to `StatusCallback` (Twilio's "Create a
Call" REST resource); `?candidate=` lets the flow skip the PIN.
"""

from __future__ import annotations

from ivr.twilio_rest import TwilioRest
from voice.models import Candidate

VOICE_PATH = "/ivr/voice"
STATUS_PATH = "/ivr/status"


def interview_call_urls(public_url: str, candidate_id: int) -> tuple[str, str]:
    """Return (TwiML url, status callback url) for an outbound call to one candidate."""
    base = public_url.rstrip("/")
    return f"{base}{VOICE_PATH}?candidate={candidate_id}", f"{base}{STATUS_PATH}"


def call_candidate(twilio: TwilioRest, public_url: str, candidate: Candidate) -> str:
    """Have Twilio ring the candidate from the interview's number; return the CallSid.

    Raises ValueError when the candidate has no phone number, and TwilioError when
    Twilio refuses or cannot be reached.
    """
    if not candidate.phone:
        raise ValueError(f"{candidate.name} has no phone number to call.")
    url, status_callback = interview_call_urls(public_url, candidate.id)
    return twilio.create_call(
        to=candidate.phone,
        from_=candidate.interview.phone_number,
        url=url,
        status_callback=status_callback,
    )
