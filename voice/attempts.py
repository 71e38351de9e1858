"""A candidate's attempts at one question: which one is reviewed, which are superseded.

A caller may record an answer again (a retake); every attempt is stored and "the newest
is the one kept" (`Answer.kept`, set by ivr/flow.py as the webhooks arrive). So an
attempt that is not kept while another attempt is the one reviewed will never be read:
it is *superseded*, and voice/pipeline.py stores its audio without transcribing it.

An attempt *counts* when it holds (or will hold) a real recording: Twilio did not
report it without audio, and it is not shorter than its question's minimum (at least
1 s; an unknown length, Twilio's -1, counts). That is ivr/flow.retakes_used's rule for
a retake. Only an attempt that counts replaces another: a retake that Twilio kept no
audio for, or one too short to keep, leaves the earlier attempt as the answer
(`fallback`).

A question is *answered* when its kept attempt holds something to review, or will: a
recording Twilio kept audio for (still being processed, or failed and retried), or a
keypad answer. An attempt Twilio kept no audio for is not an answer (`answered`,
`is_answer`: the call flow, the interview page and the candidate page all count by it).

Nothing here commits; the caller's transaction owns the rows.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, case, or_, select
from sqlalchemy.orm import Session

from voice.models import Answer, AnswerStatus, Question

# Attempts that never hold audio, so never replace another.
_NO_AUDIO = (AnswerStatus.NO_AUDIO, AnswerStatus.KEYPAD, AnswerStatus.ERASED)


def counts() -> ColumnElement[bool]:
    """SQL: the attempt holds a real recording, long enough for its question (a WHERE
    clause on Answer; the one rule for what counts as an attempt, see above)."""
    shortest = (
        select(case((Question.min_seconds > 1, Question.min_seconds), else_=1))
        .where(Question.id == Answer.question_id)
        .scalar_subquery()
    )
    return and_(
        Answer.status.not_in(_NO_AUDIO),
        or_(Answer.duration_seconds.is_(None), Answer.duration_seconds >= shortest),
    )


def answered() -> ColumnElement[bool]:
    """SQL: the attempt is its question's answer (kept, and not without audio; a WHERE
    clause on Answer, the one rule for what counts as answered, see above)."""
    return and_(Answer.kept.is_(True), Answer.status != AnswerStatus.NO_AUDIO)


def is_answer(answer: Answer | None) -> bool:
    """True when `answer` (a loaded attempt, or None) answers its question: the Python
    form of `answered`, for rows already in hand."""
    return answer is not None and bool(answer.kept) and answer.status != AnswerStatus.NO_AUDIO


def _siblings(answer: Answer):
    """SQL: the other attempts by the same candidate at the same question."""
    return (
        Answer.candidate_id == answer.candidate_id,
        Answer.question_id == answer.question_id,
        Answer.id != answer.id,
    )


def is_superseded(session: Session, answer: Answer) -> bool:
    """True when no reviewer will read `answer`: it is not kept, and another attempt at
    its question is kept or is a later attempt that counts.

    An attempt nothing replaced (the caller started over and hung up before answering
    again, say) is not superseded: it is the latest, which the candidate page shows.
    """
    if answer.kept or answer.status in _NO_AUDIO:
        return False
    other = session.scalar(
        select(Answer.id)
        .where(*_siblings(answer))
        .where(
            or_(
                Answer.kept.is_(True),
                and_(Answer.attempt > answer.attempt, counts()),
            )
        )
        .limit(1)
    )
    return other is not None


def fallback(session: Session, answer: Answer) -> Answer | None:
    """The attempt to keep instead of `answer`, which has just stopped being the answer
    for want of audio (Twilio kept none, or it is too short); None when there is none.

    That is the newest other attempt that counts, recorded on the same call (a retake is
    made on the call of the attempt it replaces; an answer from before the caller chose
    to start over stays replaced), and only when no attempt at the question is kept.
    The row is locked (FOR UPDATE on PostgreSQL; SQLite transactions hold the database)
    and read afresh, so a transcription job deciding at this moment whether it is
    superseded waits for this transaction and then sees it kept.
    """
    if answer.call_id is None:
        return None
    kept = session.scalar(
        select(Answer.id).where(*_siblings(answer)).where(Answer.kept.is_(True)).limit(1)
    )
    if kept is not None:
        return None
    return session.scalar(
        select(Answer)
        .where(*_siblings(answer))
        .where(Answer.call_id == answer.call_id, counts())
        .order_by(Answer.attempt.desc())
        .limit(1)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def lock_for_update(session: Session, answer_id: int) -> Answer | None:
    """The answer row, locked for the rest of the transaction and read afresh (FOR UPDATE
    on PostgreSQL; SQLite transactions hold the whole database); None if it is gone."""
    return session.scalar(
        select(Answer)
        .where(Answer.id == answer_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
