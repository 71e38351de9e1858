"""The recording jobs, run in this process against real PostgreSQL, Redis, audio and model."""

from __future__ import annotations

import logging
import threading

import pytest
from rq import Queue, SimpleWorker
from rq.job import Job
from sqlalchemy import select

from ivr.jobs import TRANSCRIBE_ANSWER
from tests.support import wait_until
from tests.voice.samples import SENTENCES, phone_speech, silence_wav, word_error_rate
from tests.workers.helpers import make_answer, make_interview_for
from voice import pipeline
from voice.models import Answer, AnswerStatus, utcnow
from workers import context
from workers.locks import answer_lock
from workers.queues import ALL_QUEUES, TRANSCRIBE
from workers.recordings import (
    fetch_job_id,
    fetch_recording,
    transcribe_answer,
    transcribe_job_id,
)
from workers.sweep import sweep_unfinished

SID = "RE00000000000000000000000000000001"


def reload(session_factory, answer_id: int) -> Answer:
    with session_factory() as session:
        return session.get(Answer, answer_id)


def work_queues(redis_conn) -> None:
    """Run a real RQ worker in this process until the queues are empty."""
    queues = [Queue(name, connection=redis_conn) for name in ALL_QUEUES]
    SimpleWorker(queues, connection=redis_conn).work(burst=True)


def test_fetch_keeps_the_original_and_queues_transcription(
    in_process, recordings, db, redis_conn, session_factory
):
    """A fetch downloads the .wav with Basic auth, stores it, marks STORED, queues transcription."""
    audio = phone_speech()
    answer = make_answer(db, recordings.add(SID, audio))

    assert fetch_recording(answer.id) == "stored"

    stored = reload(session_factory, answer.id)
    assert stored.status == AnswerStatus.STORED and stored.error is None
    assert in_process.store.get(stored.original_key) == audio
    assert stored.original_key == f"answers/{answer.id}/original.wav"
    [hit] = recordings.gets(SID)
    assert hit.authorised and hit.path.endswith(f"{SID}.wav")
    job = Job.fetch(transcribe_job_id(answer.id), connection=redis_conn)
    assert job.origin == TRANSCRIBE and job.args == (answer.id,)
    assert job.timeout == TRANSCRIBE_ANSWER.timeout
    assert job.retries_left is None  # retried by the sweep from the database, not by RQ


@pytest.mark.slow
def test_transcription_stores_text_segments_timings_and_playback(
    in_process, recordings, db, session_factory
):
    """Transcribing stores speech and playback audio, the transcript, segments and timings."""
    answer = make_answer(db, recordings.add(SID, phone_speech(SENTENCES[2])))
    fetch_recording(answer.id)

    assert transcribe_answer(answer.id) == "transcribed"

    done = reload(session_factory, answer.id)
    assert done.status == AnswerStatus.TRANSCRIBED and done.error is None
    assert word_error_rate([SENTENCES[2]], [done.transcript]) < 0.25, done.transcript
    assert done.segments and {"start", "end", "text", "avg_logprob"} <= set(done.segments[0])
    assert done.stt_engine == "whisper-tiny.en" and done.stt_seconds > 0
    assert done.transcript_language == "en" and done.transcript_flags == []
    assert not done.transcript_flagged
    assert 2 < done.playback_seconds < 6 and done.transcribed_at is not None
    assert in_process.store.size(done.normalised_key) > 10_000
    assert in_process.store.get(done.playback_key)[:3] in (b"ID3", b"\xff\xfb", b"\xff\xf3")
    assert recordings.deletes() == []  # this employer keeps recordings at Twilio


@pytest.mark.slow
def test_recording_is_deleted_at_twilio_only_after_the_transcript_is_stored(
    in_process, recordings, db, session_factory
):
    """With delete_recordings_at_twilio, Twilio's copy goes once the transcript is committed."""
    interview = make_interview_for(db, delete_recordings_at_twilio=True)
    answer = make_answer(db, recordings.add(SID, phone_speech()), interview=interview)

    fetch_recording(answer.id)
    assert recordings.deletes() == []
    transcribe_answer(answer.id)

    [delete] = recordings.deletes()
    assert delete.authorised and delete.path.endswith(f"Recordings/{SID}.json")
    done = reload(session_factory, answer.id)
    assert done.deleted_at_twilio and done.status == AnswerStatus.TRANSCRIBED


