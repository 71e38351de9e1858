"""The IVR webhooks: parse Twilio's form, persist, enqueue, answer with TwiML.

The call, in order: language menu (when several are offered) -> consent -> who is
calling (the outbound call's candidate, caller ID, or PIN) -> resume or start over ->
practice (optional) -> each question (spoken: read, then <Record>, then keep or
retake; keypad: yes/no or a number, with knockout rules) -> closing.

Every route checks Twilio's signature (403 otherwise). Each menu's Gather and its
no-input fallback post to the same URL; a request without `Digits` is the fallback.
A caller never hears Twilio's "application error": anything unexpected is logged, the
transaction rolled back, and the caller told, in words, that their answers are saved.
"""

from __future__ import annotations

import logging
from functools import wraps

from flask import Blueprint, Response, request, url_for
from redis.exceptions import RedisError

from ivr import flow, lockout, twiml
from ivr.jobs import DELETE_TWILIO_RECORDING, FETCH_RECORDING, SEND_MESSAGE, fetch_job_id
from ivr.phrases import duration, say
from ivr.services import db, services
from ivr.signature import twilio_signed
from voice.messages import RECEIPT, queue_message, receipt_text
from voice.models import Call, Candidate, CandidateStatus, Question, QuestionKind

log = logging.getLogger(__name__)

ivr = Blueprint("ivr", __name__, url_prefix="/ivr")

MAX_MISSES = 3  # a prompt is asked three times in all, then a polite goodbye


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
            return xml(twiml.goodbye(twiml.Voice(), say(None, "internal_error")))

    return guarded


def public_url(endpoint: str, **params) -> str:
    """Absolute URL Twilio will request (and sign) for `endpoint`."""
    return services().settings.public_url + url_for(endpoint, **params)


def arg(name: str) -> int:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() else 0


def form_int(name: str) -> int | None:
    raw = request.form.get(name, "")
    return int(raw) if raw.isdigit() else None


def pressed() -> str | None:
    """The keys pressed, or None when this request is a no-input fallback."""
    return request.form.get("Digits") if "Digits" in request.form else None


# --- the call's state -----------------------------------------------------------------


def current_call() -> Call | None:
    """The Call for this request's CallSid, with its interview; None for a malformed request."""
    call_sid = request.form.get("CallSid", "")
    if not call_sid:
        return None
    session = db()
    call = flow.open_call(session, call_sid, request.form.to_dict())
    if call.interview is None:
        number = request.form.get("To", "")
        if request.form.get("Direction", "").startswith("outbound"):
            number = request.form.get("From", "")
        call.interview = flow.interview_for_number(session, number)
    return call


def voice_for(call: Call) -> twiml.Voice:
    """The interview's voice in the call's language, slower if the candidate needs it."""
    interview, language = call.interview, call.language or call.interview.language
    slow = bool(call.candidate and call.candidate.slow_speech)
    return twiml.Voice(interview.text("voice", language), language, slow)


def words(call: Call | None, phrase: str, /, **values) -> str:
    """A phrase in the call's language."""
    language = call.language if call else None
    if language is None and call is not None and call.interview is not None:
        language = call.interview.language
    return say(language, phrase, **values)


def hang_up(call: Call | None, *texts: str, outcome: str | None = None) -> Response:
    if call is not None and outcome and not call.outcome:
        call.outcome = outcome
    db().commit()
    voice = voice_for(call) if call is not None and call.interview else twiml.Voice()
    return xml(twiml.goodbye(voice, *texts))


def missed(call: Call, misses: int) -> Response | None:
    """After the last allowed miss, say goodbye; otherwise None (ask again)."""
    if misses >= MAX_MISSES:
        return hang_up(call, words(call, "no_input_goodbye"), outcome="no input")
    return None


# --- start: language and consent --------------------------------------------------------


