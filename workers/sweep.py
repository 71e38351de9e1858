"""The sweep: find answers whose jobs were lost and queue them again, every few minutes.

Jobs get lost when Redis was down while the webhook tried to enqueue, or when a worker
was killed mid-job. The sweep runs at worker start and then on the RQ scheduler; each
run schedules the next one.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from redis import Redis
from rq.job import Job
from sqlalchemy import and_, func, or_, select

from voice.db import unit_of_work
from voice.models import Answer, AnswerStatus, utcnow
from workers.context import current
from workers.joblog import job_log
from workers.locks import busy_answer_ids
from workers.queues import RECORDINGS, enqueue, job, schedule_periodic, waiting_job
from workers.recordings import (
    MAX_ATTEMPTS,
    fetch_job_id,
    fetch_recording,
    transcribe_answer,
    transcribe_job_id,
)

log = logging.getLogger(__name__)

DEFAULT_GRACE_SECONDS = 60  # the web's own job normally starts well within this
BATCH = 500  # answers per sweep; the next sweep takes the rest
LOST_CALLBACK_SECONDS = 600  # a recording status callback normally comes within seconds


@job(queue=RECORDINGS, timeout=300)
def sweep_unfinished(grace_seconds: int = DEFAULT_GRACE_SECONDS, reschedule: bool = True) -> dict:
    """Queue again every unfinished answer older than the grace period; schedule the next sweep."""
    ctx, jlog = current(), job_log(log)
    counts = {"fetch": 0, "transcribe": 0, "waiting": 0, "busy": 0}
    with unit_of_work(ctx.session_factory) as session:
        busy = busy_answer_ids(session)
        for answer in session.scalars(unfinished(grace_seconds)):
            if answer.id in busy:
                counts["busy"] += 1
                continue
            # An original already stored only needs transcribing; otherwise start over.
            step, next_job, job_id_for = (
                ("transcribe", transcribe_answer, transcribe_job_id)
                if ctx.store.exists(answer.original_key)
                else ("fetch", fetch_recording, fetch_job_id)
            )
            job_id = job_id_for(answer.id)
            if waiting_job(ctx.redis, job_id) is not None:
                counts["waiting"] += 1
                continue
            enqueue(ctx.redis, next_job, answer.id, job_id=job_id)
            counts[step] += 1
            jlog.info("answer %s (%s): queued %s again", answer.id, answer.status, step)
    if reschedule:
        schedule_next_sweep(ctx.redis, ctx.settings.sweep_interval_seconds)
    jlog.info("sweep done: %s", counts)
    return counts


def unfinished(grace_seconds: int):
    """Answers stuck in the pipeline for longer than the grace period, oldest first."""
    cutoff = utcnow() - timedelta(seconds=grace_seconds)
    since = func.coalesce(Answer.announced_at, Answer.created_at)
    return (
        select(Answer)
        .where(
            since <= cutoff,
            or_(
                Answer.status.in_([AnswerStatus.ANNOUNCED, AnswerStatus.STORED]),
                and_(Answer.status == AnswerStatus.FAILED, Answer.attempts_failed < MAX_ATTEMPTS),
                # Twilio's recording status callback never came: fetch it anyway.
                and_(
                    Answer.status == AnswerStatus.RECORDING,
                    Answer.recording_url.isnot(None),
                    Answer.created_at <= utcnow() - timedelta(seconds=LOST_CALLBACK_SECONDS),
                ),
            ),
        )
        .order_by(Answer.id)
        .limit(BATCH)
    )


def schedule_next_sweep(conn: Redis, interval_seconds: int) -> Job | None:
    """Schedule the next sweep (one per time slot, whichever workers ask)."""
    return schedule_periodic(conn, sweep_unfinished, interval_seconds)
