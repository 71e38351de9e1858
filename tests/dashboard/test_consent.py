"""The consent record on the candidate page and in `screenline results --json`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from dashboard.review.candidate_calls import consent_line
from tests.dashboard.html import parse
from tests.ivr.twilio_actions import TwilioActions, said
from tests.support import screenline_json
from voice.models import Call, CandidateStatus


@pytest.fixture
def two_calls(signed_in, db, client, settings):
    """The candidate's two calls: one inbound that agrees, then one we dial that declines.

    Returns (the agreeing call's consent prompt, the declining call's), as TwiML roots.
    """
    candidate = signed_in.candidate
    candidate.status = CandidateStatus.INVITED  # so that the caller ID identifies them
    db.commit()
    inbound = TwilioActions(client, settings)
    agreed = inbound.twiml("/ivr/voice", CallStatus="ringing")
    inbound.twiml(agreed.find("Gather").get("action"), Digits="1")
    outbound = TwilioActions(client, settings, to=candidate.phone, from_="+15550100200")
    declined = outbound.twiml(
        f"/ivr/voice?candidate={candidate.id}", CallStatus="in-progress", Direction="outbound-api"
    )
    outbound.twiml(declined.find("Gather").get("action"), Digits="2", Direction="outbound-api")
    db.expire_all()
    return agreed, declined


def calls_of(db, candidate_id: int) -> list[Call]:
    """The candidate's calls, oldest first."""
    return list(db.scalars(select(Call).where(Call.candidate_id == candidate_id).order_by(Call.id)))


def test_consent_line_reads_as_one_sentence():
    """An agreed call reads 'Agreed to recording on <day, time and zone> by pressing 1 ...',
    in UTC by default and in the zone given (Chicago: 8:02 AM CST)."""
    call = Call(
        consent_text="This call is recorded.",
        consent_language="en-US",
        consent_key="1",
        consent_at=datetime(2026, 11, 30, 14, 2, 59, tzinfo=UTC),
    )
    assert consent_line(call) == (
        "Agreed to recording on Nov 30, 2026, 2:02 PM UTC by pressing 1, "
        "after hearing (en-US): 'This call is recorded.'"
    )
    assert consent_line(call, "America/Chicago", "en-US").startswith(
        "Agreed to recording on Nov 30, 2026, 8:02 AM CST by pressing 1, "
    )
    call.consent_key = "2"
    assert consent_line(call).startswith(
        "Declined recording on Nov 30, 2026, 2:02 PM UTC by pressing 2"
    )
    call.consent_key, call.consent_at = None, None
    assert consent_line(call) == (
        "Asked for consent but no key was pressed, after hearing (en-US): 'This call is recorded.'"
    )
    assert consent_line(Call()) is None


def test_candidate_page_shows_each_calls_consent(signed_in, db, client, two_calls):
    """The page's Consent card has one line per call: agreed with key 1, declined with key 2."""
    agreed_prompt, declined_prompt = two_calls
    agreed, declined = calls_of(db, signed_in.candidate.id)
    page = parse(client.get(f"/candidates/{signed_in.candidate.id}").data)
    card = page.one("section", id="consent")
    assert card.one("h2").text() == "Consent"
    lines = [item.text() for item in card.find_all("li")]
    agreed_at = agreed.consent_at.strftime("%b %-d, %Y, %-I:%M %p")
    declined_at = declined.consent_at.strftime("%b %-d, %Y, %-I:%M %p")
    assert lines == [
        f"Agreed to recording on {agreed_at} UTC by pressing 1, "
        f"after hearing (en-US): '{said(agreed_prompt)}'",
        f"Declined recording on {declined_at} UTC by pressing 2, "
        f"after hearing (en-US): '{said(declined_prompt)}'",
    ]


def test_results_json_includes_each_calls_consent(signed_in, db, settings, two_calls):
    """`screenline results ID --json` gives every call's consent words, language, key and time."""
    agreed_prompt, declined_prompt = two_calls
    agreed, declined = calls_of(db, signed_in.candidate.id)
    data = screenline_json(settings, "results", str(signed_in.interview.id))
    [row] = [c for c in data["candidates"] if c["id"] == signed_in.candidate.id]
    by_sid = {call["call_sid"]: call["consent"] for call in row["calls"]}
    assert by_sid == {
        agreed.call_sid: {
            "text": said(agreed_prompt),
            "language": "en-US",
            "key": "1",
            "agreed": True,
            "at": agreed.consent_at.isoformat(),
        },
        declined.call_sid: {
            "text": said(declined_prompt),
            "language": "en-US",
            "key": "2",
            "agreed": False,
            "at": declined.consent_at.isoformat(),
        },
    }
