"""The audit trail's chain (voice/audit.py) against real PostgreSQL: appending, verifying,
tampering, concurrent appends and scrubbing personal data."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text

from tests.factories import make_org
from voice import audit, audit_reading
from voice.audit import GENESIS, Actor
from voice.models import AuditEvent


def _append(db, org_id, n=3, candidate_id=7):
    entries = []
    for i in range(n):
        entries.append(
            audit.record(
                db,
                org_id,
                "candidate_viewed",
                Actor.user(1, "ana@acme.test", "203.0.113.9"),
                candidate_id=candidate_id,
                interview_id=2,
                detail={"i": i},
                subject={"name": "Dana Diaz"},
            )
        )
    db.commit()
    return entries


def test_entries_chain_by_sequence_and_previous_hash(db):
    """Each entry is numbered in its organisation's chain and carries the previous hash."""
    org = make_org(db)
    first, second, third = _append(db, org.id)
    assert [first.seq, second.seq, third.seq] == [1, 2, 3]
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.entry_hash and third.prev_hash == second.entry_hash
    assert len({first.entry_hash, second.entry_hash, third.entry_hash}) == 3
    result = audit.verify(db, org.id)
    assert result.ok and result.checked == 3 and result.head == third.entry_hash


def test_each_organisation_has_its_own_chain(db):
    """Two organisations' entries are numbered and verified apart."""
    acme, globex = make_org(db), make_org(db, "Globex")
    _append(db, acme.id, 2)
    (other,) = _append(db, globex.id, 1)
    assert other.seq == 1 and other.prev_hash == GENESIS
    assert [r.checked for r in audit.verify_all(db)] == [2, 1]


def test_an_unknown_action_is_refused(db):
    """Only words of the fixed vocabulary are recorded."""
    org = make_org(db)
    with pytest.raises(ValueError, match="not an audit action"):
        audit.record(db, org.id, "looked around", Actor.system())


@pytest.mark.parametrize(
    ("statement", "reason"),
    [
        ("UPDATE audit_events SET action = 'export' WHERE seq = 2", "contents"),
        ("UPDATE audit_events SET candidate_id = 99 WHERE seq = 2", "contents"),
        ("DELETE FROM audit_events WHERE seq = 2", "sequence"),
        (
            "UPDATE audit_events SET actor_data = "
            """'{"email": "someone@else.test", "salt": "00"}' WHERE seq = 2""",
            "personal data",
        ),
    ],
)
def test_editing_one_row_in_sql_is_detected_at_that_row(db, statement, reason):
    """A row changed or deleted behind Screenline's back breaks the chain, named at the row."""
    org = make_org(db)
    ids = [entry.id for entry in _append(db, org.id, 4)]
    db.execute(text(statement))
    db.commit()
    db.expire_all()
    result = audit.verify(db, org.id)
    assert not result.ok
    assert result.broken.id == (ids[2] if reason == "sequence" else ids[1])
    assert result.checked == 1
    assert reason in result.reason


def test_a_recomputed_hash_still_breaks_the_next_link(db):
    """Rewriting an entry and its own hash is caught at the following entry."""
    org = make_org(db)
    entries = _append(db, org.id, 3)
    forged = db.get(AuditEvent, entries[1].id)
    forged.action = "export"
    forged.entry_hash = audit.entry_hash(forged)
    db.commit()
    result = audit.verify(db, org.id)
    assert result.broken.id == entries[2].id
    assert "previous entry's hash" in result.reason


def test_concurrent_appends_keep_one_unbroken_chain(db, session_factory):
    """Appends from many threads at once get distinct numbers and one valid chain."""
    org = make_org(db)
    db.commit()
    threads, errors = 8, []
    per_thread = 5
    start = threading.Barrier(threads)

    def work(n: int) -> None:
        session = session_factory()
        try:
            start.wait()
            for i in range(per_thread):
                audit.record(
                    session,
                    org.id,
                    "score",
                    Actor.user(n, f"user{n}@acme.test"),
                    detail={"thread": n, "i": i},
                )
                session.commit()
        except Exception as exc:  # reported below, with the test's failure
            errors.append(exc)
        finally:
            session.close()

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    seqs = db.scalars(
        select(AuditEvent.seq).where(AuditEvent.organization_id == org.id).order_by(AuditEvent.seq)
    ).all()
    assert seqs == list(range(1, threads * per_thread + 1))
    result = audit.verify(db, org.id)
    assert result.ok and result.checked == threads * per_thread


