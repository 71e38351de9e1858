"""Consent on the record: each call keeps the words asked, their language, the key and when."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from ivr.phrases import say
from tests.factories import make_candidate, make_interview, make_org
from tests.ivr.twilio_actions import TwilioActions, said, verbs
from voice.models import Answer, AnswerStatus, Call, CandidateStatus


def call_row(db, twilio) -> Call:
    """The call's row as committed by the webhooks."""
    db.expire_all()
    return db.scalars(select(Call).where(Call.call_sid == twilio.call_sid)).one()


@pytest.fixture
def bilingual(db):
    """An interview offered in English and Spanish, with a Spanish introduction."""
    interview = make_interview(
        db,
        make_org(db),
        languages=["en-US", "es-MX"],
        intro={"en-US": "Thanks for calling Acme.", "es-MX": "Gracias por llamar a Acme."},
    )
    db.commit()
    return interview


def test_agreeing_keeps_the_words_heard_in_english_the_key_and_the_time(twilio, db, interview):
    """Pressing 1 stores the exact words of the consent prompt, en-US, key 1 and the time."""
    prompt = twilio.twiml("/ivr/voice", CallStatus="ringing")
    before = datetime.now(UTC)
    twilio.twiml(prompt.find("Gather").get("action"), Digits="1")
    call = call_row(db, twilio)
    assert call.consent_text == said(prompt)
    assert call.consent_text.startswith("Welcome to your phone interview for Warehouse associate.")
    assert "Thanks for calling Acme." in call.consent_text and "press 1" in call.consent_text
    assert (call.consent_language, call.consent_key, call.consented) == ("en-US", "1", True)
    assert before <= call.consent_at <= datetime.now(UTC)


def test_declining_in_spanish_keeps_the_spanish_words_and_key_2(twilio, db, bilingual):
    """A caller who picks Spanish and presses 2 has the Spanish words, es-MX and key 2 stored."""
    menu = twilio.twiml("/ivr/voice", CallStatus="ringing")
    prompt = twilio.twiml(menu.find("Gather").get("action"), Digits="2")
    assert "Gracias por llamar a Acme." in said(prompt)
    before = datetime.now(UTC)
    goodbye = twilio.twiml(prompt.find("Gather").get("action"), Digits="2")
    assert "Hangup" in [child.tag for child in goodbye]
    call = call_row(db, twilio)
    assert call.consent_text == said(prompt)
    assert "oprima 2" in call.consent_text
    assert (call.consent_language, call.consent_key, call.consented) == ("es-MX", "2", False)
    assert call.outcome == "no consent"
    assert before <= call.consent_at <= datetime.now(UTC)


def test_agreeing_in_spanish_is_stored_in_spanish(twilio, db, bilingual):
    """Pressing 1 after the Spanish prompt stores es-MX, key 1 and the Spanish words."""
    menu = twilio.twiml("/ivr/voice", CallStatus="ringing")
    prompt = twilio.twiml(menu.find("Gather").get("action"), Digits="2")
    twilio.twiml(prompt.find("Gather").get("action"), Digits="1")
    call = call_row(db, twilio)
    assert (call.consent_text, call.consent_language, call.consent_key) == (
        said(prompt),
        "es-MX",
        "1",
    )


def test_a_wrong_key_first_keeps_the_full_request_as_the_words_asked(twilio, db, interview):
    """After a wrong key and the shorter reprompt, the record still holds the full request."""
    prompt = twilio.twiml("/ivr/voice", CallStatus="ringing")
    action = prompt.find("Gather").get("action")
    again = twilio.twiml(action, Digits="7")
    assert "Welcome" not in said(again)
    twilio.twiml(action, Digits="1")
    call = call_row(db, twilio)
    assert (call.consent_text, call.consent_key) == (said(prompt), "1")


def test_hanging_up_at_the_question_records_the_words_but_no_key(twilio, db, interview):
    """A caller who never presses a key has the words asked stored, with no key or time."""
    prompt = twilio.twiml("/ivr/voice", CallStatus="ringing")
    call = call_row(db, twilio)
    assert (call.consent_text, call.consent_key, call.consent_at) == (said(prompt), None, None)