@ivr.post("/voice")
@webhook
def incoming_call():
    """A call starts: find the interview (and, on an outbound call, the candidate)."""
    call = current_call()
    if call is None or call.interview is None:
        return hang_up(call, say(None, "unknown_number"), outcome="unknown number")
    interview = call.interview
    if interview.is_closed(flow.now()):
        deadline = interview.deadline.strftime("%B %-d")
        return hang_up(call, words(call, "closed", deadline=deadline), outcome="closed")
    outbound_candidate = db().get(Candidate, arg("candidate")) if arg("candidate") else None
    if outbound_candidate is not None and outbound_candidate.interview_id == interview.id:
        call.candidate = outbound_candidate  # "call me now": we dialled them
    languages = interview.offered_languages()
    if len(languages) > 1 and not call.language:
        return language_menu(call, misses=0, lead=[])
    call.language = call.language or languages[0]
    return consent_prompt(call, misses=0, lead=[words(call, "welcome", title=interview.title)])


def language_menu(call: Call, misses: int, lead: list[str]) -> Response:
    db().commit()
    interview = call.interview
    options = [
        (
            twiml.Voice(interview.text("voice", language), language),
            say(language, "language_option", key=index),
        )
        for index, language in enumerate(interview.offered_languages(), start=1)
    ]
    return xml(
        twiml.menu(
            twiml.Voice(interview.voice, interview.language),
            lead,
            action=public_url("ivr.language", miss=misses),
            fallback=public_url("ivr.language", miss=misses),
            voices=options,
        )
    )


@ivr.post("/language")
@webhook
def language():
    """The caller picks a language by its menu number."""
    call = current_call()
    if call is None or call.interview is None:
        return hang_up(call, say(None, "unknown_number"))
    misses, keys = arg("miss"), pressed()
    languages = call.interview.offered_languages()
    if keys is None or not keys.isdigit() or not 1 <= int(keys) <= len(languages):
        misses += 1
        if (goodbye := missed(call, misses)) is not None:
            return goodbye
        lead = say(None, "no_input") if keys is None else say(None, "wrong_key", key=keys)
        return language_menu(call, misses, lead=[lead])
    call.language = languages[int(keys) - 1]
    return consent_prompt(call, misses=0, lead=[words(call, "welcome", title=call.interview.title)])


def consent_prompt(call: Call, misses: int, lead: list[str]) -> Response:
    db().commit()
    interview = call.interview
    intro = interview.text("intro", call.language) if not misses else ""
    return xml(
        twiml.menu(
            voice_for(call),
            [*lead, intro, words(call, "consent")],
            action=public_url("ivr.consent", miss=misses),
            fallback=public_url("ivr.consent", miss=misses),
        )
    )


@ivr.post("/consent")
@webhook
def consent():
    """1 agrees to recording, 2 declines (nothing is recorded)."""
    call = current_call()
    if call is None or call.interview is None:
        return hang_up(call, say(None, "unknown_number"))
    misses, keys = arg("miss"), pressed()
    if keys == "2":
        return hang_up(call, words(call, "declined"), outcome="no consent")
    if keys != "1":
        misses += 1
        if (goodbye := missed(call, misses)) is not None:
            return goodbye
        lead = words(call, "no_input") if keys is None else words(call, "wrong_key", key=keys)
        return consent_prompt(call, misses, lead=[lead])
    call.consented = True
    return identify(call)


# --- who is calling ---------------------------------------------------------------------


def identify(call: Call) -> Response:
    """Outbound calls know the candidate; inbound ones use caller ID, then the PIN."""
    candidate = call.candidate or flow.candidate_by_caller_id(
        db(), call.interview, request.form.get("From", "")
    )
    if candidate is not None:
        return welcome(call, candidate)
    return pin_prompt(call, misses=0, lead=[])


def pin_prompt(call: Call, misses: int, lead: list[str]) -> Response:
    caller = request.form.get("From", "")
    if lockout.PIN_GUESSES.is_locked(services().redis, caller):
        return hang_up(call, words(call, "locked_out"), outcome="locked out")
    db().commit()
    return xml(
        twiml.menu(
            voice_for(call),
            [*lead, words(call, "ask_pin")],
            action=public_url("ivr.pin", miss=misses),
            fallback=public_url("ivr.pin", miss=misses),
            num_digits=twiml.PIN_DIGITS,
            timeout=twiml.GATHER_TIMEOUT + 4,
        )
    )


