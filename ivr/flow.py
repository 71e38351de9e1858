"""The call flow's decisions and bookkeeping: who is calling, what comes next, what to keep.

Functions here take a database session and plain values (never a request) and leave
committing to the route. Every write is keyed on CallSid or RecordingSid so a webhook
that arrives twice, or out of order, changes nothing the second time.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ivr.fields import seconds
from voice import attempts, pipeline, webhooks
from voice.models import (
    Answer,
    AnswerStatus,
    Call,
    Candidate,
    CandidateStatus,
    Interview,
    Question,
)
from voice.phones import is_e164

# The call flow's limits, the only ones: every prompt is bounded by them, and a call by
# step_limit(). Misses (no input or a wrong key) and empty answers count per prompt.
MAX_MISSES = 3  # a menu is asked three times in all, then a polite goodbye
MAX_EMPTY_ANSWERS = 3  # a question recorded empty three times moves on to the next
MAX_PIN_TRIES = 3  # wrong PINs in one call (lockout.PIN_GUESSES counts across calls)
STEPS_PER_CALL = 40  # language, consent, PIN, resume, practice, and their reprompts
STEPS_PER_QUESTION = 12  # read, repeated, answered empty, asked again, moved on
STEPS_PER_RETAKE = 3  # retake menu, read again, recorded
FINAL_CALL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
# An outbound call that never connected ends with one of these statuses in its status
# callback, and Twilio never fetches its Url (twilio.com/docs/voice/api/call-resource
# #statuscallback): the outcome each leaves on the call.
NOT_CONNECTED = {
    "busy": "busy",
    "no-answer": "no answer",
    "failed": "failed",
    "canceled": "canceled",
}
# Answering machine detection's `AnsweredBy` values for a machine (MachineDetection=
# DetectMessageEnd reports machine_end_*, Enable reports machine_start; twilio.com/docs/
# voice/answering-machine-detection). `human` and `unknown` go on into the interview.
MACHINE_ANSWERS = frozenset(
    {"machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other"}
)
FAX = "fax"
VOICEMAIL = "voicemail"  # the outcome of a call a machine answered (a message was left)
# Caller IDs that are not identities: what a withheld or unavailable number reaches the
# webhook as, words or the fixed numbers spelling them on a keypad (TWILIO.md, "Caller ID
# that is not an identity", after Twilio's help centre on anonymous caller IDs). Many
# unrelated callers share each one, so none may identify a candidate or key a lockout.
WITHHELD = frozenset(
    {"", "anonymous", "unknown", "restricted", "private", "blocked", "unavailable", "withheld"}
)
WITHHELD_NUMBERS = frozenset(
    {
        "+266696687",  # ANONYMOUS
        "+7378742833",  # RESTRICTED
        "+2562533",  # BLOCKED
        "+8656696",  # UNKNOWN
        "+86282452253",  # UNAVAILABLE
    }
)


def now() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return datetime.now(UTC)


def step_limit(interview: Interview | None) -> int:
    """How many prompts one call to `interview` may hear before a polite goodbye.

    Generous for any real caller (every question repeated, retaken and answered empty),
    yet finite, so that no combination of keys and silence keeps a call going for ever.
    """
    questions = interview.questions if interview is not None else []
    return STEPS_PER_CALL + sum(
        STEPS_PER_QUESTION + STEPS_PER_RETAKE * question.retakes_allowed() for question in questions
    )


def enter_prompt(call: Call, prompt: str) -> bool:
    """Count one prompt served to the caller; False once the call is past its step limit.

    `prompt` names where the caller now is ("consent", "question:12"...); moving to a
    different prompt starts its misses and empty answers from zero.
    """
    move_to(call, prompt)
    call.steps += 1
    return call.steps <= step_limit(call.interview)


def move_to(call: Call, prompt: str) -> None:
    """Note that the caller is at `prompt`; a new prompt's misses and empty answers are 0."""
    if call.prompt != prompt:
        call.prompt, call.misses, call.empty_answers = prompt, 0, 0


