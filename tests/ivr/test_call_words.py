"""What the caller hears, in English and Spanish, through the webhooks as Twilio sends them:
keys echoed as words, an empty PIN, the last retake, the title in the caller's language,
and the length of the call in the welcome."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ivr.phrases import spoken_keys
from tests.factories import make_candidate, make_interview, make_org
from tests.ivr.twilio_actions import TwilioActions, said
from voice.call_length import expected_minutes
from voice.models import Call

SPANISH = {"languages": ["en-US", "es-MX"]}
WITHHELD = "anonymous"  # no caller ID: the PIN is asked for


def start(twilio: TwilioActions, language: str):
    """The incoming call, then the language's key at the language menu, if there is one
    (1 English, 2 Spanish): the consent prompt."""
    root = twilio.twiml("/ivr/voice", CallStatus="ringing")
    action = root.find("Gather").get("action")
    if action.endswith("/ivr/language"):
        root = twilio.twiml(action, Digits="2" if language == "es" else "1")
    return root


def first_question(twilio: TwilioActions, language: str):
    """From the incoming call to the first question's TwiML (caller ID identifies)."""
    consent = start(twilio, language)
    after = twilio.twiml(consent.find("Gather").get("action"), Digits="1")
    return twilio.twiml(after.find("Redirect").text)


def record(twilio: TwilioActions, question, sid: str, seconds: int = 7):
    """Twilio's <Record> action for an answer of `seconds`: the TwiML reply."""
    return twilio.twiml(
        question.find("Record").get("action"),
        RecordingSid=sid,
        RecordingUrl=f"http://twilio.invalid/2010-04-01/Accounts/AC/Recordings/{sid}",
        RecordingDuration=seconds,
        Digits="#",
    )


def call_row(db, twilio: TwilioActions) -> Call:
    """This call's row, freshly read."""
    db.expire_all()
    return db.scalar(select(Call).where(Call.call_sid == twilio.call_sid))


# --- 1. keys are spoken as words --------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "keys", "spoken"),
    [
        ("en-US", "#", "pound"),
        ("en-US", "*", "star"),
        ("en-US", "12", "1 2"),
        ("en-US", "*#7", "star pound 7"),
        ("es-MX", "#", "numeral"),
        ("es-MX", "*", "asterisco"),
        (None, "#", "pound"),
    ],
)
def test_keys_are_spoken_as_the_prompts_name_them(language, keys, spoken):
    """ "#" is "pound"/"numeral", "*" is "star"/"asterisco", and digits are read one by one."""
    assert spoken_keys(language, keys) == spoken


WRONG_KEYS = [
    ("en", {"Digits": "#"}, "Sorry, pound is not one of the choices."),
    ("en", {"Digits": "*"}, "Sorry, star is not one of the choices."),
    ("en", {"Digits": "", "FinishedOnKey": "#"}, "Sorry, pound is not one of the choices."),
    ("es", {"Digits": "#"}, "Lo sentimos, numeral no es una de las opciones."),
    ("es", {"Digits": "*"}, "Lo sentimos, asterisco no es una de las opciones."),
    ("es", {"Digits": "", "FinishedOnKey": "#"}, "Lo sentimos, numeral no es una de las opciones."),
]


@pytest.mark.parametrize(("language", "fields", "heard"), WRONG_KEYS)
def test_a_symbol_pressed_at_a_menu_is_echoed_as_a_word(
    client, settings, db, language, fields, heard
):
    """Pound or star at the consent menu is named as a word, never read as "#" or "*"."""
    make_candidate(db, make_interview(db, make_org(db), **SPANISH))
    db.commit()
    twilio = TwilioActions(client, settings)
    consent = start(twilio, language)
    root = twilio.twiml(consent.find("Gather").get("action"), **fields)
    assert heard in said(root)
    assert "#" not in said(root) and "*" not in said(root)


@pytest.mark.parametrize(("language", "word"), [("en", "pound"), ("es", "numeral")])
def test_pound_at_a_yes_no_question_is_echoed_as_a_word(client, settings, db, language, word):
    """A keypad question echoes a wrong key the same way as every other menu."""
    questions = [{"kind": "yes_no", "prompt": {"en-US": "18 or older?", "es-MX": "¿18 o más?"}}]
    make_candidate(db, make_interview(db, make_org(db), questions=questions, **SPANISH))
    db.commit()
    twilio = TwilioActions(client, settings)
    question = first_question(twilio, language)
    root = twilio.twiml(question.find("Gather").get("action"), Digits="#")
    assert f" {word} " in said(root) and "#" not in said(root)