@pytest.mark.parametrize("token", [None, "consent-token"], ids=["same-keys", "same-token"])
def test_a_retried_consent_request_keeps_the_first_time(twilio, db, interview, token):
    """Twilio redelivering the key press (same token, or the same keys again) keeps the time."""
    prompt = twilio.twiml("/ivr/voice", CallStatus="ringing")
    action = prompt.find("Gather").get("action")
    twilio.twiml(action, token=token, Digits="1")
    first = call_row(db, twilio).consent_at
    assert first is not None
    twilio.twiml(action, token=token, Digits="1")
    call = call_row(db, twilio)
    assert (call.consent_at, call.consent_key, call.consent_text) == (first, "1", said(prompt))


def no_consent_kept(call: Call) -> bool:
    """True when the call holds no consent record at all (nothing was asked)."""
    fields = (call.consent_text, call.consent_language, call.consent_key, call.consent_at)
    return fields == (None, None, None, None) and not call.consented


@pytest.mark.parametrize("status", [CandidateStatus.COMPLETED, CandidateStatus.SCREENED_OUT])
def test_a_finished_caller_hears_the_language_menu_then_already_finished_in_spanish(
    client, settings, db, status
):
    """With two languages the menu comes first; after choosing Spanish, a finished
    candidate known by caller ID hears, in Spanish and in the Spanish voice, that their
    interview (by its Spanish title) is finished, and the call ends: no consent asked."""
    interview = make_interview(
        db,
        make_org(db),
        languages=["en-US", "es-MX"],
        title={"en-US": "Warehouse associate", "es-MX": "Auxiliar de almacén"},
    )
    candidate = make_candidate(db, interview, "Lee Park", "+15557654390")
    candidate.status = status
    db.commit()
    twilio = TwilioActions(client, settings, from_="+15557654390")
    menu = twilio.twiml("/ivr/voice", CallStatus="ringing")
    assert "para español, oprima 2" in said(menu).lower()
    root = twilio.twiml(menu.find("Gather").get("action"), Digits="2")
    assert verbs(root) == ["Say", "Hangup"]
    assert said(root) == (
        "Usted ya terminó su entrevista telefónica para Auxiliar de almacén, así que no hay "
        "nada más que contestar. Gracias. Adiós."
    )
    assert root.find("Say").get("language") == "es-MX"
    call = call_row(db, twilio)
    assert (call.candidate_id, call.outcome, call.language) == (
        candidate.id,
        "already done",
        "es-MX",
    )
    assert no_consent_kept(call)


def test_a_caller_still_in_progress_is_asked_for_consent_then_offered_to_resume(
    client, settings, db, interview
):
    """A candidate with one of two questions answered, known by caller ID, still hears
    the greeting and consent question first (kept on the call), then the resume menu."""
    candidate = make_candidate(db, interview, "Lee Park", "+15557654391")
    candidate.status = CandidateStatus.IN_PROGRESS
    db.add(
        Answer(
            candidate_id=candidate.id,
            question_id=interview.questions[0].id,
            digits="1",
            status=AnswerStatus.KEYPAD,
        )
    )
    db.commit()
    twilio = TwilioActions(client, settings, from_="+15557654391")
    prompt = twilio.twiml("/ivr/voice", CallStatus="ringing")
    assert said(prompt).startswith("Welcome to your phone interview for Warehouse associate.")
    assert "press 1" in said(prompt.find("Gather"))
    menu = twilio.twiml(prompt.find("Gather").get("action"), Digits="1")
    assert said(menu) == "Thank you, Lee. " + say(None, "resume", done=1, total=2)
    call = call_row(db, twilio)
    assert (call.candidate_id, call.consent_key, call.consent_text) == (
        candidate.id,
        "1",
        said(prompt),
    )
    assert not call.outcome


def test_a_call_me_now_call_to_a_candidate_who_finished_meanwhile_asks_no_consent(
    client, settings, db, interview
):
    """An outbound call placed before the candidate finished (on another call) and
    answered after: the dialled candidate is known, so they hear at once that they
    have finished and the call ends without a consent question."""
    candidate = make_candidate(db, interview, "Lee Park", "+15557654392")
    candidate.status = CandidateStatus.COMPLETED
    db.commit()
    outbound = {"Direction": "outbound-api", "CallStatus": "in-progress"}
    twilio = TwilioActions(client, settings, to=candidate.phone, from_=interview.phone_number)
    root = twilio.twiml(f"/ivr/voice?candidate={candidate.id}", **outbound)
    assert verbs(root) == ["Say", "Hangup"]
    assert said(root).startswith("You have already finished your phone interview for Warehouse")
    call = call_row(db, twilio)
    assert (call.candidate_id, call.outcome) == (candidate.id, "already done")
    assert no_consent_kept(call)
