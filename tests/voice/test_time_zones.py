"""The organisation's time zone: one rule (voice/time_zones.py) and one way dates are
worded (voice/dates.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from voice.dates import (
    date_and_time,
    from_local_input,
    local_input,
    long_date,
    manager_language,
    spoken_day,
)
from voice.time_zones import TimeZoneError, check_time_zone, time_zone_groups, time_zone_names

WINTER = datetime(2026, 3, 3, 23, 0, tzinfo=UTC)  # 5 PM in Chicago (CST)
SUMMER = datetime(2026, 7, 3, 23, 0, tzinfo=UTC)  # 6 PM in Chicago (CDT)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("America/Chicago", "America/Chicago"),
        ("  europe/madrid ", "Europe/Madrid"),
        ("UTC", "UTC"),
        ("US/Central", "US/Central"),
    ],
)
def test_a_zone_the_database_knows_is_kept_as_it_spells_it(typed, stored):
    """Any IANA name zoneinfo knows, in any case, comes back spelt as the database does."""
    assert check_time_zone(typed) == stored


@pytest.mark.parametrize("typed", ["Mars/Base", "", "   ", "CST", "America/Chicago/Loop", "x" * 99])
def test_anything_else_is_refused_with_one_sentence(typed):
    """Not a zone (abbreviations, empty, long junk): one sentence with two examples."""
    with pytest.raises(TimeZoneError) as caught:
        check_time_zone(typed)
    assert str(caught.value) == (
        f"{typed.strip()[:40]!r} is not a time zone such as America/Chicago or Europe/Madrid"
    )


def test_the_list_offered_starts_with_utc_and_holds_only_names_the_rule_accepts():
    """The settings page's list: UTC first, then canonical names, each one valid."""
    names = time_zone_names()
    assert names[0] == "UTC" and "America/Chicago" in names and "Europe/Madrid" in names
    assert "US/Central" not in names
    assert all(check_time_zone(name) == name for name in names)


ALIASES = (
    "Africa/Asmera",
    "Africa/Timbuktu",
    "America/Argentina/ComodRivadavia",
    "Asia/Calcutta",
    "Europe/Kiev",
    "America/Buenos_Aires",
    "US/Central",
    "EST5EDT",
    "Etc/GMT+6",
)


def test_the_list_offered_leaves_out_aliases_and_keeps_every_countrys_cities():
    """Obsolete aliases and legacy names are not offered (they are links in the database,
    absent from its zone.tab); their current names are, and so are cities whose clocks
    agree with another country's since 1970 (Europe/Oslo, which zone1970.tab would drop)."""
    names = time_zone_names()
    assert not set(ALIASES) & set(names)
    for name in ("Africa/Asmara", "Asia/Kolkata", "Europe/Kyiv", "Europe/Oslo"):
        assert name in names
    assert len(names) == len(set(names)) and 300 < len(names) < 480


def test_the_list_is_grouped_by_region_with_utc_first_on_its_own():
    """Regions in order (Africa, America, ..., Europe, ...), each sorted, UTC in none."""
    groups = dict(time_zone_groups())
    assert list(groups) == sorted(groups)
    assert {"Africa", "America", "Asia", "Europe", "Pacific"} <= set(groups)
    assert "America/Chicago" in groups["America"] and "Europe/Madrid" in groups["Europe"]
    assert all(list(zones) == sorted(zones) for zones in groups.values())
    assert all(name.startswith(region + "/") for region, zones in groups.items() for name in zones)
    assert time_zone_names()[0] == "UTC" and "UTC" not in {n for z in groups.values() for n in z}


@pytest.mark.parametrize("alias", ALIASES)
def test_an_alias_not_offered_is_still_accepted(alias):
    """Any name zoneinfo knows is saved as typed, offered or not."""
    assert check_time_zone(alias) == alias


