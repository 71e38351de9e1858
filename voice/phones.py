"""Telephone numbers in E.164 (ITU-T E.164: a + and at most 15 digits), the form Twilio uses."""

from __future__ import annotations

import re

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def normalise_phone(raw: str, default_country_code: str = "1") -> str:
    """Return `raw` as E.164 (+15551234567), or raise ValueError with a readable reason."""
    digits = re.sub(r"[\s().\-]", "", raw or "")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if not digits.startswith("+"):
        if len(digits) == 10 and default_country_code == "1":
            digits = "+1" + digits
        elif len(digits) == 11 and digits.startswith("1"):
            digits = "+" + digits
        else:
            digits = "+" + default_country_code + digits
    if not _E164.match(digits):
        shown = raw if len(raw or "") <= 40 else raw[:40] + "…"
        raise ValueError(f"{shown!r} is not a telephone number (expected E.164, like +15551234567)")
    return digits


def is_e164(value: str | None) -> bool:
    """Return True when `value` is already a number in E.164 form (+ and 7 to 15 digits)."""
    return bool(value) and bool(_E164.match(value))
