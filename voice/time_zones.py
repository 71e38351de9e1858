"""Time zones: the one rule for an organisation's time zone, shared by every front door
(`screenline org time-zone`, the dashboard's settings page).

A time zone is an IANA time zone database name such as "America/Chicago" or
"Europe/Madrid" (https://www.iana.org/time-zones), as Python's zoneinfo knows it; the
`tzdata` package supplies the database where the system has none. The name is stored as
written in the database ("America/Chicago"), whatever case it was typed in. "UTC" is the
default: an organisation that has not chosen reads every date in UTC.
"""

from __future__ import annotations

import functools
import zoneinfo

DEFAULT_TIME_ZONE = "UTC"
MAX_INPUT = 64  # characters; the longest IANA name is 32
# The areas of the database's canonical names, offered in the settings page's list; other
# names the database knows ("US/Central", "EST5EDT", "Etc/GMT+6") are accepted when typed.
_AREAS = (
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)


class TimeZoneError(ValueError):
    """A value that is not a time zone zoneinfo knows; the message says so in one sentence."""


@functools.cache
def _by_lower_case() -> dict[str, str]:
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def check_time_zone(name: str | None) -> str:
    """Return the IANA name `name` stands for, spelt as the database spells it
    ("america/chicago" -> "America/Chicago"); surrounding spaces are ignored.

    Raises TimeZoneError ("'Mars/Base' is not a time zone such as America/Chicago or
    Europe/Madrid") for anything else, the empty string included.
    """
    text = (name or "").strip()
    found = _by_lower_case().get(text.lower()) if len(text) <= MAX_INPUT else None
    if found is None:
        raise TimeZoneError(
            f"{text[:40]!r} is not a time zone such as America/Chicago or Europe/Madrid"
        )
    return found


@functools.cache
def time_zone_names() -> tuple[str, ...]:
    """The canonical zone names to choose from (America/Chicago, Europe/Madrid, ...),
    sorted, with UTC first."""
    names = sorted(
        name
        for name in zoneinfo.available_timezones()
        if name.split("/", 1)[0] in _AREAS and "/" in name
    )
    return (DEFAULT_TIME_ZONE, *names)
