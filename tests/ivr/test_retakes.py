"""Retakes through the webhooks: which attempt is kept when a retake has no usable audio."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import make_candidate, make_interview, make_org
from tests.ivr.twilio_actions import TwilioActions, said
from voice.models import Answer, AnswerStatus, CandidateStatus

URL = "http://twilio.invalid/2010-04-01/Accounts/AC/Recordings/"


def sid(n: int) -> str:
    """The RecordingSid of attempt `n` in these tests."""
    return "RE" + str(n) * 32


@pytest.fixture
def candidate(db):
    """A candidate of a one-question interview with one retake and a 3 s minimum."""
    interview = make_interview(
        db, make_org(db), questions=[{"prompt": "Tell us about you.", "min_seconds": 3}], retakes=1
    )
    candidate = make_candidate(db, interview)
    db.commit()
    return candidate


def first_question(twilio):
    """Walk from the incoming call to the first question's TwiML."""
    root = twilio.twiml("/ivr/voice", CallStatus="ringing")
    after_consent = twilio.twiml(root.find("Gather").get("action"), Digits="1")
    return twilio.twiml(after_consent.find("Redirect").text)


def action(twilio, question, n: int, seconds: int):
    """Twilio's <Record> action for attempt `n`: the TwiML reply."""
    return twilio.twiml(
        question.find("Record").get("action"),
        RecordingSid=sid(n),
        RecordingUrl=URL + sid(n),
        RecordingDuration=seconds,
        Digits="#",
    )


def callback(twilio, question, n: int, seconds: int, status: str = "completed", **extra):
    """Twilio's recording status callback for attempt `n`."""
    reply = twilio.post(
        question.find("Record").get("recordingStatusCallback"),
        RecordingSid=sid(n),
        RecordingUrl=URL + sid(n),
        RecordingStatus=status,
        RecordingDuration=seconds,
        **extra,
    )
    assert reply.status_code == 204


def retake(twilio, menu):
    """Press 2 at the retake menu: the question's TwiML again."""
    return twilio.twiml(menu.find("Gather").get("action"), Digits="2")


def attempts(db, candidate) -> list[tuple[int, bool, str]]:
    """(attempt, kept, status) of each of the candidate's answers, in order."""
    db.expire_all()
    return [
        (a.attempt, a.kept, a.status)
        for a in db.scalars(
            select(Answer).where(Answer.candidate_id == candidate.id).order_by(Answer.attempt)
        )
    ]


def hang_up(twilio, db, candidate) -> str:
    """The call ends; the candidate's status after it."""
    assert twilio.post("/ivr/status", CallStatus="completed", CallDuration="60").status_code == 204
    db.expire_all()
    return db.get(type(candidate), candidate.id).status


def test_a_retake_twilio_kept_no_audio_for_leaves_the_earlier_attempt_kept(
    client, settings, db, candidate
):
    """A silent retake (action, then callback 'absent') hands the answer back to attempt 1."""
    twilio = TwilioActions(client, settings)
    question = first_question(twilio)
    menu = action(twilio, question, 1, 7)
    callback(twilio, question, 1, 7)
    again = retake(twilio, menu)

    asked = action(twilio, again, 2, 0)
    callback(twilio, again, 2, 0, status="absent", ErrorCode="16102")

    assert "didn't hear an answer long enough to keep" in said(
        twilio.twiml(asked.find("Redirect").text)
    )
    assert attempts(db, candidate) == [
        (1, True, AnswerStatus.ANNOUNCED),
        (2, False, AnswerStatus.NO_AUDIO),
    ]
    assert hang_up(twilio, db, candidate) == CandidateStatus.COMPLETED  # its answer stands


def test_a_no_audio_callback_before_the_action_also_leaves_the_earlier_attempt_kept(
    client, settings, db, candidate
):
    """The callback may come first: attempt 1 is kept again all the same."""
    twilio = TwilioActions(client, settings)
    question = first_question(twilio)
    menu = action(twilio, question, 1, 7)
    callback(twilio, question, 1, 7)
    again = retake(twilio, menu)

    callback(twilio, again, 2, 0, status="failed", ErrorCode="16101")
    action(twilio, again, 2, 0)

    assert [kept for _, kept, _ in attempts(db, candidate)] == [True, False]


def test_a_retake_too_short_to_keep_leaves_the_earlier_attempt_kept(
    client, settings, db, candidate
):
    """A 1 s retake (the question wants 3 s) is asked again and attempt 1 stays the answer;
    a full retake after it is then the one kept."""
    twilio = TwilioActions(client, settings)
    question = first_question(twilio)
    menu = action(twilio, question, 1, 7)
    callback(twilio, question, 1, 7)
    again = retake(twilio, menu)

    asked = action(twilio, again, 2, 1)
    callback(twilio, again, 2, 1)
    assert [kept for _, kept, _ in attempts(db, candidate)] == [True, False]

    third = twilio.twiml(asked.find("Redirect").text)
    action(twilio, third, 3, 6)
    callback(twilio, third, 3, 6)
    assert [kept for _, kept, _ in attempts(db, candidate)] == [False, False, True]


def test_a_late_no_audio_callback_keeps_the_newest_real_attempt(client, settings, db, candidate):
    """A silent retake's callback that arrives after the next attempt was recorded does
    not take the answer away from that attempt."""
    twilio = TwilioActions(client, settings)
    question = first_question(twilio)
    menu = action(twilio, question, 1, 7)
    callback(twilio, question, 1, 7)
    again = retake(twilio, menu)
    asked = action(twilio, again, 2, 0)  # silent: asked again, nothing stored yet
    third = twilio.twiml(asked.find("Redirect").text)
    action(twilio, third, 3, 6)
    callback(twilio, third, 3, 6)

    callback(twilio, again, 2, 0, status="absent", ErrorCode="16102")  # late

    kept = [(a.recording_sid, a.kept) for a in db.scalars(select(Answer).order_by(Answer.id))]
    assert kept == [(sid(1), False), (sid(3), True), (sid(2), False)]


def test_an_answer_from_before_starting_over_is_not_brought_back(client, settings, db):
    """After 'start over' on a later call, a silent new attempt leaves no answer kept: the
    earlier call's attempt stays replaced, as starting over asked."""
    candidate = make_candidate(db, make_interview(db, make_org(db), retakes=1))
    db.commit()
    first = TwilioActions(client, settings)
    question = first_question(first)
    action(first, question, 1, 7)
    callback(first, question, 1, 7)
    assert hang_up(first, db, candidate) == CandidateStatus.IN_PROGRESS  # one of two

    second = TwilioActions(client, settings)
    second.twiml("/ivr/voice", CallStatus="ringing")
    menu = second.twiml("/ivr/consent?miss=0", Digits="1")
    started = second.twiml(menu.find("Gather").get("action"), Digits="2")  # start over
    again = second.twiml(started.find("Redirect").text)
    assert "Question 1 of 2" in said(again)
    callback(second, again, 2, 0, status="absent", ErrorCode="16102")

    assert [kept for _, kept, _ in attempts(db, candidate)] == [False, False]
