"""Reading a list page's query string strictly: row ids and keyset page links.

The audit page and the interview page share these, so that a damaged link or a filter
naming no row is answered the same way on both: the page names what is wrong (400 for
a damaged page link, with the first page shown; 422 for a bad filter, left out).
"""

from __future__ import annotations

from voice.models import MAX_ROW_ID

SHOWN = 20  # characters of a bad value an error repeats


def row_id(raw: str) -> int | None:
    """`raw` as a row id (ASCII digits, 1 to MAX_ROW_ID), or None when it is not one."""
    if raw.isascii() and raw.isdigit() and 0 < len(raw) < 11 and 0 < int(raw) <= MAX_ROW_ID:
        return int(raw)
    return None


def read_cursor(
    args, names: tuple[str, str], *, both: str, noun: str
) -> tuple[int | None, int | None, str | None]:
    """A keyset page link: the row number given in `names[0]` or `names[1]` (at most one),
    or what is wrong with the link as one sentence ("This page link is damaged: ...").

    Returns (first, second, error), at most one of them not None; a blank value counts as
    absent. `both` says why two cursors are wrong ("it names both older and newer
    entries"); `noun` what a cursor is ("an entry number"). A number naming no row is
    no damage: the caller decides what a stale link shows.
    """
    given = {k: args[k].strip() for k in names if (args.get(k) or "").strip()}
    if len(given) > 1:
        return None, None, f"This page link is damaged: {both}."
    for name, raw in given.items():
        if not (raw.isascii() and raw.isdigit() and len(raw) < 11 and int(raw) <= MAX_ROW_ID):
            return None, None, f"This page link is damaged: {raw[:SHOWN]!r} is not {noun}."
        number = int(raw)
        return (number, None, None) if name == names[0] else (None, number, None)
    return None, None, None
