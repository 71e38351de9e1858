"""The IVR webhooks: parse Twilio's form, persist, enqueue, answer with TwiML.

Every route checks Twilio's signature (403 otherwise). A caller never hears Twilio's
"application error": anything unexpected is logged, the transaction rolled back, and
the caller told, in words, that their answers so far are saved.
"""

from __future__ import annotations

import logging
from functools import wraps

from flask import Blueprint, Response, request, url_for
from redis.exceptions import RedisError

from ivr import flow, phrases, twiml
from ivr.jobs import FETCH_RECORDING
from ivr.services import db, services
from ivr.signature import twilio_signed
from voice.models import Call, Interview, Question

log = logging.getLogger(__name__)

ivr = Blueprint("ivr", __name__, url_prefix="/ivr")


def xml(document: str) -> Response:
    return Response(document, mimetype="text/xml")


def no_content() -> Response:
    return Response(status=204)


def webhook(view):
    """Signed, and an error becomes a spoken apology rather than an HTTP 500."""

    @twilio_signed
    @wraps(view)
    def guarded(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except Exception:
            log.exception(
                "IVR step %s failed for call %s", request.path, request.form.get("CallSid")
            )
            db().rollback()
            return xml(twiml.spoken_goodbye(phrases.INTERNAL_ERROR))

    return guarded


def public_url(endpoint: str, **params) -> str:
    """Absolute URL Twilio will request (and sign) for `endpoint`."""
    return services().settings.public_url + url_for(endpoint, **params)


def voice_of(interview: Interview) -> twiml.Voice:
    return twiml.Voice(interview.voice or "Polly.Joanna", interview.language or "en-US")


def current_call() -> Call | None:
    """The Call for this request's CallSid, with its interview; None for a malformed request."""
    call_sid = request.form.get("CallSid", "")
    if not call_sid:
        return None
    session = db()
    call = flow.open_call(session, call_sid, request.form.to_dict())
    if call.interview is None:
        call.interview = flow.interview_for_number(session, request.form.get("To", ""))
    return call


def hang_up(text: str, interview: Interview | None = None) -> Response:
    voice = voice_of(interview) if interview else twiml.Voice()
    return xml(twiml.spoken_goodbye(text, voice))


# --- the call, in order ---------------------------------------------------------------


@ivr.post("/voice")
@webhook
def incoming_call():
    """A call arrives: find the interview by the number dialled, ask for consent."""
    call = current_call()
    if call is None or call.interview is None:
        if call is not None:
            call.outcome = "unknown number"
            db().commit()
        return hang_up(phrases.UNKNOWN_NUMBER)
    interview = call.interview
    db().commit()
    return xml(
        twiml.consent(
            voice_of(interview),
            action=public_url("ivr.consent"),
            fallback=public_url("ivr.consent_missed", n=1),
            lead=phrases.WELCOME.format(title=interview.title),
            intro=interview.intro,
        )
    )


@ivr.post("/consent/missed")
@webhook
def consent_missed():
    """No key was pressed at the consent question: ask again, then give up politely."""
    call = current_call()
    if call is None or call.interview is None:
        return hang_up(phrases.UNKNOWN_NUMBER)
    misses = _count(request.args.get("n"))
    if misses >= flow.MAX_NO_INPUT:
        call.outcome = "no input"
        db().commit()
        return hang_up(phrases.NO_INPUT_GOODBYE, call.interview)
    db().commit()
    return xml(
        twiml.consent(
            voice_of(call.interview),
            action=public_url("ivr.consent"),
            fallback=public_url("ivr.consent_missed", n=misses + 1),
            lead=phrases.CONSENT_NO_INPUT,
        )
    )


@ivr.post("/consent")
@webhook
def consent():
    """1 agrees to recording, 2 declines; then identify the candidate."""
    call = current_call()
    if call is None or call.interview is None:
        return hang_up(phrases.UNKNOWN_NUMBER)
    interview = call.interview
    digits = request.form.get("Digits", "")
    if digits == "2":
        call.outcome = "no consent"
        db().commit()
        return hang_up(phrases.DECLINED, interview)
    if digits != "1":
        db().commit()
        return xml(
            twiml.consent(
                voice_of(interview),
                action=public_url("ivr.consent"),
                fallback=public_url("ivr.consent_missed", n=1),
                lead=phrases.WRONG_KEY,
            )
        )
    call.consented = True
    candidate = call.candidate or flow.candidate_by_caller_id(
        db(), interview, request.form.get("From", "")
    )
    if candidate is None:
        db().commit()
        return xml(
            twiml.ask_pin(
                voice_of(interview),
                action=public_url("ivr.pin"),
                fallback=public_url("ivr.pin_missed", n=1),
            )
        )
    return _start(
        call,
        lead=phrases.HELLO_CANDIDATE.format(name=candidate.name.split()[0]),
        candidate=candidate,
    )


@ivr.post("/pin/missed")
@webhook
def pin_missed():
    """No PIN was entered: ask again, then give up politely."""
    call = current_call()
    if call is None or call.interview is None or not call.consented:
        return hang_up(phrases.UNKNOWN_NUMBER)
    misses = _count(request.args.get("n"))
    if misses >= flow.MAX_NO_INPUT:
        call.outcome = "no input"
        db().commit()
        return hang_up(phrases.NO_INPUT_GOODBYE, call.interview)
    db().commit()
    return xml(
        twiml.ask_pin(
            voice_of(call.interview),
            action=public_url("ivr.pin"),
            fallback=public_url("ivr.pin_missed", n=misses + 1),
            lead=phrases.CONSENT_NO_INPUT,
        )
    )


@ivr.post("/pin")
@webhook
def pin():
    """Check the PIN; three wrong ones end the call."""
    call = current_call()
    if call is None or call.interview is None or not call.consented:
        return hang_up(phrases.UNKNOWN_NUMBER)
    interview = call.interview
    if call.candidate is not None:  # a retried request after a PIN already matched
        return _start(call)
    candidate = flow.candidate_by_pin(db(), interview, request.form.get("Digits", ""))
    if candidate is None:
        call.pin_attempts += 1
        if call.pin_attempts >= flow.MAX_PIN_TRIES:
            call.outcome = "wrong PIN"
            db().commit()
            return hang_up(phrases.PIN_FAILED, interview)
        db().commit()
        return xml(
            twiml.ask_pin(
                voice_of(interview),
                action=public_url("ivr.pin"),
                fallback=public_url("ivr.pin_missed", n=1),
                lead=phrases.WRONG_PIN,
            )
        )
    return _start(
        call,
        lead=phrases.HELLO_CANDIDATE.format(name=candidate.name.split()[0]),
        candidate=candidate,
    )


def _start(call: Call, lead: str = "", candidate=None) -> Response:
    """Begin (or continue) the questions for the identified candidate."""
    candidate = candidate or call.candidate
    flow.begin_interview(call, candidate)
    question = flow.next_question(db(), candidate)
    if question is None:
        flow.finish_interview(candidate, call)
        db().commit()
        return hang_up(phrases.ALREADY_DONE, call.interview)
    db().commit()
    count = len(call.interview.questions)
    how = phrases.HOW_IT_WORKS.format(count=count)
    if count == 1:
        how = how.replace("There are 1 questions", "There is one question")
    return xml(
        twiml.redirect(
            voice_of(call.interview),
            public_url("ivr.question", q=question.id),
            lead=f"{lead} {how}".strip(),
        )
    )


def _identified_call() -> tuple[Call, Question] | None:
    """The call and question for a question step, if the caller is identified."""
    call = current_call()
    if call is None or call.candidate is None or not call.consented:
        return None
    question = db().get(Question, _count(request.args.get("q")))
    if question is None or question.interview_id != call.candidate.interview_id:
        return None
    return call, question


@ivr.post("/question")
@webhook
def question():
    """Read one question and record the answer."""
    found = _identified_call()
    if found is None:
        return hang_up(phrases.INTERNAL_ERROR)
    call, question = found
    empties = _count(request.args.get("empty"))
    number, total = flow.question_number(question)
    db().commit()
    lead = (
        phrases.NO_ANSWER_HEARD if empties else phrases.QUESTION.format(number=number, total=total)
    )
    return xml(
        twiml.ask_question(
            voice_of(call.interview),
            lead=lead,
            prompt=question.prompt,
            max_seconds=question.max_seconds,
            action=public_url("ivr.answer", q=question.id, empty=empties),
            recording_callback=public_url("ivr.recording", q=question.id),
            fallback=public_url("ivr.no_answer", q=question.id, empty=empties),
        )
    )


@ivr.post("/answer")
@webhook
def answer():
    """Twilio finished a <Record>: keep the attempt, then ask the next question."""
    found = _identified_call()
    if found is None:
        return hang_up(phrases.INTERNAL_ERROR)
    call, question = found
    candidate = call.candidate
    recording_sid = request.form.get("RecordingSid", "")
    duration = _count(request.form.get("RecordingDuration"))
    hung_up = request.form.get("Digits") == "hangup"
    if recording_sid and (duration > 0 or hung_up):
        flow.store_answer(
            db(),
            call,
            candidate,
            question,
            recording_sid,
            request.form.get("RecordingUrl", ""),
            duration,
        )
    if hung_up:
        # Twilio ignores this reply; the answer is kept and the candidate stays in progress.
        db().commit()
        return xml(twiml.empty())
    if not recording_sid or duration == 0:
        db().commit()
        return _no_answer(call, question)
    return _after_answer(call)


@ivr.post("/no-answer")
@webhook
def no_answer():
    """Twilio kept no recording and skipped the action: ask the same question again."""
    found = _identified_call()
    if found is None:
        return hang_up(phrases.INTERNAL_ERROR)
    call, question = found
    return _no_answer(call, question)


def _no_answer(call: Call, question: Question) -> Response:
    empties = _count(request.args.get("empty")) + 1
    if empties > flow.MAX_EMPTY_ANSWERS:
        return _after_answer(call, skipped=question)
    db().commit()
    return xml(
        twiml.redirect(
            voice_of(call.interview), public_url("ivr.question", q=question.id, empty=empties)
        )
    )


def _after_answer(call: Call, skipped: Question | None = None) -> Response:
    candidate = call.candidate
    following = flow.next_question(db(), candidate)
    if skipped is not None and following is not None and following.id == skipped.id:
        following = _question_after(candidate, skipped)
    if following is None:
        if flow.next_question(db(), candidate) is None:
            flow.finish_interview(candidate, call)
        else:
            call.outcome = "skipped questions"
        db().commit()
        closing = " ".join(
            t for t in (phrases.THANKS, call.interview.closing, phrases.GOODBYE) if t
        )
        return hang_up(closing, call.interview)
    db().commit()
    lead = phrases.MOVING_ON if skipped is not None else ""
    return xml(
        twiml.redirect(
            voice_of(call.interview), public_url("ivr.question", q=following.id), lead=lead
        )
    )


def _question_after(candidate, skipped: Question) -> Question | None:
    done = flow.answered_question_ids(db(), candidate)
    later = [q for q in candidate.interview.questions if q.position > skipped.position]
    return next((q for q in later if q.id not in done), None)


# --- callbacks -------------------------------------------------------------------------


@ivr.post("/recording")
@twilio_signed
def recording():
    """Recording status callback: queue the download once the file exists (never here)."""
    form = request.form
    recording_sid, call_sid = form.get("RecordingSid", ""), form.get("CallSid", "")
    if not recording_sid or not call_sid:
        return Response("RecordingSid and CallSid are required", status=400)
    session = db()
    call = flow.find_call(session, call_sid)
    question = session.get(Question, _count(request.args.get("q")))
    if call is None or call.candidate is None or question is None:
        log.warning("recording %s for unknown call or question; ignored", recording_sid)
        return no_content()
    status = form.get("RecordingStatus", "")
    answer = flow.store_answer(
        session,
        call,
        call.candidate,
        question,
        recording_sid,
        form.get("RecordingUrl", ""),
        _optional_int(form.get("RecordingDuration")),
    )
    if status != "completed":
        flow.mark_no_audio(answer, form.get("ErrorCode", ""))
        session.commit()
        return no_content()
    queue_it = flow.mark_announced(answer)
    session.commit()
    if queue_it:
        try:
            services().enqueue(FETCH_RECORDING, answer.id)
        except RedisError:
            # The answer stays `announced`; the workers' periodic sweep queues it later.
            log.exception("could not queue recording %s; the sweep will pick it up", recording_sid)
    return no_content()


@ivr.post("/status")
@twilio_signed
def call_status():
    """Call status callback: record how the call ended."""
    form = request.form
    call_sid, status = form.get("CallSid", ""), form.get("CallStatus", "")
    if not call_sid or not status:
        return Response("CallSid and CallStatus are required", status=400)
    session = db()
    call = flow.open_call(session, call_sid, form.to_dict())
    if status in flow.FINAL_CALL_STATUSES:
        flow.call_ended(session, call, status, form.get("CallDuration"))
    session.commit()
    return no_content()


def _count(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() else 0


def _optional_int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None