@ivr.post("/pin")
@webhook
def pin():
    """Check the PIN; three wrong ones end the call, and repeated failures lock the number."""
    call = current_call()
    if call is None or call.interview is None or not call.consented:
        return hang_up(call, say(None, "unknown_number"))
    if call.candidate is not None:  # a retried request after the PIN already matched
        return welcome(call, call.candidate)
    misses, keys = arg("miss"), pressed()
    if keys is None:
        misses += 1
        if (goodbye := missed(call, misses)) is not None:
            return goodbye
        return pin_prompt(call, misses, lead=[words(call, "no_input")])
    candidate = flow.candidate_by_pin(db(), call.interview, keys)
    if candidate is None:
        call.pin_attempts += 1
        failures = lockout.PIN_GUESSES.record_failure(
            services().redis, request.form.get("From", "")
        )
        if failures >= lockout.PIN_GUESSES.limit:
            return hang_up(call, words(call, "locked_out"), outcome="locked out")
        if call.pin_attempts >= flow.MAX_PIN_TRIES:
            return hang_up(call, words(call, "pin_failed"), outcome="wrong PIN")
        return pin_prompt(call, misses, lead=[words(call, "wrong_pin")])
    return welcome(call, candidate)


def welcome(call: Call, candidate: Candidate) -> Response:
    """Greet the candidate; offer to resume an unfinished interview."""
    if candidate.status in (CandidateStatus.COMPLETED, CandidateStatus.SCREENED_OUT):
        call.candidate = candidate
        return hang_up(call, words(call, "already_done"), outcome="already done")
    flow.begin_interview(call, candidate)
    hello = words(call, "hello", name=candidate.name.split()[0])
    done = len(flow.answered_question_ids(db(), candidate))
    if done:
        return resume_menu(call, misses=0, lead=[hello])
    return introduce(call, lead=[hello])


def resume_menu(call: Call, misses: int, lead: list[str]) -> Response:
    done = len(flow.answered_question_ids(db(), call.candidate))
    total = len(call.interview.questions)
    db().commit()
    return xml(
        twiml.menu(
            voice_for(call),
            [*lead, words(call, "resume", done=done, total=total)],
            action=public_url("ivr.resume", miss=misses),
            fallback=public_url("ivr.resume", miss=misses),
        )
    )


@ivr.post("/resume")
@webhook
def resume():
    """1 continues at the first unanswered question; 2 starts over."""
    call = identified_call()
    if call is None:
        return hang_up(None, say(None, "internal_error"))
    misses, keys = arg("miss"), pressed()
    if keys == "1":
        return next_question(call)
    if keys == "2":
        flow.start_over(db(), call.candidate)
        return introduce(call, lead=[])
    misses += 1
    if (goodbye := missed(call, misses)) is not None:
        return goodbye
    lead = words(call, "no_input") if keys is None else words(call, "wrong_key", key=keys)
    return resume_menu(call, misses, lead=[lead])


def introduce(call: Call, lead: list[str]) -> Response:
    """How it works, then the practice question (if any) or the first question."""
    count = len(call.interview.questions)
    how = words(call, "how_it_works", count=count) if count > 1 else words(call, "how_it_works_one")
    texts = [*lead, how, words(call, "star_to_repeat")]
    if call.interview.text("job_details", call.language):
        texts.append(words(call, "job_details_offer"))
    if call.interview.practice:
        db().commit()
        return xml(twiml.redirect(voice_for(call), public_url("ivr.practice"), *texts))
    return next_question(call, lead=texts)


# --- practice -----------------------------------------------------------------------------


@ivr.post("/practice")
@webhook
def practice():
    """A practice answer, played back to the caller and never kept."""
    call = identified_call()
    if call is None:
        return hang_up(None, say(None, "internal_error"))
    db().commit()
    return xml(
        twiml.practice(
            voice_for(call),
            [words(call, "practice_intro")],
            action=public_url("ivr.practice_recorded"),
            fallback=public_url("ivr.practice_menu", miss=0),
        )
    )


