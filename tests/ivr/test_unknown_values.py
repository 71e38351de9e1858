"""Values Twilio leaves unknown stay unknown: -1, missing or non-numeric durations, and an
outbound call's status callback that is the only word of it (signed webhooks, parsed TwiML)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ivr.fields import problems, seconds
from tests.ivr.test_views import consent_and_reach_first_question
from tests.ivr.twilio_actions import TwilioActions, said, verbs
from voice.models import Answer, Call

UNKNOWN = ["-1", "", "abc", "7.0", " ", "99999999999"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("7", 7),
        ("0", 0),
        ("86400", 86400),
        ("-1", None),
        ("", None),
        (None, None),
        ("abc", None),
        ("7.0", None),
        ("1e3", None),
        ("86401", None),
        ("٣", None),
        ("+7", None),
    ],
)
def test_a_duration_is_whole_seconds_or_unknown(raw, expected):
    """`seconds` reads digits as seconds; -1, missing, text, decimals and non-ASCII are unknown."""
    assert seconds(raw) == expected


@pytest.mark.parametrize("raw", ["-1", "", "abc", "7.0", " "])
def test_an_unknown_duration_is_not_refused(raw):
    """-1 and non-numbers pass the field rules (a recording that exists is never refused)."""
    form = {"CallSid": "CA" + "0" * 32, "RecordingDuration": raw, "CallDuration": raw}
    assert problems(form, {}) == []


def test_a_duration_past_a_day_is_refused():
    """A whole number past a day cannot be a duration: refused, naming the field."""
    assert problems({"CallSid": "CA" + "0" * 32, "RecordingDuration": "86401"}, {}) == [
        "RecordingDuration must be a whole number from 0 to 86400, or -1 when unknown."
    ]


@pytest.mark.parametrize("duration", ["-1", "abc", "missing"])
def test_an_answer_of_unknown_length_is_kept_not_asked_again(twilio, db, candidate, duration):
    """The issue's -1 and its kin on the <Record> action: the answer is kept, the call moves on."""
    question = consent_and_reach_first_question(twilio)
    record = question.find("Record")
    sid = "RE" + "5" * 32
    url = f"http://twilio.invalid/2010-04-01/Accounts/AC/Recordings/{sid}"
    fields = {"RecordingSid": sid, "RecordingUrl": url, "Digits": "#"}
    if duration != "missing":
        fields["RecordingDuration"] = duration
    reply = twilio.twiml(record.get("action"), **fields)
    assert "long enough to keep" not in said(reply)
    assert verbs(reply) == ["Redirect"]  # on to the next question
    answer = db.scalar(select(Answer).where(Answer.recording_sid == sid))
    assert answer.kept and answer.duration_seconds is None
    # The status callback knows the length: it is filled in, not left unknown.
    callback = twilio.post(
        record.get("recordingStatusCallback"),
        RecordingSid=sid,
        RecordingUrl=url,
        RecordingStatus="completed",
        RecordingDuration="7",
    )
    assert callback.status_code == 204
    db.expire_all()
    assert db.scalar(select(Answer).where(Answer.recording_sid == sid)).duration_seconds == 7


def test_a_zero_length_answer_is_still_asked_again(twilio, db, candidate):
    """A known 0 is empty: the caller is asked again ("long enough to keep")."""
    question = consent_and_reach_first_question(twilio)
    reply = twilio.twiml(
        question.find("Record").get("action"),
        RecordingSid="RE" + "6" * 32,
        RecordingUrl="http://twilio.invalid/r",
        RecordingDuration="0",
        Digits="#",
    )
    again = twilio.twiml(reply.find("Redirect").text)
    assert "long enough to keep" in said(again)


@pytest.mark.parametrize(
    ("status", "outcome"),
    [("no-answer", "no answer"), ("busy", "busy"), ("failed", "failed"), ("canceled", "canceled")],
)
def test_the_status_callback_alone_ties_an_outbound_call_to_its_candidate(
    client, settings, db, candidate, status, outcome
):
    """The issue's instance: only /ivr/status?candidate=ID comes, with CallStatus=no-answer."""
    twilio = TwilioActions(client, settings, to=candidate.phone, from_="+15550100200")
    for step in ("initiated", "ringing", status):
        response = twilio.post(
            f"/ivr/status?candidate={candidate.id}",
            CallStatus=step,
            Direction="outbound-api",
            **({"CallDuration": "0"} if step == status else {}),
        )
        assert response.status_code == 204
    call = db.scalar(select(Call).where(Call.call_sid == twilio.call_sid))
    assert (call.candidate_id, call.interview_id) == (candidate.id, candidate.interview_id)
    assert (call.status, call.outcome, call.duration_seconds) == (status, outcome, 0)


def test_a_status_callback_cannot_tie_a_call_to_another_interviews_candidate(
    client, settings, db, candidate, interview
):
    """A call already known to one interview is not handed to a candidate of another."""
    from tests.factories import make_candidate, make_interview, make_org

    other = make_candidate(
        db, make_interview(db, make_org(db), phone_number="+15550100999"), phone="+15557000999"
    )
    db.commit()
    twilio = TwilioActions(client, settings)
    twilio.twiml("/ivr/voice", CallStatus="ringing")  # an inbound call to `interview`
    twilio.post(f"/ivr/status?candidate={other.id}", CallStatus="completed", CallDuration="3")
    db.expire_all()
    call = db.scalar(select(Call).where(Call.call_sid == twilio.call_sid))
    assert call.candidate_id is None and call.outcome == "ended before consent"


@pytest.mark.parametrize("duration", ["-1", "abc", ""])
def test_an_unknown_call_duration_is_not_zero(twilio, db, candidate, duration):
    """CallDuration=-1 (or text, or empty) on the final status callback: length unknown."""
    twilio.twiml("/ivr/voice", CallStatus="ringing")
    response = twilio.post("/ivr/status", CallStatus="completed", CallDuration=duration)
    assert response.status_code == 204
    db.expire_all()
    call = db.scalar(select(Call).where(Call.call_sid == twilio.call_sid))
    assert call.status == "completed" and call.duration_seconds is None