def test_scrubbing_a_candidate_keeps_the_entries_and_the_chain(db):
    """Scrub removes the candidate's name from their entries; entries stay and verify."""
    org = make_org(db)
    mine = _append(db, org.id, 2, candidate_id=7)
    other = _append(db, org.id, 1, candidate_id=8)
    shortlist = audit.record(
        db,
        org.id,
        "share_link_created",
        Actor.user(1, "ana@acme.test"),
        detail={"link_id": 3, "candidate_ids": [7, 8]},
        subject={"label": "Dana Diaz and Sam"},
    )
    db.commit()
    assert audit.scrub_candidate(db, 7) == 3
    db.commit()
    db.expire_all()
    for entry in [*mine, shortlist]:
        row = db.get(AuditEvent, entry.id)
        assert row.subject_data is None and row.scrubbed_at is not None
        assert row.actor_data["email"] == "ana@acme.test"  # the reviewer's part stays
    assert db.get(AuditEvent, other[0].id).subject_data["name"] == "Dana Diaz"
    assert db.scalar(select(AuditEvent.id).where(AuditEvent.organization_id == org.id).limit(1))
    result = audit.verify(db, org.id)
    assert result.ok and result.checked == 4
    assert "Dana Diaz" not in str(audit_reading.as_dict(db.get(AuditEvent, mine[0].id)))


def test_scrubbing_the_actor_part_removes_a_typed_email(db):
    """A failed sign-in's typed e-mail and address can be removed; the chain still verifies."""
    entry = audit.record(
        db, None, "sign_in_failed", Actor.anonymous("typo@acme.test", "198.51.100.4")
    )
    db.commit()
    assert audit.scrub([entry], actor=True) == 1
    db.commit()
    db.expire_all()
    row = db.get(AuditEvent, entry.id)
    assert row.actor_data is None
    assert audit_reading.actor_text(row) == "not signed in (e-mail removed)"
    assert audit.verify(db, None).ok


def test_personal_digests_are_salted(db):
    """Two entries with the same personal data get different digests (not guessable)."""
    org = make_org(db)
    first, second = _append(db, org.id, 2)
    assert first.actor_data["address"] == second.actor_data["address"]
    assert first.actor_digest != second.actor_digest


def test_the_chain_works_on_sqlite_too(tmp_path):
    """On the SQLite default, entries round-trip exactly: they verify, scrub and break alike."""
    from voice.db import make_engine, make_session_factory
    from voice.migrate import upgrade
    from voice.models import Organization

    url = f"sqlite:///{tmp_path / 'screenline.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            org = Organization(name="Acme")
            session.add(org)
            session.flush()
            _append(session, org.id, 3)
            audit.record(session, None, "sign_in_failed", Actor.anonymous("x@y.test", "::1"))
            session.commit()
            assert [r.checked for r in audit.verify_all(session)] == [3, 1]
            assert audit.scrub_candidate(session, 7) == 3
            session.commit()
            assert audit.verify(session, org.id).ok
            session.execute(text("UPDATE audit_events SET answer_id = 5 WHERE seq = 3"))
            session.commit()
            session.expire_all()
            broken = audit.verify(session, org.id)
            assert broken.broken.seq == 3 and broken.checked == 2
    finally:
        engine.dispose()


def test_concurrent_appends_on_sqlite_keep_one_chain(tmp_path):
    """On SQLite, BEGIN IMMEDIATE serialises appends from threads into one valid chain."""
    from voice.db import make_engine, make_session_factory
    from voice.migrate import upgrade
    from voice.models import Organization

    url = f"sqlite:///{tmp_path / 'screenline.db'}"
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    try:
        with factory() as session:
            org = Organization(name="Acme")
            session.add(org)
            session.commit()
            org_id = org.id
        errors, start = [], threading.Barrier(4)

        def work(n: int) -> None:
            try:
                start.wait()
                for i in range(5):
                    with factory() as session:
                        detail = {"n": n, "i": i}
                        audit.record(session, org_id, "score", Actor.system(), detail=detail)
                        session.commit()
            except Exception as exc:  # reported below, with the test's failure
                errors.append(exc)

        workers = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert errors == []
        with factory() as session:
            result = audit.verify(session, org_id)
        assert result.ok and result.checked == 20
    finally:
        engine.dispose()


def test_counting_stops_past_the_cap(db):
    """count_up_to gives the number of matching entries up to the cap, None past it, and
    counts only the organisation's chain and its filters."""
    org, other = make_org(db), make_org(db, "Globex")
    _append(db, org.id, n=4)
    _append(db, other.id, n=9)
    everything = audit_reading.select_entries(org.id)
    assert audit_reading.count_up_to(db, everything, 4) == 4
    assert audit_reading.count_up_to(db, everything, 3) is None
    viewed_by_7 = audit_reading.select_entries(org.id, audit_reading.Filters(candidate_id=7))
    assert audit_reading.count_up_to(db, viewed_by_7, 10) == 4
    nobody = audit_reading.select_entries(org.id, audit_reading.Filters(candidate_id=8))
    assert audit_reading.count_up_to(db, nobody, 0) == 0
