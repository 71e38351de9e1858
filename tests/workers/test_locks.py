"""Answer lock files on the embedded SQLite set-up: removed safely, never held twice."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest

from tests.workers.helpers import make_answer, make_interview_for
from voice.db import make_engine, make_session_factory
from voice.migrate import upgrade
from voice.models import AnswerStatus
from workers import context
from workers.locks import answer_lock, lock_file_answer_ids, remove_lock_files
from workers.sweep import sweep_lock_files

# Lock-and-release rounds per process in the race test. Without the inode check in
# workers/locks.py, two runs of this test saw 56 and 61 overlaps on the 2-core machine.
ROUNDS = 1500
LEFT_BEHIND_EVERY = 10  # a taker leaves the lock file behind every 10th round (see below)


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """A migrated SQLite database file of the test's own (its locks go in locks/ beside it)."""
    url = f"sqlite:///{tmp_path / 'screenline.db'}"
    upgrade(url)
    return url


@pytest.fixture
def sqlite_engine(sqlite_url):
    engine = make_engine(sqlite_url)
    yield engine
    engine.dispose()


def lock_folder(engine) -> Path:
    """The folder of the database's lock files (made if missing)."""
    folder = Path(engine.url.database).parent / "locks"
    folder.mkdir(exist_ok=True)
    return folder


def lock_files(engine) -> list[str]:
    return sorted(p.name for p in lock_folder(engine).iterdir())


def test_a_lock_file_goes_when_its_holder_lets_go(sqlite_engine):
    """The holder's file exists while it holds the lock (a second taker is refused) and is
    removed when it lets go; the lock can then be taken again."""
    with answer_lock(sqlite_engine, 7) as mine:
        assert mine and lock_files(sqlite_engine) == ["answer-7.lock"]
        with answer_lock(sqlite_engine, 7) as other:
            assert not other
        assert lock_files(sqlite_engine) == ["answer-7.lock"]  # the refused taker removed nothing
    assert lock_files(sqlite_engine) == []
    with answer_lock(sqlite_engine, 7) as again:
        assert again


def test_leftover_lock_files_are_removed_unless_held(sqlite_engine):
    """Files left by a killed worker (or older versions) go; a held one, and other files,
    stay; `finished` limits the removal to those answers."""
    folder = lock_folder(sqlite_engine)
    for name in ("answer-1.lock", "answer-2.lock", "answer-4.lock", "notes.txt"):
        (folder / name).touch()
    with answer_lock(sqlite_engine, 3) as mine:
        assert mine
        assert lock_file_answer_ids(sqlite_engine) == [1, 2, 3, 4]
        assert remove_lock_files(sqlite_engine, finished=[1, 3]) == 1
        assert remove_lock_files(sqlite_engine) == 2
        assert lock_files(sqlite_engine) == ["answer-3.lock", "notes.txt"]
    assert lock_files(sqlite_engine) == ["notes.txt"]


def test_postgres_has_no_lock_files(db):
    """PostgreSQL's locks are advisory locks: there is nothing to list or remove."""
    engine = db.get_bind()
    assert lock_file_answer_ids(engine) == [] and remove_lock_files(engine) == 0


def test_the_sweep_removes_only_files_of_answers_no_job_should_take(
    settings, sqlite_url, sqlite_engine, tmp_path
):
    """Files of finished answers, given-up ones and answers that are gone are removed; an
    answer still in the pipeline keeps its file."""
    with make_session_factory(sqlite_engine)() as session:
        interview = make_interview_for(session)
        done = make_answer(session, None, "RE1", interview=interview, status="transcribed")
        waiting = make_answer(session, "http://x/2", "RE2", interview=interview, attempt=2)
        given_up = make_answer(
            session,
            "http://x/3",
            "RE3",
            interview=interview,
            attempt=3,
            status=AnswerStatus.FAILED,
            attempts_failed=5,
        )
        ids = (done.id, waiting.id, given_up.id, 999)
    folder = lock_folder(sqlite_engine)
    for answer_id in ids:
        (folder / f"answer-{answer_id}.lock").touch()
    context.use(settings.replace(database_url=sqlite_url, media_dir=tmp_path / "media"))
    try:
        assert sweep_lock_files() == 3
    finally:
        context.reset()
    assert lock_files(sqlite_engine) == [f"answer-{waiting.id}.lock"]


def _contend(url: str, marker: str, rounds: int, start, results) -> None:
    """Take answer 1's lock `rounds` times; inside, claim a marker file no one else may
    hold at the same time. Reports (times held, times someone else held it too)."""
    engine = make_engine(url)
    held = overlaps = 0
    start.wait()
    for n in range(rounds):
        with answer_lock(engine, 1) as mine:
            if not mine:
                continue
            held += 1
            try:
                fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                overlaps += 1
                continue
            os.close(fd)
            os.unlink(marker)
        if n % LEFT_BEHIND_EVERY == 0:
            _leave_lock_file(url, 1)
    results.put(("took", held, overlaps))


def _leave_lock_file(url: str, answer_id: int) -> None:
    """Leave answer `answer_id`'s lock file behind, unheld, as a killed worker does: the
    remover's work (a holder unlinks its own file as it lets go, so otherwise a file
    exists unheld only for the instant between its creation and its lock, and a remover
    on a loaded machine may never catch one: CI once saw 0 removals in 1,917 takes)."""
    folder = Path(url.removeprefix("sqlite:///")).resolve().parent / "locks"
    os.close(os.open(folder / f"answer-{answer_id}.lock", os.O_CREAT | os.O_WRONLY))


def _remove(url: str, start, done, results) -> None:
    """Remove answer 1's lock file whenever no one holds it, until the takers are done."""
    engine = make_engine(url)
    removed = 0
    start.wait()
    while not done.is_set():
        removed += remove_lock_files(engine)
    results.put(("removed", removed, 0))


def test_removing_lock_files_never_lets_two_processes_hold_one_answer(sqlite_url, tmp_path):
    """Three processes take and release one answer's lock while a fourth removes its file:
    the lock is never held by two at once (each holder unlinks the file as it lets go, and
    a taker whose file was removed under it starts again)."""
    spawn = multiprocessing.get_context("spawn")
    results, start, done = spawn.Queue(), spawn.Barrier(4), spawn.Event()
    marker = str(tmp_path / "holder")
    takers = [
        spawn.Process(target=_contend, args=(sqlite_url, marker, ROUNDS, start, results))
        for _ in range(3)
    ]
    remover = spawn.Process(target=_remove, args=(sqlite_url, start, done, results))
    processes = [*takers, remover]
    for process in processes:
        process.start()
    # All four start together (a barrier), and the remover runs until the takers end: a
    # remover that ran its rounds before the takers began (slow starts on a loaded
    # machine) removed nothing once in CI, and the test then proved nothing.
    reports = [results.get(timeout=120) for _ in takers]
    done.set()
    reports.append(results.get(timeout=120))
    for process in processes:
        process.join(30)
        assert process.exitcode == 0

    took = [(held, overlaps) for kind, held, overlaps in reports if kind == "took"]
    removed = sum(count for kind, count, _ in reports if kind == "removed")
    assert sum(overlaps for _, overlaps in took) == 0, reports
    # They really did contend: each taker held the lock, often in all, and its file was
    # removed under them. (Out of 3 x ROUNDS tries a loaded CI machine once saw 700 takes,
    # under the ROUNDS / 2 this asked before; the claim is that they overlapped, not speed.)
    assert all(held > 0 for held, _ in took), reports
    assert sum(held for held, _ in took) > ROUNDS / 10 and removed > 0, reports
