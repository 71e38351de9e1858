"""Goodbyes say "your answers so far are saved" only when an answer was kept: the no-input
goodbye, the step-limit goodbye and the end of an interview whose every question was left
empty, in English and Spanish, through the webhooks as Twilio posts them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ivr import flow
from ivr.phrases import ENGLISH, NOTHING_KEPT, PHRASES, say
from tests.factories import make_candidate, make_interview, make_org
from tests.ivr.test_views import answer_empty_until_moved_on, consent_and_reach_first_question
from tests.ivr.test_views import record as record_answer
from tests.ivr.twilio_actions import TwilioActions, said, verbs
from tests.ivr.walker import path_of, walk
from voice.models import Call

SAVED = ("saved", "guardad")  # how the phrases say it, English and Spanish


def claims_saved(text: str) -> bool:
    """Whether `text` tells the caller answers are saved."""
    return any(word in text.lower() for word in SAVED)


def silence_until_goodbye(twilio: TwilioActions, root, **fields):
    """Say nothing at the menu in `root` until the call ends; the goodbye's TwiML."""
    for _ in range(flow.MAX_MISSES):
        assert verbs(root) != ["Say", "Hangup"], said(root)
        root = twilio.twiml(root.find("Redirect").text, **fields)
    assert verbs(root) == ["Say", "Hangup"]
    return root


@pytest.mark.parametrize("language", ["en", "es"])
def test_silence_on_a_call_me_now_call_before_any_answer_claims_nothing_saved(
    client, settings, db, language
):
    """A "call me now" call (the candidate known from the start) that hears only silence
    at consent ends with the plain goodbye inviting a call back, not "answers saved"."""
    interview = make_interview(
        db, make_org(db), languages=["es-MX", "en-US"] if language == "es" else ["en-US"]
    )
    candidate = make_candidate(db, interview)
    db.commit()
    outbound = {"Direction": "outbound-api", "CallStatus": "in-progress"}
    twilio = TwilioActions(client, settings, to=candidate.phone, from_=interview.phone_number)
    root = twilio.twiml(f"/ivr/voice?candidate={candidate.id}", **outbound)
    if root.find("Gather").get("action").endswith("/ivr/language"):
        root = twilio.twiml(root.find("Gather").get("action"), Digits="1", **outbound)
    goodbye = silence_until_goodbye(twilio, root, **outbound)
    lang = "es" if language == "es" else None
    assert said(goodbye) == say(lang, "no_input_goodbye_nothing_kept")
    assert not claims_saved(said(goodbye))
    call = db.scalar(select(Call).where(Call.call_sid == twilio.call_sid))
    assert call.candidate_id == candidate.id and call.outcome == "no input"


def test_silence_at_consent_from_an_unknown_caller_claims_nothing_saved(twilio, candidate):
    """Silence at the consent question (no one identified yet): the plain goodbye."""
    goodbye = silence_until_goodbye(twilio, twilio.twiml("/ivr/voice", CallStatus="ringing"))
    assert said(goodbye) == ENGLISH["no_input_goodbye_nothing_kept"]


def test_silence_after_an_answer_was_kept_says_the_answers_are_saved(
    client, settings, db, candidate
):
    """A caller who answered question 1 on an earlier call and is silent at the resume
    menu hears that their answers so far are saved."""
    first = TwilioActions(client, settings)
    record_answer(first, consent_and_reach_first_question(first), "RE" + "1" * 32, Digits="hangup")
    second = TwilioActions(client, settings)
    second.twiml("/ivr/voice", CallStatus="ringing")
    menu = second.twiml("/ivr/consent", Digits="1")
    assert "answered 1 of 2 questions" in said(menu)
    goodbye = silence_until_goodbye(second, menu)
    assert said(goodbye) == ENGLISH["no_input_goodbye"]


class AnswerOnceThenRepeat:
    """Answers the first question (a long recording, kept), then presses star (repeat) at
    every question after it, for ever; 1 at every other menu."""

    def __init__(self) -> None:
        self.answered = False

    def keys(self, url: str) -> str | None:
        """Silence at the first question's keys, star at the later ones, 1 elsewhere."""
        if path_of(url) == "/ivr/question/key":
            return "*" if self.answered else None
        return "1"

    def record(self, url: str) -> str:
        """A long answer (only the first question is recorded)."""
        self.answered = True
        return "long"


class RepeatForEver(AnswerOnceThenRepeat):
    """Presses star at every question from the first: nothing is ever answered."""

    def __init__(self) -> None:
        self.answered = True


@pytest.mark.parametrize(
    ("policy", "phrase"),
    [(RepeatForEver, "step_limit_nothing_kept"), (AnswerOnceThenRepeat, "step_limit")],
)
def test_the_step_limit_goodbye_says_saved_only_when_an_answer_was_kept(
    client, settings, db, policy, phrase
):
    """A caller who repeats a question for ever hears the step-limit goodbye: "answers so
    far are saved" after one was kept, the plain invitation to call again otherwise."""
    interview = make_interview(db, make_org(db))
    make_candidate(db, interview)
    db.commit()
    result = walk(TwilioActions(client, settings), policy(), flow.step_limit(interview) + 2)
    assert result.ended == "hangup"
    assert said(result.last) == ENGLISH[phrase]
    assert db.scalar(select(Call)).outcome == "step limit"


def test_every_question_left_empty_ends_without_saying_other_answers_are_saved(
    twilio, db, candidate
):
    """Both questions answered empty three times: the caller is told no answer was taken
    and to call again, not that "your other answers are saved"."""
    q1 = consent_and_reach_first_question(twilio)
    q2 = twilio.twiml(answer_empty_until_moved_on(twilio, q1, "c").find("Redirect").text)
    end = answer_empty_until_moved_on(twilio, q2, "d")
    assert said(end) == f"{ENGLISH['unanswered_all']} {ENGLISH['goodbye']}"
    assert not claims_saved(said(end))


def test_every_goodbye_claiming_answers_saved_has_a_plain_twin():
    """In every language, a phrase that says answers are saved is one said only once an
    answer is kept (kept, thanks, unanswered: script.closing checks), or a goodbye with a
    twin in NOTHING_KEPT that claims nothing; no apology claims it."""
    said_only_when_true = {"kept", "thanks", "unanswered", "unanswered_one"}
    for language, phrases in PHRASES.items():
        claiming = {name for name, text in phrases.items() if claims_saved(text)}
        assert claiming <= said_only_when_true | set(NOTHING_KEPT), (language, claiming)
        for name, twin in NOTHING_KEPT.items():
            assert claims_saved(phrases[name]) and not claims_saved(phrases[twin]), language
        assert not claims_saved(phrases["internal_error"]), language