def is_withheld(caller: str | None) -> bool:
    """True when a `From` value is a withheld or placeholder caller ID, not a person's number.

    Matches the words in WITHHELD (any case, spaces ignored) and the keypad-spelling
    numbers in WITHHELD_NUMBERS (with or without the leading +).
    """
    value = "".join((caller or "").split()).lower()
    if value in WITHHELD:
        return True
    return ("+" + value.lstrip("+")) in WITHHELD_NUMBERS


def candidate_by_caller_id(session: Session, interview: Interview, caller: str) -> Candidate | None:
    """The one candidate (in any status, not erased) whose phone is the caller ID; None
    if withheld or ambiguous. A finished candidate is found too, so they are told they
    have finished before consent is asked (ivr.views.start.greet) rather than asked for
    consent and a PIN.

    Read without flushing the call's pending changes first (they go in its one UPDATE at
    commit): nothing pending in the call flow changes a candidate's phone or status
    before the caller is identified.
    """
    if is_withheld(caller) or not is_e164(caller):  # a placeholder, or a malformed number
        return None
    with session.no_autoflush:
        found = session.scalars(
            select(Candidate)
            .where(Candidate.interview_id == interview.id)
            .where(Candidate.phone == caller)
            .where(Candidate.erasure_requested_at.is_(None))
            .limit(2)
        ).all()
    return found[0] if len(found) == 1 else None


def candidate_by_pin(session: Session, interview: Interview, pin: str) -> Candidate | None:
    """The candidate (in any status, not erased) with this PIN in this interview: PINs are
    unique per interview (voice/pins.py), and a finished candidate's PIN finds them so
    they hear they have finished instead of "that PIN didn't match" (which would count
    against the lockout). Read without an autoflush, as candidate_by_caller_id."""
    if not pin.isdigit():
        return None
    with session.no_autoflush:
        return session.scalar(
            select(Candidate)
            .where(Candidate.interview_id == interview.id)
            .where(Candidate.pin == pin)
            .where(Candidate.erasure_requested_at.is_(None))
        )


def begin_interview(call: Call, candidate: Candidate) -> None:
    """Tie the call to the candidate and mark the interview started."""
    call.candidate = candidate
    if call.language:
        candidate.language = call.language
    if candidate.status == CandidateStatus.INVITED:
        candidate.status = CandidateStatus.IN_PROGRESS
        candidate.started_at = now()


def answered_question_ids(session: Session, candidate: Candidate) -> set[int]:
    """Questions with a kept answer that holds (or will hold) a recording.

    After `store_answer` in this transaction every attempt of the candidate is in the
    session, so they are read from there, with no round trip. Otherwise pending changes
    are flushed first only when they touch answers (a keypad answer just added, an
    attempt unkept): the call's and the candidate's go in one UPDATE each at commit rather
    than one per read.
    """
    in_hand = _attempts_in_hand(session, candidate)
    if in_hand is not None:
        return {answer.question_id for answer in in_hand if attempts.is_answer(answer)}
    if any(isinstance(row, Answer) for row in (*session.new, *session.dirty)):
        session.flush()
    with session.no_autoflush:
        return set(
            session.scalars(
                select(Answer.question_id)
                .where(Answer.candidate_id == candidate.id)
                .where(attempts.answered())
            )
        )


_ATTEMPTS_READ = "screenline.attempts_read"  # session.info: (transaction, {candidate id: rows})


def _hold_attempts(session: Session, candidate: Candidate, rows: list[Answer]) -> None:
    """Keep `rows`, every attempt of `candidate` read (or added) by the current
    transaction, so that answered_question_ids can answer from them. Held here, since
    the session itself keeps unchanged rows only while something else refers to them."""
    transaction = session.get_transaction()
    entry = session.info.get(_ATTEMPTS_READ)
    if entry is None or entry[0] is not transaction:
        entry = (transaction, {})
        session.info[_ATTEMPTS_READ] = entry
    entry[1][candidate.id] = rows


