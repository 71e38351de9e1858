"""Calls Screenline places: the one place "call me now" URLs are built."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from ivr.flow import FINAL_CALL_STATUSES
from ivr.outbound import (
    CONNECTED_FOR,
    UNANSWERED_FOR,
    CallUnderWay,
    NothingToAsk,
    call_candidate,
    call_under_way,
    interview_call_urls,
    nothing_to_ask,
)
from ivr.standin import TwilioApiServer
from ivr.twilio_rest import rest_client
from tests.factories import make_candidate, make_interview, make_org
from voice.models import Call, CandidateStatus


@pytest.mark.parametrize("public_url", ["https://calls.example", "https://calls.example/"])
def test_call_urls_point_at_the_voice_webhook_with_the_candidate(public_url):
    """Both URLs carry the candidate (the flow skips the PIN; an unanswered call is theirs)."""
    assert interview_call_urls(public_url, 42) == (
        "https://calls.example/ivr/voice?candidate=42",
        "https://calls.example/ivr/status?candidate=42",
    )


def test_a_candidate_without_a_phone_is_not_called(db, settings):
    """Calling a candidate with no number is a readable ValueError, before Twilio is asked."""
    candidate = make_candidate(db, make_interview(db, make_org(db)), phone=None)
    with pytest.raises(ValueError, match="Dana Diaz has no phone number to call"):
        call_candidate(rest_client(settings), settings.public_url, candidate)


def outbound(db, candidate, status: str, age: timedelta, direction: str = "outbound-api") -> Call:
    """A call of the candidate's placed `age` ago, now in `status`."""
    call = Call(
        call_sid="CA" + uuid.uuid4().hex,
        interview_id=candidate.interview_id,
        candidate_id=candidate.id,
        direction=direction,
        status=status,
        started_at=datetime.now(UTC) - age,
    )
    db.add(call)
    db.flush()
    return call


@pytest.mark.parametrize("status", ["queued", "initiated", "ringing", "in-progress"])
def test_a_call_not_yet_over_is_under_way(db, status):
    """A recent outbound call in any status before a final one is the call under way."""
    candidate = make_candidate(db, make_interview(db, make_org(db)))
    call = outbound(db, candidate, status, timedelta(minutes=1))
    assert call_under_way(db, candidate) is call


@pytest.mark.parametrize("status", sorted(FINAL_CALL_STATUSES))
def test_a_call_in_a_final_status_is_over(db, status):
    """completed, busy, failed, no-answer, canceled: nothing is under way."""
    candidate = make_candidate(db, make_interview(db, make_org(db)))
    outbound(db, candidate, status, timedelta(seconds=5))
    assert call_under_way(db, candidate) is None


@pytest.mark.parametrize(
    ("status", "age", "under_way"),
    [
        ("queued", UNANSWERED_FOR - timedelta(seconds=30), True),
        ("queued", UNANSWERED_FOR + timedelta(seconds=30), False),
        ("ringing", UNANSWERED_FOR + timedelta(seconds=30), False),
        ("in-progress", UNANSWERED_FOR + timedelta(seconds=30), True),
        ("in-progress", CONNECTED_FOR - timedelta(minutes=1), True),
        ("in-progress", CONNECTED_FOR + timedelta(minutes=1), False),
    ],
)
def test_a_call_stuck_past_its_bound_no_longer_counts(db, status, age, under_way):
    """Not connected after 10 minutes, or connected 4 hours ago: taken as over."""
    candidate = make_candidate(db, make_interview(db, make_org(db)))
    call = outbound(db, candidate, status, age)
    assert call_under_way(db, candidate) is (call if under_way else None)


def test_only_the_candidates_own_outbound_calls_count(db):
    """Another candidate's call, the candidate's own inbound call, or an ended one: none."""
    interview = make_interview(db, make_org(db))
    candidate = make_candidate(db, interview)
    other = make_candidate(db, interview, "Lee Park", "+15557654322")
    outbound(db, other, "queued", timedelta(minutes=1))
    outbound(db, candidate, "in-progress", timedelta(minutes=1), direction="inbound")
    ended = outbound(db, candidate, "in-progress", timedelta(minutes=1))
    ended.ended_at = datetime.now(UTC)
    db.flush()
    assert call_under_way(db, candidate) is None


