"""A worker's JSON log lines name the job, its queue and the answer it works on."""

from __future__ import annotations

import io
import json
import logging

import pytest
from rq import Queue

from config.logging import setup_logging, unbind
from ivr.jobs import FETCH_RECORDING
from tests.workers.helpers import make_answer
from workers.main import ScreenlineWorker


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
