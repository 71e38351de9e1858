"""One table of rules for the fields Twilio posts to the webhooks, checked before any view runs.

A field that breaks its rule would otherwise reach the database as an integer out of
range or a string too long for its column (an HTTP 500, which Twilio reads to the caller
as an application error). The rules come from Twilio's documentation (twilio.com/docs/
voice/twiml/gather, .../twiml/record, .../api/call-resource): SIDs are two letters and 32
hex digits; durations are whole seconds; statuses come from documented sets. Limits that
Twilio does not state are the sizes of the columns the values are stored in.

Only fields that are present and not empty are checked (a missing or empty field is the
view's concern, as it was before these rules), and
fields not named here pass untouched: Twilio adds fields over time (`CallToken`,
`StirVerstat`...) and a new one must not break calls.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from voice.models import MAX_ROW_ID

MAX_SECONDS = 86_400  # a day: no call or recording lasts longer (Twilio caps calls at 24 h)
MAX_URL = 500  # answers.recording_url
# The largest webhook body taken, in bytes. Twilio's webhooks are a few kB of form fields
# (the largest, a <Gather> speech result, is a sentence or two); a bigger body is refused
# with 413 before anything parses it (the app's own limit, 2 MiB, is for uploads).
MAX_BODY_BYTES = 64 * 1024


@dataclass(frozen=True)
class Rule:
    """What one field may hold: a check on the value and the sentence that explains it."""

    check: Callable[[str], bool]
    expected: str  # completes "CallSid must be ..."


def sid(prefix: str) -> Rule:
    """A Twilio SID: the two-letter `prefix` and 32 hex digits (e.g. CA0123...)."""
    pattern = re.compile(rf"^{prefix}[0-9a-fA-F]{{32}}$")
    return Rule(lambda v: bool(pattern.match(v)), f"{prefix} followed by 32 hex digits")


def whole_number(low: int, high: int) -> Rule:
    """A whole number written in digits, from `low` to `high` inclusive."""

    def check(value: str) -> bool:
        digits = value.isascii() and value.isdigit() and len(value) <= 12
        return digits and low <= int(value) <= high

    return Rule(check, f"a whole number from {low} to {high}")


def seconds_or_unknown() -> Rule:
    """A duration Twilio may leave unknown: whole seconds up to a day, `-1`, or not a number.

    Twilio documents `RecordingDuration` and `CallDuration` as whole seconds
    (twilio.com/docs/voice/twiml/record#attributes-action, .../api/call-resource), yet
    sends `-1` when the length is not known, and a field may be missing. `-1` and a value
    that is not a whole number (up to 20 characters) pass and are read as unknown by
    `seconds`: refusing them would lose a recording that exists. A whole number past a
    day is refused (it cannot be a duration and would overflow the column).
    """

    def check(value: str) -> bool:
        if len(value) > 20:
            return False
        if not re.fullmatch(r"[+-]?[0-9]+", value.strip()):
            return True  # not a number: unknown
        return value.strip() == "-1" or 0 <= int(value) <= MAX_SECONDS

    return Rule(check, f"a whole number from 0 to {MAX_SECONDS}, or -1 when unknown")


def seconds(value: str | None) -> int | None:
    """A duration field as whole seconds, or None when it is unknown.

    Unknown: missing, empty, `-1` (Twilio's "not known"), not a whole number written in
    digits, or past a day (MAX_SECONDS). Zero is a real zero. Never raises.
    """
    raw = (value or "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:
        return None
    number = int(raw)
    return number if number <= MAX_SECONDS else None


def one_of(*choices: str) -> Rule:
    """One word from a documented set."""
    allowed = frozenset(choices)
    return Rule(lambda v: v in allowed, "one of " + ", ".join(sorted(allowed)))


def text(max_length: int) -> Rule:
    """Any text up to `max_length` characters."""
    return Rule(lambda v: len(v) <= max_length, f"at most {max_length} characters")


def web_url(max_length: int = MAX_URL) -> Rule:
    """An http(s) URL of at most `max_length` characters."""

    def check(value: str) -> bool:
        if len(value) > max_length:
            return False
        try:
            parts = urlsplit(value)
        except ValueError:
            return False
        return parts.scheme in ("http", "https") and bool(parts.netloc)

    return Rule(check, f"an http(s) URL of at most {max_length} characters")


# Twilio's documented values (twilio.com/docs/voice/api/call-resource, .../twiml/record,
# .../answering-machine-detection).
CALL_STATUSES = "queued initiated ringing in-progress completed busy failed no-answer canceled"
CALL_DIRECTIONS = "inbound outbound-api outbound-dial"
RECORDING_STATUSES = "in-progress completed absent failed"
ANSWERED_BY = (
    "human machine_start machine_end_beep machine_end_silence machine_end_other fax unknown"
)
PHONE = text(40)  # calls.from_number / to_number; also "anonymous", "sip:..." up to that size

FORM_RULES: dict[str, Rule] = {
    "CallSid": sid("CA"),
    "ParentCallSid": sid("CA"),
    "AccountSid": sid("AC"),
    "RecordingSid": sid("RE"),
    "From": PHONE,
    "To": PHONE,
    "Caller": PHONE,
    "Called": PHONE,
    "ForwardedFrom": PHONE,
    "CallStatus": one_of(*CALL_STATUSES.split()),
    "Direction": one_of(*CALL_DIRECTIONS.split()),
    "ApiVersion": text(20),
    # Durations: -1 or a missing value means "unknown", read by `seconds`, never refused.
    "CallDuration": seconds_or_unknown(),
    "Duration": seconds_or_unknown(),
    "RecordingDuration": seconds_or_unknown(),
    # The <Record> action's Digits is the key that ended it, or "hangup"; a <Gather>'s is
    # what was pressed, as many keys as the caller liked when numDigits is not set: the
    # views refuse, out loud, what is too long for its purpose (a number answer, a PIN).
    "Digits": text(64),
    "FinishedOnKey": text(1),
    "RecordingUrl": web_url(),
    "RecordingStatus": one_of(*RECORDING_STATUSES.split()),
    "RecordingChannels": whole_number(1, 2),
    "RecordingSource": text(40),
    "RecordingStartTime": text(64),
    "ErrorCode": whole_number(0, 99_999),
    "SequenceNumber": whole_number(0, 1_000_000),
    "Timestamp": text(64),
    "CallbackSource": text(40),
    "AnsweredBy": one_of(*ANSWERED_BY.split()),
}

# Our own query parameters, written into the TwiML URLs we hand Twilio.
QUERY_RULES: dict[str, Rule] = {
    "q": whole_number(0, MAX_ROW_ID),
    "candidate": whole_number(0, MAX_ROW_ID),
}


# Fields every webhook under /ivr carries: each is about one call, and Twilio sends its
# CallSid with every voice webhook, status callback and recording status callback
# (twilio.com/docs/voice/twiml#request-parameters, ../shared/TWILIO.md).
REQUIRED_FORM = ("CallSid",)


def problems(form: Mapping[str, str], query: Mapping[str, str]) -> list[str]:
    """Sentences naming each missing required field (REQUIRED_FORM) and each present field
    that breaks its rule; empty when all is well.

    `form` is the posted form and `query` the URL's query string (both name -> value);
    empty values of optional fields pass.
    Each sentence names the field and what it must be, never the value (it may be huge).
    """
    found = [
        f"{name} is missing (Twilio sends it with every call's webhook)."
        for name in REQUIRED_FORM
        if not form.get(name)
    ]
    for values, rules in ((form, FORM_RULES), (query, QUERY_RULES)):
        for name, value in values.items():  # the fields sent: far fewer than the rules
            rule = rules.get(name)
            if rule is not None and value and not rule.check(value):
                found.append(f"{name} must be {rule.expected}.")
    return found
