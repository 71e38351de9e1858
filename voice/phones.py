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
# What to send instead of a number that is refused, after its sentence, where the reader
# can send another (the API's 422 and `screenline candidate add`).
E164_WANTED = "Use E.164 form, such as +15551234567."

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


def not_callable(raw: str, why: str = "") -> str:
    """The one wording of "this is not a number we can dial", for every front door.

    `raw` is the value as the person wrote it (shortened past 40 characters, control
    characters escaped); `why` the reason alone, or "" when there is none to give:
    "“12” is not a phone number we can call (it is too short for a +1 number)."
    """
    return f"“{_shown(raw)}” is not a phone number we can call" + (f" ({why})." if why else ".")


def not_our_number(raw: str, why: str = "") -> str:
    """The one wording for an interview's own number (the Twilio number candidates ring,
    never one we dial) that is not a telephone number.

    `raw` and `why` as for `not_callable`:
    "“12” is not a phone number (it is too short for a +1 number). Enter the Twilio number
    candidates call, in international format, such as +15551234567."
    """
    shown = _shown(raw)
    reason = f" ({why})" if why else ""
    return (
        f"“{shown}” is not a phone number{reason}. Enter the Twilio number candidates call, "
        "in international format, such as +15551234567."
    )


def _shown(raw: str) -> str:
    """`raw` as a message quotes it: shortened past 40 characters, controls escaped."""
    shown = raw if len(raw) <= 40 else raw[:40] + "…"
    return shown if shown.isprintable() else repr(shown)[1:-1]


def _refuse(raw: str, why: str = "") -> PhoneError:
    return PhoneError(not_callable(raw, why), why)


def normalise_phone(raw: str, region: str = DEFAULT_REGION) -> str:
    """Return `raw` as E.164 (+15551234567), or raise PhoneError with a readable reason.

    `region` is the country a number without "+" (or the international prefix "00", or
    the region's own, such as 011 in North America) is read in. Refused, with the reason:
    no digits, letters, an extension (Twilio cannot dial one), a length impossible for
    the country, an unknown country code. The digits are never changed: a number is
    accepted only as written.
    """
    text = (raw or "").strip()
    if len(text) > MAX_INPUT:
        raise _refuse(text, "it is too long")
    if re.search(r"[A-Za-z]", text):
        # Letters are vanity numbers (1-800-FLOWERS) or words: neither belongs in a list.
        raise _refuse(text, "it has letters")
    written = text
    compact = re.sub(r"[\s().\-/]", "", text)
    if compact.startswith("00"):
        text = "+" + compact[2:]  # the ITU international prefix, used by most countries
    try:
        number = phonenumbers.parse(text, check_region(region))
    except NumberParseException:
        raise _refuse(written) from None
    if number.extension:
        raise _refuse(written, "it has an extension, which cannot be dialled")
    problem = phonenumbers.is_possible_number_with_reason(number)
    if problem != ValidationResult.IS_POSSIBLE:
        why = f"{_LENGTH_PROBLEMS.get(problem, 'it is not possible')} for {_place(number)}"
        raise _refuse(written, why)
    formatted = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    if not _E164.match(formatted):
        raise _refuse(written)
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
# Names phonenumbers' geodata has out of date or awkward, as a person in the country
# list looks for them: countries renamed since (North Macedonia in 2019, Eswatini in
# 2018), and the DR Congo filed beside "Congo" rather than under "The".
_RENAMED_REGIONS = {
    "MK": "North Macedonia",
    "SZ": "Eswatini",
    "CD": "Congo (Democratic Republic)",
}
# The geodata capitalises every word ("Saint Vincent And The Grenadines", "Isle Of
# Man"); English writes these in lower case inside a name.
_SMALL_WORDS = re.compile(r"(?<=\S )(And|The|Of)(?= \S)")


def region_name(code: str) -> str:
    """The English name of an ISO region code libphonenumber knows ("GB": "United Kingdom").

    From the names phonenumbers ships for its geocoder (offline), with the renamings
    above and "and", "the", "of" in lower case, then a few it lacks; the code itself
    when none has one.
    """
    if code in _RENAMED_REGIONS or code in _UNNAMED_REGIONS:
        return _RENAMED_REGIONS.get(code) or _UNNAMED_REGIONS[code]
    name = geocoder._region_display_name(code, "en")
    if not name:
        return code
    return _SMALL_WORDS.sub(lambda word: word.group(1).lower(), name)


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
