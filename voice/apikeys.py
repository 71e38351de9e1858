"""API keys: making one, finding the key a request carries, revoking.

A key is `sl_` followed by 32 random bytes in URL-safe base64 (256 bits): only its
SHA-256 is stored, which is enough for a secret of that strength (as GitHub and Stripe
do); nothing can turn the stored hash back into a usable key. The secret is shown once,
when the key is made. Every front door (the settings page, `screenline api-key`) uses
these functions.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from voice.models import ApiKey, IdempotencyRecord, Organization, utcnow

KEY_PREFIX = "sl_"
SHOWN_PREFIX = 10  # characters of the secret kept to tell keys apart ("sl_AbC1234")
MAX_KEY_NAME = 100  # ApiKey.name String(100)
MAX_SECRET_LENGTH = 200  # anything longer is not one of our keys; refused unhashed
IDEMPOTENCY_KEEP_HOURS = 24  # how long a POST's Idempotency-Key answers with its first response


def key_words(key_name: str) -> str:
    """Who did something through the REST API, for people, named by its key as the audit
    trail does (voice.audit.Actor.api_key): "API key “Greenhouse sync”"."""
    return f"API key “{key_name}”"


def hash_secret(secret: str) -> str:
    """The SHA-256 hex digest under which a key's secret is stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_key(
    session: Session,
    organization: Organization,
    name: str,
    *,
    read_only: bool = False,
    created_by_id: int | None = None,
) -> tuple[ApiKey, str]:
    """Make a key for `organization`; return the row (added, not committed) and its secret.

    Raises ValueError (one sentence) for an empty or over-long name.
    """
    name = (name or "").strip()
    if not name:
        raise ValueError("an API key needs a name (what uses it: 'Greenhouse sync')")
    if len(name) > MAX_KEY_NAME:
        raise ValueError(f"an API key's name has at most {MAX_KEY_NAME} characters")
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    if organization.id is None:
        session.flush()
    key = ApiKey(
        organization_id=organization.id,
        name=name,
        prefix=secret[:SHOWN_PREFIX],
        key_hash=hash_secret(secret),
        read_only=read_only,
        created_by_id=created_by_id,
    )
    session.add(key)
    return key, secret


def find_key(session: Session, secret: str) -> ApiKey | None:
    """The live (not revoked) key whose secret this is, or None.

    The lookup is by hash, so its time does not depend on how much of a guess matched.
    """
    if not secret or len(secret) > MAX_SECRET_LENGTH or not secret.startswith(KEY_PREFIX):
        return None
    digest = hash_secret(secret)
    key = session.scalar(select(ApiKey).where(ApiKey.key_hash == digest))
    if key is None or key.revoked_at is not None:
        return None
    if not hmac.compare_digest(key.key_hash, digest):
        return None
    return key


def revoke_key(key: ApiKey, now: datetime | None = None) -> bool:
    """Revoke `key` (not committed); return False if it was revoked already."""
    if key.revoked_at is not None:
        return False
    key.revoked_at = now or utcnow()
    return True


def audit_detail(key: ApiKey) -> dict:
    """What the audit trail keeps of a key (voice/audit.py's detail): never its secret."""
    return {"key_id": key.id, "key_name": key.name, "read_only": key.read_only}


def purge_idempotency_records(session: Session, now: datetime | None = None) -> int:
    """Delete Idempotency-Key records older than IDEMPOTENCY_KEEP_HOURS (not committed);
    return how many."""
    cutoff = (now or utcnow()) - timedelta(hours=IDEMPOTENCY_KEEP_HOURS)
    result = session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff))
    return result.rowcount or 0


def forget_api_replies(session: Session, organization_id: int) -> int:
    """Delete every stored Idempotency-Key reply of the organisation's keys (not
    committed): they may repeat a candidate's name, phone or PIN, so an erasure takes
    them all (a retry of such a request then runs again). Returns how many."""
    keys = select(ApiKey.id).where(ApiKey.organization_id == organization_id)
    result = session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.api_key_id.in_(keys))
    )
    return result.rowcount or 0
