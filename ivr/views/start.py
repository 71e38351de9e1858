"""The call starts: find the interview, offer the languages, ask for recording consent."""

from __future__ import annotations

from functools import partial

from flask import Response, request

from config.metrics import FIRST_WEBHOOKS
from ivr import calls, first_reply, flow, script, twiml
from ivr.first_reply import FirstRequest, Opening, Openings
from ivr.phrases import say
from ivr.services import db, services
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
from ivr.views.webhook import IDEMPOTENCY_HEADER, webhook, xml
from voice.models import Call, Candidate, CandidateStatus
from voice.phones import is_e164


def first_reply_at_once() -> Response | None:
    """A new inbound call's first reply in one statement (ivr/first_reply.py), or None to
    answer it the usual way (`incoming_call`).

    Only a plain inbound call can be answered so: an outbound one (Direction
    outbound-api, AnsweredBy, ?candidate=) runs the usual way, as does every call on
    SQLite, the first call to a number this process has not rendered yet (rendered here
    for the next ones), a closed interview, a CallSid already known and a finished
    candidate's caller ID (open_call says which). An error here (PostgreSQL down, say)
    is the webhook guard's: it logs it and the usual way runs, with its own retries; the
    statement, its own transaction, wrote nothing.
    """
    openings = services().openings
    form = request.form
    if openings is None or request.args or form.get("Direction") != "inbound":
        return None
    call_sid, number = form.get("CallSid", ""), form.get("To", "")
    if not call_sid or not number or "AnsweredBy" in form:
        return None
    opening = openings.get(number)
    if opening is None:
        render_opening(openings, number)
        return in_full()
    now = flow.now()
    if opening.is_closed(now):
        return in_full()
    caller = form.get("From", "")
    token = request.headers.get(IDEMPOTENCY_HEADER, "")
    first = FirstRequest(
        call_sid=call_sid,
        number=number,
        caller=None if flow.is_withheld(caller) or not is_e164(caller) else caller,
        from_number=caller,
        status=form.get("CallStatus") or "ringing",
        request_token=calls.request_digest(token) if token else None,
        now=now,
    )
    opened = first_reply.open_call(openings, opening, first)
    if opened is False:
        openings.drop(number, opening)
    if not opened:
        return in_full()
    FIRST_WEBHOOKS.labels("one_statement").inc()
    return xml(opening.reply)


def in_full() -> None:
    """Count a plain inbound call's first webhook left to the views; None, for them."""
    FIRST_WEBHOOKS.labels("in_full").inc()


def render_opening(openings: Openings, number: str) -> None:
    """Render the first reply to calls to `number` with the views below, on a call row
    that is never saved, and keep it in `openings` with the version it was read at.

    A multi-language interview's first reply is its language menu; otherwise the greeting
    and consent question in its language (the caller ID is then looked up as `greet`
    does). Nothing is kept when no interview answers `number`.
    """
    session = db()
    version = first_reply.current_version(session.connection(), number)
    interview = calls.interview_for_number(session, number)
    if version is None or interview is None or interview.id != version.interview_id:
        return
    call = Call(direction="inbound")
    calls.column_defaults(call)
    call.interview = interview
    languages = interview.offered_languages()
    if len(languages) > 1:
        response = language_menu(call, lead=[])
    else:
        call.language = languages[0]
        response = consent_prompt(call, lead=[])
    opening = Opening(
        version=version,
        reply=response.get_data(as_text=True),
        columns=first_reply.call_columns(call),
        deadline=interview.deadline,
        lookup_caller=len(languages) == 1,
    )
    openings.keep(number, opening)


@ivr.post("/voice")
@webhook(shortcut=first_reply_at_once)
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
