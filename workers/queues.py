"""Queue names, the `job` declaration decorator, and enqueueing with a job's own spec."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from redis import Redis
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus

RECORDINGS = "recordings"  # downloads and housekeeping: quick, mostly waiting on the network
TRANSCRIBE = "transcribe"  # speech-to-text: minutes of CPU per hour of audio
MESSAGES = "messages"  # SMS to candidates
ALL_QUEUES = (RECORDINGS, MESSAGES, TRANSCRIBE)

# A job in one of these states will still run: enqueueing it again would only duplicate it.
WAITING = frozenset({JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED})


@dataclass(frozen=True)
class JobSpec:
    queue: str
    timeout: int  # seconds before RQ stops the job
    retries: tuple[int, ...]  # seconds to wait before each retry

    def retry(self) -> Retry | None:
        return Retry(max=len(self.retries), interval=list(self.retries)) if self.retries else None


def job(*, queue: str, timeout: int, retries: tuple[int, ...] = ()) -> Callable:
    """Declare a function as a job: record its queue, timeout and retries on it."""

    def declare(func: Callable) -> Callable:
        func.spec = JobSpec(queue, timeout, tuple(retries))  # type: ignore[attr-defined]
        return func

    return declare


def spec_of(func: Callable) -> JobSpec:
    spec = getattr(func, "spec", None)
    if not isinstance(spec, JobSpec):
        raise TypeError(f"{func.__qualname__} is not declared with @job")
    return spec


def dotted_name(func: Callable) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def enqueue(conn: Redis, func: Callable, *args, job_id: str | None = None) -> Job:
    """Put func(*args) on its queue with its declared timeout and retries.

    With a `job_id`, a job of that id that will still run is returned instead of being
    queued twice; a finished, failed or abandoned one is replaced.
    """
    spec = spec_of(func)
    if job_id is not None:
        waiting = waiting_job(conn, job_id)
        if waiting is not None:
            return waiting
    queue = Queue(spec.queue, connection=conn)
    return queue.enqueue(
        dotted_name(func),
        *args,
        job_id=job_id,
        job_timeout=spec.timeout,
        retry=spec.retry(),
        description=f"{dotted_name(func)}{args!r}",
    )


def schedule_periodic(conn: Redis, func: Callable, interval_seconds: int) -> Job | None:
    """Schedule func() once at the next multiple of the interval, however many workers ask.

    The job id is fixed for each time slot, so every worker schedules the same job, and a
    running job never overwrites its own record when it schedules the next run.
    """
    if interval_seconds <= 0:
        return None
    at = (int(time.time()) // interval_seconds + 1) * interval_seconds
    spec = spec_of(func)
    try:
        return Queue(spec.queue, connection=conn).enqueue_at(
            datetime.fromtimestamp(at, UTC),
            dotted_name(func),
            job_id=f"{func.__name__}-{at}",
            job_timeout=spec.timeout,
            result_ttl=max(interval_seconds * 2, 600),
            description=f"{dotted_name(func)} (every {interval_seconds} s)",
            unique=True,
        )
    except DuplicateJobError:
        return None


def waiting_job(conn: Redis, job_id: str) -> Job | None:
    """The job with this id if it is queued, scheduled or deferred; otherwise None."""
    try:
        found = Job.fetch(job_id, connection=conn)
    except NoSuchJobError:
        return None
    return found if found.get_status(refresh=False) in WAITING else None
