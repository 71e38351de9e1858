"""The closed-interview message on the call: the deadline's day in the organisation's
time zone, said in the caller's language, through the webhook as Twilio posts it."""

from __future__ import annotations

from tests.factories import make_candidate, make_interview, make_org
from tests.ivr.twilio_actions import TwilioActions, said, verbs


def _closed(db, time_zone: str, languages: str):
    org = make_org(db)
    org.time_zone = time_zone
    # 2 AM UTC on January 1 is still December 31 in Chicago.
    interview = make_interview(db, org, deadline="2020-01-01T02:00:00Z", languages=languages)
    make_candidate(db, interview)
    db.commit()
    return interview


def test_a_spanish_caller_hears_the_day_in_spanish_in_the_zone(db, client, settings):
    """ "cerró el 31 de diciembre de 2019" (Chicago's day, of a past year, so with its
    year), never "el January 1"; then hang up."""
    _closed(db, "America/Chicago", "es-MX")
    root = TwilioActions(client, settings).twiml("/ivr/voice")
    assert said(root) == (
        "Lo sentimos, esta entrevista cerró el 31 de diciembre de 2019 y ya no recibe respuestas. "
        "Gracias por su interés. Adiós."
    )
    assert verbs(root)[-1] == "Hangup"


def test_an_english_caller_hears_the_day_in_the_zone(db, client, settings):
    """English in UTC (the default zone): "closed on January 1, 2020"."""
    _closed(db, "UTC", "en-US")
    root = TwilioActions(client, settings).twiml("/ivr/voice")
    assert said(root).startswith("Sorry, this interview closed on January 1, 2020 and")


def test_call_me_now_refusal_names_the_day_in_the_zone(db):
    """`nothing_to_ask` (the dashboard and CLI refusal) gives Chicago's day, with its year."""
    from datetime import UTC, datetime

    from ivr.outbound import nothing_to_ask

    interview = _closed(db, "America/Chicago", "en-US")
    candidate = interview.candidates[0]
    reason = nothing_to_ask(candidate, datetime(2026, 1, 1, tzinfo=UTC))
    assert reason.startswith("The interview closed on December 31, 2019, so a call")
