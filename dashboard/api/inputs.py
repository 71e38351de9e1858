"""Fields that read a request's values, each refusing a bad one with a sentence that says
what to send instead.

marshmallow's stock messages ("Not a valid integer.", "Not a valid datetime.") name
no value and no remedy. Every field a request body or query string has is one of these
(tests/api/test_validation_api.py walks the schemas to keep it so), and each message is
"<the value> is not <what>. Use <what is wanted>, such as <an example>.", worded as the
command line words the same mistake (dashboard/cli/base.py: WholeNumber, E164Phone,
bad_value). The rules themselves are the domain's (voice/candidates.py, voice/phones.py,
voice/webhooks.py), so that every front door refuses the same values.

A schema checks every field before the view runs, so a request with several bad fields
hears about all of them in one 422 (unknown fields, wrong types, missing fields and each
field's own rule together), never one at a time.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import marshmallow as ma

from voice.candidates import CandidateFieldError, check_email, check_extra_time
from voice.phones import DEFAULT_REGION, E164_WANTED, PhoneError, normalise_phone
from voice.webhooks import url_problem

SHOWN_CHARACTERS = 40  # a value quoted in a message is cut here
TIME_EXAMPLE = "2026-11-29T00:00:00Z"
TIME_WANTED = f"Use an RFC 3339 time such as {TIME_EXAMPLE}."
_WHOLE = re.compile(r"^[+-]?[0-9]{1,20}$", re.ASCII)


def shown(value: Any) -> str:
    """`value` as a message quotes it: “text” for a string, else its JSON (12, true,
    null, [1, 2]); cut past SHOWN_CHARACTERS with "…", control characters escaped."""
    if isinstance(value, str):
        text = value if len(value) <= SHOWN_CHARACTERS else value[:SHOWN_CHARACTERS] + "…"
        return f"“{text if text.isprintable() else repr(text)[1:-1]}”"
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS] + "…"


def _refuse(value: Any, what: str, wanted: str) -> ma.ValidationError:
    return ma.ValidationError(f"{shown(value)} is not {what}. {wanted}")


class WholeNumber(ma.fields.Integer):
    """A whole number from `low` to `high`: a JSON integer, or its digits in a string
    (a query parameter always is one). `what` names it in errors ("an id", "a page
    size") and `example` is a valid value; anything else, a fraction, true or false
    included, is refused: "“abc” is not an id. Use a whole number from 1 to 2147483647,
    such as 12."."""

    def __init__(self, low: int, high: int, *, example: int, what: str, **kwargs) -> None:
        kwargs["validate"] = ma.validate.Range(low, high)  # documents the bounds
        super().__init__(**kwargs)
        self.low, self.high, self.what = low, high, what
        self.wanted = f"Use a whole number from {low} to {high}, such as {example}."

    def _deserialize(self, value, attr, data, **kwargs) -> int:
        number = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
            number = int(value)
        elif isinstance(value, str) and _WHOLE.match(value.strip()):
            number = int(value.strip())
        if number is None or not self.low <= number <= self.high:
            raise _refuse(value, self.what, self.wanted)
        return number


class Flag(ma.fields.Boolean):
    """true or false (in a query string also 1/0, yes/no, on/off, as marshmallow reads
    them); anything else: "“maybe” is not true or false. Use true or false."."""

    def _deserialize(self, value, attr, data, **kwargs) -> bool:
        try:
            return super()._deserialize(value, attr, data, **kwargs)
        except ma.ValidationError:
            raise _refuse(value, "true or false", "Use true or false.") from None


class Moment(ma.fields.DateTime):
    """An RFC 3339 time, read as an aware UTC datetime (UTC when it has no offset);
    anything else: "“yesterday” is not a time. Use an RFC 3339 time such as
    2026-11-29T00:00:00Z."."""

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        try:
            parsed = super()._deserialize(value, attr, data, **kwargs)
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
        except (ma.ValidationError, OverflowError):
            raise _refuse(value, "a time", TIME_WANTED) from None


class Choice(ma.fields.String):
    """One of `choices`, spelt exactly; `what` names it in errors: "“done” is not a
    status. Use one of: invited, in progress, completed, abandoned, screened out."."""

    def __init__(self, choices: Sequence[str], *, what: str, **kwargs) -> None:
        kwargs["validate"] = ma.validate.OneOf(choices)  # documents the values (enum)
        super().__init__(**kwargs)
        self.choices, self.what = tuple(choices), what

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        if not isinstance(value, str) or value not in self.choices:
            raise _refuse(value, self.what, f"Use one of: {', '.join(self.choices)}.")
        return value


class Text(ma.fields.String):
    """Text (a JSON string) of at most `max_length` characters, without NUL (PostgreSQL
    refuses it), surrounding spaces dropped; `blank=False` refuses "" and spaces alone;
    `rule` is the domain's check of the value (voice.candidates.check_name...): it runs
    first, and its CandidateFieldError sentence, word for word, leads the message.
    `example` shows a good value in errors: "Use text of at most 100 characters, such
    as “ATS-4711”."."""

    def __init__(
        self,
        max_length: int,
        *,
        example: str,
        blank: bool = True,
        rule: Callable[[str], Any] | None = None,
        **kwargs,
    ) -> None:
        kwargs["validate"] = ma.validate.Length(min=None if blank else 1, max=max_length)
        super().__init__(**kwargs)
        self.max_length, self.blank, self.rule = max_length, blank, rule
        size = f"at most {max_length:,}" if blank else f"1 to {max_length:,}"
        self.wanted = f"Use text of {size} characters, such as “{example}”."

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        if not isinstance(value, str):
            raise _refuse(value, "text", self.wanted)
        text = value.strip()
        if self.rule is not None and (text or not self.blank):
            # The domain's rule speaks first, so its sentence is the one every front door
            # gives (the dashboard, the command line, the import); ours says what to send.
            try:
                self.rule(text)
            except CandidateFieldError as exc:
                raise ma.ValidationError(f"{exc} {self.wanted}") from None
        if not text and not self.blank:
            raise ma.ValidationError(f"This field may not be empty. {self.wanted}")
        if len(text) > self.max_length:
            raise ma.ValidationError(f"This is {len(text):,} characters long. {self.wanted}")
        if "\x00" in text:
            raise ma.ValidationError(f"This contains a NUL character. {self.wanted}")
        return text


class Phone(ma.fields.String):
    """A telephone number we can call, by voice.phones' rule; one without its country
    code is read in the country `region()` returns (the organisation's). Returns it in
    E.164 form; anything else: "“12” is not a phone number we can call (it is too short
    for a +1 number). Use E.164 form, such as +15551234567."."""

    WANTED = E164_WANTED

    def __init__(self, region: Callable[[], str | None], **kwargs) -> None:
        super().__init__(**kwargs)
        self.region = region

    def _deserialize(self, value, attr, data, **kwargs) -> str | None:
        if not isinstance(value, str):
            raise _refuse(value, "a phone number", self.WANTED)
        if not value.strip():
            return None
        try:
            return normalise_phone(value.strip(), self.region() or DEFAULT_REGION)
        except PhoneError as exc:
            raise ma.ValidationError(f"{exc} {self.WANTED}") from None


class EmailAddress(ma.fields.String):
    """An email address, by the one email rule (voice/emails.py, through
    voice.candidates.check_email); "" and null mean none. Anything else: "“ana.example.com”
    is not an email address. Use one such as ana@example.com." (past 254 characters: "An
    email address has at most 254 characters.")."""

    WANTED = "Use one such as ana@example.com."

    def _deserialize(self, value, attr, data, **kwargs) -> str | None:
        if not isinstance(value, str):
            raise _refuse(value, "an email address", self.WANTED)
        try:
            return check_email(value)
        except CandidateFieldError as exc:
            raise ma.ValidationError(str(exc)) from None  # voice.emails' sentence


class ExtraTime(ma.fields.Float):
    """An answer-time multiplier, by voice.candidates' rule (check_extra_time): "Extra
    time is a multiplier from 1 (none) to 4. Use a number such as 1.5."."""

    def _deserialize(self, value, attr, data, **kwargs) -> float:
        if isinstance(value, bool | str):
            value = float("nan")  # a JSON number only; "2" or true is not a multiplier
        try:
            return check_extra_time(value)
        except CandidateFieldError as exc:
            raise ma.ValidationError(f"{exc} Use a number such as 1.5.") from None


class WebhookUrl(Text):
    """A URL that may receive webhooks, by voice.webhooks' rule (url_problem; private,
    loopback and plain-http addresses only where `allow_private()` is true): "“ftp://x”
    can't receive webhooks: give an http:// or https:// URL with a host. Use a URL such
    as https://ats.example.com/hooks/screenline."."""

    EXAMPLE = "https://ats.example.com/hooks/screenline"

    def __init__(self, max_length: int, allow_private: Callable[[], bool], **kwargs) -> None:
        super().__init__(max_length, example=self.EXAMPLE, blank=False, **kwargs)
        self.allow_private = allow_private

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        url = super()._deserialize(value, attr, data, **kwargs)
        problem = url_problem(url, self.allow_private())
        if problem:
            raise ma.ValidationError(
                f"{shown(url)} can't receive webhooks: {problem}. Use a URL such as {self.EXAMPLE}."
            )
        return url


class ListOf(ma.fields.List):
    """A JSON list of `low` to `high` items, each read by `item`; `what` names the items
    ("events") and `example` is a valid list, as JSON: "Use a list of 1 to 5 events,
    such as ["candidate.completed"]."."""

    def __init__(
        self, item: ma.fields.Field, low: int, high: int, *, what: str, example: str, **kwargs
    ) -> None:
        kwargs["validate"] = ma.validate.Length(low, high)  # documents the bounds
        super().__init__(item, **kwargs)
        self.low, self.high = low, high
        self.wanted = f"Use a list of {low:,} to {high:,} {what}, such as {example}."

    def _deserialize(self, value, attr, data, **kwargs) -> list:
        if not isinstance(value, list):
            raise _refuse(value, "a list", self.wanted)
        if not self.low <= len(value) <= self.high:
            count = f"{len(value):,} item" + ("" if len(value) == 1 else "s")
            raise ma.ValidationError(f"This list has {count}. {self.wanted}")
        return super()._deserialize(value, attr, data, **kwargs)


# The fields a request schema may use (tests/api/test_validation_api.py checks them all).
INPUT_FIELDS = (
    WholeNumber,
    Flag,
    Moment,
    Choice,
    Text,
    Phone,
    EmailAddress,
    ExtraTime,
    WebhookUrl,
    ListOf,
    ma.fields.Nested,  # an object: its own schema's fields are these too
    ma.fields.Raw,  # an uploaded file (multipart), read by the importer
)
