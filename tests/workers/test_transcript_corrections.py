"""A person's correction of a transcript survives the transcription jobs running again:
real PostgreSQL, Redis, an RQ worker, audio and the speech model."""

from __future__ import annotations

import pytest
from rq import Queue, SimpleWorker

from tests.factories import make_user
from tests.voice.samples import SENTENCES, phone_speech, word_error_rate
from tests.workers.helpers import make_answer
from voice import corrections, pipeline
from voice.models import Answer, AnswerStatus, Interview
from voice.search import search_transcripts
from workers.queues import ALL_QUEUES
from workers.recordings import fetch_recording, transcribe_answer

pytestmark = pytest.mark.slow

SID = "RE00000000000000000000000000000021"
CORRECTED = "I ran the loading dock at Northwind for six years."


def work_queues(redis_conn) -> None:
    """Run a real RQ worker in this process until the queues are empty."""
    queues = [Queue(name, connection=redis_conn) for name in ALL_QUEUES]
    SimpleWorker(queues, connection=redis_conn).work(burst=True)


def test_a_transcription_run_again_keeps_the_persons_correction(
    in_process, recordings, db, session_factory, redis_conn
):
    """Duplicate jobs stop at "done already"; a transcription that does run again (the
    answer fetched anew) keeps the person's text as the transcript, searchable, and
    stores the model's new text as the machine's."""
    answer = make_answer(db, recordings.add(SID, phone_speech(SENTENCES[2])))
    organization = db.get(Interview, answer.question.interview_id).organization
    user = make_user(db, organization, "checker@acme.test")
    db.commit()
    fetch_recording(answer.id)
    assert transcribe_answer(answer.id) == "transcribed"
    with session_factory() as session:
        done = session.get(Answer, answer.id)
        machine = done.transcript
        assert corrections.correct(done, CORRECTED, user.id) == "corrected"
        session.commit()

    assert transcribe_answer(answer.id) == "done already"
    assert fetch_recording(answer.id) == "done already"
    with session_factory() as session:
        again = session.get(Answer, answer.id)
        assert (again.transcript, again.machine_transcript) == (CORRECTED, machine)
        pipeline.refetch(again)  # e.g. its stored original went missing
        session.commit()

    assert fetch_recording(answer.id) == "stored"  # and queues the transcription
    work_queues(redis_conn)

    with session_factory() as session:
        rerun = session.get(Answer, answer.id)
        assert rerun.status == AnswerStatus.TRANSCRIBED
        assert rerun.transcript == CORRECTED
        assert word_error_rate([SENTENCES[2]], [rerun.machine_transcript]) < 0.25
        assert rerun.transcript_edited_by_id == user.id and not rerun.transcript_flagged
        hits = search_transcripts(session, organization.id, "Northwind loading dock")
        assert [hit.answer_id for hit in hits] == [answer.id]
