"""A worker's JSON log lines name the job, its queue and the answer it works on; its
maintenance passes say nothing at INFO unless something happens."""

from __future__ import annotations

import io
import json
import logging

import pytest
from rq import Queue

from config.logging import setup_logging, unbind
from ivr.jobs import FETCH_RECORDING
from tests.workers.helpers import make_answer
from workers.duties import Duty
from workers.main import DUTY_CHECK_SECONDS, ScreenlineWorker
from workers.queues import ALL_QUEUES


@pytest.fixture
def json_logs():
    """Log JSON lines into a buffer; yields a reader of the parsed records."""
    setup_logging("INFO", ["secret-value-123"], "json")
    root = logging.getLogger()
    [handler] = [h for h in root.handlers if getattr(h, "_screenline", False)]
    buffer = io.StringIO()
    handler.setStream(buffer)

    def records() -> list[dict]:
        return [json.loads(line) for line in buffer.getvalue().splitlines() if line]

    yield records
    unbind()
    root.removeHandler(handler)


def test_a_job_logs_its_job_and_answer(json_logs, in_process, recordings, db, redis_conn):
    """A worker's job records carry its job id, queue and answer id."""
    answer = make_answer(db, recordings.add("RE" + "7" * 32, b"RIFF not really audio"))
    job = in_process.enqueue(FETCH_RECORDING, answer.id)
    queue = Queue(FETCH_RECORDING.queue, connection=redis_conn)
    ScreenlineWorker([queue], connection=redis_conn, schedule=False).work(burst=True)
    stored = [r for r in json_logs() if "stored" in r["message"] and "answer" in r["message"]]
    assert stored, "the fetch job logged nothing"
    assert stored[0]["job_id"] == job.id and stored[0]["answer_id"] == answer.id
    assert stored[0]["queue"] == FETCH_RECORDING.queue


def test_an_idle_maintenance_pass_logs_nothing_at_info(redis_conn, caplog):
    """A real worker's maintenance pass with nothing to do (no job due, no duty due)
    writes nothing at INFO: RQ's "cleaning registries" lines, every DUTY_CHECK_SECONDS,
    are at DEBUG. A duty that runs still logs at INFO."""
    duty_log = logging.getLogger("workers.duties")
    duty = Duty("example", 3600, lambda: duty_log.info("example duty ran"))
    worker = ScreenlineWorker(
        [Queue(name, connection=redis_conn) for name in ALL_QUEUES],
        connection=redis_conn,
        duties=(duty,),
        maintenance_interval=DUTY_CHECK_SECONDS,
    )
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="rq.worker")  # RQ sets it to INFO on import
    try:
        worker.run_maintenance_tasks()  # the first: takes the scheduler lock, runs the duty
        first = [(r.levelno, r.getMessage()) for r in caplog.records]
        caplog.clear()
        worker.run_maintenance_tasks()  # the same worker again: nothing is due
    finally:
        worker.release_scheduler()
    assert (logging.INFO, "example duty ran") in first
    said = [(r.levelname, r.name, r.getMessage()) for r in caplog.records]
    assert [line for line in said if line[0] != "DEBUG"] == []
    cleaning = [line for line in said if "cleaning registries for queue" in line[2]]
    assert len(cleaning) == len(ALL_QUEUES), said  # demoted, not lost
