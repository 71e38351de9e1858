"""Words for counts, shared by every place Screenline writes for a person to read.

voice/ holds it because sentences made here (a retention warning, a purge's reason) need
it as much as the dashboard's pages and the command line do.
"""

from __future__ import annotations


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """A count and its noun as a reader says them: "1 entry", "0 entries", "1,500 files".

    `nouns` is the plural when adding "s" is wrong ("entries", "people"). The one helper
    for count-and-noun words, used by pages (the `plural` template filter), the command
    line and the sentences voice/ makes.
    """
    many = nouns if nouns is not None else f"{noun}s"
    return f"{count:,} {noun if count == 1 else many}"
