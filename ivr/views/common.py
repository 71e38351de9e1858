"""What every IVR view shares: the blueprint, this request's call, and how to answer it.

Views read the call's state from its row (never from URL query strings), decide, and
return one TwiML document through `present` (a prompt, counted against the call's step
limit), `reprompt` (no input or a wrong key) or `hang_up`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint, Response, request, url_for
from redis.exceptions import RedisError

from ivr import calls, flow, twiml
from ivr.fields import seconds
from ivr.jobs import JobRef
from ivr.phrases import NOTHING_KEPT, say, spoken_keys
from ivr.services import db, services
from ivr.views.webhook import after_commit, remember_call, xml
from voice.models import Call, Question

log = logging.getLogger(__name__)

ivr = Blueprint("ivr", __name__, url_prefix="/ivr")


def public_url(endpoint: str, **params) -> str:
    """Absolute URL Twilio will request (and sign) for `endpoint`."""
    return services().settings.public_url + url_for(endpoint, **params)


def query_int(name: str) -> int:
    """A whole-number query parameter (checked by ivr/fields.py), 0 when absent."""
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() else 0


def form_seconds(name: str) -> int | None:
    """A duration form field in whole seconds; None when unknown (missing, -1, not a number).

    See ivr.fields.seconds: an unknown duration is never read as zero.
    """
    return seconds(request.form.get(name))


def pressed() -> str | None:
    """The keys pressed, or None when this request is a no-input fallback."""
    return request.form.get("Digits") if "Digits" in request.form else None


def enqueue_after_commit(job: JobRef, *args, job_id: str | None = None, delay: int = 0) -> None:
    """Queue `job` once the webhook commits; if Redis is down, log it (the sweep catches up)."""

    def enqueue() -> None:
        try:
            services().enqueue(job, *args, job_id=job_id, delay=delay)
        except RedisError:
            log.exception("could not queue %s%r; the sweep will pick it up", job.name, args)

    after_commit(enqueue)


# --- the call ---------------------------------------------------------------------------


def current_call() -> Call | None:
    """The Call for this request's CallSid, with its interview; None for a malformed request."""
    call_sid = request.form.get("CallSid", "")
    if not call_sid:
        return None
    number = request.form.get("To", "")
    if request.form.get("Direction", "").startswith("outbound"):
        number = request.form.get("From", "")
    call = calls.open_call(db(), call_sid, request.form.to_dict(), number=number)
    remember_call(call)
    return call


def identified_call() -> Call | None:
    """The call, if the caller agreed to recording and is identified.

    A candidate whose erasure began (voice/erasure.py) is no longer identified: a call
    under way then ends at its next step, and nothing more is recorded for them.
    """
    call = current_call()
    if call is None or call.interview is None or call.candidate is None or not call.consented:
        return None
    if call.candidate.erasure_requested_at is not None:
        return None
    return call


def identified_question() -> tuple[Call, Question] | None:
    """The identified call and the question named by `?q=`, if it is this interview's."""
    call = identified_call()
    if call is None:
        return None
    question = db().get(Question, query_int("q"))
    if question is None or question.interview_id != call.candidate.interview_id:
        return None
    return call, question


def language_of(call: Call | None) -> str | None:
    """The call's language: chosen, else the interview's, else None (English)."""
    if call is None:
        return None
    if call.language is None and call.interview is not None:
        return call.interview.language
    return call.language


def voice_for(call: Call) -> twiml.Voice:
    """The interview's voice in the call's language, slower if the candidate needs it."""
    interview, language = call.interview, call.language or call.interview.language
    slow = bool(call.candidate and call.candidate.slow_speech)
    return twiml.Voice(interview.text("voice", language), language, slow)


def words(call: Call | None, phrase: str, /, **values) -> str:
    """A phrase in the call's language."""
    return say(language_of(call), phrase, **values)


def goodbye(call: Call, phrase: str) -> str:
    """A goodbye that says the caller's answers so far are saved (`phrase`, one of
    ivr.phrases.NOTHING_KEPT) when the candidate has at least one answer kept, from this
    call or an earlier one; otherwise its plain twin, which invites them to call again."""
    candidate = call.candidate
    kept = candidate is not None and bool(flow.answered_question_ids(db(), candidate))
    return words(call, phrase if kept else NOTHING_KEPT[phrase])


# --- answering ------------------------------------------------------------------------------


def hang_up(call: Call | None, *texts: str, outcome: str | None = None) -> Response:
    """Say the texts and hang up, noting the call's outcome if none is noted yet."""
    if call is not None and outcome and not call.outcome:
        call.outcome = outcome
    voice = voice_for(call) if call is not None and call.interview else twiml.Voice()
    return xml(twiml.goodbye(voice, *texts))


def out_of_turn() -> Response:
    """The reply to a step that does not fit the call's state (a question before consent)."""
    return hang_up(None, say(None, "internal_error"))


def present(call: Call, prompt: str, document: str) -> Response:
    """Serve one prompt (`document`, TwiML) at `prompt`; past the step limit, a goodbye.

    `prompt` names where the caller now is ("consent", "question:12"): the counters of
    misses and empty answers start again when it changes (see flow.enter_prompt).
    """
    if not flow.enter_prompt(call, prompt):
        log.warning("call %s reached its step limit at %s", call.call_sid, prompt)
        return hang_up(call, goodbye(call, "step_limit"), outcome="step limit")
    return xml(document)


def reprompt(
    call: Call,
    keys: str | None,
    ask: Callable[[list[str]], Response],
    *,
    wrong: str | None = None,
    english: bool = False,
) -> Response:
    """No input or a wrong key: say so and `ask` again, until the last miss says goodbye.

    `ask(lead)` re-presents the prompt after the lead; `wrong` replaces the "not one of
    the choices" sentence, which names the keys as words (phrases.spoken_keys: "pound",
    not "#"; Digits="" with FinishedOnKey="#" is the pound key alone); `english` speaks
    the lead in English (the language menu, before the caller has chosen).
    """
    call.misses += 1
    if call.misses >= flow.MAX_MISSES:
        return hang_up(call, goodbye(call, "no_input_goodbye"), outcome="no input")
    lang = None if english else language_of(call)
    # Pound alone leaves Digits empty; FinishedOnKey names the key that was pressed.
    shown = keys or request.form.get("FinishedOnKey", "") if keys is not None else ""
    if keys is not None and wrong:
        lead = wrong
    elif shown:
        lead = say(lang, "wrong_key", key=spoken_keys(lang, shown))
    else:
        lead = say(lang, "no_input")
    return ask([lead])


def choose(
    call: Call,
    options: dict[str, Callable[[], Response]],
    ask: Callable[[list[str]], Response],
    *,
    english: bool = False,
) -> Response:
    """A menu's answer: run the option for the key pressed, or `reprompt` for any other.

    `options` maps a key ("1") to what it does; `ask` and `english` are reprompt's.
    """
    keys = pressed()
    chosen = options.get(keys) if keys is not None else None
    if chosen is not None:
        return chosen()
    return reprompt(call, keys, ask, english=english)
