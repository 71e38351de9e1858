"""A caller who follows TwiML the way Twilio does, pressing keys and recording by a policy.

It reads each reply verb by verb: <Gather> posts the keys to its action (cut at the
finish key or at numDigits; no keys, or only the finish key, falls through to the next
verb, as Twilio does without actionOnEmptyResult); <Record> posts its status callback
and its action with the recording the policy chose (or, "silent", falls through, as
older Twilio did for silence); <Redirect> is followed; <Hangup> ends the call.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlsplit

from tests.ivr.twilio_actions import TwilioActions, said

# What a caller can do at a <Record>: say nothing (Twilio skips the action), leave an
# empty (0 s) or short (1 s) or long (20 s) recording, or hang up while recording.
RECORD_MODES = ("silent", "empty", "short", "long", "hangup")
SECONDS = {"empty": 0, "short": 1, "long": 20, "hangup": 4}


class Policy(Protocol):
    """Chooses what the caller does; `url` is the Gather's or the Record's action URL."""

    def keys(self, url: str) -> str | None:
        """The keys pressed at the Gather whose action is `url` (None: silence)."""

    def record(self, url: str) -> str:
        """What the caller does at the Record whose action is `url` (one of RECORD_MODES)."""


@dataclass
class Walk:
    """What happened on one call: requests made to the call flow, recordings, how it ended."""

    requests: int = 0
    recordings: int = 0
    ended: str = ""  # "hangup", "caller hung up" or "document ended"
    said: list[str] = field(default_factory=list)
    menus: list[str] = field(default_factory=list)  # action paths of the Gathers heard
    last: ET.Element | None = None


def path_of(url: str) -> str:
    """The path of a TwiML URL, without the host and query string."""
    return urlsplit(url).path


def walk(twilio: TwilioActions, policy: Policy, limit: int) -> Walk:
    """Place one call and follow it to its end; fail if it takes more than `limit` requests."""
    result = Walk()
    root = twilio.twiml("/ivr/voice", CallStatus="ringing")
    result.requests = 1
    while True:
        result.said.append(said(root))
        result.last = root
        step = _next_request(twilio, root, policy, result)
        if step is None:
            return result
        url, fields = step
        result.requests += 1
        assert result.requests <= limit, (
            f"call still going after {limit} requests; last said: {result.said[-3:]}"
        )
        root = twilio.twiml(url, **fields)


def _next_request(twilio, root, policy, result) -> tuple[str, dict] | None:
    """Play one document; the next request Twilio would make, or None when the call ends."""
    for verb in root:
        if verb.tag == "Gather":
            action = verb.get("action")
            result.menus.append(path_of(action))
            keys = policy.keys(action)
            digits = _digits(verb, keys)
            if digits:
                return action, {"Digits": digits}
        elif verb.tag == "Record":
            mode = policy.record(verb.get("action"))
            if mode == "silent":
                continue
            result.recordings += 1
            sid = "RE" + uuid.uuid4().hex
            url = f"http://twilio.invalid/2010-04-01/Accounts/AC/Recordings/{sid}"
            seconds = SECONDS[mode]
            callback = verb.get("recordingStatusCallback")
            if callback:
                status = {"RecordingStatus": "absent", "ErrorCode": "16102"} if not seconds else {}
                reply = twilio.post(
                    callback,
                    RecordingSid=sid,
                    RecordingUrl=url,
                    RecordingDuration=seconds,
                    **({"RecordingStatus": "completed"} | status),
                )
                assert 200 <= reply.status_code < 300, reply.data
            digits = "hangup" if mode == "hangup" else "#"
            fields = {
                "RecordingSid": sid,
                "RecordingUrl": url,
                "RecordingDuration": seconds,
                "Digits": digits,
            }
            if mode == "hangup":
                reply = twilio.twiml(verb.get("action"), **fields)
                result.requests += 1
                result.ended = "caller hung up"
                return None
            return verb.get("action"), fields
        elif verb.tag == "Redirect":
            return verb.text, {}
        elif verb.tag == "Hangup":
            result.ended = "hangup"
            return None
    result.ended = "document ended"
    return None


def _digits(gather: ET.Element, keys: str | None) -> str:
    """What Twilio would post as Digits for these key presses ("" when it posts nothing)."""
    if not keys:
        return ""
    finish = gather.get("finishOnKey", "#")
    if finish and finish in keys:
        keys = keys.split(finish, 1)[0]
    count = gather.get("numDigits")
    return keys[: int(count)] if count else keys
