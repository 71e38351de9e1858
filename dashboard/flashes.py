"""Flash messages shown where the user lands.

One mechanism, Flask's `flash`: an action that redirects to a section of a page (the
candidate page's #decision, #overall) flashes with `flash_at`, naming that section (its
"spot"). A page that has the spot shows the message inside that section, so a redirect
to `#decision` lands on its own confirmation; any other page shows it at the top with
the rest (base.html). A page lists its spots in its template context as `flash_spots`.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import flash, get_flashed_messages

SPOT_MARK = "@"  # category@spot: Flask keeps a message's category as any string


def flash_at(spot: str | None, message: str, category: str = "success") -> None:
    """Flash `message` (category success, info, warning or error) to be shown in the
    page section whose id is `spot` (at the top on a page without it; a plain flash
    when `spot` is None)."""
    flash(message, category if spot is None else f"{category}{SPOT_MARK}{spot}")


def flashes_for(spot: str | None, spots: Iterable[str] = ()) -> list[tuple[str, str]]:
    """The request's flashed messages, as (category, message), that belong at `spot` on a
    page that has the sections `spots`; `spot=None` gives those for the top of the page
    (unplaced ones, and those for a spot the page lacks). Reading does not consume: every
    call in one request sees the same messages."""
    spots = set(spots)
    shown = []
    for category, message in get_flashed_messages(with_categories=True):
        kind, _, at = category.partition(SPOT_MARK)
        if (at if at in spots else None) == spot:
            shown.append((kind, message))
    return shown
