"""The sweep: lost jobs (Redis down at the webhook, a killed worker) are queued again."""

from __future__ import annotations

import os
import signal
from datetime import timedelta

import pytest
import redis
from rq import Queue
from sqlalchemy import update

from ivr.jobs import DELETE_TWILIO_RECORDING, FETCH_RECORDING, SEND_MESSAGE
from tests.support import env_for, free_port, start_process, stop_process, wait_until
from tests.voice.samples import phone_speech
from tests.workers.helpers import (
    alive,
    descendants,
    kill_quietly,
    make_answer,
    make_interview_for,
    run_worker,
)
from voice.models import Answer, AnswerStatus, Message, utcnow
from voice.pipeline import MAX_FAILURES
from workers.duties import Duty, run_due
from workers.locks import answer_lock, busy_answer_ids
from workers.queues import MESSAGES, RECORDINGS, TRANSCRIBE
from workers.recordings import fetch_job_id, transcribe_job_id
from workers.sweep import sweep_leftovers, sweep_unfinished

OLD = timedelta(minutes=5)


def queued_ids(redis_conn, name: str) -> list[str]:
    return Queue(name, connection=redis_conn).get_job_ids()


def sid(n: int) -> str:
    return f"RE{n:032d}"


def test_sweep_queues_each_stuck_answer_for_its_next_step(in_process, db, redis_conn):
    """Old stuck answers are queued for their next step; recent or finished ones are not."""
    interview = make_interview_for(db)

    def answer(n, status, age=OLD, **fields):
        return make_answer(
            db,
            f"http://x/{n}",
            sid(n),
            interview=interview,
            attempt=n,
            status=status,
            age=age,
            **fields,
        )

    announced = answer(1, AnswerStatus.ANNOUNCED)
    stored = answer(2, AnswerStatus.STORED, original_key="answers/2/original.wav")
    in_process.store.put("answers/2/original.wav", b"RIFF")
    failed = answer(3, AnswerStatus.FAILED, attempts_failed=MAX_FAILURES - 1)
    answer(4, AnswerStatus.FAILED, attempts_failed=MAX_FAILURES)  # given up
    # Failed a moment ago: its retry waits for the backoff in voice/pipeline.py.
    answer(9, AnswerStatus.FAILED, attempts_failed=1, retry_at=utcnow() + timedelta(seconds=30))
    answer(5, AnswerStatus.TRANSCRIBED)
    answer(6, AnswerStatus.ANNOUNCED, age=timedelta(seconds=5))  # its own job is on the way
    answer(7, AnswerStatus.RECORDING)  # its status callback may still come
    # Recorded long ago and Twilio's status callback never came: fetched anyway.
    lost = answer(8, AnswerStatus.RECORDING, created_at=utcnow() - timedelta(minutes=20))

    counts = sweep_unfinished(grace_seconds=60)

    assert counts == {"fetch": 3, "transcribe": 1, "waiting": 0, "busy": 0}
    assert queued_ids(redis_conn, RECORDINGS) == [
        fetch_job_id(announced.id),
        fetch_job_id(failed.id),
        fetch_job_id(lost.id),
    ]
    assert queued_ids(redis_conn, TRANSCRIBE) == [transcribe_job_id(stored.id)]


def test_sweeping_again_does_not_queue_twice(in_process, db, redis_conn):
    """An answer whose job is still waiting in the queue is not queued a second time."""
    make_answer(db, "http://x/1", age=OLD)
    assert sweep_unfinished(grace_seconds=0)["fetch"] == 1
    assert sweep_unfinished(grace_seconds=0)["waiting"] == 1
    assert len(queued_ids(redis_conn, RECORDINGS)) == 1


def test_sweep_leaves_answers_a_running_job_holds(in_process, db, redis_conn, engine):
    """An answer locked by a live job is counted busy and not queued."""
    answer = make_answer(db, "http://x/1", age=OLD)
    with answer_lock(engine, answer.id) as mine:
        assert mine
        assert sweep_unfinished(grace_seconds=0)["busy"] == 1
    assert queued_ids(redis_conn, RECORDINGS) == []


def test_a_duty_runs_once_a_period_and_at_once_after_redis_forgets(redis_conn):
    """Workers share each duty's period through one key; an emptied Redis runs it again now."""
    runs = []
    duty = Duty("example", 60, lambda: runs.append(1))
    assert run_due(redis_conn, [duty], owner="worker-1") == ["example"]
    assert run_due(redis_conn, [duty], owner="worker-2") == []
    redis_conn.flushdb()  # Redis restarted with nothing in it
    assert run_due(redis_conn, [duty], owner="worker-2") == ["example"]
    assert len(runs) == 2


def test_a_failing_duty_is_logged_and_does_not_stop_the_others(redis_conn, caplog):
    """One duty raising does not keep the next from running."""
    ran = []
    broken = Duty("broken", 60, lambda: 1 / 0)
    fine = Duty("fine", 60, lambda: ran.append(1))
    assert run_due(redis_conn, [broken, fine], owner="w") == ["broken", "fine"]
    assert ran == [1] and "periodic duty broken failed" in caplog.text


