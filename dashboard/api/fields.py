"""Fields and envelopes every API resource shares: RFC 3339 UTC times and cursor pages.

Lists are paginated by an opaque cursor: each page is `{"data": [...], "has_more":
bool, "next_cursor": str | null}`; pass `next_cursor` back as `cursor` for the next
page. Rows come in id order, so a row created while paging is never skipped or repeated.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime

import marshmallow as ma
from sqlalchemy import Select
from sqlalchemy.orm import Session

from dashboard.api.inputs import Moment, Text, WholeNumber
from dashboard.api.problems import Problem
from voice.models import MAX_ROW_ID

DEFAULT_LIMIT = 50
MAX_LIMIT = 100


class Timestamp(Moment):
    """A time as RFC 3339 in UTC ("2026-11-30T09:15:00Z"); read with any offset, or UTC if none.

    Dumps an aware datetime, or an ISO 8601 string as voice.results writes them (one
    without an offset is UTC), so every time the API answers has the one shape. Reads as
    `Moment` does, refusing anything else with "Use an RFC 3339 time such as ...".
    """

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
            value = value.replace(tzinfo=UTC) if value.tzinfo is None else value
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rfc3339(value: datetime | None) -> str | None:
    """A datetime as the API writes it (RFC 3339, UTC, whole seconds), or None."""
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class PageArgs(ma.Schema):
    """The query parameters of every list."""

    limit = WholeNumber(
        1,
        MAX_LIMIT,
        example=DEFAULT_LIMIT,
        what="a page size",
        load_default=DEFAULT_LIMIT,
        metadata={"description": f"Rows per page, 1 to {MAX_LIMIT}."},
    )
    cursor = Text(
        200,
        example="eyJhZnRlciI6MTJ9",
        metadata={"description": "The `next_cursor` of the previous page."},
    )


def page_schema(item: type[ma.Schema], name: str) -> type[ma.Schema]:
    """The envelope schema of a page of `item` rows, named `name` in the document."""
    return type(
        name,
        (ma.Schema,),
        {
            "data": ma.fields.List(ma.fields.Nested(item), required=True),
            "has_more": ma.fields.Boolean(required=True),
            "next_cursor": ma.fields.String(
                allow_none=True,
                required=True,
                metadata={"description": "Pass as `cursor` for the next page; null at the end."},
            ),
        },
    )


def encode_cursor(last_id: int) -> str:
    """The opaque cursor that continues after row `last_id`."""
    raw = json.dumps({"after": last_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The row id a cursor continues after; raises Problem invalid-cursor if it is not ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        after = json.loads(base64.urlsafe_b64decode(padded.encode()))["after"]
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeError):
        raise Problem("invalid-cursor") from None
    if isinstance(after, bool) or not isinstance(after, int) or not 0 <= after <= MAX_ROW_ID:
        raise Problem("invalid-cursor")
    return after


def paginate(session: Session, stmt: Select, id_column, limit: int, cursor: str | None) -> dict:
    """One page of `stmt` (rows visible to the caller) in `id_column` order, as the envelope."""
    if cursor:
        stmt = stmt.where(id_column > decode_cursor(cursor))
    rows = list(session.scalars(stmt.order_by(id_column).limit(limit + 1)))
    has_more = len(rows) > limit
    rows = rows[:limit]
    return {
        "data": rows,
        "has_more": has_more,
        "next_cursor": encode_cursor(rows[-1].id) if has_more else None,
    }


# The Idempotency-Key header every POST takes (dashboard/api/idempotency.py), documented.
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "description": "Retrying with the same key returns the first response; nothing twice.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}