def _add_attempt(session: Session, candidate: Candidate, answer: Answer) -> None:
    """Add a new attempt of `candidate`'s, and to the attempts held for them if any."""
    session.add(answer)
    entry = session.info.get(_ATTEMPTS_READ)
    if entry is not None and entry[0] is session.get_transaction() and candidate.id in entry[1]:
        entry[1][candidate.id].append(answer)


def _attempts_in_hand(session: Session, candidate: Candidate) -> list[Answer] | None:
    """Every attempt of `candidate`, when the current transaction has read them all
    (store_answer) and flushed what it added since; else None. What the transaction
    changed or read afresh since (pipeline.fall_back) is the same objects."""
    entry = session.info.get(_ATTEMPTS_READ)
    if entry is None or entry[0] is not session.get_transaction():
        return None
    rows = entry[1].get(candidate.id)
    if rows is None or any(isinstance(row, Answer) for row in session.new):
        return None
    return [row for row in rows if row not in session.deleted]


def next_question(
    session: Session, candidate: Candidate, done: set[int] | None = None
) -> Question | None:
    """The first question, in order, that the candidate has not yet answered.

    `done` is `answered_question_ids` when the caller has just read it (one query saved);
    otherwise it is read here.
    """
    if done is None:
        done = answered_question_ids(session, candidate)
    for question in candidate.interview.questions:
        if question.id not in done:
            return question
    return None


def question_number(question: Question) -> tuple[int, int]:
    """(position among the interview's questions, how many there are), 1-based."""
    questions = question.interview.questions
    return questions.index(question) + 1, len(questions)


def store_answer(
    session: Session,
    call: Call | None,
    candidate: Candidate,
    question: Question,
    recording_sid: str,
    recording_url: str,
    duration: int | None,
) -> Answer:
    """Create or update the answer for `recording_sid`; the newest attempt is the kept one.

    One read finds both the answer already stored for this recording (a redelivered
    webhook, or the status callback and the record action racing) and every attempt of
    the candidate: the next attempt's number at `question`, the earlier ones to unkeep,
    and for the rest of the transaction the questions answered (answered_question_ids
    then asks the database nothing). A new attempt is inserted at once (its id and
    defaults are needed by what follows). Raises IntegrityError when another transaction
    stored this recording, or this attempt number, first: the webhook guard
    (ivr/views/webhook.py) then runs the whole view again in a new transaction, whose
    read finds the row. On PostgreSQL one call's webhooks take turns on the call's row
    lock (ivr.calls.find_call), so that race needs two calls on one candidate.
    """
    found = session.scalars(
        select(Answer).where(
            or_(Answer.recording_sid == recording_sid, Answer.candidate_id == candidate.id)
        )
    ).all()
    mine = [a for a in found if a.candidate_id == candidate.id]
    _hold_attempts(session, candidate, mine)
    answer = next((a for a in found if a.recording_sid == recording_sid), None)
    if answer is not None:
        if recording_url and not answer.recording_url:
            answer.recording_url = recording_url
        if duration is not None and answer.duration_seconds is None:
            answer.duration_seconds = duration
        return answer
    earlier = [a for a in mine if a.question_id == question.id]
    for older in earlier:
        older.kept = False  # the newest attempt is the one reviewed
    answer = Answer(
        candidate_id=candidate.id,
        question_id=question.id,
        call_id=call.id if call is not None else None,
        attempt=max((a.attempt for a in earlier), default=0) + 1,
        recording_sid=recording_sid,
        recording_url=recording_url or None,
        duration_seconds=duration,
    )
    _add_attempt(session, candidate, answer)
    session.flush()
    return answer


def unkeep_attempts(session: Session, candidate: Candidate, question: Question) -> None:
    """The candidate's earlier attempts at `question` stop being the one reviewed."""
    for older in session.scalars(
        select(Answer)
        .where(Answer.candidate_id == candidate.id)
        .where(Answer.question_id == question.id)
        .where(Answer.kept.is_(True))
    ):
        older.kept = False


def mark_announced(answer: Answer) -> bool:
    """Note that Twilio says the file is ready; True if a fetch job should be queued."""
    return pipeline.announce(answer, now())


