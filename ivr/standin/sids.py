"""Make Twilio-shaped identifiers: a two-letter prefix and 32 hex digits."""

from __future__ import annotations

import uuid


def new_sid(prefix: str) -> str:
    """Return a fresh SID such as CA0123...(32 hex digits)."""
    return prefix + uuid.uuid4().hex