@ivr.post("/practice/recorded")
@webhook
def practice_recorded():
    """Play the practice answer back; its recording is deleted at Twilio shortly after."""
    call = identified_call()
    if call is None:
        return xml(twiml.empty())
    recording_sid = request.form.get("RecordingSid", "")
    if recording_sid:
        try:
            services().enqueue(
                DELETE_TWILIO_RECORDING,
                recording_sid,
                delay=services().settings.practice_delete_delay,
                job_id=f"delete-{recording_sid}",
            )
        except RedisError:
            log.exception("could not queue deletion of practice recording %s", recording_sid)
    if request.form.get("Digits") == "hangup":
        db().commit()
        return xml(twiml.empty())  # Twilio ignores the reply to a hang-up
    if not request.form.get("RecordingUrl"):
        return practice_menu_doc(call, 0, [])
    db().commit()
    return xml(
        twiml.playback(
            voice_for(call),
            words(call, "practice_playback"),
            request.form["RecordingUrl"],
            then=public_url("ivr.practice_menu", miss=0),
        )
    )


def practice_menu_doc(call: Call, misses: int, lead: list[str]) -> Response:
    db().commit()
    return xml(
        twiml.menu(
            voice_for(call),
            [*lead, words(call, "practice_menu")],
            action=public_url("ivr.practice_choice", miss=misses),
            fallback=public_url("ivr.practice_choice", miss=misses),
        )
    )


@ivr.post("/practice/menu")
@webhook
def practice_menu():
    """After the playback: practise again or start."""
    call = identified_call()
    if call is None:
        return hang_up(None, say(None, "internal_error"))
    return practice_menu_doc(call, arg("miss"), [])


@ivr.post("/practice/choice")
@webhook
def practice_choice():
    """1 practises again, 2 starts the interview."""
    call = identified_call()
    if call is None:
        return hang_up(None, say(None, "internal_error"))
    misses, keys = arg("miss"), pressed()
    if keys == "1":
        db().commit()
        return xml(twiml.redirect(voice_for(call), public_url("ivr.practice")))
    if keys == "2":
        return next_question(call)
    misses += 1
    if (goodbye := missed(call, misses)) is not None:
        return goodbye
    lead = words(call, "no_input") if keys is None else words(call, "wrong_key", key=keys)
    return practice_menu_doc(call, misses, [lead])


# --- questions -------------------------------------------------------------------------------


def identified_call() -> Call | None:
    """The call, if the caller agreed to recording and is identified."""
    call = current_call()
    if call is None or call.interview is None or call.candidate is None or not call.consented:
        return None
    return call


def identified_question() -> tuple[Call, Question] | None:
    call = identified_call()
    if call is None:
        return None
    question = db().get(Question, arg("q"))
    if question is None or question.interview_id != call.candidate.interview_id:
        return None
    return call, question


def next_question(call: Call, lead: list[str] | None = None, after: Question | None = None):
    """Ask the first unanswered question (after `after`, when skipping), or close."""
    candidate = call.candidate
    question = flow.next_question(db(), candidate)
    if after is not None and question is not None and question.position <= after.position:
        done = flow.answered_question_ids(db(), candidate)
        question = next(
            (
                q
                for q in candidate.interview.questions
                if q.position > after.position and q.id not in done
            ),
            None,
        )
    if question is None:
        return close(call)
    db().commit()
    return xml(
        twiml.redirect(voice_for(call), public_url("ivr.question", q=question.id), *(lead or []))
    )


def close(call: Call) -> Response:
    """Thank the caller; complete the interview if every question is answered."""
    candidate = call.candidate
    if flow.next_question(db(), candidate) is None:
        flow.finish_interview(candidate, call)
        message = queue_message(db(), candidate, RECEIPT, receipt_text(candidate))
        db().commit()
        if message is not None:
            try:
                services().enqueue(SEND_MESSAGE, message.id)
            except RedisError:
                log.exception("could not queue the receipt SMS; the sweep sends it later")
    else:
        call.outcome = "skipped questions"
    texts = [
        words(call, "thanks"),
        call.interview.text("closing", call.language),
        words(call, "goodbye"),
    ]
    return hang_up(call, *texts)


