"""Dates shown to people: in the organisation's time zone, in the reader's language.

Times are stored in UTC (voice.models.UTCDateTime). Whatever a candidate or a hiring
manager reads (an SMS, the call, the dashboard, the command line) is written here, once:
converted to the organisation's time zone (`Organization.time_zone`, an IANA name that
voice/time_zones.py checks) and worded by Babel with the Unicode CLDR's month names and
clock of the language: "March 3, 5:00 PM CST" in en-US, "3 de marzo, 17:00 CET" in es-ES,
"3 de marzo, 5:00 p.m. CST" in es-MX.

A time carries its zone's abbreviation from the IANA database ("CST", "CDT", "CET", "UTC")
or, for zones the database gives none (it writes "-03"), the offset ("GMT-3"), so a reader
never has to guess the zone. Babel writes some spaces as narrow no-break spaces
("5:00\u202fPM"); they are plain spaces here, since an SMS with one is sent in UCS-2 (fewer
characters per segment) and a speech engine gains nothing from them.

The builder's deadline field (an HTML datetime-local input, no zone) is read and shown in
the organisation's time zone: `local_input` and `from_local_input`. A day typed in a date
filter (the audit trail's "From"/"To", the candidate list's "Active from"/"Active until",
`screenline audit --since 2026-01-15 --org ...`) is a day in that zone too: `local_days`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton, format_time

from voice.time_zones import DEFAULT_TIME_ZONE

DEFAULT_LANGUAGE = "en-US"
INPUT_FORMAT = "%Y-%m-%dT%H:%M"  # an HTML datetime-local input's value, to the minute
_SPACES = str.maketrans({"\u202f": " ", "\u00a0": " "})


def locale_for(language: str | None) -> Locale:
    """The Babel locale of a language code as interviews write them ("en-US", "es-MX",
    "es"); an unknown or missing code falls back to its language alone, then to en-US."""
    for code in (language, (language or "").split("-")[0], DEFAULT_LANGUAGE):
        try:
            return Locale.parse((code or "").strip().replace("-", "_"))
        except (UnknownLocaleError, ValueError, TypeError):
            continue
    return Locale.parse("en_US")  # pragma: no cover - en_US ships with Babel


def manager_language(country: str | None) -> str:
    """The language the dashboard and command line write dates in for an organisation
    whose default country is `country` (ISO 3166-1): English as written there ("en-GB":
    "3 Mar 2026, 17:00"), or en-US where CLDR has no English for the country."""
    code = f"en-{(country or '').upper()}"
    return code if locale_for(code).territory == (country or "").upper() else DEFAULT_LANGUAGE


def _local(moment: datetime, zone: str | None) -> tuple[datetime, ZoneInfo]:
    tz = ZoneInfo(zone or DEFAULT_TIME_ZONE)
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(tz), tz


def zone_label(moment: datetime, zone: str | None) -> str:
    """The zone's abbreviation at `moment` ("CST" in winter, "CDT" in summer, "UTC"), or
    its offset from UTC ("GMT-3", "GMT+5:30") where the IANA database has no letters."""
    local, _ = _local(moment, zone)
    name = local.tzname() or ""
    if name.isalpha():
        return name
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign, minutes = ("+" if minutes >= 0 else "-"), abs(minutes)
    hours, rest = divmod(minutes, 60)
    return f"GMT{sign}{hours}" + (f":{rest:02d}" if rest else "") if minutes else "GMT"


def spoken_day(
    moment: datetime, zone: str | None, language: str | None, now: datetime | None = None
) -> str:
    """The day of `moment` in `zone` as said in `language`: without the year when it is
    the current year's (at `now`, default now) "March 3" (en-US), "3 de marzo" (es);
    with it otherwise, so a deadline years past is not heard as this year's ("January
    1, 2020", "1 de enero de 2020")."""
    local, tz = _local(moment, zone)
    if local.year != (now or datetime.now(UTC)).astimezone(tz).year:
        return long_date(moment, zone, language)
    return format_skeleton("MMMMd", local, locale=locale_for(language)).translate(_SPACES)


def long_date(moment: datetime, zone: str | None, language: str | None) -> str:
    """The day of `moment` in `zone` with its year: "March 3, 2026" (en-US),
    "3 March 2026" (en-GB), "3 de marzo de 2026" (es)."""
    local, _ = _local(moment, zone)
    return format_date(local.date(), "long", locale=locale_for(language)).translate(_SPACES)


