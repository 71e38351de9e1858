"""`make demo`'s Twilio stand-in answers "call me now" as a candidate would, so a call
pressed on the demo's dashboard runs the interview and ends, never stuck in "queued"."""

from __future__ import annotations

from sqlalchemy import select

from dashboard.demo import DEMO_FILE, standin_args
from ivr.outbound import call_candidate
from ivr.standin import find_standin
from ivr.twilio_rest import rest_client
from tests.factories import make_candidate, make_org
from tests.support import env_for, free_port, start_process, stop_process, wait_until, web_server
from voice.interviews import interview_from_spec, read_interview_file
from voice.models import Answer, Call, Candidate, CandidateStatus


def test_the_demo_stand_in_takes_a_call_me_now_call_through_the_interview(settings, db, tmp_path):
    """The demo's stand-in command line, a real server and the demo interview: the call
    placed as the dashboard places it completes, with the candidate's answers kept."""
    api_port = free_port()
    running = settings.replace(
        public_url=f"http://127.0.0.1:{free_port()}",
        twilio_api_url=f"http://127.0.0.1:{api_port}",
    )
    spec = read_interview_file(DEMO_FILE.read_bytes(), name=str(DEMO_FILE))
    interview = interview_from_spec(db, make_org(db, "Northwind Logistics"), spec)
    db.flush()
    candidate = make_candidate(db, interview, "Lee Park", "+15557654322")
    db.commit()
    standin = start_process(standin_args(api_port), env_for(running), tmp_path / "standin.log")
    try:
        wait_until(lambda: find_standin(running.twilio_api_url), timeout=30, what="the stand-in")
        with web_server(running, tmp_path / "web.log"):
            sid = call_candidate(rest_client(running), running.public_url, candidate)
            db.commit()

            def ended():
                db.expire_all()
                return db.scalar(select(Call.status).where(Call.call_sid == sid)) == "completed"

            wait_until(ended, timeout=120, what="the call to complete")
    finally:
        stop_process(standin)
    db.expire_all()
    call = db.scalar(select(Call).where(Call.call_sid == sid))
    assert (call.candidate_id, call.direction, call.consented) == (
        candidate.id,
        "outbound-api",
        True,
    )
    assert db.get(Candidate, candidate.id).status == CandidateStatus.COMPLETED
    kept = db.scalars(
        select(Answer).where(Answer.candidate_id == candidate.id, Answer.kept.is_(True))
    ).all()
    assert len(kept) == len(interview.questions)