@ivr.post("/question")
@webhook
def question():
    """Read one question: a spoken one is then recorded, a keypad one gathers keys."""
    found = identified_question()
    if found is None:
        return hang_up(None, say(None, "internal_error"))
    call, question = found
    number, total = flow.question_number(question)
    call.reached_position = max(call.reached_position, number)
    lead = [words(call, "question", number=number, total=total)]
    if arg("again"):
        lead = [words(call, "didnt_catch")] if arg("empty") else []
    return ask(call, question, lead, misses=arg("miss"), empties=arg("empty"))


def ask(call: Call, question: Question, lead: list[str], misses: int = 0, empties: int = 0):
    db().commit()
    prompt = question.prompt_for(call.language)
    voice = voice_for(call)
    if question.kind == QuestionKind.VOICE:
        seconds = min(round(question.max_seconds * (call.candidate.extra_time or 1.0)), 3600)
        limit = words(call, "answer_limit", minutes=duration(call.language, seconds))
        texts = [*lead, prompt, limit]
        if question.think_seconds:
            texts.append(words(call, "think", seconds=question.think_seconds))
        return xml(
            twiml.spoken_question(
                voice,
                texts,
                key_action=public_url("ivr.question_key", q=question.id),
                wait_seconds=question.think_seconds or twiml.BEFORE_BEEP_SECONDS,
                record=twiml.RecordSpec(
                    max_seconds=seconds,
                    action=public_url("ivr.answer", q=question.id, empty=empties),
                    status_callback=public_url("ivr.recording", q=question.id),
                ),
                fallback=public_url("ivr.no_answer", q=question.id, empty=empties),
            )
        )
    instruction = words(call, "yes_no" if question.kind == QuestionKind.YES_NO else "number")
    number = question.kind == QuestionKind.NUMBER
    return xml(
        twiml.menu(
            voice,
            [*lead, prompt, instruction],
            action=public_url("ivr.keypad", q=question.id, miss=misses),
            fallback=public_url("ivr.keypad", q=question.id, miss=misses),
            num_digits=None if number else 1,
            timeout=twiml.NUMBER_TIMEOUT if number else twiml.GATHER_TIMEOUT,
        )
    )


@ivr.post("/question/key")
@webhook
def question_key():
    """A key pressed while a spoken question is read: star repeats it, zero tells about the job."""
    found = identified_question()
    if found is None:
        return hang_up(None, say(None, "internal_error"))
    call, question = found
    keys = request.form.get("Digits", "")
    details = call.interview.text("job_details", call.language)
    if keys == "*":
        return ask(call, question, [])
    if keys == "0" and details:
        return ask(call, question, [details])
    return ask(call, question, [words(call, "wrong_key", key=keys)])


@ivr.post("/keypad")
@webhook
def keypad():
    """A yes/no or number answer; a failed knockout rule ends the interview politely."""
    found = identified_question()
    if found is None:
        return hang_up(None, say(None, "internal_error"))
    call, question = found
    misses, keys = arg("miss"), pressed()
    details = call.interview.text("job_details", call.language)
    if keys == "*":
        return ask(call, question, [], misses)
    if keys == "0" and question.kind == QuestionKind.YES_NO and details:
        return ask(call, question, [details], misses)
    valid = (
        keys in ("1", "2")
        if question.kind == QuestionKind.YES_NO
        else bool(keys and keys.isdigit())
    )
    if not valid:
        misses += 1
        if (goodbye := missed(call, misses)) is not None:
            return goodbye
        if keys is None:
            lead = words(call, "no_input")
        elif question.kind == QuestionKind.NUMBER:
            lead = words(call, "not_a_number")
        else:
            lead = words(call, "wrong_key", key=keys)
        return ask(call, question, [lead], misses)
    flow.store_keypad_answer(db(), call, call.candidate, question, keys)
    reason = question.knockout_reason(keys)
    if reason:
        flow.screen_out(call.candidate, call, reason)
        return hang_up(call, words(call, "screened_out"))
    return next_question(call)