def short_date(moment: datetime, zone: str | None, language: str | None) -> str:
    """The day of `moment` in `zone` with its year and the month abbreviated, as the
    dashboard writes a day: "Mar 3, 2026" (en-US), "3 Mar 2026" (en-GB)."""
    local, _ = _local(moment, zone)
    return format_skeleton("yMMMd", local, locale=locale_for(language)).translate(_SPACES)


def date_and_time(
    moment: datetime, zone: str | None, language: str | None, *, year: bool = False
) -> str:
    """`moment` in `zone` as a day, a time and the zone, in `language`.

    Without the year (a deadline days away, as in an SMS) the month is written out:
    "March 3, 5:00 PM CST" (en-US), "3 de marzo, 17:00 CET" (es-ES); with it (the
    dashboard) abbreviated: "Mar 3, 2026, 5:00 PM CST", "3 Mar 2026, 17:00 CET" (en-GB).
    """
    local, _ = _local(moment, zone)
    locale = locale_for(language)
    day = format_skeleton("yMMMd" if year else "MMMMd", local, locale=locale)
    time = format_time(local.timetz(), "short", locale=locale)
    return f"{day}, {time} {zone_label(moment, zone)}".translate(_SPACES)


def local_input(moment: datetime | None, zone: str | None) -> str:
    """`moment` as an HTML datetime-local value in `zone` ("2026-03-03T17:00"); '' for None."""
    if moment is None:
        return ""
    local, _ = _local(moment, zone)
    return local.strftime(INPUT_FORMAT)


def from_local_input(text: str, zone: str | None) -> str:
    """A deadline typed without a zone, read in `zone`, as ISO 8601 with its offset
    ("2026-01-15T17:00" in Europe/Madrid -> "2026-01-15T17:00:00+01:00"), for the
    interview rule set (voice/interviews.py), which stores it in UTC.

    Text that names its own offset ("...Z", "+02:00"), is empty, or is not a date and time
    is returned as it is, for the rule set to accept or explain. A wall time that happens
    twice (clocks going back) is the first; one skipped (clocks going forward) is read
    with the offset before the change, as zoneinfo does (PEP 495).
    """
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        return text
    if parsed.tzinfo is not None:
        return text
    return parsed.replace(tzinfo=ZoneInfo(zone or DEFAULT_TIME_ZONE)).isoformat()


def for_managers(organization) -> tuple[str, str]:
    """(time zone, language) for dates a hiring manager of `organization` (an
    `Organization`, or None: UTC in en-US) reads on the dashboard or the command line."""
    if organization is None:
        return DEFAULT_TIME_ZONE, DEFAULT_LANGUAGE
    return organization.time_zone, manager_language(organization.default_country)


def _utc(wall: datetime, tz: ZoneInfo) -> datetime | None:
    """A wall time (naive) read in `tz`, in UTC; None outside the years datetime holds."""
    try:
        # fold=0: a wall time that happens twice is the first; one skipped (clocks going
        # forward) is read with the offset before the change (PEP 495), so a skipped
        # midnight starts the day at the first wall time that exists.
        return wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    except OverflowError:
        return None


def _midnight(day: date, tz: ZoneInfo) -> datetime | None:
    return _utc(datetime.combine(day, time()), tz)


def local_moment(moment: datetime, zone: str | None) -> datetime | None:
    """A time typed on the command line (`screenline audit --since 2026-01-15 --org ...`)
    as an aware UTC time: one without a zone is read in `zone` (a day alone, i.e. its
    midnight, starts that day as `local_days` does); one with a zone is only converted.
    None when it falls outside the years datetime holds in UTC."""
    if moment.tzinfo is not None:
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            return None
    return _utc(moment, ZoneInfo(zone or DEFAULT_TIME_ZONE))


def local_days(
    first: date | None, last: date | None, zone: str | None
) -> tuple[datetime | None, datetime | None]:
    """The days `first` to `last` (both included; None: no bound) as read in `zone`, as a
    half-open span of aware UTC times (since, until) for a query (`at >= since and at <
    until`): from local midnight starting `first` to local midnight ending `last`.

    In America/Chicago in January, (2026-01-15, 2026-01-15) is 06:00 UTC on the 15th to
    06:00 UTC on the 16th, so a row at 2026-01-16 03:30 UTC (9:30 PM CST on the 15th) is
    inside. A day is 23 or 25 hours when clocks change in it. A bound past the years
    datetime holds (the day after 9999-12-31, or local midnight before year 1 in UTC) is
    None: no bound.
    """
    tz = ZoneInfo(zone or DEFAULT_TIME_ZONE)
    since = None if first is None else _midnight(first, tz)
    until = None
    if last is not None and last < date.max:
        until = _midnight(last + timedelta(days=1), tz)
    return since, until
