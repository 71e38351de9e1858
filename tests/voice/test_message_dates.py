"""The invitation and reminder SMS give the deadline in the organisation's time zone,
worded in the candidate's language (voice/messages.py through voice/dates.py)."""

from __future__ import annotations

from tests.factories import make_candidate, make_interview, make_org
from voice.messages import invitation_text, reminder_text


def _candidate(db, time_zone: str, language: str | None = None):
    org = make_org(db)
    org.time_zone = time_zone
    interview = make_interview(
        db, org, deadline="2026-03-03T23:00:00Z", reminders="4h", languages="en-US, es-MX"
    )
    candidate = make_candidate(db, interview)
    candidate.language = language
    db.flush()
    return candidate


def test_the_english_texts_give_chicago_time(db):
    """11 PM UTC is 5:00 PM CST in Chicago: that is what the SMS says, not UTC."""
    candidate = _candidate(db, "America/Chicago")
    invitation = invitation_text(candidate)
    assert " Please call by March 3, 5:00 PM CST. " in invitation
    assert "UTC" not in invitation
    assert "closes March 3, 5:00 PM CST. Call" in reminder_text(candidate)


def test_the_spanish_texts_are_spanish_throughout(db):
    """A Spanish speaker reads the month in Spanish, and the Mexican clock."""
    candidate = _candidate(db, "America/Chicago", "es-MX")
    assert " Por favor llame antes del 3 de marzo, 5:00 p.m. CST. " in invitation_text(candidate)
    assert "cierra 3 de marzo, 5:00 p.m. CST. Llame al" in reminder_text(candidate)


def test_an_organisation_that_chose_no_zone_reads_utc(db):
    """The default (UTC) still names its zone, so nobody guesses."""
    candidate = _candidate(db, "UTC")
    assert " Please call by March 3, 11:00 PM UTC. " in invitation_text(candidate)


def test_the_day_is_the_local_day(db):
    """11 PM UTC on March 3 is March 4 in Madrid, at midnight CET."""
    candidate = _candidate(db, "Europe/Madrid", "es-ES")
    assert "antes del 4 de marzo, 0:00 CET." in invitation_text(candidate)