def mark_no_audio(answer: Answer, error_code: str) -> None:
    """Twilio kept nothing for this attempt (too short, silent, or failed)."""
    pipeline.no_audio(answer, error_code)


def store_keypad_answer(
    session: Session, call: Call, candidate: Candidate, question: Question, digits: str
) -> Answer:
    """Keep a keypad answer; a retried request with the same keys changes nothing."""
    latest = session.scalar(
        select(Answer)
        .where(Answer.candidate_id == candidate.id)
        .where(Answer.question_id == question.id)
        .order_by(Answer.attempt.desc())
        .limit(1)
    )
    if latest is not None and latest.call_id == call.id and latest.digits == digits and latest.kept:
        return latest
    unkeep_attempts(session, candidate, question)
    answer = Answer(
        candidate_id=candidate.id,
        question_id=question.id,
        call_id=call.id,
        attempt=(latest.attempt + 1) if latest else 1,
        digits=digits,
        status=AnswerStatus.KEYPAD,
    )
    _add_attempt(session, candidate, answer)
    return answer


def discard_attempt(answer: Answer) -> None:
    """An attempt too short to keep: stored, but not the one reviewed."""
    answer.kept = False


def retakes_used(session: Session, candidate: Candidate, question: Question) -> int:
    """Re-records so far: spoken attempts long enough to count, less the first."""
    spoken = session.scalars(
        select(Answer.id)
        .where(Answer.candidate_id == candidate.id)
        .where(Answer.question_id == question.id)
        .where(attempts.counts())  # voice/attempts.py: the one rule for what counts
    ).all()
    return max(len(spoken) - 1, 0)


def start_over(session: Session, candidate: Candidate) -> None:
    """The candidate chose to start again: earlier answers stay stored but not reviewed."""
    for answer in session.scalars(
        select(Answer).where(Answer.candidate_id == candidate.id).where(Answer.kept.is_(True))
    ):
        answer.kept = False


def screen_out(candidate: Candidate, call: Call, reason: str) -> None:
    """A knockout rule failed: the interview ends here, with the reason kept."""
    first = candidate.status != CandidateStatus.SCREENED_OUT
    candidate.status = CandidateStatus.SCREENED_OUT
    candidate.screened_out_reason = reason
    candidate.completed_at = now()
    call.outcome = "screened out"
    if first:
        webhooks.emit_for_candidate(candidate, webhooks.CANDIDATE_SCREENED_OUT)


def finish_interview(candidate: Candidate, call: Call | None) -> None:
    """Every question is answered: the candidate is done."""
    if candidate.status != CandidateStatus.COMPLETED:
        candidate.status = CandidateStatus.COMPLETED
        candidate.completed_at = now()
        webhooks.emit_for_candidate(candidate, webhooks.CANDIDATE_COMPLETED)
    if call is not None:
        call.outcome = "completed"


def call_ended(session: Session, call: Call, status: str, duration: str | None) -> None:
    """Record how a call ended; a candidate mid-interview stays `in progress`."""
    first = call.ended_at is None
    call.status = status
    call.ended_at = call.ended_at or now()
    known = seconds(duration)  # -1, missing or not a number: unknown, never 0
    if known is not None:
        call.duration_seconds = known
    if not call.outcome:
        if status in NOT_CONNECTED:
            call.outcome = NOT_CONNECTED[status]
        elif not call.consented:
            call.outcome = "ended before consent"
        elif call.candidate is None:
            call.outcome = "ended before identification"
        elif call.candidate.status == CandidateStatus.IN_PROGRESS:
            pending = next_question(session, call.candidate)
            if pending is None:  # hung up during the last answer, which is kept
                finish_interview(call.candidate, call)
            else:
                call.outcome = f"hung up at question {question_number(pending)[0]}"
    if first and call.interview is not None:  # a retried status callback says it once
        webhooks.emit(
            session, call.interview.organization_id, webhooks.CALL_ENDED, webhooks.call_data(call)
        )
