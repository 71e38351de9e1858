"""Reading a list page's query string strictly: row ids, checkbox filters, keyset page
links, and the list a form on the page leads back to.

The audit, search and interview pages share these, so that a damaged link or a filter
naming no row is answered the same way on both: the page names what is wrong (400 for
a damaged page link, with the first page shown; 422 for a bad filter, left out).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from voice.models import MAX_ROW_ID

SHOWN = 20  # characters of a bad value an error repeats
MAX_PAGE = 100_000  # keeps an old link's OFFSET within what the database accepts


def row_id(raw: str) -> int | None:
    """`raw` as a row id (ASCII digits, 1 to MAX_ROW_ID), or None when it is not one."""
    if raw.isascii() and raw.isdigit() and 0 < len(raw) < 11 and 0 < int(raw) <= MAX_ROW_ID:
        return int(raw)
    return None


def read_flag(args, name: str, label: str) -> tuple[bool, str | None]:
    """A checkbox filter `?name=1`: (ticked, error). Absent or blank is unticked; "1" is
    ticked; anything else is unticked with the sentence "“yes” is not a value for
    “<label>” (use name=1, or leave it out)." (the page then answers 422, as for any
    bad filter). `label` is the checkbox's visible label.
    """
    raw = (args.get(name) or "").strip()
    if not raw:
        return False, None
    if raw == "1":
        return True, None
    return False, f"“{raw[:SHOWN]}” is not a value for “{label}” (use {name}=1, or leave it out)."


def back_to_list(target: str | None, path: str) -> str:
    """Where a form posted from the list page at `path` leads back to: `target` (the form's
    `next`, the page's own address) when it is `path` itself with or without a query
    string (its filters, order and page link, which the page checks again when read),
    else `path`. Anything else (another page, another site, a scheme, a damaged value)
    is ignored, so `next` can never redirect elsewhere.
    """
    target = (target or "").strip()
    if not target or any(ord(ch) < 0x21 or ord(ch) == 0x7F or ch == "\\" for ch in target):
        return path
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or parts.fragment or parts.path != path:
        return path
    return f"{path}?{parts.query}" if parts.query else path


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


def read_page(args, name: str = "page") -> tuple[int, str | None]:
    """An old-style page number (`?page=`, 1 up; MAX_PAGE at most, a larger one is read as
    MAX_PAGE) and what is wrong with it as one sentence, or None.

    Returns (page, error): absent or blank is page 1 with no error; anything but ASCII
    digits naming 1 or more ("abc", "0", "-2", "2.5") is page 1 with the sentence
    "This page link is damaged: 'abc' is not a page number." (the page answers 400 and
    shows its first page, as for a damaged cursor).
    """
    raw = (args.get(name) or "").strip()
    if not raw:
        return 1, None
    if raw.isascii() and raw.isdigit() and int(raw) > 0:
        return min(int(raw), MAX_PAGE), None
    return 1, f"This page link is damaged: {raw[:SHOWN]!r} is not a page number."
