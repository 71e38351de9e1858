"""Job declarations bound to functions, and enqueueing through the shared Resources."""

from __future__ import annotations

import pytest
from rq import Queue
from rq.job import Job, JobStatus

from ivr.jobs import JobRef
from ivr.resources import Resources
from workers.queues import job, ref_of

EXAMPLE = JobRef("tests.workers.test_queues.example", "recordings", 42, (1, 2, 3), "example")


@job(EXAMPLE)
def example(answer_id: int) -> int:
    """A declared job for these tests."""
    return answer_id


def undeclared(answer_id: int) -> int:
    return answer_id


@pytest.fixture
def resources(settings):
    found = Resources(settings)
    yield found
    found.close()


def test_job_decorator_binds_the_function_to_its_declaration():
    """@job leaves the function callable and records its declaration, with RQ's Retry to match."""
    assert example(3) == 3
    assert ref_of(example) is EXAMPLE
    retry = EXAMPLE.retry()
    assert (retry.max, retry.intervals) == (3, [1, 2, 3])
    assert JobRef("x.y", "q", 1).retry() is None
    with pytest.raises(TypeError, match="not declared"):
        ref_of(undeclared)


def test_a_declaration_under_another_name_is_refused_at_import():
    """Binding a function to a declaration naming another function fails at once."""
    with pytest.raises(TypeError, match="is declared as"):
        job(EXAMPLE)(undeclared)


def test_enqueue_uses_the_declared_queue_timeout_retries_and_id(resources, redis_conn):
    """enqueue puts the job, by dotted name, on its queue with its timeout, retries and id."""
    queued = resources.enqueue(EXAMPLE, 7)
    assert queued.origin == "recordings" and queued.args == (7,) and queued.id == "example-7"
    assert queued.func_name == "tests.workers.test_queues.example"
    assert (queued.timeout, queued.retries_left, queued.retry_intervals) == (42, 3, [1, 2, 3])
    assert Queue("recordings", connection=redis_conn).get_job_ids() == [queued.id]


def test_a_waiting_job_with_the_same_id_is_not_queued_twice(resources, redis_conn):
    """A job still waiting is returned rather than queued again; a finished one is replaced."""
    first = resources.enqueue(EXAMPLE, 7)
    assert resources.enqueue(EXAMPLE, 7).id == first.id
    assert Queue("recordings", connection=redis_conn).count == 1
    assert resources.waiting_job("example-7") is not None

    Queue("recordings", connection=redis_conn).remove(first.id)  # as a worker takes it
    Job.fetch("example-7", connection=redis_conn).set_status(JobStatus.FINISHED)
    assert resources.waiting_job("example-7") is None
    resources.enqueue(EXAMPLE, 7)
    assert Queue("recordings", connection=redis_conn).get_job_ids() == ["example-7"]


def test_a_delayed_job_is_scheduled_once(resources, redis_conn):
    """With a delay the job waits in RQ's scheduled registry, and only once per id."""
    first = resources.enqueue(EXAMPLE, 8, delay=60)
    again = resources.enqueue(EXAMPLE, 8, delay=60)
    assert first.id == again.id == "example-8"
    assert first.get_status() == JobStatus.SCHEDULED
    assert Queue("recordings", connection=redis_conn).count == 0
