"""Who is calling: the outbound call's candidate, caller ID or a PIN; then resume or start."""

from __future__ import annotations

from functools import partial

from flask import Response, g, request

from ivr import flow, lockout, script, twiml
from ivr.phrases import say
from ivr.services import db, services
from ivr.views.common import (
    choose,
    current_call,
    hang_up,
    identified_call,
    ivr,
    language_of,
    out_of_turn,
    present,
    pressed,
    public_url,
    reprompt,
    voice_for,
    words,
)
from ivr.views.questions import next_question
from ivr.views.webhook import webhook
from voice.models import Call, Candidate, CandidateStatus
from voice.pins import PIN_DIGITS


def known_candidate(call: Call) -> Candidate | None:
    """The candidate this call is known to be for without a PIN: the one an outbound
    ("call me now") call dialled, else the one the caller ID finds (flow.
    candidate_by_caller_id: None when withheld or shared); None when neither knows."""
    return call.candidate or flow.candidate_by_caller_id(
        db(), call.interview, request.form.get("From", "")
    )


def identify(call: Call) -> Response:
    """Outbound calls know the candidate; inbound ones use caller ID, then the PIN."""
    candidate = known_candidate(call)
    if candidate is not None:
        return welcome(call, candidate)
    return pin_prompt(call, lead=[])


def already_done(call: Call, candidate: Candidate) -> Response:
    """Tell a finished candidate (completed or screened out) that they have finished, and
    hang up; the call is theirs, with the outcome "already done".

    Said before consent when the caller is known without a PIN (ivr.views.start.greet),
    so no consent is asked for a call that records nothing; after the PIN otherwise.
    """
    call.candidate = candidate
    texts = script.already_done(call.interview, language_of(call))
    return hang_up(call, *texts, outcome="already done")


def guess_key(call: Call) -> str:
    """The PIN lockout's key for this call: (interview, real caller ID), or "" if withheld.

    A withheld caller ID is shared by strangers, so its wrong PINs count per call only
    (call.pin_attempts) and can never lock out the next caller who shares it.
    """
    caller = request.form.get("From", "")
    return lockout.pin_key(call.interview_id, caller, flow.is_withheld(caller))


def pin_prompt(call: Call, lead: list[str]) -> Response:
    """Ask for the PIN, unless this number is locked out of this interview after wrong ones."""
    if lockout.PIN_GUESSES.is_locked(services().redis, guess_key(call)):
        return hang_up(call, words(call, "locked_out"), outcome="locked out")
    url = public_url("ivr.pin")
    document = twiml.menu(
        voice_for(call),
        [*lead, *script.ask_pin(call.language)],
        url,
        url,
        num_digits=PIN_DIGITS,
        timeout=twiml.GATHER_TIMEOUT + 4,
    )
    return present(call, "pin", document)


@ivr.post("/pin")
@webhook
def pin():
    """Check the PIN; three wrong ones end the call, and repeated ones lock a real number out.

    An empty entry (pound alone) is not a wrong PIN: it is said so and asked again, and
    counts as a miss (flow.MAX_MISSES), never against the PIN tries or the lockout.
    """
    call = current_call()
    if call is None or call.interview is None:
        return hang_up(call, say(None, "unknown_number"))
    if not call.consented:  # a PIN before consent: out of turn, not an unknown number
        return out_of_turn()
    if call.candidate is not None:  # the PIN already matched (a late duplicate request)
        return welcome(call, call.candidate)
    keys = pressed()
    if keys is None:
        return reprompt(call, keys, lambda lead: pin_prompt(call, lead))
    if not keys:
        # Pound alone (Digits="", FinishedOnKey="#"): no PIN was entered. That is a miss,
        # like silence, not a guess: neither the call's tries nor the lockout count it.
        return reprompt(
            call, keys, lambda lead: pin_prompt(call, lead), wrong=words(call, "no_pin")
        )
    candidate = flow.candidate_by_pin(db(), call.interview, keys)
    if candidate is None:
        call.pin_attempts += 1
        if "ivr_pin_failures" not in g:  # counted once, even when a locked database reruns this
            key = guess_key(call)
            g.ivr_pin_failures = lockout.PIN_GUESSES.record_failure(services().redis, key)
        failures = g.ivr_pin_failures
        if failures >= lockout.PIN_GUESSES.limit:
            return hang_up(call, words(call, "locked_out"), outcome="locked out")
        if call.pin_attempts >= flow.MAX_PIN_TRIES:
            return hang_up(call, words(call, "pin_failed"), outcome="wrong PIN")
        return pin_prompt(call, lead=[words(call, "wrong_pin")])
    return welcome(call, candidate)


def welcome(call: Call, candidate: Candidate) -> Response:
    """Greet the candidate; offer to resume an unfinished interview."""
    if candidate.status in CandidateStatus.FINISHED:
        return already_done(call, candidate)
    flow.begin_interview(call, candidate)
    hello = words(call, "hello", name=candidate.name.split()[0])
    done = flow.answered_question_ids(db(), candidate)  # read once for this request
    if done:
        return resume_menu(call, lead=[hello], done=done)
    return introduce(call, lead=[hello], done=done)


def resume_menu(call: Call, lead: list[str], done: set[int] | None = None) -> Response:
    """How many questions are answered; 1 continues, 2 starts over.

    `done` is the answered question ids when the caller has just read them.
    """
    if done is None:
        done = flow.answered_question_ids(db(), call.candidate)
    total = len(call.interview.questions)
    url = public_url("ivr.resume")
    texts = [*lead, words(call, "resume", done=len(done), total=total)]
    return present(call, "resume", twiml.menu(voice_for(call), texts, url, url))


@ivr.post("/resume")
@webhook
def resume():
    """1 continues at the first unanswered question; 2 starts over."""
    call = identified_call()
    if call is None:
        return out_of_turn()

    def start_over() -> Response:
        flow.start_over(db(), call.candidate)
        return introduce(call, lead=[], done=set())

    options = {"1": partial(next_question, call), "2": start_over}
    return choose(call, options, partial(resume_menu, call))


def introduce(call: Call, lead: list[str], done: set[int] | None = None) -> Response:
    """How it works, then the practice question (if any) or the first question.

    `done` (answered question ids, when just read) saves next_question a query.
    """
    texts = [*lead, *script.how_it_works(call.interview, call.language)]
    if call.interview.practice:
        document = twiml.redirect(voice_for(call), public_url("ivr.practice"), *texts)
        return present(call, "practice", document)
    return next_question(call, lead=texts, done=done)
