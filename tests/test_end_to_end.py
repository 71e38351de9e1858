"""A whole interview through real processes: stand-in call, web server, RQ worker, dashboard.

The web server and the worker run as separate processes against the test PostgreSQL
and Redis; the Twilio stand-in plays the telephone network; the real speech model
transcribes what the caller said.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import jiwer
import pytest
import requests
from sqlalchemy import select

from ivr.standin import CallScript, place_call
from tests.factories import PASSWORD, make_candidate, make_interview, make_org, make_user
from tests.support import screenline_json, wait_until
from voice.models import Answer, AnswerStatus, Call, Candidate, CandidateStatus

pytestmark = pytest.mark.slow

LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")
SAID = [
    "I worked at a grocery store for three years, stocking shelves and helping customers.",
    "I can start on Monday and I am happy to work nights and weekends.",
]


def words(text: str) -> str:
    return re.sub(r"[^a-z' ]+", " ", text.lower().replace("mr.", "mister")).strip()


def librivox_clip() -> tuple[bytes, str]:
    """A real read-speech clip and what was read, from Debian's pocketsphinx-testdata."""
    lines = (LIBRIVOX / "transcription").read_text().splitlines()
    text, name = re.match(r"<s> (.*) </s> \((.*)\)", lines[0]).groups()
    return (LIBRIVOX / f"{name}.wav").read_bytes(), text


def transcribed(session_factory, candidate_id: int, count: int):
    def check():
        with session_factory() as session:
            answers = session.scalars(
                select(Answer).where(Answer.candidate_id == candidate_id).order_by(Answer.id)
            ).all()
            finished = [
                a for a in answers if a.status in (AnswerStatus.TRANSCRIBED, AnswerStatus.FAILED)
            ]
            return answers if len(finished) >= count else None

    return check


def test_whole_interview_is_transcribed_and_reviewable(live, db, session_factory):
    """A candidate answers by phone; the worker transcribes; a manager hears and reads it."""
    live, api = live
    org = make_org(db)
    make_user(db, org)
    interview = make_interview(
        db, org, questions=("Tell us about your last job.", "When can you start?", "Read this.")
    )
    candidate = make_candidate(db, interview)
    db.commit()
    clip, clip_text = librivox_clip()
    api.fail_next_fetches(2, status=404)  # the first downloads race the file; the worker retries

    log = place_call(
        live,
        interview.phone_number,
        candidate.phone,
        script=CallScript(answers=[SAID[0], SAID[1], clip], digits=["1"]),
    )
    assert log.ok, log.transcript()
    assert "Thank you, Dana." in log.said()

    answers = wait_until(
        transcribed(session_factory, candidate.id, 3), timeout=240, what="three transcripts"
    )
    assert [a.status for a in answers] == [AnswerStatus.TRANSCRIBED] * 3, [a.error for a in answers]
    for answer, expected in zip(answers, [*SAID, clip_text], strict=True):
        error = jiwer.wer(words(expected), words(answer.transcript))
        assert error < 0.15, (expected, answer.transcript, error)
        assert answer.segments and answer.segments[0]["start"] >= 0
        assert Path(live.media_dir, answer.playback_key).stat().st_size > 1000

    with session_factory() as session:
        assert session.get(Candidate, candidate.id).status == CandidateStatus.COMPLETED
        call = session.scalar(select(Call).where(Call.call_sid == log.call_sid))
        assert call.status == "completed" and call.outcome == "completed"

    # The hiring manager logs in, opens the candidate, and plays the first answer.
    browser = requests.Session()
    login = browser.get(f"{live.public_url}/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login.text).group(1)
    browser.post(
        f"{live.public_url}/login",
        data={"email": "manager@acme.test", "password": PASSWORD, "csrf_token": token},
    )
    page = browser.get(f"{live.public_url}/candidates/{candidate.id}")
    assert page.status_code == 200
    for segment in answers[0].segments:
        assert html.escape(segment["text"].strip(), quote=False) in page.text
    audio = browser.get(
        f"{live.public_url}/audio/answers/{answers[0].id}.mp3", headers={"Range": "bytes=0-99"}
    )
    assert audio.status_code == 206 and len(audio.content) == 100


def test_results_command_reports_the_call(live, db, session_factory):
    """`screenline results --json` shows the transcribed answers of a finished call."""
    live, _ = live
    org = make_org(db)
    interview = make_interview(db, org, questions=("Tell us about your last job.",))
    candidate = make_candidate(db, interview)
    db.commit()
    log = place_call(live, interview.phone_number, candidate.phone, says=[SAID[0]], digits=["1"])
    assert log.ok, log.transcript()
    wait_until(transcribed(session_factory, candidate.id, 1), timeout=180, what="a transcript")
    [row] = screenline_json(live, "results", str(interview.id))["candidates"]
    assert row["status"] == "completed"
    assert jiwer.wer(words(SAID[0]), words(row["answers"][0]["transcript"])) < 0.15
