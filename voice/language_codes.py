"""Language codes as interviews take them: en-US, es-MX (BCP 47 language, then region).

The one rule for reading a list of them and for saying what to write instead of a word
that is not one; voice/interviews.py (the interview file, the builder, the API) uses it.
"""

from __future__ import annotations

import re

from voice.reliability import LANGUAGE_NAMES

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")  # en, es-MX: BCP 47 language-region


def split_languages(text: str) -> list[str]:
    """The language codes in `text`, separated by commas, spaces or both, in order."""
    return [x for x in re.split(r"[,\s]+", text) if x]


def canonical_language(word: str) -> str | None:
    """`word` written as a language code if only its letter case or separator is wrong
    ("EN-us", "en_us": "en-US"), else None."""
    lang, _, region = word.strip().replace("_", "-").partition("-")
    code = f"{lang.lower()}-{region.upper()}" if region else lang.lower()
    return code if LANGUAGE_CODE.match(code) else None


def not_a_language_code(word: str) -> str:
    """The rest of the sentence refusing `word` as a language code, saying what to write
    instead: the code it nearly is ("EN-us": en-US), the code for a language named in
    English ("english": en-US), two codes written as one item, else examples."""
    canonical = canonical_language(word)
    if canonical:
        return (
            f"is not a language code as written; did you mean {canonical}? "
            "(the language in small letters, then the country's in capitals: en-US, es-MX)"
        )
    parts = split_languages(word)
    if len(parts) > 1 and all(LANGUAGE_CODE.match(x) for x in parts):
        return f"is {len(parts)} languages in one item; list each on its own: [{', '.join(parts)}]"
    codes = {name.lower(): code for code, name in LANGUAGE_NAMES.items()}
    code = codes.get(word.strip().lower())
    if code:
        example = f"{code}-US" if code in ("en", "es") else code
        return (
            f"is not a language code; for {LANGUAGE_NAMES[code]} write {example} "
            "(a language code, then a country's if you like: en-US, es-US, es-MX)"
        )
    return "is not a language code like en-US; write codes such as en-US, es-US, es-MX"
