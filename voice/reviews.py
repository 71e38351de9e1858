"""When a candidate counts as reviewed: the one rule the review queue, "Next unreviewed",
the interview page's "Not scored by me", the funnel and the insights page all count by.

A *scorable* answer is one a reviewer can score: the question's answer (voice.attempts:
kept, and Twilio kept audio for it) that holds something to hear or read (a playback
copy or a transcript), and is not erased. Keypad answers have neither, so they are
never scorable.

A reviewer has *reviewed* a candidate when they gave the candidate an overall score, or
scored every scorable answer (a 1-5 score or any rubric score of the answer counts as
scoring it). A reviewer who scored some answers but not all has *partly scored* the
candidate, who stays in their queue. A candidate *waits for review* while they are
completed and not erased (an erased candidate has nothing left to review).

Nothing here commits; the functions build SQL for the caller's query.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import aliased

from voice.attempts import is_answer
from voice.models import Answer, AnswerStatus, Candidate, CandidateStatus, CriterionScore, Score


def scorable(answer=Answer) -> ColumnElement[bool]:
    """SQL: the answer can be scored (a WHERE clause on Answer, or on an alias of it given
    as `answer`; see the module's rule). Kept and not without audio is voice.attempts'
    `answered`, written here for any alias."""
    return and_(
        answer.kept.is_(True),
        answer.status.not_in((AnswerStatus.NO_AUDIO, AnswerStatus.ERASED)),
        or_(answer.playback_key.is_not(None), func.coalesce(answer.transcript, "") != ""),
    )


def is_scorable(answer: Answer | None) -> bool:
    """True when `answer` (a loaded attempt, or None) can be scored: the Python form of
    `scorable`, for rows already in hand (the candidate page's score forms)."""
    return (
        is_answer(answer)
        and answer is not None
        and answer.status != AnswerStatus.ERASED
        and bool(answer.playback_key or answer.transcript)
    )


def waits_for_review() -> list[ColumnElement[bool]]:
    """WHERE clauses on Candidate: completed and not erased, so someone should review them."""
    return [
        Candidate.status == CandidateStatus.COMPLETED,
        Candidate.erasure_requested_at.is_(None),
    ]


def progress():
    """A subquery, one row per (candidate, reviewer) who scored anything of the candidate:
    candidate_id, reviewer_id, scored (scorable answers they scored), needed (the
    candidate's scorable answers) and reviewed_at (when they reviewed the candidate by
    the module's rule: their overall score, or their last answer score once every
    scorable answer has one, whichever came first; NULL while not reviewed).
    """
    answer = aliased(Answer)
    score = aliased(Score)
    criterion = aliased(CriterionScore)
    answer_scores = (
        select(
            score.candidate_id.label("candidate_id"),
            score.reviewer_id.label("reviewer_id"),
            score.answer_id.label("answer_id"),
            score.created_at.label("at"),
        )
        .join(answer, answer.id == score.answer_id)
        .where(scorable(answer))
    )
    rubric_scores = (
        select(
            answer.candidate_id.label("candidate_id"),
            criterion.reviewer_id.label("reviewer_id"),
            criterion.answer_id.label("answer_id"),
            criterion.created_at.label("at"),
        )
        .join(answer, answer.id == criterion.answer_id)
        .where(scorable(answer))
    )
    overall_scores = select(
        score.candidate_id.label("candidate_id"),
        score.reviewer_id.label("reviewer_id"),
        literal(None).label("answer_id"),
        score.created_at.label("at"),
    ).where(score.answer_id.is_(None))
    marks = answer_scores.union_all(rubric_scores, overall_scores).subquery("marks")
    per_reviewer = (
        select(
            marks.c.candidate_id,
            marks.c.reviewer_id,
            func.count(func.distinct(marks.c.answer_id)).label("scored"),
            func.max(marks.c.at).filter(marks.c.answer_id.is_not(None)).label("answers_at"),
            func.min(marks.c.at).filter(marks.c.answer_id.is_(None)).label("overall_at"),
        )
        .group_by(marks.c.candidate_id, marks.c.reviewer_id)
        .subquery("per_reviewer")
    )
    needed = (
        select(answer.candidate_id.label("candidate_id"), func.count(answer.id).label("needed"))
        .where(scorable(answer))
        .group_by(answer.candidate_id)
        .subquery("needed")
    )
    wanted = func.coalesce(needed.c.needed, 0)
    all_scored = and_(wanted > 0, per_reviewer.c.scored >= wanted)
    reviewed_at = case(
        (
            and_(
                all_scored,
                or_(
                    per_reviewer.c.overall_at.is_(None),
                    per_reviewer.c.answers_at < per_reviewer.c.overall_at,
                ),
            ),
            per_reviewer.c.answers_at,
        ),
        else_=per_reviewer.c.overall_at,
    )
    return (
        select(
            per_reviewer.c.candidate_id,
            per_reviewer.c.reviewer_id,
            per_reviewer.c.scored,
            wanted.label("needed"),
            reviewed_at.label("reviewed_at"),
        )
        .outerjoin(needed, needed.c.candidate_id == per_reviewer.c.candidate_id)
        .subquery("progress")
    )


def reviewed_by(reviewer_id: int) -> ColumnElement[bool]:
    """SQL: the reviewer has reviewed the candidate (a WHERE clause on Candidate)."""
    done = progress()
    return exists(
        select(done.c.candidate_id).where(
            done.c.candidate_id == Candidate.id,
            done.c.reviewer_id == reviewer_id,
            done.c.reviewed_at.is_not(None),
        )
    )


def unreviewed_by(reviewer_id: int) -> list[ColumnElement[bool]]:
    """WHERE clauses on Candidate: the candidate waits for review and the reviewer has not
    reviewed them (partly scored ones included): the review queue's rule, and the
    interview page's "Not scored by me"."""
    return [*waits_for_review(), ~reviewed_by(reviewer_id)]


def reviewed_by_anyone() -> ColumnElement[bool]:
    """SQL: some reviewer has reviewed the candidate (a WHERE clause on Candidate)."""
    done = progress()
    return exists(
        select(done.c.candidate_id).where(
            done.c.candidate_id == Candidate.id, done.c.reviewed_at.is_not(None)
        )
    )


def first_reviews() -> Select:
    """SELECT (candidate_id, first): when each reviewed candidate was first reviewed."""
    done = progress()
    return (
        select(done.c.candidate_id, func.min(done.c.reviewed_at).label("first"))
        .where(done.c.reviewed_at.is_not(None))
        .group_by(done.c.candidate_id)
    )


def partly_scored(reviewer_id: int) -> Select:
    """SELECT (candidate_id, scored, needed): candidates the reviewer has scored some but
    not all scorable answers of, and gave no overall score (they are still to review)."""
    done = progress()
    return select(done.c.candidate_id, done.c.scored, done.c.needed).where(
        done.c.reviewer_id == reviewer_id,
        done.c.reviewed_at.is_(None),
        done.c.scored > 0,
    )
