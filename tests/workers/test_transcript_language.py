"""The transcription job with the default multilingual model: each answer in its language,
the language heard and the flags kept on the answer and in `results --json`."""

from __future__ import annotations

import pytest

from tests.voice.samples import spanish_clips, word_error_rate
from tests.workers.helpers import make_answer, make_interview_for
from voice.audio import telephone_channel
from voice.models import Answer, AnswerStatus, Interview
from voice.results import interview_results
from workers import context
from workers.recordings import fetch_recording, transcribe_answer

pytestmark = pytest.mark.slow

SID = "RE00000000000000000000000000000011"


@pytest.fixture
def with_base(worker_settings, db):
    """Jobs in this process use the default model, multilingual Whisper base."""
    ctx = context.use(worker_settings.replace(whisper_model="base"))
    yield ctx
    context.reset()


@pytest.fixture(scope="module")
def spanish():
    """A real recorded Spanish phone prompt and its text."""
    return spanish_clips()[16]


def transcribe_one(db, session_factory, recordings, interview, audio) -> Answer:
    answer = make_answer(db, recordings.add(SID, telephone_channel(audio)), interview=interview)
    fetch_recording(answer.id)
    assert transcribe_answer(answer.id) == "transcribed"
    with session_factory() as session:
        return session.get(Answer, answer.id)


def test_spanish_interview_answer_is_transcribed_in_spanish(
    with_base, recordings, db, session_factory, spanish
):
    """A Spanish interview's real Spanish answer is transcribed in Spanish, with no flag."""
    audio, text = spanish
    interview = make_interview_for(db, language="es-MX")
    done = transcribe_one(db, session_factory, recordings, interview, audio)
    assert done.status == AnswerStatus.TRANSCRIBED and done.stt_engine == "whisper-base"
    assert (done.transcript_language, done.detected_language) == ("es", "es")
    assert word_error_rate([text], [done.transcript]) < 0.3, done.transcript
    assert done.transcript_flags == [] and not done.transcript_flagged


def test_english_interview_answered_in_spanish_is_flagged_in_results_json(
    with_base, recordings, db, session_factory, spanish
):
    """An English interview answered in Spanish keeps a Spanish transcript and the flag,
    and results JSON carries the language used, the language heard and the flags."""
    audio, text = spanish
    interview = make_interview_for(db, language="en-US")
    done = transcribe_one(db, session_factory, recordings, interview, audio)
    assert done.transcript_language == "es" and done.transcript_flagged
    assert word_error_rate([text], [done.transcript]) < 0.3, done.transcript
    with session_factory() as session:
        results = interview_results(session, session.get(Interview, interview.id))
    [answer] = results["candidates"][0]["answers"]
    assert answer["transcript_language"] == "es" and answer["detected_language"] == "es"
    assert answer["detected_language_probability"] >= 0.7
    assert answer["flags"] == ["language"]
    assert answer["flag_reasons"] == ["answered in Spanish"]
