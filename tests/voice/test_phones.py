"""Telephone numbers by libphonenumber's rules: one rule set for every front door."""

from __future__ import annotations

import pytest

from voice.phones import (
    PhoneError,
    check_region,
    normalise_phone,
    not_callable,
    not_our_number,
    region_name,
    regions,
)


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+44 20 7946 0958", "US", "+442079460958"),
        ("(555) 765-4321", "US", "+15557654321"),
        ("0044 20 7946 0958", "US", "+442079460958"),
        ("011 44 20 7946 0958", "US", "+442079460958"),  # North America's own prefix
        ("1 555 765 4321", "US", "+15557654321"),
        ("07700 900123", "GB", "+447700900123"),  # a UK mobile written the UK way
        ("030 1234567", "DE", "+49301234567"),
        ("612 34 56 78", "ES", "+34612345678"),
        ("+1 555 0100 200", "GB", "+15550100200"),  # a + number ignores the region
    ],
)
def test_numbers_are_read_in_their_country_and_become_e164(raw, region, expected):
    """Common ways of writing a number, at home or abroad, become E.164."""
    assert normalise_phone(raw, region) == expected


@pytest.mark.parametrize(
    ("raw", "region", "why"),
    [
        ("12", "US", "it is too short for a +1 number"),
        ("55512300030", "US", "it has too many digits for a +1 number"),  # the .0 digit
        ("5551230", "US", "it needs its area code for a +1 number"),
        ("07700 900123", "US", "it has too many digits for a +1 number"),  # a UK number
        ("555-765-4321 x12", "US", "it has letters"),
        ("1-800-FLOWERS", "US", "it has letters"),
        ("9" * 80, "US", "it is too long"),
    ],
)
def test_a_number_that_cannot_be_called_says_why(raw, region, why):
    """A wrong length, letters, an extension or a stray digit: refused with the reason."""
    with pytest.raises(PhoneError) as raised:
        normalise_phone(raw, region)
    assert raised.value.why == why
    assert str(raised.value).endswith(f"is not a phone number we can call ({why}).")


@pytest.mark.parametrize("raw", ["", "   ", "+", "abc", "+999 1234567", "--", "()"])
def test_nonsense_is_not_a_number(raw):
    """Nothing, punctuation, words and unknown country codes are refused, never a traceback."""
    with pytest.raises(PhoneError, match="is not a phone number we can call"):
        normalise_phone(raw)


def test_a_region_must_be_a_country_libphonenumber_knows():
    """Regions are ISO codes in any case; anything else is a PhoneError naming the format."""
    assert check_region(" gb ") == "GB"
    with pytest.raises(PhoneError, match="not a country code such as US or GB"):
        check_region("ZZ")


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("MK", "North Macedonia"),
        ("SZ", "Eswatini"),
        ("KN", "Saint Kitts and Nevis"),
        ("VC", "Saint Vincent and the Grenadines"),
        ("CD", "Congo (Democratic Republic)"),
        ("IM", "Isle of Man"),
        ("GB", "United Kingdom"),
        ("AC", "Ascension Island"),
    ],
)
def test_countries_are_named_as_people_write_them_today(code, name):
    """Renamed countries carry today's name, and "and", "the", "of" are lower case."""
    assert region_name(code) == name


def test_the_two_congos_are_listed_side_by_side():
    """The country list files the Democratic Republic of the Congo right after Congo,
    and no name keeps a capitalised And, The or Of."""
    names = [name for _, _, name in regions()]
    assert names.index("Congo (Democratic Republic)") == names.index("Congo") + 1
    assert [n for n in names if any(f" {w} " in n for w in ("And", "The", "Of"))] == []


def test_every_front_door_words_an_uncallable_number_alike():
    """One sentence: the value as written in curly quotes, then the reason in brackets."""
    with pytest.raises(PhoneError) as raised:
        normalise_phone("12")
    assert str(raised.value) == (
        "“12” is not a phone number we can call (it is too short for a +1 number)."
    )
    assert str(raised.value) == not_callable("12", raised.value.why)
    assert not_callable("+", "") == "“+” is not a phone number we can call."
    assert not_callable("1\n2") == "“1\\n2” is not a phone number we can call."


def test_an_interviews_own_number_is_asked_for_not_called():
    """The number candidates ring has its own sentence: no "we can call", the reason,
    then what to enter."""
    assert not_our_number("12", "it is too short for a +1 number") == (
        "“12” is not a phone number (it is too short for a +1 number). Enter the Twilio "
        "number candidates call, in international format, such as +15551234567."
    )
    assert not_our_number("1\n2").startswith("“1\\n2” is not a phone number. Enter ")
