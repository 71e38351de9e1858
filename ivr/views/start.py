"""The call starts: find the interview, offer the languages, ask for recording consent."""

from __future__ import annotations

from functools import partial

from flask import Response, request

from ivr import calls, flow, script, twiml
from ivr.phrases import say
from ivr.services import db
from ivr.views.common import (
    choose,
    current_call,
    hang_up,
    ivr,
    language_of,
    present,
    public_url,
    query_int,
    voice_for,
    words,
)
from ivr.views.identify import already_done, identify, known_candidate
from ivr.views.webhook import webhook
from voice.models import Call, Candidate, CandidateStatus


@ivr.post("/voice")
@webhook
def incoming_call():
    """A call starts: find the interview (and, on an outbound call, the candidate)."""
    call = current_call()
    if call is None or call.interview is None:
        return hang_up(call, say(None, "unknown_number"), outcome="unknown number")
    interview = call.interview
    if dialled := query_int("candidate"):
        calls.dialled(call, db().get(Candidate, dialled))  # "call me now": we dialled them
    answered_by = request.form.get("AnsweredBy", "")
    if answered_by in flow.MACHINE_ANSWERS:
        return voicemail(call)
    if answered_by == flow.FAX:
        return hang_up(call, outcome=flow.FAX)
    if interview.is_closed(flow.now()):
        return hang_up(call, *script.closed(interview, language_of(call)), outcome="closed")
    languages = interview.offered_languages()
    if len(languages) > 1 and not call.language:
        return language_menu(call, lead=[])
    call.language = call.language or languages[0]
    return greet(call)


def voicemail(call: Call) -> Response:
    """An answering machine took a "call me now" call: leave who called and the number.

    Twilio's answering machine detection (MachineDetection=DetectMessageEnd, asked for by
    ivr.outbound) fetches this URL after the greeting's beep with AnsweredBy=machine_end_*
    (twilio.com/docs/voice/answering-machine-detection), so the message lands in the
    mailbox. Never the PIN, never the consent prompt; the call's outcome is "voicemail".
    """
    language = call.language or call.interview.language
    return hang_up(call, *script.voicemail(call.interview, language), outcome=flow.VOICEMAIL)


def language_menu(call: Call, lead: list[str]) -> Response:
    """Each offered language's option, spoken in its own voice."""
    interview = call.interview
    options = [
        (twiml.Voice(interview.text("voice", language), language), text)
        for language, text in script.language_options(interview)
    ]
    url = public_url("ivr.language")
    document = twiml.menu(
        twiml.Voice(interview.voice, interview.language), lead, url, url, voices=options
    )
    return present(call, "language", document)


@ivr.post("/language")
@webhook
def language():
    """The caller picks a language by its menu number."""
    call = current_call()
    if call is None or call.interview is None:
        return hang_up(call, say(None, "unknown_number"))

    def pick(language: str) -> Response:
        call.language = language
        return greet(call)

    languages = call.interview.offered_languages()
    options = {str(n): partial(pick, lang) for n, lang in enumerate(languages, start=1)}
    return choose(call, options, partial(language_menu, call), english=True)


def greet(call: Call) -> Response:
    """The greeting and consent question, once the call's language is known; a caller
    known without a PIN (the candidate dialled, or found by caller ID) who has already
    finished is told so instead and the call ends, as a closed interview's does: nothing
    is recorded on such a call, so no consent is asked or kept."""
    candidate = known_candidate(call)
    if candidate is not None and candidate.status in CandidateStatus.FINISHED:
        return already_done(call, candidate)
    return consent_prompt(call, lead=[])


def consent_prompt(call: Call, lead: list[str]) -> Response:
    """The greeting (on first asking) and the consent question.

    On first asking, the words spoken and their language become the call's consent
    record (until a key is pressed; the key and its time are kept by `consent`).
    """
    first = call.prompt != "consent" or not call.misses
    if first:
        asked = script.consent_request(call.interview, call.language)
        if call.consent_at is None:
            call.consent_text, call.consent_language = script.spoken(asked), call.language
    else:
        asked = script.consent(call.language)
    url = public_url("ivr.consent")
    texts = [*lead, *asked]
    return present(call, "consent", twiml.menu(voice_for(call), texts, url, url))


@ivr.post("/consent")
@webhook
def consent():
    """1 agrees to recording, 2 declines (nothing is recorded)."""
    call = current_call()
    if call is None or call.interview is None:
        return hang_up(call, say(None, "unknown_number"))

    def answered(key: str) -> None:
        # The first press is the record: a redelivered request keeps its time and key.
        if call.consent_at is None:
            call.consent_key, call.consent_at = key, flow.now()

    def agree() -> Response:
        answered("1")
        call.consented = True
        return identify(call)

    def decline() -> Response:
        answered("2")
        return hang_up(call, words(call, "declined"), outcome="no consent")

    return choose(call, {"1": agree, "2": decline}, partial(consent_prompt, call))
