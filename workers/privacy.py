"""Finishing erasures and purges outside the database, and the daily retention purge.

`voice/erasure.py` removes a candidate's personal data from the database at once and
writes down what is owed elsewhere; the job here deletes it: every audio file of their
answers (each under the answer's lock, so no pipeline job writes a file back behind
it), then their recordings and text messages at Twilio. What it deleted is recorded
even when something else failed; the job then raises for RQ to retry it
(ERASE_CANDIDATE.retries), and the leftovers sweep queues it again while anything is
owed, so an outage of the store or of Twilio only delays the erasure.
"""

from __future__ import annotations

import logging
from collections import Counter

from rq.job import Job, JobStatus
from sqlalchemy import update

from ivr.jobs import ERASE_CANDIDATE
from ivr.twilio_rest import TwilioError
from voice import erasure, retention
from voice.db import unit_of_work
from voice.models import Answer, Candidate
from workers.context import WorkerContext, current
from workers.joblog import job_log
from workers.locks import answer_lock
from workers.queues import job

log = logging.getLogger(__name__)

RETENTION_INTERVAL = 24 * 3600  # the retention purge runs daily


class ErasureIncomplete(RuntimeError):
    """Something owed could not be deleted this time; RQ retries the job."""


@job(ERASE_CANDIDATE)
def finish_erasure(candidate_id: int) -> str:
    """Delete what a candidate's erasure still owes: audio files, then Twilio's copies.

    Returns "erased", or "nothing to do" for a candidate not pending. Raises
    ErasureIncomplete (after recording what was deleted and why the rest failed) when
    anything is still owed, so RQ retries it.
    """
    ctx, jlog = current(), job_log(log)
    with unit_of_work(ctx.session_factory) as session:
        candidate = session.get(Candidate, candidate_id, with_for_update=True)
        if candidate is None or candidate.erasure_requested_at is None or candidate.erased_at:
            session.commit()
            return "nothing to do"
        erasure.rescrub(session, candidate)  # an answer that arrived since the request
        owed = erasure.owed_work(candidate)
        session.commit()
    failures: list[str] = []
    answers = _delete_files(ctx, owed["answers"], failures)
    recordings = _delete_at_twilio(ctx.twilio.delete_recording, owed["recordings"], failures)
    messages = _delete_at_twilio(ctx.twilio.delete_message, owed["messages"], failures)
    with unit_of_work(ctx.session_factory) as session:
        if recordings:
            session.execute(
                update(Answer)
                .where(Answer.recording_sid.in_(recordings))
                .values(deleted_at_twilio=True)
            )
        candidate = session.get(Candidate, candidate_id, with_for_update=True)
        state = erasure.settle(
            candidate,
            answers=answers,
            recordings=recordings,
            messages=messages,
            error="; ".join(failures) or None,
        )
        session.commit()
    if state is not None and state.state == erasure.ERASED:
        jlog.info("candidate %s erased (%s)", candidate_id, state.reason)
        return "erased"
    still = state.owed_text() if state else "?"
    jlog.warning("candidate %s: erasure still owes %s: %s", candidate_id, still, failures)
    raise ErasureIncomplete(f"candidate {candidate_id}: still owed {still}: {'; '.join(failures)}")


def _delete_files(ctx: WorkerContext, owed: dict[str, list[str]], failures: list[str]) -> list[int]:
    """Delete each answer's files under its lock; return the answers now without any."""
    done = []
    engine = ctx.session_factory.kw["bind"]
    for answer_id, keys in owed.items():
        with answer_lock(engine, int(answer_id)) as mine:
            if not mine:
                failures.append(f"answer {answer_id}: a job is still working on it")
                continue
            try:
                for key in keys:
                    ctx.store.delete(key)
            except Exception as exc:  # any store backend's failure: retried later
                failures.append(f"answer {answer_id}: the audio store failed: {exc}")
                continue
        done.append(int(answer_id))
    return done


def _delete_at_twilio(delete, sids: list[str], failures: list[str]) -> list[str]:
    """Delete each SID at Twilio with `delete`; return those deleted (or already gone)."""
    done = []
    for sid in sids:
        try:
            delete(sid)
        except TwilioError as exc:
            failures.append(f"{sid} at Twilio: {exc}")
            continue
        done.append(sid)
    return done


def queue_erasure(ctx: WorkerContext, candidate_id: int) -> bool:
    """Queue the erasure job unless one is waiting or running; True if queued."""
    job_id = ERASE_CANDIDATE.job_id(candidate_id)
    if ctx.waiting_job(job_id) is not None:
        return False
    found = Job.fetch_many([job_id], connection=ctx.redis)[0]
    if found is not None and found.get_status(refresh=False) == JobStatus.STARTED:
        return False
    ctx.enqueue(ERASE_CANDIDATE, candidate_id)
    return True


def sweep_erasures(counts: Counter | None = None) -> int:
    """Queue the erasure job again for every candidate still pending; return how many.

    Run with the leftovers sweep (workers/sweep.py), so an erasure whose job Redis lost,
    or whose RQ retries ran out while Twilio or the store was down, is finished later.
    """
    ctx = current()
    with unit_of_work(ctx.session_factory) as session:
        ids = erasure.pending_ids(session)
        session.commit()
    queued = sum(1 for candidate_id in ids if queue_erasure(ctx, candidate_id))
    if counts is not None:
        counts["erase"] += queued
    return queued


def purge_expired() -> dict[str, int]:
    """The daily duty: purge every candidate whose retention period has ended, not held.

    Returns counts: purged (begun now), held (due but on legal hold), pending (erasures
    not yet finished, before this run). Each purged candidate's erasure job is queued.
    """
    ctx, jlog = current(), job_log(log)
    with unit_of_work(ctx.session_factory) as session:
        done = retention.purge_due(session)
        session.commit()
    for item in done.due:
        queue_erasure(ctx, item.candidate_id)
    counts = {"purged": len(done.due), "held": len(done.held), "pending": len(done.pending)}
    if done.due or done.held:
        jlog.info("retention purge: %s; held: %s", counts, [h.candidate_id for h in done.held])
    return counts
