"""The questions: read each one, record or gather the answer, offer retakes, then close."""

from __future__ import annotations

from functools import partial

from flask import Response, request

from ivr import flow, script, twiml
from ivr.jobs import SEND_MESSAGE
from ivr.services import db
from ivr.views.common import (
    choose,
    enqueue_after_commit,
    form_seconds,
    hang_up,
    identified_question,
    ivr,
    out_of_turn,
    present,
    pressed,
    public_url,
    reprompt,
    voice_for,
    words,
)
from ivr.views.webhook import webhook, xml
from voice import pipeline
from voice.messages import RECEIPT, queue_message, receipt_text
from voice.models import Call, Question, QuestionKind

MAX_NUMBER_DIGITS = 9  # a keypad number answer: whole hours, years, miles...


def prompt_of(question: Question) -> str:
    """The name of a question's prompt in the call's progress ("question:12")."""
    return f"question:{question.id}"


def next_question(
    call: Call,
    lead: list[str] | None = None,
    after: Question | None = None,
    done: set[int] | None = None,
):
    """Ask the first unanswered question (after `after`, when skipping), or close.

    `done` is the candidate's answered question ids when the caller has just read them
    (flow.answered_question_ids); otherwise they are read here, once.
    """
    candidate = call.candidate
    if done is None:
        done = flow.answered_question_ids(db(), candidate)
    question = flow.next_question(db(), candidate, done)
    if after is not None and question is not None and question.position <= after.position:
        question = next(
            (
                q
                for q in candidate.interview.questions
                if q.position > after.position and q.id not in done
            ),
            None,
        )
    if question is None:
        unanswered = sum(1 for q in candidate.interview.questions if q.id not in done)
        return close(call, unanswered=unanswered)
    url = public_url("ivr.question", q=question.id)
    return present(call, prompt_of(question), twiml.redirect(voice_for(call), url, *(lead or [])))


def close(call: Call, *, unanswered: int) -> Response:
    """Thank the caller; complete the interview if every question is answered (`unanswered`
    is 0), else say how many are left to answer on another call."""
    candidate = call.candidate
    if not unanswered:
        flow.finish_interview(candidate, call)
        message = queue_message(db(), candidate, RECEIPT, receipt_text(candidate))
        if message is not None:
            db().flush()  # the message's id, for the job
            enqueue_after_commit(SEND_MESSAGE, message.id)
    else:
        call.outcome = "skipped questions"
    return hang_up(call, *script.closing(call.interview, call.language, unanswered))


@ivr.post("/question")
@webhook
def question():
    """Read one question: a spoken one is then recorded, a keypad one gathers keys."""
    found = identified_question()
    if found is None:
        return out_of_turn()
    call, question = found
    number, total = flow.question_number(question)
    call.reached_position = max(call.reached_position, number)
    if call.prompt == prompt_of(question) and call.empty_answers:
        lead = [words(call, "didnt_catch")]  # asked again after an empty recording
    else:
        lead = [script.question_heading(call.language, number, total)]
    return ask(call, question, lead)


def ask(call: Call, question: Question, lead: list[str]) -> Response:
    """The question's document: read it, then <Record> (spoken) or <Gather> (keypad)."""
    voice = voice_for(call)
    texts = [*lead, *script.question_body(question, call.language, call.candidate.extra_time)]
    if question.kind == QuestionKind.VOICE:
        document = twiml.spoken_question(
            voice,
            texts,
            key_action=public_url("ivr.question_key", q=question.id),
            wait_seconds=question.think_seconds or twiml.BEFORE_BEEP_SECONDS,
            record=twiml.RecordSpec(
                max_seconds=script.answer_seconds(question, call.candidate.extra_time),
                action=public_url("ivr.answer", q=question.id),
                status_callback=public_url("ivr.recording", q=question.id),
            ),
            fallback=public_url("ivr.no_answer", q=question.id),
        )
    else:
        number = question.kind == QuestionKind.NUMBER
        url = public_url("ivr.keypad", q=question.id)
        document = twiml.menu(
            voice,
            texts,
            url,
            url,
            num_digits=None if number else 1,
            timeout=twiml.NUMBER_TIMEOUT if number else twiml.GATHER_TIMEOUT,
        )
    return present(call, prompt_of(question), document)


def read_again(call: Call, question: Question, keys: str | None) -> Response | None:
    """Star reads the question again; zero reads the job details, then the question.

    None when the keys are neither (or zero when the interview has no job details).
    """
    if keys == "*":
        return ask(call, question, [])
    details = call.interview.text("job_details", call.language)
    if keys == "0" and details:
        return ask(call, question, [details])
    return None


