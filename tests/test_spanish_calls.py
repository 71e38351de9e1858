"""Spanish callers through real processes with the default model, multilingual Whisper base:
a caller who picks Spanish gets a Spanish transcript; Spanish in an English interview is
kept in Spanish and flagged, and `screenline results --json` says so.

The caller speaks real recorded Mexican Spanish telephone prompts (Debian's
asterisk-core-sounds-es-wav); the stand-in delivers them as Twilio would.
"""

from __future__ import annotations

import sys

import pytest
from sqlalchemy import select

from ivr.standin import CallScript, place_call
from tests.factories import make_candidate, make_interview, make_org
from tests.support import screenline_json, wait_until
from tests.voice.samples import spanish_clips, word_error_rate
from voice.models import Answer, AnswerStatus

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def live_base(settings, tmp_path_factory):
    """A running server and worker transcribing with the default model (base), and the
    stand-in's API; yields (settings as the processes see them, the stand-in)."""
    from ivr.standin import TwilioApiServer
    from tests.support import env_for, free_port, start_process, stop_process, web_server

    logs = tmp_path_factory.mktemp("live-base")
    api = TwilioApiServer(settings.twilio_account_sid, settings.twilio_auth_token).start()
    running = settings.replace(
        public_url=f"http://127.0.0.1:{free_port()}",
        twilio_api_url=api.url,
        whisper_model="base",
    )
    try:
        with web_server(running, logs / "web.log"):
            worker = start_process(["-m", "workers"], env_for(running), logs / "worker.log")
            try:
                yield running, api
            finally:
                stop_process(worker)
    finally:
        api.stop()
        for name in ("web.log", "worker.log"):
            sys.stderr.write(f"--- {name} ---\n{(logs / name).read_text()[-4000:]}\n")


@pytest.fixture(scope="module")
def spanish():
    """A real recorded Spanish phone prompt and its text."""
    return spanish_clips()[32]


def finished_answer(session_factory, candidate_id: int):
    def check():
        with session_factory() as session:
            answer = session.scalar(select(Answer).where(Answer.candidate_id == candidate_id))
            done = (AnswerStatus.TRANSCRIBED, AnswerStatus.FAILED, AnswerStatus.UNTRANSCRIBED)
            return answer if answer is not None and answer.status in done else None

    return check


def test_caller_who_picks_spanish_gets_a_spanish_transcript(
    live_base, db, session_factory, spanish
):
    """Pressing 2 for Spanish and answering in Spanish gives a Spanish transcript, unflagged."""
    live, _api = live_base
    audio, text = spanish
    interview = make_interview(
        db,
        make_org(db),
        languages=["en-US", "es-MX"],
        questions=[{"prompt": {"en-US": "Why this job?", "es-MX": "¿Por qué este trabajo?"}}],
    )
    candidate = make_candidate(db, interview)
    db.commit()
    log = place_call(
        live,
        interview.phone_number,
        candidate.phone,
        script=CallScript(answers=[audio], digits=["2", "1", ""]),
    )
    assert log.ok, log.transcript()
    answer = wait_until(
        finished_answer(session_factory, candidate.id), timeout=180, what="the answer"
    )
    assert answer.status == AnswerStatus.TRANSCRIBED, answer.error
    assert answer.stt_engine == "whisper-base"
    assert (answer.transcript_language, answer.detected_language) == ("es", "es")
    assert word_error_rate([text], [answer.transcript]) < 0.3, answer.transcript
    assert answer.transcript_flags == []


def test_english_interview_answered_in_spanish_is_flagged_in_results(
    live_base, db, session_factory, spanish
):
    """Spanish in an English interview stays Spanish, flagged, and results --json says so."""
    live, _api = live_base
    audio, text = spanish
    interview = make_interview(db, make_org(db), questions=("Tell us about your last job.",))
    candidate = make_candidate(db, interview)
    db.commit()
    log = place_call(
        live,
        interview.phone_number,
        candidate.phone,
        script=CallScript(answers=[audio], digits=["1"]),
    )
    assert log.ok, log.transcript()
    wait_until(finished_answer(session_factory, candidate.id), timeout=180, what="the answer")
    [row] = screenline_json(live, "results", str(interview.id))["candidates"]
    [answer] = row["answers"]
    assert answer["status"] == "transcribed", answer["error"]
    assert (answer["transcript_language"], answer["detected_language"]) == ("es", "es")
    assert answer["flags"] == ["language"]
    assert answer["flag_reasons"] == ["answered in Spanish"]
    assert word_error_rate([text], [answer["transcript"]]) < 0.3, answer["transcript"]
