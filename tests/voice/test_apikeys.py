"""voice/apikeys.py: keys found by their hash only while live; old idempotency records go."""

from __future__ import annotations

from datetime import timedelta

from tests.factories import make_org
from voice.apikeys import create_key, find_key, purge_idempotency_records, revoke_key
from voice.models import IdempotencyRecord, utcnow


def test_a_key_is_found_by_its_secret_until_revoked(db):
    """find_key matches the exact secret of a live key, and nothing else."""
    key, secret = create_key(db, make_org(db), "ATS")
    db.flush()
    assert find_key(db, secret) is key
    assert find_key(db, secret + "x") is None
    assert find_key(db, secret[:-1]) is None
    assert revoke_key(key) is True and revoke_key(key) is False
    assert find_key(db, secret) is None


def test_idempotency_records_are_kept_a_day(db):
    """Records older than 24 hours are purged; younger ones stay."""
    key, _ = create_key(db, make_org(db), "ATS")
    db.flush()
    now = utcnow()
    for name, age in (("old", 25), ("young", 23)):
        db.add(
            IdempotencyRecord(
                api_key_id=key.id,
                key=name,
                request_hash="0" * 64,
                created_at=now - timedelta(hours=age),
            )
        )
    db.flush()
    assert purge_idempotency_records(db, now) == 1
    assert [r.key for r in db.query(IdempotencyRecord)] == ["young"]


def test_an_erasure_forgets_the_organisations_stored_api_replies(db):
    """Stored Idempotency-Key replies may repeat a candidate's details: erasing a candidate
    deletes those of the candidate's organisation, and no other's."""
    from tests.factories import make_candidate, make_interview
    from voice.erasure import erase_candidate

    org, other = make_org(db), make_org(db, "Globex")
    candidate = make_candidate(db, make_interview(db, org))
    mine, _ = create_key(db, org, "ATS")
    theirs, _ = create_key(db, other, "ATS")
    db.flush()
    for key in (mine, theirs):
        db.add(
            IdempotencyRecord(
                api_key_id=key.id,
                key="add-dana",
                request_hash="0" * 64,
                status_code=201,
                body='{"name": "Dana Diaz", "phone": "+15557654321"}',
            )
        )
    db.flush()
    erase_candidate(db, candidate)
    db.flush()
    assert [r.api_key_id for r in db.query(IdempotencyRecord)] == [theirs.id]
