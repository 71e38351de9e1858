"""Attempts a retake replaced: stored and playable, never given to the speech model.

Real PostgreSQL, Redis, RQ worker (in this process), audio and whisper tiny.en; the
retake is stored by ivr.flow.store_answer, as the webhooks store it.
"""

from __future__ import annotations

import logging
import threading

import pytest
from rq import Queue, SimpleWorker
from rq.job import Job
from sqlalchemy import select

from ivr import flow
from ivr.jobs import FETCH_RECORDING
from tests.factories import make_call
from tests.ivr.twilio_actions import TwilioActions
from tests.voice.samples import SENTENCES, phone_speech
from tests.workers.helpers import make_interview_for
from voice import pipeline
from voice.models import Answer, AnswerStatus, Call
from workers.queues import ALL_QUEUES
from workers.recordings import fetch_recording, transcribe_job_id
from workers.sweep import sweep_unfinished

pytestmark = pytest.mark.slow


def sid(n: int) -> str:
    """The RecordingSid of attempt `n` in these tests."""
    return "RE" + str(n) * 32


def work_queues(redis_conn) -> None:
    """Run a real RQ worker in this process until the queues are empty."""
    queues = [Queue(name, connection=redis_conn) for name in ALL_QUEUES]
    SimpleWorker(queues, connection=redis_conn).work(burst=True)


def reload(session_factory, answer_id: int) -> Answer:
    with session_factory() as session:
        return session.get(Answer, answer_id)


class Caller:
    """One candidate's call: records attempts at the first question as Twilio announces them."""

    def __init__(self, db, session_factory, recordings, **interview_spec):
        self.session_factory = session_factory
        self.recordings = recordings
        interview = make_interview_for(db, **interview_spec)
        candidate = interview.candidates[0]
        self.ids = (make_call(db, interview, candidate, "").id, candidate.id, interview.id)
        db.commit()

    def record(self, n: int, audio: bytes, seconds: int = 5, announce: bool = True) -> int:
        """Attempt `n` stored the way the webhooks store it (the newest is kept); its id."""
        with self.session_factory() as session:
            call = session.get(Call, self.ids[0])
            question = call.interview.questions[0]
            answer = flow.store_answer(
                session,
                call,
                call.candidate,
                question,
                sid(n),
                self.recordings.add(sid(n), audio),
                seconds,
            )
            if announce:
                pipeline.announce(answer)
            session.commit()
            return answer.id


def result(redis_conn, answer_id: int) -> str:
    """What the answer's transcription job returned (its Outcome word)."""
    return Job.fetch(transcribe_job_id(answer_id), connection=redis_conn).return_value()


def test_an_attempt_replaced_while_queued_is_stored_and_playable_but_not_transcribed(
    in_process, recordings, db, redis_conn, session_factory
):
    """Both attempts are downloaded and kept; only the retake reaches the model, and each
    recording is then deleted at Twilio as the employer asked."""
    caller = Caller(db, session_factory, recordings, delete_recordings_at_twilio=True)
    first = caller.record(1, phone_speech(SENTENCES[0]))
    second = caller.record(2, phone_speech(SENTENCES[1]))
    for answer_id in (first, second):
        in_process.enqueue(FETCH_RECORDING, answer_id)

    work_queues(redis_conn)

    replaced, kept = reload(session_factory, first), reload(session_factory, second)
    assert result(redis_conn, first) == "superseded"
    assert replaced.status == AnswerStatus.SUPERSEDED and not replaced.kept
    assert replaced.error == pipeline.SUPERSEDED_REASON
    assert replaced.transcript is None and replaced.stt_seconds is None
    assert replaced.stt_engine is None and replaced.transcribed_at is None
    assert in_process.store.get(replaced.original_key) == recordings.recordings[sid(1)].body
    assert in_process.store.exists(replaced.normalised_key)
    assert in_process.store.exists(replaced.playback_key) and replaced.playback_seconds > 2
    assert kept.status == AnswerStatus.TRANSCRIBED and kept.kept and kept.transcript
    assert sorted(d.path.rsplit("/", 1)[1] for d in recordings.deletes()) == [
        f"{sid(1)}.json",
        f"{sid(2)}.json",
    ]
    assert replaced.deleted_at_twilio and kept.deleted_at_twilio
    assert sweep_unfinished(grace_seconds=0)["transcribe"] == 0  # the sweep leaves it


