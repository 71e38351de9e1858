"""Calls Screenline places: the one place "call me now" URLs are built."""

from __future__ import annotations

import pytest

from ivr.outbound import call_candidate, interview_call_urls
from ivr.twilio_rest import rest_client
from tests.factories import make_candidate, make_interview, make_org


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
