"""Telephone numbers: Google's libphonenumber rules (the `phonenumbers` package), one rule
set for every front door (CSV and spreadsheet import, `candidate add`, the builder, the API).

Numbers are stored in E.164 (ITU-T E.164: a + and at most 15 digits), the form Twilio
dials. A number written without its country code is read in a region (an ISO 3166-1
alpha-2 code such as "US" or "GB"): the organisation's default country, so that local
numbers from other countries work. A number is accepted when libphonenumber finds it of
a possible length for its country (`is_possible_number`); whether the line exists is for
the carrier to say, so fictional ranges such as North America's 555 pass.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult, geocoder

DEFAULT_REGION = "US"
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
MAX_INPUT = 60  # characters; a phone cell longer than this is not a number

_LENGTH_PROBLEMS = {
    ValidationResult.INVALID_COUNTRY_CODE: "its country code does not exist",
    ValidationResult.TOO_SHORT: "it is too short",
    ValidationResult.TOO_LONG: "it has too many digits",
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "it needs its area code",
    ValidationResult.INVALID_LENGTH: "it has the wrong number of digits",
}


class PhoneError(ValueError):
    """A value that is not a telephone number we can call; the message says why.

    `why` is the reason alone ("it is too short for a +1 number"), for reports that
    show the value themselves.
    """

    def __init__(self, message: str, why: str = "") -> None:
        super().__init__(message)
        self.why = why


def normalise_phone(raw: str, region: str = DEFAULT_REGION) -> str:
    """Return `raw` as E.164 (+15551234567), or raise PhoneError with a readable reason.

    `region` is the country a number without "+" (or the international prefix "00", or
    the region's own, such as 011 in North America) is read in. Refused, with the reason:
    no digits, letters, an extension (Twilio cannot dial one), a length impossible for
    the country, an unknown country code. The digits are never changed: a number is
    accepted only as written.
    """
    text = (raw or "").strip()
    shown = text if len(text) <= 40 else text[:40] + "…"
    if len(text) > MAX_INPUT:
        raise PhoneError(f"{shown!r} is not a telephone number (too long)", "it is too long")
    if re.search(r"[A-Za-z]", text):
        # Letters are vanity numbers (1-800-FLOWERS) or words: neither belongs in a list.
        raise PhoneError(f"{shown!r} is not a telephone number (it has letters)", "it has letters")
    compact = re.sub(r"[\s().\-/]", "", text)
    if compact.startswith("00"):
        text = "+" + compact[2:]  # the ITU international prefix, used by most countries
    try:
        number = phonenumbers.parse(text, check_region(region))
    except NumberParseException:
        raise PhoneError(f"{shown!r} is not a telephone number") from None
    if number.extension:
        why = "it has an extension, which cannot be dialled"
        raise PhoneError(f"{shown!r} is not a telephone number ({why})", why)
    problem = phonenumbers.is_possible_number_with_reason(number)
    if problem != ValidationResult.IS_POSSIBLE:
        why = f"{_LENGTH_PROBLEMS.get(problem, 'it is not possible')} for {_place(number)}"
        raise PhoneError(f"{shown!r} is not a telephone number ({why})", why)
    formatted = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    if not _E164.match(formatted):
        raise PhoneError(f"{shown!r} is not a telephone number")
    return formatted


def is_e164(value: str | None) -> bool:
    """Return True when `value` is already a number in E.164 form (+ and 7 to 15 digits)."""
    return bool(value) and bool(_E164.match(value))


def check_region(region: str | None) -> str:
    """An ISO 3166-1 alpha-2 region libphonenumber knows, upper case; PhoneError otherwise."""
    code = (region or "").strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise PhoneError(f"{(region or '')[:10]!r} is not a country code such as US or GB")
    return code


# Regions libphonenumber's English names (phonenumbers.geodata) leave unnamed.
_UNNAMED_REGIONS = {"AC": "Ascension Island", "TA": "Tristan da Cunha", "XK": "Kosovo"}


def region_name(code: str) -> str:
    """The English name of an ISO region code libphonenumber knows ("GB": "United Kingdom").

    From the names phonenumbers ships for its geocoder (offline), then a few it lacks;
    the code itself when neither has one.
    """
    name = _UNNAMED_REGIONS.get(code) or geocoder._region_display_name(code, "en")
    return name or code


def regions() -> list[tuple[str, int, str]]:
    """Every region libphonenumber knows, as (ISO code, country calling code, English
    name), sorted by name as a person looks for it."""
    known = phonenumbers.SUPPORTED_REGIONS
    found = [
        (code, phonenumbers.country_code_for_region(code), region_name(code)) for code in known
    ]
    return sorted(found, key=lambda region: (locale_key(region[2]), region[0]))


def locale_key(name: str) -> str:
    """A sort key that files "Åland Islands" with the As and "Côte d'Ivoire" with the Cs."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


def _place(number: phonenumbers.PhoneNumber) -> str:
    region = phonenumbers.region_code_for_number(number)
    code = f"+{number.country_code}"
    return f"a {region} ({code}) number" if region else f"a {code} number"