@ivr.post("/answer")
@webhook
def answer():
    """Twilio finished a <Record>: keep the attempt, offer a retake, or ask again."""
    found = identified_question()
    if found is None:
        return hang_up(None, say(None, "internal_error"))
    call, question = found
    recording_sid = request.form.get("RecordingSid", "")
    seconds = form_int("RecordingDuration") or 0
    hung_up = request.form.get("Digits") == "hangup"
    stored = None
    if recording_sid and (seconds > 0 or hung_up):
        stored = flow.store_answer(
            db(),
            call,
            call.candidate,
            question,
            recording_sid,
            request.form.get("RecordingUrl", ""),
            seconds,
        )
    if hung_up:
        # Twilio ignores this reply; the answer is kept and the candidate stays in progress.
        db().commit()
        return xml(twiml.empty())
    if seconds < max(question.min_seconds, 1):
        if stored is not None:
            flow.discard_attempt(stored)  # too short to review; not counted as a retake
        return ask_again(call, question)
    allowed = question.retakes_allowed()
    used = flow.retakes_used(db(), call.candidate, question)
    if used < allowed:
        return retake_menu(call, question, misses=0, left=allowed - used, lead=[])
    return next_question(call)


def ask_again(call: Call, question: Question) -> Response:
    """Nothing usable was heard: ask the same question again, then move on."""
    empties = arg("empty") + 1
    if empties >= MAX_MISSES:
        return next_question(call, lead=[words(call, "moving_on")], after=question)
    db().commit()
    return xml(
        twiml.redirect(
            voice_for(call), public_url("ivr.question", q=question.id, again=1, empty=empties)
        )
    )


@ivr.post("/no-answer")
@webhook
def no_answer():
    """Twilio kept no recording and skipped the action: ask the same question again."""
    found = identified_question()
    if found is None:
        return hang_up(None, say(None, "internal_error"))
    call, question = found
    return ask_again(call, question)


def retake_menu(call: Call, question: Question, misses: int, left: int, lead: list[str]):
    db().commit()
    remaining = (
        words(call, "retakes_left_one") if left == 1 else words(call, "retakes_left", count=left)
    )
    return xml(
        twiml.menu(
            voice_for(call),
            [*lead, words(call, "retake_menu"), remaining],
            action=public_url("ivr.retake", q=question.id, miss=misses),
            fallback=public_url("ivr.retake", q=question.id, miss=misses),
        )
    )


@ivr.post("/retake")
@webhook
def retake():
    """1 keeps the answer just given; 2 records it again (the newest is the one kept)."""
    found = identified_question()
    if found is None:
        return hang_up(None, say(None, "internal_error"))
    call, question = found
    misses, keys = arg("miss"), pressed()
    if keys == "1":
        return next_question(call, lead=[words(call, "kept")])
    if keys == "2":
        return ask(call, question, [])
    misses += 1
    if (goodbye := missed(call, misses)) is not None:
        return goodbye
    left = question.retakes_allowed() - flow.retakes_used(db(), call.candidate, question)
    lead = words(call, "no_input") if keys is None else words(call, "wrong_key", key=keys)
    return retake_menu(call, question, misses, max(left, 1), [lead])


# --- callbacks -------------------------------------------------------------------------------


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
    question = session.get(Question, arg("q"))
    if call is None or call.candidate is None or question is None:
        log.warning("recording %s for an unknown call or question; ignored", recording_sid)
        return no_content()
    answer = flow.store_answer(
        session,
        call,
        call.candidate,
        question,
        recording_sid,
        form.get("RecordingUrl", ""),
        form_int("RecordingDuration"),
    )
    if form.get("RecordingStatus") != "completed":
        flow.mark_no_audio(answer, form.get("ErrorCode", ""))
        session.commit()
        return no_content()
    queue_it = flow.mark_announced(answer)
    session.commit()
    if queue_it:
        try:
            services().enqueue(FETCH_RECORDING, answer.id, job_id=fetch_job_id(answer.id))
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