def test_a_retake_that_arrives_during_the_download_keeps_the_model_off(
    in_process, recordings, db, redis_conn, session_factory
):
    """The retake comes while attempt 1 is still downloading: attempt 1 is stored, then
    set aside before the model runs."""
    caller = Caller(db, session_factory, recordings)
    first = caller.record(1, phone_speech(SENTENCES[0]))
    recordings.recordings[sid(1)].hang_first = True
    fetched: list[str] = []
    download = threading.Thread(target=lambda: fetched.append(fetch_recording(first)))
    download.start()
    assert recordings.started_hanging.wait(30)
    caller.record(2, phone_speech(SENTENCES[1]), announce=False)
    recordings.release.set()
    download.join(60)

    work_queues(redis_conn)

    assert fetched == ["stored"] and result(redis_conn, first) == "superseded"
    replaced = reload(session_factory, first)
    assert replaced.status == AnswerStatus.SUPERSEDED and replaced.transcript is None
    assert in_process.store.exists(replaced.original_key)


def test_a_retake_that_arrives_mid_transcription_stops_the_model(
    in_process, recordings, db, redis_conn, session_factory, caplog
):
    """The retake is stored once the model has decoded the first segment of a minute-long
    answer: the model stops there, in its first 30 s window of two, and nothing is
    written as a transcript."""
    caller = Caller(db, session_factory, recordings)
    first = caller.record(1, phone_speech(" ".join(SENTENCES * 2)), seconds=62)
    checks: list[float] = []

    class RetakeOnFirstSegment(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "retake check after" not in record.msg:
                return
            checks.append(record.args[1])
            if record.args[1] > 0 and len(recordings.recordings) == 1:
                caller.record(2, phone_speech(SENTENCES[1]), announce=False)

    caplog.set_level(logging.DEBUG, logger="workers.recordings")
    hook = RetakeOnFirstSegment()
    logging.getLogger("workers.recordings").addHandler(hook)
    try:
        in_process.enqueue(FETCH_RECORDING, first)
        work_queues(redis_conn)
    finally:
        logging.getLogger("workers.recordings").removeHandler(hook)

    assert result(redis_conn, first) == "superseded"
    replaced = reload(session_factory, first)
    assert replaced.status == AnswerStatus.SUPERSEDED and replaced.transcript is None
    assert replaced.playback_seconds > 55 and in_process.store.exists(replaced.playback_key)
    assert checks[0] == 0.0 and 0 < checks[-1] < 30, checks  # stopped in the first window


def test_a_retake_that_loses_its_audio_gives_the_earlier_attempt_its_transcript(
    in_process, client, settings, recordings, db, redis_conn, session_factory
):
    """Attempt 1 is set aside because attempt 2 was recorded; then Twilio says attempt 2
    has no audio after all: attempt 1 is kept again and the sweep has it transcribed."""
    make_interview_for(db, retakes=1)
    db.commit()
    twilio = TwilioActions(client, settings)
    root = twilio.twiml("/ivr/voice", CallStatus="ringing")
    consented = twilio.twiml(root.find("Gather").get("action"), Digits="1")
    question = twilio.twiml(consented.find("Redirect").text)
    record = question.find("Record")
    fields = {"RecordingSid": sid(1), "RecordingDuration": 5}
    fields["RecordingUrl"] = recordings.add(sid(1), phone_speech(SENTENCES[2]))
    menu = twilio.twiml(record.get("action"), Digits="#", **fields)
    twilio.post(record.get("recordingStatusCallback"), RecordingStatus="completed", **fields)
    again = twilio.twiml(menu.find("Gather").get("action"), Digits="2")
    retake = {"RecordingSid": sid(2), "RecordingDuration": 6, "RecordingUrl": ""}
    twilio.twiml(again.find("Record").get("action"), Digits="#", **retake)
    work_queues(redis_conn)  # attempt 1 is fetched, then set aside for attempt 2
    first = db.scalar(select(Answer.id).where(Answer.recording_sid == sid(1)))
    assert result(redis_conn, first) == "superseded"

    twilio.post(
        again.find("Record").get("recordingStatusCallback"),
        RecordingStatus="absent",
        ErrorCode="16102",
        **retake,
    )
    back = reload(session_factory, first)
    assert back.kept and back.status == AnswerStatus.STORED and back.error is None
    assert sweep_unfinished(grace_seconds=0)["transcribe"] == 1
    work_queues(redis_conn)

    done = reload(session_factory, first)
    assert done.status == AnswerStatus.TRANSCRIBED and done.kept and done.transcript