@pytest.mark.slow
def test_answer_announced_while_redis_was_down_is_finished_by_the_sweep(
    worker_settings, recordings, db, session_factory, tmp_path
):
    """The webhook could not enqueue (Redis down); the worker's sweep queues and finishes it."""
    answer = make_answer(db, recordings.add(sid(1), phone_speech()), sid(1), age=OLD)
    dead_redis = redis.Redis(port=free_port(), socket_connect_timeout=1)
    with pytest.raises(redis.ConnectionError):
        Queue(FETCH_RECORDING.queue, connection=dead_redis).enqueue(FETCH_RECORDING.name, answer.id)

    log = run_worker(worker_settings, tmp_path / "worker.log")

    assert f"answer {answer.id} (announced): queued fetch again" in log
    with session_factory() as session:
        done = session.get(Answer, answer.id)
        assert done.status == AnswerStatus.TRANSCRIBED and done.transcript, done.error


@pytest.mark.slow
def test_job_of_a_killed_worker_is_queued_again_and_finished_by_another(
    worker_settings, recordings, db, redis_conn, session_factory, tmp_path
):
    """A job lost with a SIGKILLed worker is re-queued by the sweep and finished by another."""
    answer = make_answer(db, recordings.add(sid(1), phone_speech(), hang_first=True), sid(1))
    Queue(FETCH_RECORDING.queue, connection=redis_conn).enqueue(FETCH_RECORDING.name, answer.id)
    first = start_process(["-m", "workers"], env_for(worker_settings), tmp_path / "first.log")
    orphans: list[int] = []
    try:
        assert recordings.started_hanging.wait(60), (tmp_path / "first.log").read_text()
        orphans = descendants(first.pid)  # RQ's scheduler, forked from the worker
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        # The scheduler stops with its worker rather than lingering unsupervised.
        wait_until(lambda: not any(map(alive, orphans)), 15, what="the scheduler to stop")
        with session_factory() as session:
            assert session.get(Answer, answer.id).status == AnswerStatus.ANNOUNCED
            engine = session.get_bind()
            wait_until(
                lambda: answer.id not in busy_answer_ids(engine, [answer.id]),
                10,
                what="lock release",
            )
            # Time passes: the answer is now older than the sweep's grace period.
            session.execute(
                update(Answer)
                .where(Answer.id == answer.id)
                .values(announced_at=Answer.announced_at - OLD)
            )
            session.commit()

        log = run_worker(worker_settings, tmp_path / "second.log")
    finally:
        stop_process(first)
        for pid in orphans:
            kill_quietly(pid)

    assert f"answer {answer.id} (announced): queued fetch again" in log
    with session_factory() as session:
        done = session.get(Answer, answer.id)
        assert done.status == AnswerStatus.TRANSCRIBED and done.transcript, done.error
    assert [h.status for h in recordings.gets(sid(1))][-1] == 200


def test_leftovers_queue_unsent_texts_and_owed_deletions_once(in_process, db, redis_conn):
    """A text never handed to a job and a deletion still owed at Twilio are queued, once."""
    interview = make_interview_for(db, delete_recordings_at_twilio=True)
    candidate = interview.candidates[0]
    lost = Message(
        candidate_id=candidate.id,
        kind="receipt",
        to=candidate.phone,
        body="Thanks.",
        created_at=utcnow() - OLD,
    )
    failed = Message(
        candidate_id=candidate.id,
        kind="invitation",
        to=candidate.phone,
        body="Call us.",
        created_at=utcnow() - OLD,
        error="Twilio answered 400",  # RQ gave up: a person looks
    )
    db.add_all([lost, failed])
    owed = make_answer(
        db,
        "http://x/1",
        sid(1),
        interview=interview,
        status=AnswerStatus.TRANSCRIBED,
        transcribed_at=utcnow() - OLD,
    )
    make_answer(
        db,
        "http://x/2",
        sid(2),
        interview=interview,
        attempt=2,
        status=AnswerStatus.TRANSCRIBED,
        transcribed_at=utcnow() - OLD,
        deleted_at_twilio=True,
    )

    assert sweep_leftovers(grace_seconds=60) == {"message": 1, "delete": 1}
    assert sweep_leftovers(grace_seconds=60) == {"message": 0, "delete": 0}
    assert queued_ids(redis_conn, MESSAGES) == [SEND_MESSAGE.job_id(lost.id)]
    assert queued_ids(redis_conn, RECORDINGS) == [
        DELETE_TWILIO_RECORDING.job_id(owed.recording_sid)
    ]


def test_leftovers_delete_superseded_recordings_at_twilio_too(in_process, db, redis_conn):
    """An attempt a retake replaced is stored but never transcribed: its deletion at Twilio
    is owed all the same, once it has been announced a minute."""
    interview = make_interview_for(db, delete_recordings_at_twilio=True)
    owed = make_answer(
        db, "http://x/1", sid(1), interview=interview, status=AnswerStatus.SUPERSEDED, age=OLD
    )
    make_answer(
        db, "http://x/2", sid(2), interview=interview, attempt=2, status=AnswerStatus.SUPERSEDED
    )

    assert sweep_leftovers(grace_seconds=60) == {"message": 0, "delete": 1}
    assert queued_ids(redis_conn, RECORDINGS) == [
        DELETE_TWILIO_RECORDING.job_id(owed.recording_sid)
    ]
