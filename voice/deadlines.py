"""An interview's deadline, and the reminders texted before it.

Once the deadline has passed every call hears only that the interview closed
(`Interview.is_closed`); reminders are labels, "48h", "4h", "30m" or "2d" (minutes, hours,
days), sent that long before the deadline to candidates who have not finished (the
workers' periodic duty, workers/messages.py). The interview rule set (voice/interviews.py)
checks both fields here.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from voice.dates import date_and_time

MAX_REMINDERS = 10
MAX_REMINDER_SECONDS = 366 * 86400  # a reminder a year ahead of the deadline at most
_REMINDER = re.compile(r"^(\d{1,6})([mhd])$")


def reminder_amount(label: str) -> tuple[int, str]:
    """A reminder label like "48h" as (48, "h"): the unit is m, h or d (minutes, hours,
    days); raises ValueError for a label the reminders rule does not take."""
    match = _REMINDER.match(label.replace(" ", ""))
    if match is None:
        raise ValueError(f"{label!r} is not a reminder like 48h, 4h or 30m")
    amount, unit = match.groups()
    return int(amount), unit


def reminder_offset_seconds(label: str) -> int:
    """How long before the deadline a reminder like "48h" goes out, in seconds."""
    amount, unit = reminder_amount(label)
    return amount * {"m": 60, "h": 3600, "d": 86400}[unit]


def check_reminders(errors: dict, value: Any) -> list[str]:
    """The reminder labels in `value` (a list, or a comma-separated string), lower case
    without spaces; a problem goes into `errors["reminders"]` in one sentence (at most
    MAX_REMINDERS, each like 48h, none over a year before the deadline)."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [x for x in value.split(",") if x.strip()]
    if not isinstance(value, list):
        errors["reminders"] = 'reminders: give a list like ["48h", "4h"]'
        return []
    labels = [str(v).strip().lower().replace(" ", "") for v in value]
    if len(labels) > MAX_REMINDERS:
        errors["reminders"] = f"reminders: at most {MAX_REMINDERS}"
    for label in labels:
        if not _REMINDER.match(label):
            errors["reminders"] = f"reminders: {label[:20]!r} is not like 48h, 30m or 2d"
        elif reminder_offset_seconds(label) > MAX_REMINDER_SECONDS:
            errors["reminders"] = f"reminders: {label} is more than a year before the deadline"
        else:
            continue
        break
    return labels


def passed_deadline_warning(
    deadline: datetime | None,
    now: datetime,
    zone: str | None = None,
    language: str | None = None,
) -> str | None:
    """The warning for a deadline at or before `now` (both aware), as `Interview.is_closed`
    decides; None for no deadline or one still ahead. The deadline is written in `zone`
    (an IANA name; None: UTC) for `language` (voice/dates.py).

    From then on every call hears only the "closed" phrase (ivr.views.start.incoming_call).
    """
    if deadline is None or now < deadline:
        return None
    when = date_and_time(deadline, zone, language, year=True)
    return f"The deadline ({when}) has passed: callers will hear that the interview is closed."


def check_deadline(errors: dict, value: Any) -> datetime | None:
    """`value` (a datetime, a date, or ISO 8601 text; without a zone: UTC) as an aware
    datetime, None for none; a value that is not one puts its sentence in
    `errors["deadline"]` and gives None."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    else:
        try:
            parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            shown = repr(value)[:60]
            errors["deadline"] = (
                f"deadline: {shown} is not a date and time like 2026-12-31T23:59:00Z"
            )
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