@pytest.mark.slow
def test_running_each_job_twice_is_harmless(in_process, recordings, db, session_factory):
    """Duplicate fetch and transcribe runs download once, transcribe once, delete once."""
    interview = make_interview_for(db, delete_recordings_at_twilio=True)
    answer = make_answer(db, recordings.add(SID, phone_speech()), interview=interview)

    assert fetch_recording(answer.id) == "stored"
    assert fetch_recording(answer.id) == "stored already"
    assert transcribe_answer(answer.id) == "transcribed"
    first = reload(session_factory, answer.id)
    assert transcribe_answer(answer.id) == "done already"
    assert fetch_recording(answer.id) == "done already"

    again = reload(session_factory, answer.id)
    assert len(recordings.gets(SID)) == 1 and len(recordings.deletes()) == 1
    assert (again.transcript, again.transcribed_at) == (first.transcript, first.transcribed_at)
    assert again.status == AnswerStatus.TRANSCRIBED


@pytest.mark.slow
def test_corrupt_recording_fails_readably_and_nothing_is_lost(
    in_process, recordings, db, redis_conn, session_factory
):
    """Undecodable audio is given up at once with a plain message; original and Twilio's kept.

    Retrying the same bytes cannot help, so the sweep leaves it; a person's Retry
    downloads it again.
    """
    interview = make_interview_for(db, delete_recordings_at_twilio=True)
    garbage = b"\x00garbage" * 500
    answer = make_answer(db, recordings.add(SID, garbage), interview=interview)
    fetch_recording(answer.id)

    assert transcribe_answer(answer.id) == "given up"

    failed = reload(session_factory, answer.id)
    assert failed.status == AnswerStatus.FAILED and pipeline.is_given_up(failed)
    assert failed.error.startswith("The recording") and "could not be decoded" in failed.error
    assert "original file is kept" in failed.error
    assert in_process.store.get(failed.original_key) == garbage
    assert failed.recording_url and recordings.deletes() == []
    assert sweep_unfinished(grace_seconds=0)["fetch"] == 0  # the sweep leaves it alone

    recordings.recordings[SID].body = phone_speech()  # Twilio's copy was fine all along
    with session_factory() as session:
        assert pipeline.retry(session.get(Answer, answer.id))  # the dashboard's Retry
        session.commit()
    assert sweep_unfinished(grace_seconds=0)["fetch"] == 1
    work_queues(redis_conn)

    done = reload(session_factory, answer.id)
    assert done.status == AnswerStatus.TRANSCRIBED and done.transcript
    assert len(recordings.gets(SID)) == 2 and len(recordings.deletes()) == 1


def test_silent_recording_is_transcribed_as_empty_text(in_process, recordings, db, session_factory):
    """A silent answer is TRANSCRIBED as "" without the model, and plays back in full."""
    answer = make_answer(db, recordings.add(SID, silence_wav(seconds=4.0)))
    fetch_recording(answer.id)

    assert transcribe_answer(answer.id) == "silent"

    done = reload(session_factory, answer.id)
    assert done.status == AnswerStatus.TRANSCRIBED
    assert done.transcript == "" and done.segments == [] and done.stt_seconds == 0
    assert done.playback_seconds == pytest.approx(4.0, abs=0.05)
    assert in_process.store.exists(done.playback_key)


def test_failed_download_marks_failed_with_the_sweeps_retry_time(
    worker_settings, recordings, db, session_factory
):
    """Twilio refusing the download (wrong token: 401) is FAILED, counted, retried later."""
    context.use(worker_settings.replace(twilio_auth_token="not-the-right-token"))
    try:
        answer = make_answer(db, recordings.add(SID, phone_speech()))
        before = utcnow()
        assert fetch_recording(answer.id) == "failed"
    finally:
        context.reset()

    failed = reload(session_factory, answer.id)
    assert failed.status == AnswerStatus.FAILED and failed.attempts_failed == 1
    assert failed.error == "Downloading the recording failed: Twilio answered 401 for the recording"
    assert len(recordings.gets(SID)) == 1  # a 401 is not retried within the job
    wait = (failed.retry_at - before).total_seconds()
    assert pipeline.RETRY_AFTER[0] <= wait < pipeline.RETRY_AFTER[0] + 5


@pytest.mark.slow
def test_language_without_a_model_keeps_audio_and_says_so(
    in_process, recordings, db, session_factory
):
    """A Spanish answer with the English-only model is 'no model', with playback kept."""
    interview = make_interview_for(db, language="es-MX")
    answer = make_answer(db, recordings.add(SID, phone_speech()), interview=interview)
    fetch_recording(answer.id)

    assert transcribe_answer(answer.id) == "no model"

    kept = reload(session_factory, answer.id)
    assert kept.status == AnswerStatus.UNTRANSCRIBED and "English-only" in kept.error
    assert kept.attempts_failed == 0 and in_process.store.exists(kept.playback_key)