@ivr.post("/question/key")
@webhook
def question_key():
    """A key pressed while a spoken question is read: star repeats it, zero tells about the job."""
    found = identified_question()
    if found is None:
        return out_of_turn()
    call, question = found
    keys = pressed()
    if (again := read_again(call, question, keys)) is not None:
        return again
    return reprompt(call, keys, partial(ask, call, question))


@ivr.post("/keypad")
@webhook
def keypad():
    """A yes/no or number answer; a failed knockout rule ends the interview politely."""
    found = identified_question()
    if found is None:
        return out_of_turn()
    call, question = found
    keys = pressed()
    # On a number question zero is a digit, not the job details.
    repeatable = keys == "*" or question.kind == QuestionKind.YES_NO
    if repeatable and (again := read_again(call, question, keys)) is not None:
        return again
    if question.kind == QuestionKind.YES_NO:
        valid, wrong = keys in ("1", "2"), None
    else:
        valid = bool(keys and keys.isascii() and keys.isdigit())
        valid = valid and len(keys) <= MAX_NUMBER_DIGITS
        wrong = words(call, "not_a_number")
    if not valid:
        return reprompt(call, keys, partial(ask, call, question), wrong=wrong)
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
        return out_of_turn()
    call, question = found
    recording_sid = request.form.get("RecordingSid", "")
    # None when Twilio does not know the length (-1, missing): the recording exists, so
    # it is kept and not asked again; the status callback or the file gives the length.
    seconds = form_seconds("RecordingDuration")
    hung_up = request.form.get("Digits") == "hangup"
    stored = None
    if recording_sid and (seconds is None or seconds > 0 or hung_up):
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
        return xml(twiml.empty())
    too_short = seconds is not None and seconds < max(question.min_seconds, 1)
    if stored is None or too_short:
        if stored is not None:
            flow.discard_attempt(stored)  # too short to review; not counted as a retake
            pipeline.fall_back(stored)  # an earlier attempt on this call is the answer again
        return ask_again(call, question)
    allowed = question.retakes_allowed()
    if not allowed:
        return next_question(call)
    left = allowed - flow.retakes_used(db(), call.candidate, question)
    if left > 0:
        return retake_menu(call, question, left=left, lead=[])
    return keep_answer(call)  # the last retake: saved, as "keep" at the menu says


def keep_answer(call: Call) -> Response:
    """The answer stands: say it is saved, then the next question (or the closing)."""
    return next_question(call, lead=[words(call, "kept")])


def ask_again(call: Call, question: Question) -> Response:
    """Nothing usable was heard: ask the same question again, then move on."""
    flow.move_to(call, prompt_of(question))  # already there, unless webhooks came late
    call.empty_answers += 1
    if call.empty_answers >= flow.MAX_EMPTY_ANSWERS:
        return next_question(call, lead=[words(call, "moving_on")], after=question)
    url = public_url("ivr.question", q=question.id)
    return present(call, prompt_of(question), twiml.redirect(voice_for(call), url))


@ivr.post("/no-answer")
@webhook
def no_answer():
    """Twilio kept no recording and skipped the action: ask the same question again."""
    found = identified_question()
    if found is None:
        return out_of_turn()
    call, question = found
    return ask_again(call, question)


def retake_menu(call: Call, question: Question, left: int, lead: list[str]) -> Response:
    """Keep the answer (1) or record it again (2), with how many retakes are left."""
    remaining = (
        words(call, "retakes_left_one") if left == 1 else words(call, "retakes_left", count=left)
    )
    url = public_url("ivr.retake", q=question.id)
    texts = [*lead, words(call, "retake_menu"), remaining]
    return present(call, f"retake:{question.id}", twiml.menu(voice_for(call), texts, url, url))


@ivr.post("/retake")
@webhook
def retake():
    """1 keeps the answer just given; 2 records it again (the newest is the one kept).

    With no retake left (a late or repeated request) the answer is kept whatever the key.
    """
    found = identified_question()
    if found is None:
        return out_of_turn()
    call, question = found
    left = question.retakes_allowed() - flow.retakes_used(db(), call.candidate, question)
    if left <= 0:  # a late or repeated menu request: no retake is left to offer
        return keep_answer(call)
    options = {"1": partial(keep_answer, call), "2": partial(ask, call, question, [])}
    return choose(call, options, partial(retake_menu, call, question, left))
