"""A candidate erased while on the phone: the call ends, and nothing more is kept."""

from __future__ import annotations

from sqlalchemy import select

from tests.ivr.test_views import consent_and_reach_first_question, record
from tests.ivr.twilio_actions import said, verbs
from voice import erasure
from voice.models import Answer, AnswerStatus, Candidate


def test_an_erasure_during_the_call_ends_it_and_keeps_nothing_more(twilio, db, candidate):
    """After the erasure the next step hangs up, and a late recording is not stored."""
    q1 = consent_and_reach_first_question(twilio)
    reply = record(twilio, q1, "RE" + "1" * 32)
    erasure.erase_candidate(db, db.get(Candidate, candidate.id))
    db.commit()

    q2 = twilio.twiml(reply.find("Redirect").text)
    assert verbs(q2)[-1] == "Hangup" and "Record" not in verbs(q2), said(q2)
    late = twilio.twiml(
        q1.find("Record")
        .get("action")
        .replace(
            f"q={candidate.interview.questions[0].id}", f"q={candidate.interview.questions[1].id}"
        ),
        RecordingSid="RE" + "2" * 32,
        RecordingUrl="http://twilio.invalid/2010-04-01/Accounts/AC/Recordings/RE" + "2" * 32,
        RecordingDuration=7,
        Digits="#",
    )
    assert verbs(late)[-1] == "Hangup"
    db.expire_all()
    answers = db.scalars(select(Answer)).all()
    assert [(a.recording_sid, a.status) for a in answers] == [
        ("RE" + "1" * 32, AnswerStatus.ERASED)
    ]
