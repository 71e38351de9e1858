"""What workers count: jobs by queue, job and outcome, download retries, audio transcribed.

In this process through a real RQ worker (ScreenlineWorker) and, in multiprocess mode,
through a real gunicorn web server and a separate worker process sharing one folder.
"""

from __future__ import annotations

import pytest
import requests
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from rq import Queue

from ivr.jobs import FETCH_RECORDING
from ivr.resources import Resources
from tests.support import (
    env_for,
    free_port,
    start_process,
    stop_process,
    wait_until,
    web_server,
)
from tests.voice.samples import SENTENCES, phone_speech
from tests.workers.helpers import make_answer
from workers.main import ScreenlineWorker
from workers.queues import RECORDINGS
from workers.recordings import fetch_recording, transcribe_answer

SID = "RE00000000000000000000000000000071"


def value(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_worker_counts_its_jobs_and_download_retries(in_process, recordings, db, redis_conn):
    """A fetch that needed a second request counts one retry and one 'stored' job."""
    answer = make_answer(db, recordings.add(SID, phone_speech(), fail_first=1))
    jobs = ("screenline_jobs_total", {"queue": RECORDINGS, "job": "fetch_recording"})
    before_ok = value(jobs[0], **jobs[1], outcome="stored")
    before_retries = value("screenline_download_retries_total")
    in_process.enqueue(FETCH_RECORDING, answer.id)

    queue = Queue(RECORDINGS, connection=redis_conn)
    ScreenlineWorker([queue], connection=redis_conn, schedule=False).work(burst=True)

    assert value(jobs[0], **jobs[1], outcome="stored") == before_ok + 1
    assert value("screenline_download_retries_total") == before_retries + 1
    assert value("screenline_job_seconds_count", **jobs[1], outcome="stored") >= 1


@pytest.mark.slow
def test_transcription_counts_audio_seconds_and_real_time_factor(in_process, recordings, db):
    """A transcribed answer adds its speech seconds, engine seconds and one RTF sample."""
    answer = make_answer(db, recordings.add(SID, phone_speech(SENTENCES[2])))
    engine = "whisper-tiny.en"
    before = value("screenline_audio_transcribed_seconds_total", engine=engine)
    before_rtf = value("screenline_transcription_real_time_factor_count", engine=engine)
    fetch_recording(answer.id)
    assert transcribe_answer(answer.id) == "transcribed"
    assert value("screenline_audio_transcribed_seconds_total", engine=engine) > before + 2
    assert value("screenline_transcription_seconds_total", engine=engine) > 0
    assert value("screenline_transcription_real_time_factor_count", engine=engine) == before_rtf + 1


def scraped(url: str) -> dict[tuple[str, tuple], float]:
    body = requests.get(f"{url}/metrics", timeout=30).text
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
    }


@pytest.mark.slow
def test_web_processes_and_workers_share_one_metrics_folder(
    worker_settings, recordings, db, tmp_path
):
    """/metrics on a 2-process gunicorn adds up both web processes and a worker process."""
    running = worker_settings.replace(
        public_url=f"http://127.0.0.1:{free_port()}", metrics_dir=tmp_path / "metrics"
    )
    answer = make_answer(db, recordings.add(SID, phone_speech()))
    with web_server(running, tmp_path / "web.log", workers=2):
        for _ in range(6):  # unsigned webhooks: 403, spread over both web processes
            reply = requests.post(f"{running.public_url}/ivr/voice", data={}, timeout=30)
            assert reply.status_code == 403
        forged = ("screenline_webhook_seconds_count", (("route", "/ivr/voice"), ("status", "403")))
        assert scraped(running.public_url)[forged] == 6

        resources = Resources(running)
        resources.enqueue(FETCH_RECORDING, answer.id)
        resources.close()
        worker = start_process(
            ["-m", "workers", "--burst", "--queues", RECORDINGS],
            env_for(running),
            tmp_path / "worker.log",
        )
        try:
            worker.wait(120)
        finally:
            stop_process(worker)
        stored = (
            "screenline_jobs_total",
            (("job", "fetch_recording"), ("outcome", "stored"), ("queue", RECORDINGS)),
        )
        found = wait_until(
            lambda: scraped(running.public_url).get(stored), timeout=30, what="the worker's job"
        )
        assert found == 1
