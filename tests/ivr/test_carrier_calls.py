"""What carriers really send on "call me now" calls and recordings, through the stand-in.

Each case goes over HTTP exactly as Twilio sends it: an outbound call that is busy or not
answered (only its status callback comes), an answering machine (AnsweredBy=
machine_end_beep), a fax, and a recording whose RecordingDuration is -1.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from ivr.standin import CallScript, answer_outbound_calls, place_call
from tests.factories import make_candidate, make_interview, make_org
from tests.support import env_for, screenline_json, wait_until
from voice.models import Answer, AnswerStatus, Call, CandidateStatus

pytestmark = pytest.mark.slow

LONG = "I stocked shelves at a grocery store for three years and trained new staff."


@pytest.fixture
def dialled(live, db):
    """A candidate to call, and a function placing "call me now" with a callee's script."""
    settings, api = live
    interview = make_interview(db, make_org(db, name="Northwind"), questions=("Why us?",))
    candidate = make_candidate(db, interview, phone="+15557000300")
    db.commit()

    def call_now(script: CallScript):
        answer_outbound_calls(api, script)
        env = {
            k: v for k, v in env_for(settings).items() if k.startswith(("SCREENLINE_", "TWILIO_"))
        }
        from dashboard.cli import main as cli

        out = CliRunner().invoke(
            cli, ["candidate", "call", str(candidate.id), "--json"], env=env, catch_exceptions=False
        )
        assert out.exit_code == 0, out.output
        placed = api.outbound_calls[-1]
        assert placed.done.wait(60), "the outbound call did not end"
        assert placed.error is None, placed.error
        return placed

    yield candidate, call_now
    api.on_outbound_call = None


def calls_in_results(settings, candidate) -> list[dict]:
    """The candidate's calls as `screenline results ID --json` prints them."""
    results = screenline_json(settings, "results", str(candidate.interview_id))
    (row,) = [c for c in results["candidates"] if c["id"] == candidate.id]
    return row["calls"]


@pytest.mark.parametrize(
    ("status", "outcome"),
    [("no-answer", "no answer"), ("busy", "busy"), ("failed", "failed"), ("canceled", "canceled")],
)
def test_an_unanswered_call_me_now_is_the_candidates_with_its_real_outcome(
    live, db, dialled, status, outcome
):
    """Busy, no answer, failed, canceled: the candidate's call, in results, with that outcome."""
    settings, _ = live
    candidate, call_now = dialled
    placed = call_now(CallScript(unanswered=status))
    assert placed.log.status == status
    assert not [e for e in placed.log.exchanges if e.kind == "voice"]  # Url never fetched
    db.expire_all()
    row = db.scalar(select(Call).where(Call.call_sid == placed.sid))
    assert (row.candidate_id, row.status, row.outcome) == (candidate.id, status, outcome)
    calls = calls_in_results(settings, candidate)
    assert [(c["call_sid"], c["status"], c["outcome"]) for c in calls] == [
        (placed.sid, status, outcome)
    ]
    assert db.get(type(candidate), candidate.id).status == CandidateStatus.INVITED


def test_voicemail_gets_a_short_message_without_the_pin(live, db, dialled):
    """A machine hears who called and the number to call back; never the PIN or consent prompt."""
    settings, _ = live
    candidate, call_now = dialled
    placed = call_now(CallScript(answered_by="machine"))
    assert placed.machine_detection == "DetectMessageEnd"
    (voice,) = [e for e in placed.log.exchanges if e.kind == "voice"]
    assert voice.params["AnsweredBy"] == "machine_end_beep"
    said = " ".join(placed.log.said())
    assert "Northwind" in said and "5 5 5, 0 1 0, 0 2 0 0" in said
    assert candidate.pin not in said.replace(" ", "")
    assert "press 1" not in said and "recorded" not in said
    assert not any(e[0] == "beep" for e in placed.log.events)  # nothing was recorded
    db.expire_all()
    row = db.scalar(select(Call).where(Call.call_sid == placed.sid))
    assert (row.candidate_id, row.outcome) == (candidate.id, "voicemail")
    assert [c["outcome"] for c in calls_in_results(settings, candidate)] == ["voicemail"]


def test_a_fax_machine_is_hung_up_on(live, db, dialled):
    """AnsweredBy=fax ends the call at once, with nothing said, as the candidate's "fax" call."""
    candidate, call_now = dialled
    placed = call_now(CallScript(answered_by="fax"))
    assert placed.log.said() == []
    db.expire_all()
    row = db.scalar(select(Call).where(Call.call_sid == placed.sid))
    assert (row.candidate_id, row.outcome) == (candidate.id, "fax")


def test_a_person_who_answers_goes_straight_into_the_interview(live, db, dialled):
    """AnsweredBy=human: the consent prompt, then the questions, as before (no PIN)."""
    _, call_now = dialled
    placed = call_now(CallScript(answers=[LONG], digits=["1", ""]))
    (voice,) = [e for e in placed.log.exchanges if e.kind == "voice"]
    assert voice.params["AnsweredBy"] == "human"
    said = placed.log.said()
    assert any("press 1" in s for s in said) and "Why us?" in said
    assert not any("PIN" in s for s in said)
    db.expire_all()
    row = db.scalar(select(Call).where(Call.call_sid == placed.sid))
    assert row.outcome == "completed"


def test_an_unknown_recording_duration_keeps_the_answer(live, db):
    """RecordingDuration=-1 on a long answer: not asked again; the file gives the length."""
    settings, api = live
    interview = make_interview(db, make_org(db), questions=("Tell us about your last job.",))
    candidate = make_candidate(db, interview)
    db.commit()
    log = place_call(
        settings,
        interview.phone_number,
        candidate.phone,
        says=[LONG],
        digits=["1", ""],
        api=api,
        recording_duration_as="-1",
    )
    assert log.ok, log.transcript()
    assert not any("long enough to keep" in s for s in log.said())
    assert [r.status for r in log.recordings] == ["completed"]

    def transcribed():
        db.expire_all()
        answer = db.scalar(select(Answer).where(Answer.candidate_id == candidate.id))
        return answer if answer and answer.status == AnswerStatus.TRANSCRIBED else None

    answer = wait_until(transcribed, timeout=120, what="the transcript")
    assert answer.kept and answer.duration_seconds == log.recordings[0].seconds > 0
    assert db.get(type(candidate), candidate.id).status == CandidateStatus.COMPLETED
