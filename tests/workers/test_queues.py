"""Job declarations and enqueueing with a job's own queue, timeout and retries."""

from __future__ import annotations

import pytest
from rq import Queue
from rq.job import Job, JobStatus

from workers.queues import JobSpec, enqueue, job, spec_of, waiting_job


@job(queue="recordings", timeout=42, retries=(1, 2, 3))
def example(answer_id: int) -> int:
    """A declared job for these tests."""
    return answer_id


def undeclared(answer_id: int) -> int:
    return answer_id


def test_job_decorator_records_queue_timeout_and_retries():
    """@job leaves the function callable and records its spec, with an RQ Retry to match."""
    assert example(3) == 3
    assert spec_of(example) == JobSpec("recordings", 42, (1, 2, 3))
    retry = spec_of(example).retry()
    assert (retry.max, retry.intervals) == (3, [1, 2, 3])
    assert JobSpec("x", 1, ()).retry() is None


def test_enqueue_uses_the_declared_queue_timeout_and_retries(redis_conn):
    """enqueue puts the job, by dotted name, on its queue with its timeout and retries."""
    queued = enqueue(redis_conn, example, 7)
    assert queued.origin == "recordings" and queued.args == (7,)
    assert queued.func_name == "tests.workers.test_queues.example"
    assert (queued.timeout, queued.retries_left, queued.retry_intervals) == (42, 3, [1, 2, 3])
    assert Queue("recordings", connection=redis_conn).get_job_ids() == [queued.id]


def test_a_waiting_job_with_the_same_id_is_not_queued_twice(redis_conn):
    """With a job id, a job still waiting is returned; a finished one is replaced."""
    first = enqueue(redis_conn, example, 7, job_id="example-7")
    assert enqueue(redis_conn, example, 7, job_id="example-7").id == first.id
    assert Queue("recordings", connection=redis_conn).count == 1
    assert waiting_job(redis_conn, "example-7") is not None

    Queue("recordings", connection=redis_conn).remove(first.id)  # as a worker takes it
    Job.fetch("example-7", connection=redis_conn).set_status(JobStatus.FINISHED)
    assert waiting_job(redis_conn, "example-7") is None
    enqueue(redis_conn, example, 7, job_id="example-7")
    assert Queue("recordings", connection=redis_conn).get_job_ids() == ["example-7"]


def test_undeclared_functions_are_refused(redis_conn):
    """Enqueueing a function without @job fails at once, not in a worker later."""
    with pytest.raises(TypeError, match="not declared with @job"):
        enqueue(redis_conn, undeclared, 1)
