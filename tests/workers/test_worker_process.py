"""`python -m workers` as a real process: download with retries, transcribe, clean up."""

from __future__ import annotations

import signal

import pytest
from rq import Queue

from ivr.jobs import FETCH_RECORDING
from tests.support import env_for, start_process, stop_process, wait_until
from tests.voice.samples import SENTENCES, phone_speech, word_error_rate
from tests.workers.helpers import make_answer, make_interview_for, run_worker
from voice.models import Answer, AnswerStatus
from workers.main import main, parse_args
from workers.queues import ALL_QUEUES

SID = "RE00000000000000000000000000000009"


@pytest.mark.slow
def test_worker_fetches_a_recording_that_404s_twice_and_transcribes_it(
    worker_settings, recordings, db, redis_conn, session_factory, tmp_path
):
    """A web-queued fetch survives two 404s; the answer is transcribed, Twilio's copy deleted."""
    interview = make_interview_for(db, delete_recordings_at_twilio=True)
    url = recordings.add(SID, phone_speech(SENTENCES[2]), fail_first=2)
    answer = make_answer(db, url, SID, interview=interview)
    job = Queue(FETCH_RECORDING.queue, connection=redis_conn).enqueue(
        FETCH_RECORDING.name, answer.id, job_timeout=FETCH_RECORDING.timeout
    )

    log = run_worker(worker_settings, tmp_path / "worker.log")

    with session_factory() as session:
        done = session.get(Answer, answer.id)
        assert done.status == AnswerStatus.TRANSCRIBED, (done.error, log)
        assert word_error_rate([SENTENCES[2]], [done.transcript]) < 0.25, done.transcript
        assert done.deleted_at_twilio
    assert [h.status for h in recordings.gets(SID)] == [404, 404, 200]
    assert all(h.authorised for h in recordings.hits)
    assert len(recordings.deletes()) == 1
    assert f"[job {job.id}] answer {answer.id}: stored" in log
    assert worker_settings.twilio_auth_token not in log


def test_command_line_takes_burst_and_a_queue_list():
    """--queues takes names in priority order; the default is every queue."""
    args = parse_args(["--burst", "--queues", "transcribe, recordings"])
    assert args.burst and args.queues == ("transcribe", "recordings")
    assert parse_args([]).queues == ALL_QUEUES and not parse_args([]).burst
    with pytest.raises(SystemExit):
        parse_args(["--queues", " , "])


def test_bad_configuration_exits_with_a_message(monkeypatch, capsys):
    """A malformed setting stops the worker before it starts, saying which one."""
    monkeypatch.setenv("SCREENLINE_SWEEP_INTERVAL", "often")
    assert main(["--burst"]) == 2
    assert "SCREENLINE_SWEEP_INTERVAL" in capsys.readouterr().err


@pytest.mark.slow
def test_sigterm_stops_the_worker_for_good(worker_settings, db, tmp_path):
    """A warm shutdown (SIGTERM, as systemd and Ctrl-C send) exits; only Redis trouble restarts."""
    log_path = tmp_path / "worker.log"
    proc = start_process(["-m", "workers"], env_for(worker_settings), log_path)
    try:
        wait_until(lambda: "Listening on" in log_path.read_text(), 60, what="the worker")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
    finally:
        stop_process(proc)
    assert "starting again" not in log_path.read_text()
