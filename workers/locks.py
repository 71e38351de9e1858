"""Per-answer locks, so two copies of a job never work on the same answer at once.

PostgreSQL transaction-level advisory locks: they block no reads or row updates (the
web may still mark an answer while it is transcribed), and they vanish with the
connection when a worker is killed. SQLite runs one worker in development: no lock.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

# First key of the two-key advisory lock: tells our locks apart from anyone else's.
ANSWER_LOCK_SPACE = 0x5C1E


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def claim_answer(session: Session, answer_id: int) -> bool:
    """Lock the answer until this transaction ends; False when another job holds it."""
    if not _is_postgresql(session):
        return True
    return bool(
        session.scalar(
            text("SELECT pg_try_advisory_xact_lock(:space, :id)"),
            {"space": ANSWER_LOCK_SPACE, "id": answer_id},
        )
    )


def busy_answer_ids(session: Session) -> set[int]:
    """Ids of the answers a running job holds right now (without taking any lock)."""
    if not _is_postgresql(session):
        return set()
    rows = session.scalars(
        text(
            "SELECT objid::bigint FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND classid = CAST(:space AS oid) AND objsubid = 2 "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ),
        {"space": ANSWER_LOCK_SPACE},
    )
    return {int(row) for row in rows}
