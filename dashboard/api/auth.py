"""Who is calling: the API key in `Authorization: Bearer KEY`, and what it may do.

Every API request (except the OpenAPI document and the reference page) passes
`authenticate`, registered on each API blueprint: no key, an unknown or revoked key is
401; a read-only key asking to write is 403. The key's organisation scopes every row
through dashboard/access.py, exactly as a signed-in admin of that organisation is.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import g, request

from dashboard.api.problems import Problem
from ivr.services import db
from voice.apikeys import find_key
from voice.models import ApiKey, Role, utcnow

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LAST_USED_EVERY = 60  # seconds: how stale an ApiKey.last_used_at may be before it is written


@dataclass(frozen=True)
class ApiCaller:
    """An API key as the access layer sees it (dashboard.access.UserLike).

    `id` is the user who made the key (decisions name them; 0 if gone), `role` admin:
    a key sees every interview of its organisation; `read_only` keys may not write.
    """

    id: int
    organization_id: int
    role: str
    key_id: int
    key_name: str
    read_only: bool


def bearer_secret() -> str | None:
    """The key in the Authorization header, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def rate_limit_key() -> str:
    """What the rate limit counts by: the key (a hash of it, never the secret), else the address."""
    secret = bearer_secret()
    if secret:
        return "key:" + hashlib.sha256(secret.encode()).hexdigest()[:32]
    return "addr:" + (request.remote_addr or "unknown")


def authenticate() -> None:
    """Before every API request: find the key, check its scope, remember the caller.

    Raises Problem: 401 unauthenticated (no, unknown or revoked key), 403 read-only-key.
    """
    secret = bearer_secret()
    key = find_key(db(), secret) if secret else None
    if key is None:
        raise Problem(
            "unauthenticated",
            "Send a live API key as 'Authorization: Bearer KEY'."
            if secret is None
            else "That API key does not exist or was revoked.",
            headers={"WWW-Authenticate": 'Bearer realm="screenline"'},
        )
    if key.read_only and request.method not in READ_METHODS:
        raise Problem("read-only-key", f"The key “{key.name}” is read-only; this request writes.")
    g.api_caller = ApiCaller(
        id=key.created_by_id or 0,
        organization_id=key.organization_id,
        role=Role.ADMIN,
        key_id=key.id,
        key_name=key.name,
        read_only=key.read_only,
    )
    _touch(key)


def caller() -> ApiCaller:
    """The authenticated caller of this API request."""
    return g.api_caller


def _touch(key: ApiKey) -> None:
    now = utcnow()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > LAST_USED_EVERY:
        key.last_used_at = now
        db().commit()
