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
from importlib import resources
from pathlib import Path

DEFAULT_TIME_ZONE = "UTC"
MAX_INPUT = 64  # characters; the longest IANA name is 32
ZONE_TABLE = "zone.tab"  # the database's table of zones by country, one per line


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


def _zone_table() -> str:
    """The text of the database's zone.tab: from the `tzdata` package (a pinned
    dependency, the database zoneinfo falls back to), else from the first folder of
    zoneinfo.TZPATH (the system's) that has one; "" when neither does."""
    try:
        return resources.files("tzdata.zoneinfo").joinpath(ZONE_TABLE).read_text("utf-8")
    except (ModuleNotFoundError, OSError):
        pass
    for folder in zoneinfo.TZPATH:
        try:
            return (Path(folder) / ZONE_TABLE).read_text("utf-8")
        except OSError:
            continue
    return ""


@functools.cache
def time_zone_groups() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The zones offered on the settings page, by region: (("Africa", ("Africa/Abidjan",
    ...)), ("America", (...)), ...), regions and names sorted. UTC is not in a region: it
    comes first on its own (time_zone_names).

    The names are the IANA database's own table of zones by country, zone.tab: one line
    per zone a country uses, each spelt by its current canonical name ("Asia/Kolkata",
    "Europe/Kyiv"), so no obsolete alias ("Asia/Calcutta", "Africa/Asmera",
    "America/Argentina/ComodRivadavia") and no legacy name ("US/Central", "EST5EDT") is
    offered, while every country's own cities stay ("Europe/Oslo"). zone1970.tab is not
    used: it keeps one zone for countries whose clocks agree since 1970, so Norway would
    have to pick Europe/Berlin. Reading the table, rather than telling links from zones
    by comparing files, follows the database's own answer as it changes. Names zoneinfo
    does not know (a table newer than the system's database) are left out, so every one
    offered is one check_time_zone accepts; every other valid name is still accepted when
    saved, and an organisation's current zone stays shown (the page adds it).
    """
    known = zoneinfo.available_timezones()
    names: set[str] = set()
    for line in _zone_table().splitlines():
        fields = line.split("\t")
        if line.startswith("#") or len(fields) < 3:
            continue
        if fields[2] in known and "/" in fields[2]:
            names.add(fields[2])
    regions: dict[str, list[str]] = {}
    for name in sorted(names):
        regions.setdefault(name.split("/", 1)[0], []).append(name)
    return tuple((region, tuple(zones)) for region, zones in sorted(regions.items()))


@functools.cache
def time_zone_names() -> tuple[str, ...]:
    """The zone names offered to choose from: UTC first, then time_zone_groups' names,
    region by region (Africa/Abidjan, ..., America/Chicago, ..., Europe/Madrid, ...)."""
    return (DEFAULT_TIME_ZONE, *(name for _, zones in time_zone_groups() for name in zones))
