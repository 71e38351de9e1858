"""The sweep: rebuild the queues from the database, the record of what must still happen.

Jobs get lost when Redis was down while the webhook tried to enqueue, when Redis
restarted empty, or when a worker was killed mid-job. The sweep finds, in the database:
answers that need a job (voice/pipeline.needs_work) and that no live job holds, every
SCREENLINE_SWEEP_INTERVAL seconds; text messages never handed to a job and recordings
still to delete at Twilio, every LEFTOVERS_INTERVAL seconds. Each is queued again under
its one job id, so a job already waiting is never duplicated (workers/duties.py runs
them). On the embedded SQLite set-up it also removes answer lock files left behind
(workers/locks.py).
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta

from rq.job import Job
from sqlalchemy import and_, func, or_, select

from ivr.jobs import DELETE_TWILIO_RECORDING, FETCH_RECORDING, SEND_MESSAGE, TRANSCRIBE_ANSWER
from voice import pipeline
from voice.db import unit_of_work
from voice.models import Answer, AnswerStatus, Interview, Message, Question, utcnow
from workers.context import WorkerContext, current
from workers.locks import busy_answer_ids, lock_file_answer_ids, remove_lock_files

log = logging.getLogger(__name__)

LEFTOVERS_INTERVAL = 300  # seconds between sweeps of messages and Twilio deletions


def sweep_unfinished(grace_seconds: int = pipeline.SWEEP_GRACE_SECONDS) -> dict[str, int]:
    """Queue again every answer the database says needs a job; return counts by kind.

    Keys: fetch, transcribe (answers queued for that step), waiting (a job was already
    queued), busy (a live job holds the answer). Runs every SCREENLINE_SWEEP_INTERVAL
    seconds, so it reads only answers by their indexed status. Raises redis.RedisError
    when Redis cannot be reached (the next sweep tries again).
    """
    counts: Counter[str] = Counter(fetch=0, transcribe=0, waiting=0, busy=0)
    _sweep_answers(current(), grace_seconds, counts)
    if counts["fetch"] or counts["transcribe"]:
        log.info("sweep: %s", dict(counts))
    return dict(counts)


def sweep_leftovers(grace_seconds: int = pipeline.SWEEP_GRACE_SECONDS) -> dict[str, int]:
    """Queue text messages never handed to a job and Twilio deletions still owed.

    Keys: message, delete. Neither is urgent, so the workers run this every
    LEFTOVERS_INTERVAL seconds rather than with every sweep. Raises redis.RedisError when
    Redis cannot be reached.
    """
    ctx = current()
    counts: Counter[str] = Counter(message=0, delete=0)
    _sweep_messages(ctx, grace_seconds, counts)
    _sweep_deletions(ctx, counts)
    if counts["message"] or counts["delete"]:
        log.info("sweep of leftovers: %s", dict(counts))
    return dict(counts)


def sweep_lock_files() -> int:
    """Remove the answer lock files (SQLite set-ups) that no job holds or should take:
    those of answers that are finished (voice.models.AnswerStatus.DONE, or given up) or
    no longer exist. Returns how many went; nothing to do on PostgreSQL.

    A job's lock file normally goes when the job lets go of it; this removes those of
    workers that were killed mid-job and of versions that never removed them.
    """
    ctx = current()
    engine = ctx.session_factory.kw["bind"]
    ids = lock_file_answer_ids(engine)
    active: set[int] = set()
    for start in range(0, len(ids), pipeline.SWEEP_BATCH):
        chunk = ids[start : start + pipeline.SWEEP_BATCH]
        with unit_of_work(ctx.session_factory) as session:
            active.update(
                session.scalars(
                    select(Answer.id).where(
                        Answer.id.in_(chunk),
                        or_(
                            Answer.status.not_in((*AnswerStatus.DONE, AnswerStatus.FAILED)),
                            and_(
                                Answer.status == AnswerStatus.FAILED,
                                Answer.attempts_failed < pipeline.MAX_FAILURES,
                            ),
                        ),
                    )
                )
            )
            session.commit()
    removed = remove_lock_files(engine, set(ids) - active)
    if removed:
        log.info("sweep: removed %d answer lock files", removed)
    return removed


def _sweep_answers(ctx: WorkerContext, grace_seconds: int, counts: Counter) -> None:
    with unit_of_work(ctx.session_factory) as session:
        answers = [
            (a.id, a.status, a.original_key)
            for a in session.scalars(pipeline.needs_work(grace_seconds=grace_seconds))
        ]
        session.commit()
    busy = busy_answer_ids(ctx.session_factory.kw["bind"], [a[0] for a in answers])
    for answer_id, status, original_key in answers:
        if answer_id in busy:
            counts["busy"] += 1
            continue
        # An original already stored only needs transcribing; otherwise start over.
        step, ref = (
            ("transcribe", TRANSCRIBE_ANSWER)
            if ctx.store.exists(original_key)
            else ("fetch", FETCH_RECORDING)
        )
        if ctx.waiting_job(ref.job_id(answer_id)) is not None:
            counts["waiting"] += 1
            continue
        ctx.enqueue(ref, answer_id)
        counts[step] += 1
        log.info("sweep: answer %s (%s): queued %s again", answer_id, status, step)


def _sweep_messages(ctx: WorkerContext, grace_seconds: int, counts: Counter) -> None:
    """Text messages written but never handed to a job (never tried, so no error yet)."""
    cutoff = utcnow() - timedelta(seconds=grace_seconds)
    with unit_of_work(ctx.session_factory) as session:
        ids = session.scalars(
            select(Message.id)
            .where(Message.sent_at.is_(None), Message.error.is_(None), Message.created_at <= cutoff)
            .order_by(Message.id)
            .limit(pipeline.SWEEP_BATCH)
        ).all()
        session.commit()
    for message_id in ids:
        if ctx.waiting_job(SEND_MESSAGE.job_id(message_id)) is None:
            ctx.enqueue(SEND_MESSAGE, message_id)
            counts["message"] += 1


def _sweep_deletions(ctx: WorkerContext, counts: Counter) -> None:
    """Recordings the employer wants deleted at Twilio that are still there: transcribed
    ones, and superseded ones (their audio is stored; no transcript will come)."""
    cutoff = utcnow() - timedelta(seconds=60)
    with unit_of_work(ctx.session_factory) as session:
        sids = session.scalars(
            select(Answer.recording_sid)
            .join(Question, Answer.question_id == Question.id)
            .join(Interview, Question.interview_id == Interview.id)
            .where(
                Interview.delete_recordings_at_twilio.is_(True),
                or_(
                    and_(
                        Answer.status == AnswerStatus.TRANSCRIBED,
                        Answer.transcribed_at <= cutoff,
                    ),
                    and_(
                        Answer.status == AnswerStatus.SUPERSEDED,
                        func.coalesce(Answer.announced_at, Answer.created_at) <= cutoff,
                    ),
                ),
                Answer.deleted_at_twilio.is_(False),
                Answer.recording_sid.isnot(None),
            )
            .limit(pipeline.SWEEP_BATCH)
        ).all()
        session.commit()
    for sid in sids:
        # Any record of the job (waiting, running, or failed after its RQ retries) means
        # it is in hand or a person should look: only a job Redis forgot is queued again.
        if not Job.exists(DELETE_TWILIO_RECORDING.job_id(sid), connection=ctx.redis):
            ctx.enqueue(DELETE_TWILIO_RECORDING, sid)
            counts["delete"] += 1
