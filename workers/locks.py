"""Per-answer locks, so two copies of a job never work on the same answer at once.

A lock lives exactly as long as the process that holds it, whatever kills the process:
- PostgreSQL: a session-level advisory lock on a connection of its own, held for the
  whole job while the job's database transactions stay short. The server drops it the
  moment the connection closes, including when a worker is SIGKILLed.
- SQLite (one machine): an exclusive `flock` on `locks/answer-{id}.lock` beside the
  database, which the kernel releases when the process dies.
Advisory locks block no reads or row updates: the web may still mark an answer while a
job holds it.

Lock files are removed, so they do not pile up one per answer for ever. Unlinking a
flock'd file has a classic race: process A opens the file, B (holding the lock) unlinks
it and lets go, A's flock then succeeds on the unlinked inode, and C, finding no file,
creates a new one and locks that: A and C both "hold" the answer. So the rules are:
- a file is only ever unlinked by a process that holds its flock;
- a process that gets the flock checks that the path still names the inode it locked
  (same device and inode number); if not, the file was removed under it, and it lets go
  and starts again on whatever file the path names now.
Then whoever holds the lock holds it on the file the path names, and no two processes
hold one answer's lock while either is inside its `with` block. The holder removes the
file as it lets go, after its work (`answer_lock`); files left behind by a process that
was killed, or by earlier versions, go in the workers' periodic sweep
(workers/sweep.sweep_lock_files, through `remove_lock_files`), which takes each lock
without waiting and skips any that is held. tests/workers/test_locks.py races three
lockers against a remover to show it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from sqlalchemy import Engine, text

# First key of the two-key advisory lock: tells our locks apart from anyone else's.
ANSWER_LOCK_SPACE = 0x5C1E
# Times a locker starts again on a file removed under it before it reports "busy" (each
# time another process removed the file between this one's open and its flock).
REOPENS = 20
_LOCK_FILE = re.compile(r"^answer-(\d+)\.lock$")


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
    path = _lock_path(folder, answer_id)
    fd = _flock(path, create=True)
    if fd is None:
        yield False
        return
    try:
        yield True
    finally:
        _remove_and_release(path, fd)


def _lock_path(folder: Path, answer_id: int) -> Path:
    return folder / f"answer-{answer_id}.lock"


def _flock(path: Path, create: bool) -> int | None:
    """A descriptor holding the flock on the file `path` names now; None when another
    process holds it (or, without `create`, when there is no file)."""
    for _ in range(REOPENS):
        try:
            fd = os.open(path, (os.O_CREAT if create else 0) | os.O_RDWR, 0o600)
        except FileNotFoundError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        if _names(path, fd):
            return fd
        os.close(fd)  # removed between our open and our flock: start again
        if not create:
            return None
    return None


def _names(path: Path, fd: int) -> bool:
    """Whether `path` still names the file open on `fd`."""
    try:
        named = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


def _remove_and_release(path: Path, fd: int) -> None:
    """Remove the lock file while still holding its flock, then let go (close releases)."""
    try:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    finally:
        os.close(fd)


def remove_lock_files(engine: Engine, finished: Iterable[int] | None = None) -> int:
    """Remove the SQLite lock files that no process holds; return how many went.

    With `finished`, only those answers' files (the caller passes the answers that no
    job should be working on, so a job starting just now is never told "busy" because
    this call held its lock for a moment). Nothing to do on PostgreSQL or an in-memory
    database. Each file is removed only while this process holds its flock (see above).
    """
    if engine.dialect.name != "sqlite":
        return 0
    folder = _sqlite_lock_dir(engine)
    if folder is None:
        return 0
    wanted = None if finished is None else set(finished)
    removed = 0
    for answer_id in lock_file_answer_ids(engine):
        if wanted is not None and answer_id not in wanted:
            continue
        path = _lock_path(folder, answer_id)
        fd = _flock(path, create=False)
        if fd is not None:
            _remove_and_release(path, fd)
            removed += 1
    return removed


def lock_file_answer_ids(engine: Engine) -> list[int]:
    """The answers that have a lock file now (SQLite; always empty on PostgreSQL)."""
    if engine.dialect.name != "sqlite":
        return []
    folder = _sqlite_lock_dir(engine)
    if folder is None:
        return []
    found = (_LOCK_FILE.match(entry.name) for entry in os.scandir(folder))
    return sorted(int(match[1]) for match in found if match)


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