def test_a_deadline_reads_in_the_zone_and_language():
    """The zone's own abbreviation (CST in winter, CDT in summer), the language's clock."""
    assert date_and_time(WINTER, "America/Chicago", "en-US") == "March 3, 5:00 PM CST"
    assert date_and_time(SUMMER, "America/Chicago", "en-US") == "July 3, 6:00 PM CDT"
    assert date_and_time(WINTER, "America/Chicago", "es-MX") == "3 de marzo, 5:00 p.m. CST"
    assert date_and_time(WINTER, "Europe/Madrid", "es-ES") == "4 de marzo, 0:00 CET"
    assert date_and_time(WINTER, "UTC", "en-US", year=True) == "Mar 3, 2026, 11:00 PM UTC"
    assert date_and_time(WINTER, "Europe/Madrid", "en-GB", year=True) == "4 Mar 2026, 00:00 CET"


def test_a_zone_without_an_abbreviation_shows_its_offset():
    """São Paulo has no letters in the database ("-03"): the offset is shown instead."""
    assert date_and_time(WINTER, "America/Sao_Paulo", "en-US") == "March 3, 8:00 PM GMT-3"
    assert date_and_time(WINTER, "Asia/Kathmandu", "en-US").endswith("GMT+5:45")


def test_days_are_the_local_day_in_each_language():
    """11 PM UTC on March 3 is already March 4 in Madrid."""
    assert spoken_day(WINTER, "America/Chicago", "es-MX", now=WINTER) == "3 de marzo"
    assert spoken_day(WINTER, "Europe/Madrid", "en-US", now=WINTER) == "March 4"
    assert long_date(WINTER, "America/Chicago", "en-US") == "March 3, 2026"
    assert long_date(WINTER, "America/Chicago", "es") == "3 de marzo de 2026"


def test_a_day_of_another_year_is_said_with_its_year():
    """A deadline years past is not heard as this year's: the year is said with it."""
    later = datetime(2027, 6, 1, tzinfo=UTC)
    assert spoken_day(WINTER, "America/Chicago", "en-US", now=later) == "March 3, 2026"
    assert spoken_day(WINTER, "America/Chicago", "es-MX", now=later) == "3 de marzo de 2026"


def test_no_narrow_spaces_reach_a_text():
    """CLDR's narrow no-break space before PM would make an SMS UCS-2: plain spaces only."""
    text = date_and_time(WINTER, "America/Chicago", "en-US")
    assert "\u202f" not in text and "\u00a0" not in text


def test_unknown_languages_fall_back_and_managers_read_their_countrys_english():
    """An unknown language reads as its base language, then en-US; GB writes 24 h."""
    assert date_and_time(WINTER, "UTC", "es-ZZ") == "3 de marzo, 23:00 UTC"
    assert date_and_time(WINTER, "UTC", None) == "March 3, 11:00 PM UTC"
    assert manager_language("GB") == "en-GB"
    assert manager_language("US") == "en-US"
    assert manager_language("ZZ") == "en-US"


def test_the_builders_wall_time_round_trips_through_the_zone():
    """17:00 typed in Madrid in winter is 16:00 UTC, and shows back as 17:00; in summer 15:00."""
    typed = from_local_input("2026-01-15T17:00", "Europe/Madrid")
    stored = datetime.fromisoformat(typed).astimezone(UTC)
    assert stored == datetime(2026, 1, 15, 16, 0, tzinfo=UTC)
    assert local_input(stored, "Europe/Madrid") == "2026-01-15T17:00"
    summer = datetime.fromisoformat(from_local_input("2026-07-15T17:00", "Europe/Madrid"))
    assert summer.astimezone(UTC).hour == 15
    assert from_local_input("2026-01-15T17:00Z", "Europe/Madrid") == "2026-01-15T17:00Z"
    assert from_local_input("next friday", "Europe/Madrid") == "next friday"
    assert local_input(None, "Europe/Madrid") == ""


def test_the_passed_deadline_warning_names_the_zone():
    """The builder's, the import's and the API's warning is worded in the zone."""
    from voice.deadlines import passed_deadline_warning

    later = datetime(2026, 4, 1, tzinfo=UTC)
    warning = passed_deadline_warning(WINTER, later, "America/Chicago", "en-US")
    assert warning.startswith("The deadline (Mar 3, 2026, 5:00 PM CST) has passed: ")