def test_star_at_the_language_menu_is_echoed_as_a_word(client, settings, db):
    """The language menu (spoken in English before a choice) names star too."""
    make_interview(db, make_org(db), **SPANISH)
    db.commit()
    twilio = TwilioActions(client, settings)
    menu = twilio.twiml("/ivr/voice", CallStatus="ringing")
    root = twilio.twiml(menu.find("Gather").get("action"), Digits="*")
    assert "Sorry, star is not one of the choices." in said(root)


# --- 2. an empty PIN is not a wrong one ---------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "heard"),
    [("en", "Sorry, no PIN was entered."), ("es", "Lo sentimos, no se ingresó ningún PIN.")],
)
def test_pound_alone_at_the_pin_prompt_says_no_pin_and_asks_again(
    client, settings, db, language, heard
):
    """Pound alone is "no PIN entered", asked again, and not counted as a wrong PIN."""
    make_candidate(db, make_interview(db, make_org(db), **SPANISH), phone=None)
    db.commit()
    twilio = TwilioActions(client, settings, from_=WITHHELD)
    consent = start(twilio, language)
    ask = twilio.twiml(consent.find("Gather").get("action"), Digits="1").find("Gather")
    root = twilio.twiml(ask.get("action"), Digits="", FinishedOnKey="#")
    assert said(root).startswith(heard)
    assert "PIN" in said(root.find("Gather"))  # asked again
    assert "didn't match" not in said(root) and "no coincide" not in said(root)
    assert call_row(db, twilio).pin_attempts == 0


def test_empty_pins_never_lock_a_number_out(client, settings, db):
    """Calls of empty PINs from a real number (more than the lockout's limit) lock nothing:
    the candidate's PIN still works on the next call, with all three tries."""
    interview = make_interview(db, make_org(db))
    candidate = make_candidate(db, interview, phone="+15550001111")
    db.commit()
    caller = "+15559998888"  # not the candidate's number: the PIN is asked for
    for _ in range(3):  # three calls, three empty entries each: 9 > the lockout's 6
        twilio = TwilioActions(client, settings, from_=caller)
        twilio.twiml("/ivr/voice", CallStatus="ringing")
        action = twilio.twiml("/ivr/consent", Digits="1").find("Gather").get("action")
        for _ in range(3):
            root = twilio.twiml(action, Digits="", FinishedOnKey="#")
        assert "haven't heard from you" in said(root)  # misses end the call, politely
        assert call_row(db, twilio).pin_attempts == 0
    twilio = TwilioActions(client, settings, from_=caller)
    twilio.twiml("/ivr/voice", CallStatus="ringing")
    gather = twilio.twiml("/ivr/consent", Digits="1").find("Gather")
    assert gather is not None and "PIN" in said(gather)  # not locked out
    for wrong in ("111111", "222222"):
        assert "didn't match" in said(twilio.twiml(gather.get("action"), Digits=wrong))
    assert "Thank you, Dana" in said(twilio.twiml(gather.get("action"), Digits=candidate.pin))


# --- 3. the last retake is confirmed ------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "saved", "heading"),
    [
        ("en", "Your answer is saved.", "Question 2 of 2."),
        ("es", "Su respuesta está guardada.", "Pregunta 2 de 2."),
    ],
)
def test_the_final_retake_is_confirmed_like_a_kept_answer(
    client, settings, db, language, saved, heading
):
    """After the one retake allowed, the caller hears "saved" (no retake offered), then
    the next question: the same words as pressing 1 to keep the first take."""
    make_candidate(db, make_interview(db, make_org(db), retakes=1, **SPANISH))
    db.commit()
    twilio = TwilioActions(client, settings)
    question = first_question(twilio, language)
    menu = record(twilio, question, "RE" + "1" * 32)
    again = twilio.twiml(menu.find("Gather").get("action"), Digits="2")
    root = record(twilio, again, "RE" + "2" * 32)
    assert root.find("Gather") is None  # no retake menu: none is left
    assert said(root) == saved
    assert heading in said(twilio.twiml(root.find("Redirect").text))

    late = twilio.twiml(menu.find("Gather").get("action"), Digits="2")  # a stale menu
    assert said(late) == saved and late.find("Record") is None