def test_missing_original_sends_the_answer_back_to_be_fetched(
    in_process, recordings, db, redis_conn, session_factory
):
    """A STORED answer whose original vanished from the store is announced and fetched again."""
    answer = make_answer(
        db,
        recordings.add(SID, phone_speech()),
        status=AnswerStatus.STORED,
        original_key="answers/1/original.wav",
    )

    assert transcribe_answer(answer.id) == "refetch"

    assert reload(session_factory, answer.id).status == AnswerStatus.ANNOUNCED
    assert Job.fetch(fetch_job_id(answer.id), connection=redis_conn).args == (answer.id,)


def test_a_job_skips_an_answer_another_job_is_working_on(in_process, recordings, db, engine):
    """While another job holds the answer's lock, a fetch does nothing."""
    answer = make_answer(db, recordings.add(SID, phone_speech()))
    with answer_lock(engine, answer.id) as mine:
        assert mine
        assert fetch_recording(answer.id) == "busy"
    assert recordings.gets(SID) == []
    assert fetch_recording(answer.id) == "stored"


def test_jobs_for_answers_that_do_not_exist_do_nothing(in_process, db):
    """A job for a deleted answer logs and returns instead of failing forever."""
    assert fetch_recording(424242) == "missing"
    assert transcribe_answer(424242) == "missing"


def test_job_log_lines_carry_the_rq_job_id(in_process, recordings, db, redis_conn, caplog):
    """Log lines written by a job run under RQ name that job's id."""
    answer = make_answer(db, recordings.add(SID, silence_wav()))
    job = Queue("recordings", connection=redis_conn).enqueue(
        "workers.recordings.fetch_recording", answer.id, job_id="web-job-1"
    )
    with caplog.at_level(logging.INFO, logger="workers"):
        work_queues(redis_conn)
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("workers")]
    assert f"[job {job.id}] answer {answer.id}: stored" in "\n".join(lines)
    assert any(line.startswith(f"[job {transcribe_job_id(answer.id)}]") for line in lines)
    assert db.scalar(select(Answer.status).where(Answer.id == answer.id)) == (
        AnswerStatus.TRANSCRIBED
    )


def test_retries_stop_at_the_stated_maximum(in_process, recordings, db, session_factory):
    """A recording that never appears costs MAX_FAILURES x DOWNLOAD_TRIES downloads, then stops."""
    in_process.twilio.sleep = lambda _seconds: None  # the backoff between tries, not the count
    answer = make_answer(db, recordings.add(SID, phone_speech(), fail_first=10_000))

    outcomes = [fetch_recording(answer.id) for _ in range(pipeline.MAX_FAILURES + 2)]

    assert outcomes == ["failed"] * (pipeline.MAX_FAILURES - 1) + ["given up"] * 3
    gone = reload(session_factory, answer.id)
    assert gone.attempts_failed == pipeline.MAX_FAILURES and pipeline.is_given_up(gone)
    assert gone.retry_at is None and "404" in gone.error
    assert len(recordings.gets(SID)) == pipeline.MAX_FAILURES * pipeline.DOWNLOAD_TRIES
    assert sweep_unfinished(grace_seconds=0)["fetch"] == 0


def test_an_answer_deleted_during_its_download_gets_no_result_and_keeps_no_audio(
    in_process, recordings, db, session_factory
):
    """A job whose answer is deleted while it downloads drops its result and the file."""
    answer = make_answer(db, recordings.add(SID, phone_speech(), hang_first=True))
    outcome: list[str] = []
    job = threading.Thread(target=lambda: outcome.append(fetch_recording(answer.id)))
    job.start()
    assert recordings.started_hanging.wait(30)
    with session_factory() as session:
        session.delete(session.get(Answer, answer.id))
        session.commit()
    recordings.release.set()
    job.join(60)

    assert outcome == ["changed"]
    assert not in_process.store.exists(f"answers/{answer.id}/original.wav")


@pytest.mark.slow
def test_a_retry_pressed_during_transcription_drops_the_stale_result(
    in_process, recordings, db, session_factory, caplog
):
    """A person's Retry while the model runs wins: the running job's transcript is dropped."""
    answer = make_answer(db, recordings.add(SID, phone_speech(" ".join(SENTENCES[:5]))))
    fetch_recording(answer.id)
    outcome: list[str] = []
    with caplog.at_level(logging.INFO, logger="workers"):
        job = threading.Thread(target=lambda: outcome.append(transcribe_answer(answer.id)))
        job.start()
        wait_until(lambda: f"answer {answer.id}: transcribing" in caplog.text, 60, 0.05)
        with session_factory() as session:
            assert pipeline.retry(session.get(Answer, answer.id)) is False  # not failed
            retried = session.get(Answer, answer.id)
            retried.original_key, retried.status = None, AnswerStatus.ANNOUNCED
            session.commit()
        job.join(120)

    assert outcome == ["changed"]
    after = reload(session_factory, answer.id)
    assert after.status == AnswerStatus.ANNOUNCED and after.transcript is None
