"""Rules for plain values arriving from outside: text, whole numbers, yes/no, known keys.

Each rule takes an `errors` dict (field path -> one sentence naming the field), reads one
key from a plain mapping (a parsed YAML file, a form, later an API body), records what is
wrong and returns a usable value, so a caller can collect every problem in one pass.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

# The words a yes/no setting accepts besides a real YAML boolean (case-insensitive).
TRUE_WORDS = ("true", "yes", "on", "1")
FALSE_WORDS = ("false", "no", "off", "0")

_WHOLE = re.compile(r"^[+-]?\d{1,12}$")


def unknown_keys(errors: dict, path: str, spec: Mapping, known: tuple[str, ...]) -> None:
    """Record each key of `spec` not in `known`, suggesting the closest known one."""
    for key in spec:
        if key not in known:
            guess = difflib.get_close_matches(str(key), known, n=1)
            hint = f" (did you mean {guess[0]}?)" if guess else ""
            errors[f"{path}{key}"] = f"{key} is not a setting here{hint}"


def text_field(
    errors: dict, spec: Mapping, key: str, limit: int, *, required: bool = False, path: str = ""
) -> str:
    """Return `spec[key]` stripped ("" if absent); it must be text of at most `limit` chars."""
    value = spec.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[path + key] = f"{key} is required"
        return ""
    if not isinstance(value, str):
        errors[path + key] = f"{key} must be text"
        return ""
    return checked_text(errors, path + key, key, value.strip(), limit)


def checked_text(errors: dict, path: str, label: str, value: str, limit: int) -> str:
    """Return `value`, recording an error if it is over `limit` characters or holds a NUL.

    PostgreSQL refuses NUL in text, and a String(n) column refuses more than n characters.
    """
    if len(value) > limit:
        errors[path] = f"{label} is {len(value):,} characters long; at most {limit:,} fit"
    elif "\x00" in value:
        errors[path] = f"{label} contains a NUL character"
    return value


def whole_number(
    errors: dict,
    spec: Mapping,
    key: str,
    default: int | None,
    bounds: tuple[int, int],
    path: str = "",
) -> int | None:
    """Return `spec[key]` as an int within `bounds` (inclusive), or `default` if absent.

    An int or a string of digits is accepted; a boolean, a fraction or anything else
    is an error naming the key and the range.
    """
    value = spec.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    low, high = bounds
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _WHOLE.match(value.strip()):
        number = int(value.strip())
    if number is None or not low <= number <= high:
        errors[path + key] = f"{key} must be a whole number from {low:,} to {high:,}"
        return default
    return number


def flag(errors: dict, spec: Mapping, key: str, path: str = "") -> bool:
    """Return a yes/no setting: a real boolean, or a word of TRUE_WORDS or FALSE_WORDS.

    Absent means False. Any other value (a quoted "maybe", a number) is an error: a
    file must not turn a setting on by accident because a word happens to be truthy.
    """
    value: Any = spec.get(key)
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    word = value.strip().lower() if isinstance(value, str) else None
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    shown = repr(value)[:40]
    errors[path + key] = f"{key} must be true or false (or yes/no, on/off, 1/0), not {shown}"
    return False