def test_keeping_the_first_take_says_the_same_words(client, settings, db):
    """Pressing 1 at the retake menu keeps the first take: "Your answer is saved." too."""
    make_candidate(db, make_interview(db, make_org(db), retakes=1))
    db.commit()
    twilio = TwilioActions(client, settings)
    menu = record(twilio, first_question(twilio, "en"), "RE" + "3" * 32)
    assert "record it again one more time" in said(menu)
    kept = twilio.twiml(menu.find("Gather").get("action"), Digits="1")
    assert said(kept) == "Your answer is saved."


# --- 4. the title in the caller's language, 5. the length of the call ---------------------------


TITLES = {"en-US": "Warehouse associate, nights", "es-MX": "Auxiliar de almacén, turno de noche"}


@pytest.mark.parametrize(
    ("language", "welcome"),
    [
        ("en", "Welcome to your phone interview for Warehouse associate, nights."),
        ("es", "Bienvenido a su entrevista telefónica para Auxiliar de almacén, turno de noche."),
    ],
)
def test_the_welcome_names_the_job_in_the_callers_language(client, settings, db, language, welcome):
    """A translated title is the one a Spanish caller hears (and the consent record keeps)."""
    make_candidate(db, make_interview(db, make_org(db), title=TITLES, **SPANISH))
    db.commit()
    twilio = TwilioActions(client, settings)
    assert said(start(twilio, language)).startswith(welcome)
    assert call_row(db, twilio).consent_text.startswith(welcome)


def test_a_title_without_a_translation_is_said_as_written(client, settings, db):
    """No Spanish title: the Spanish welcome says the original title, the rest in Spanish."""
    make_candidate(db, make_interview(db, make_org(db), title="Line cook", **SPANISH))
    db.commit()
    twilio = TwilioActions(client, settings)
    assert said(start(twilio, "es")).startswith(
        "Bienvenido a su entrevista telefónica para Line cook."
    )


@pytest.mark.parametrize(
    ("language", "length"), [("en", "It takes about {} minutes."), ("es", "Toma unos {} minutos.")]
)
def test_the_welcome_says_how_long_the_call_takes_once(client, settings, db, language, length):
    """The welcome gives the same estimate as the invitation and the preview, once."""
    spoken = [{"prompt": f"Question {n}?", "max_seconds": 60} for n in range(5)]
    interview = make_interview(db, make_org(db), questions=spoken, **SPANISH)
    make_candidate(db, interview)
    db.commit()
    minutes = expected_minutes(interview)
    assert minutes == 11  # five spoken questions: the estimate, not its 5-minute floor
    twilio = TwilioActions(client, settings)
    consent = start(twilio, language)
    after = twilio.twiml(consent.find("Gather").get("action"), Digits="1")
    heard = said(consent) + " " + said(after)
    assert heard.count(length.format(minutes)) == 1
    assert heard.count(length.format(minutes)[:8]) == 1  # no other length said


@pytest.mark.parametrize(
    ("language", "offer"),
    [
        ("en", "To hear about the job, press 0 while a question is being read."),
        (
            "es",
            "Para escuchar información sobre el trabajo, oprima 0 mientras se lee una pregunta.",
        ),
    ],
)
def test_the_job_details_offer_says_when_zero_works(client, settings, db, language, offer):
    """Zero is offered for while a question is read, which is when it works."""
    details = {"en-US": "Pay is nineteen dollars.", "es-MX": "El pago es de diecinueve dólares."}
    make_candidate(db, make_interview(db, make_org(db), job_details=details, **SPANISH))
    db.commit()
    twilio = TwilioActions(client, settings)
    consent = start(twilio, language)
    after = twilio.twiml(consent.find("Gather").get("action"), Digits="1")
    assert offer in said(after)
    question = twilio.twiml(after.find("Redirect").text)
    root = twilio.twiml(question.find("Gather").get("action"), Digits="0")
    assert details["en-US" if language == "en" else "es-MX"] in said(root)