def test_a_second_call_is_refused_while_the_first_is_queued(db, settings):
    """Twilio (the stand-in) is asked once; the second try raises CallUnderWay and keeps
    nothing; once the first call ends, the candidate can be called again."""
    candidate = make_candidate(db, make_interview(db, make_org(db)), "Lee Park", "+15557654322")
    with TwilioApiServer(settings.twilio_account_sid, settings.twilio_auth_token) as twilio:
        rest = rest_client(settings.replace(twilio_api_url=twilio.url))
        first = call_candidate(rest, settings.public_url, candidate)
        db.commit()
        with pytest.raises(CallUnderWay) as refused:
            call_candidate(rest, settings.public_url, candidate)
        assert str(refused.value) == (
            "Lee Park is already being called (the call is waiting at Twilio to be placed); "
            "try again once that call ends."
        )
        assert refused.value.call.call_sid == first
        assert [c.sid for c in twilio.outbound_calls] == [first]
        db.rollback()
        refused.value.call.status = "no-answer"
        db.commit()
        again = call_candidate(rest, settings.public_url, candidate)
        db.commit()
        assert [c.sid for c in twilio.outbound_calls] == [first, again]
    sids = db.scalars(select(Call.call_sid).where(Call.candidate_id == candidate.id)).all()
    assert sorted(sids) == sorted([first, again])


@pytest.mark.parametrize(
    ("status", "refusal"),
    [
        ("completed", "Lee Park has finished the interview, so there is nothing left to ask."),
        ("screened out", "Lee Park was screened out, so there is nothing left to ask Lee."),
    ],
)
def test_a_finished_candidate_is_not_called(db, settings, status, refusal):
    """A completed or screened-out candidate would hear only "You have already finished
    your phone interview": NothingToAsk with the sentence, Twilio (the stand-in) is not asked
    and no call is kept."""
    candidate = make_candidate(db, make_interview(db, make_org(db)), "Lee Park", "+15557654322")
    candidate.status = status
    db.commit()
    assert nothing_to_ask(candidate) == refusal
    with TwilioApiServer(settings.twilio_account_sid, settings.twilio_auth_token) as twilio:
        rest = rest_client(settings.replace(twilio_api_url=twilio.url))
        with pytest.raises(NothingToAsk, match=refusal):
            call_candidate(rest, settings.public_url, candidate)
        assert twilio.outbound_calls == []
    db.rollback()
    assert db.scalars(select(Call).where(Call.candidate_id == candidate.id)).all() == []


def test_no_call_once_the_interview_closed(db, settings):
    """Past the interview's deadline the flow only says it closed, so no call is placed;
    moving the deadline on lets the candidate be called again."""
    interview = make_interview(db, make_org(db))
    candidate = make_candidate(db, interview, "Lee Park", "+15557654322")
    interview.deadline = datetime(2026, 3, 3, 17, 0, tzinfo=UTC)
    db.commit()
    refusal = (
        "The interview closed on March 3, 2026, so a call would only tell Lee that; "
        "extend its deadline first."
    )
    assert nothing_to_ask(candidate, at=datetime(2026, 3, 3, 17, 0, tzinfo=UTC)) == refusal
    assert nothing_to_ask(candidate, at=datetime(2026, 3, 3, 16, 59, tzinfo=UTC)) is None
    with TwilioApiServer(settings.twilio_account_sid, settings.twilio_auth_token) as twilio:
        rest = rest_client(settings.replace(twilio_api_url=twilio.url))
        with pytest.raises(NothingToAsk, match="closed on March 3, 2026"):
            call_candidate(rest, settings.public_url, candidate)
        assert twilio.outbound_calls == []
        interview.deadline = datetime.now(UTC) + timedelta(days=7)
        db.commit()
        sid = call_candidate(rest, settings.public_url, candidate)
        assert [c.sid for c in twilio.outbound_calls] == [sid]


@pytest.mark.parametrize(
    "status", [CandidateStatus.INVITED, CandidateStatus.IN_PROGRESS, CandidateStatus.ABANDONED]
)
def test_a_candidate_with_questions_left_may_be_called(db, status):
    """Not started, part-way or abandoned, with no deadline: there is something to ask."""
    candidate = make_candidate(db, make_interview(db, make_org(db)))
    candidate.status = status
    assert nothing_to_ask(candidate) is None
