"""`Idempotency-Key` on every POST: a retry gets the first response, and nothing twice.

As Stripe does it: the first request with a key reserves it (a row in
idempotency_records, unique per API key and key) before the view runs, and the response
is stored after. A request with a key already stored gets the stored response back
(`Idempotent-Replayed: true`); one whose first request is still running waits for it
(up to WAIT_SECONDS, then 409 idempotency-in-progress). The same key with a different
method, path or body is 422 idempotency-key-reused. A 5xx is not kept, so a retry runs
again; keys are kept for KEEP_HOURS; a reservation older than STALE_SECONDS whose
request never finished is taken over.

The reservation is written by its own session and committed at once, so two concurrent
requests meet on the unique constraint whatever the view's transaction does.
"""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta

from flask import Response, g, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from dashboard.api.auth import caller
from dashboard.api.problems import Problem
from ivr.services import services
from voice.apikeys import IDEMPOTENCY_KEEP_HOURS as KEEP_HOURS
from voice.models import IdempotencyRecord, utcnow

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255  # IdempotencyRecord.key String(255)
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.1
STALE_SECONDS = 120
KEPT_HEADERS = ("Content-Type", "Location")


def end_request_transaction() -> None:
    """End the request session's transaction (rolling back nothing the view committed)
    before another session writes: on SQLite the open transaction holds the one write
    lock (BEGIN IMMEDIATE, voice/db.py), and the other session would wait it out."""
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def _request_hash() -> str:
    digest = hashlib.sha256()
    for part in (request.method, request.full_path):
        digest.update(part.encode() + b"\0")
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _replay(record: IdempotencyRecord) -> Response:
    response = Response(record.body or "", status=record.status_code)
    for name, value in (record.headers or {}).items():
        response.headers[name] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


def begin() -> Response | None:
    """Before a POST with an Idempotency-Key: reserve the key, or answer as the first time.

    Returns the stored response for a replay, else None (the view runs). Raises Problem
    for a malformed or reused key, or one whose first request is still running.
    """
    if request.method != "POST" or HEADER not in request.headers:
        return None
    key = request.headers[HEADER].strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise Problem(
            "bad-request", f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable characters."
        )
    wanted = _request_hash()
    key_id = caller().key_id
    end_request_transaction()
    deadline = time.monotonic() + WAIT_SECONDS
    with services().session_factory() as session:
        while True:
            record = session.scalar(
                select(IdempotencyRecord).where(
                    IdempotencyRecord.api_key_id == key_id, IdempotencyRecord.key == key
                )
            )
            now = utcnow()
            if record is not None and _expired(record, now):
                session.delete(record)
                session.commit()
                record = None
            if record is None:
                session.add(IdempotencyRecord(api_key_id=key_id, key=key, request_hash=wanted))
                try:
                    session.commit()
                except IntegrityError:  # a concurrent request reserved it first
                    session.rollback()
                    continue
                g.idempotency = (key_id, key)
                return None
            if record.request_hash != wanted:
                raise Problem(
                    "idempotency-key-reused",
                    f"The {HEADER} {key[:40]!r} was used for a different request.",
                )
            if record.status_code is not None:
                return _replay(record)
            if time.monotonic() >= deadline:
                raise Problem("idempotency-in-progress", headers={"Retry-After": "1"})
            session.rollback()  # end the snapshot so the next look sees the first request's end
            time.sleep(POLL_SECONDS)


def _expired(record: IdempotencyRecord, now) -> bool:
    if record.created_at < now - timedelta(hours=KEEP_HOURS):
        return True
    return record.status_code is None and record.created_at < now - timedelta(seconds=STALE_SECONDS)


def finish(response: Response) -> Response:
    """After the view: store its response under the reserved key (a 5xx frees the key)."""
    reserved = g.pop("idempotency", None)
    if reserved is None:
        return response
    key_id, key = reserved
    end_request_transaction()
    with services().session_factory() as session:
        where = (IdempotencyRecord.api_key_id == key_id, IdempotencyRecord.key == key)
        if response.status_code >= 500:
            session.execute(delete(IdempotencyRecord).where(*where))
        else:
            record = session.scalar(select(IdempotencyRecord).where(*where))
            if record is not None:
                record.status_code = response.status_code
                record.body = response.get_data(as_text=True)
                record.headers = {
                    h: response.headers[h] for h in KEPT_HEADERS if h in response.headers
                }
        session.commit()
    return response
