"""A whole interview through real processes: stand-in call, web server, RQ worker, dashboard.

The web server and the worker run as separate processes against the test PostgreSQL
and Redis; the Twilio stand-in plays the telephone network; the real speech model
transcribes what the caller said.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jiwer
import pytest
import requests
from sqlalchemy import select

from ivr.standin import CallScript, TwilioApiServer, place_call
from tests.factories import PASSWORD, make_candidate, make_interview, make_org, make_user
from tests.support import env_for, free_port, start_process, stop_process, wait_for_http, wait_until
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


@pytest.fixture
def stack(settings, db, tmp_path):
    """The stand-in API, a web server process and a worker process, all on this machine."""
    api = TwilioApiServer(settings.twilio_account_sid, settings.twilio_auth_token).start()
    port = free_port()
    live = settings.replace(public_url=f"http://127.0.0.1:{port}", twilio_api_url=api.url)
    env = env_for(live)
    web = start_process(
        [
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "4",
            "dashboard.wsgi:app",
        ],
        env,
        tmp_path / "web.log",
    )
    worker = start_process(["-m", "workers"], env, tmp_path / "worker.log")
    try:
        wait_for_http(f"{live.public_url}/login")
        yield live, api, worker
    finally:
        stop_process(web)
        stop_process(worker)
        api.stop()
        for name in ("web.log", "worker.log"):
            sys.stderr.write(f"--- {name} ---\n{(tmp_path / name).read_text()[-3000:]}\n")


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


def test_whole_interview_is_transcribed_and_reviewable(stack, db, session_factory, settings):
    """A candidate answers by phone; the worker transcribes; a manager hears and reads it."""
    live, api, _ = stack
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
    assert "Thank you, Dana." in log.said()[2]

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
    assert page.status_code == 200 and "stocking shelves" in page.text
    audio = browser.get(
        f"{live.public_url}/audio/answers/{answers[0].id}.mp3", headers={"Range": "bytes=0-99"}
    )
    assert audio.status_code == 206 and len(audio.content) == 100


def test_results_command_reports_the_call(stack, db, session_factory):
    """`screenline results --json` shows the transcribed answers of a finished call."""
    live, _, _ = stack
    org = make_org(db)
    interview = make_interview(db, org, questions=("Tell us about your last job.",))
    candidate = make_candidate(db, interview)
    db.commit()
    log = place_call(live, interview.phone_number, candidate.phone, says=[SAID[0]], digits=["1"])
    assert log.ok, log.transcript()
    wait_until(transcribed(session_factory, candidate.id, 1), timeout=180, what="a transcript")
    out = subprocess.run(
        [sys.executable, "-m", "dashboard.cli", "results", str(interview.id), "--json"],
        env=env_for(live),
        capture_output=True,
        text=True,
        check=True,
    )
    [row] = json.loads(out.stdout)["candidates"]
    assert row["status"] == "completed"
    assert jiwer.wer(words(SAID[0]), words(row["answers"][0]["transcript"])) < 0.15
