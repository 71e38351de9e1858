"""Per-answer locks, so two copies of a job never work on the same answer at once.

A lock lives exactly as long as the process that holds it, whatever kills the process:
- PostgreSQL: a session-level advisory lock on a connection of its own, held for the
  whole job while the job's database transactions stay short. The server drops it the
  moment the connection closes, including when a worker is SIGKILLed.
- SQLite (one machine): an exclusive `flock` on a file beside the database, which the
  kernel releases when the process dies.
Advisory locks block no reads or row updates: the web may still mark an answer while a
job holds it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from sqlalchemy import Engine, text

# First key of the two-key advisory lock: tells our locks apart from anyone else's.
ANSWER_LOCK_SPACE = 0x5C1E


def _sqlite_lock_dir(engine: Engine) -> Path | None:
    database = engine.url.database
    if not database or database == ":memory:":
        return None
    folder = Path(database).resolve().parent / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextlib.contextmanager
def answer_lock(engine: Engine, answer_id: int) -> Iterator[bool]:
    """Hold the answer's lock for the `with` block; yields False when another job holds it."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")
            got = bool(
                conn.scalar(
                    text("SELECT pg_try_advisory_lock(:space, :id)"),
                    {"space": ANSWER_LOCK_SPACE, "id": answer_id},
                )
            )
            try:
                yield got
            finally:
                if got:
                    conn.execute(
                        text("SELECT pg_advisory_unlock(:space, :id)"),
                        {"space": ANSWER_LOCK_SPACE, "id": answer_id},
                    )
        return
    folder = _sqlite_lock_dir(engine)
    if folder is None:  # an in-memory database lives in one process: nothing to share
        yield True
        return
    fd = os.open(folder / f"answer-{answer_id}.lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def busy_answer_ids(engine: Engine, candidates: Iterable[int]) -> set[int]:
    """Which of these answers a live job holds right now (without keeping any lock)."""
    wanted = set(candidates)
    if not wanted:
        return set()
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            rows = conn.scalars(
                text(
                    "SELECT objid::bigint FROM pg_locks WHERE locktype = 'advisory' AND granted "
                    "AND classid = CAST(:space AS oid) AND objsubid = 2 "
                    "AND database = (SELECT oid FROM pg_database "
                    "WHERE datname = current_database())"
                ),
                {"space": ANSWER_LOCK_SPACE},
            )
            return {int(row) for row in rows} & wanted
    busy = set()
    for answer_id in wanted:
        with answer_lock(engine, answer_id) as got:
            if not got:
                busy.add(answer_id)
    return busy
