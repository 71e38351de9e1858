"""The review queue: completed candidates a reviewer has not scored, oldest first;
"next unreviewed"; and the filters for disagreement and candidates left waiting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import ColumnElement, and_, func, select, tuple_
from sqlalchemy.orm import Session

from dashboard.access import UserLike, can_decide, interview_visible, select_visible
from dashboard.review import review
from dashboard.review.scoring import DISAGREEMENT
from ivr.services import db
from voice.models import (
    Answer,
    AnswerStatus,
    Candidate,
    CandidateStatus,
    CriterionScore,
    Interview,
    Question,
    Score,
)
from voice.reviews import partly_scored, unreviewed_by, waits_for_review

WAITING_DAYS = 3  # a completed candidate with no decision after this long is "waiting"
FLAGGED_SHOWN = 50  # transcripts to check listed on the queue page, newest candidates first


def _unreviewed(user: UserLike) -> list[ColumnElement[bool]]:
    """WHERE clauses: candidates waiting for review, in interviews the user sees, that the
    user has not reviewed (voice.reviews: the one rule; partly scored ones stay)."""
    return [interview_visible(user), *unreviewed_by(user.id)]


def _queue_key():
    return func.coalesce(Candidate.completed_at, Candidate.created_at)


def next_unreviewed(
    session: Session, user: UserLike, interview_id: int | None = None, after: int | None = None
) -> int | None:
    """The id of the next candidate `user` has not scored (oldest first), or None.

    Only in `interview_id` if given; after candidate `after` if given, wrapping round.
    """
    base = (
        select(Candidate.id)
        .join(Interview, Interview.id == Candidate.interview_id)
        .where(*_unreviewed(user))
        .order_by(_queue_key(), Candidate.id)
        .limit(1)
    )
    if interview_id is not None:
        base = base.where(Interview.id == interview_id)
    if after is not None:
        base = base.where(Candidate.id != after)
        current = session.execute(
            select(_queue_key(), Candidate.id).where(Candidate.id == after)
        ).first()
        if current is not None:
            later = session.scalar(base.where(tuple_(_queue_key(), Candidate.id) > tuple(current)))
            if later is not None:
                return later
    return session.scalar(base)


def in_queue(session: Session, user: UserLike, candidate_id: int) -> bool:
    """Return True if the candidate is in `user`'s queue (the clause the counts use)."""
    found = session.scalar(
        select(Candidate.id)
        .join(Interview, Interview.id == Candidate.interview_id)
        .where(Candidate.id == candidate_id, *_unreviewed(user))
    )
    return found is not None


def unreviewed_counts(session: Session, user: UserLike) -> dict[int, int]:
    """{interview id: candidates `user` has still to review}, one query."""
    rows = session.execute(
        select(Interview.id, func.count(Candidate.id))
        .join(Interview, Interview.id == Candidate.interview_id)
        .where(*_unreviewed(user))
        .group_by(Interview.id)
    )
    return dict(rows.all())


@dataclass(frozen=True)
class PartlyScored:
    """A candidate in the user's queue whose answers they have scored some of."""

    candidate_id: int
    name: str
    interview_title: str
    scored: int
    needed: int


def partly_scored_by(session: Session, user: UserLike, limit: int = 50) -> list[PartlyScored]:
    """Candidates in `user`'s queue they have partly scored, oldest first, one query."""
    partly = partly_scored(user.id).subquery("partly")
    rows = session.execute(
        select(Candidate.id, Candidate.name, Interview.title, partly.c.scored, partly.c.needed)
        .join(Interview, Interview.id == Candidate.interview_id)
        .join(partly, partly.c.candidate_id == Candidate.id)
        .where(*_unreviewed(user))
        .order_by(_queue_key(), Candidate.id)
        .limit(limit)
    )
    return [PartlyScored(*row) for row in rows]


# ---------------------------------------------------------------- disagreement, waiting


def score_spreads():
    """A subquery (candidate_id, spread): max - min of reviewers' scores per thing scored.

    One row per answer score, overall score and (answer, rubric criterion) scored.
    """
    plain = select(
        Score.candidate_id.label("candidate_id"),
        (func.max(Score.value) - func.min(Score.value)).label("spread"),
    ).group_by(Score.candidate_id, Score.answer_id)
    criteria = (
        select(
            Answer.candidate_id.label("candidate_id"),
            (func.max(CriterionScore.value) - func.min(CriterionScore.value)).label("spread"),
        )
        .join(Answer, Answer.id == CriterionScore.answer_id)
        .group_by(Answer.candidate_id, CriterionScore.answer_id, CriterionScore.criterion_id)
    )
    return plain.union_all(criteria).subquery("spreads")


def disputed_candidates(
    session: Session, candidate_ids: list[int], threshold: int = DISAGREEMENT
) -> dict[int, int]:
    """{candidate id: largest spread} for those whose reviewers disagree by `threshold`+.

    One query for a whole page of candidates (pass the page's ids).
    """
    if not candidate_ids:
        return {}
    spreads = score_spreads()
    rows = session.execute(
        select(spreads.c.candidate_id, func.max(spreads.c.spread))
        .where(spreads.c.candidate_id.in_(list(candidate_ids)))
        .group_by(spreads.c.candidate_id)
        .having(func.max(spreads.c.spread) >= threshold)
    )
    return {candidate_id: int(spread) for candidate_id, spread in rows}


def disputed_clause(threshold: int = DISAGREEMENT) -> ColumnElement[bool]:
    """A WHERE clause on Candidate: reviewers disagree by `threshold` or more."""
    spreads = score_spreads()
    return Candidate.id.in_(select(spreads.c.candidate_id).where(spreads.c.spread >= threshold))


def waiting_clause(now: datetime, days: int = WAITING_DAYS) -> ColumnElement[bool]:
    """A WHERE clause on Candidate: completed `days` or more before `now`, no decision yet
    (and not erased)."""
    return (
        (Candidate.status == CandidateStatus.COMPLETED)
        & Candidate.erasure_requested_at.is_(None)
        & Candidate.decision.is_(None)
        & (Candidate.completed_at <= now - timedelta(days=days))
    )


# ---------------------------------------------------------------- routes


def _interview_sizes(session: Session, interview_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{interview id: (candidates added, candidates waiting for review)}, one query; an
    interview without candidates is absent."""
    if not interview_ids:
        return {}
    rows = session.execute(
        select(
            Candidate.interview_id,
            func.count(Candidate.id),
            func.count(Candidate.id).filter(and_(*waits_for_review())),
        )
        .where(Candidate.interview_id.in_(interview_ids))
        .group_by(Candidate.interview_id)
    )
    return {interview_id: (added, done) for interview_id, added, done in rows}


@review.get("/review")
def queue():
    """Show what is left to score per interview, who is waiting for a decision (only to
    those who decide: dashboard.access.can_decide), and the completed candidates'
    transcripts that may be unreliable (voice/reliability.py)."""
    session = db()
    counts = unreviewed_counts(session, current_user)
    interviews = session.scalars(
        select_visible(current_user, Interview).order_by(Interview.title)
    ).all()
    sizes = _interview_sizes(session, [interview.id for interview in interviews])
    now = datetime.now(UTC)
    decides = can_decide(current_user)  # those who cannot decide see no decision queue
    waiting = (
        session.execute(
            select_visible(current_user, Candidate)
            .add_columns(Interview.title)
            .where(waiting_clause(now))
            .order_by(Candidate.completed_at, Candidate.id)
            .limit(50)
        ).all()
        if decides
        else []
    )
    flagged = session.execute(
        select_visible(current_user, Answer)
        .join(Question, Question.id == Answer.question_id)
        .add_columns(Candidate.name, Interview.title, Question.position)
        .where(
            Answer.kept.is_(True),
            Answer.transcript_flagged.is_(True),
            Answer.status == AnswerStatus.TRANSCRIBED,  # an erased answer's flag is moot
            Candidate.status == CandidateStatus.COMPLETED,
            # Flagged means "still to check" (voice.corrections): a score does not check a
            # transcript (the interview page, its filter and search still count it, and
            # the lists disagreed); a decided candidate needs no more review.
            Candidate.decision.is_(None),
        )
        # Newest candidates first; each candidate's answers in question order.
        .order_by(
            Candidate.completed_at.desc().nulls_last(), Candidate.id.desc(), Question.position
        )
        .limit(FLAGGED_SHOWN)
    ).all()
    return render_template(
        "review_queue.html",
        interviews=interviews,
        counts=counts,
        total=sum(counts.values()),
        sizes=sizes,
        partly=partly_scored_by(session, current_user),
        decides=decides,
        waiting=waiting,
        waiting_days=WAITING_DAYS,
        flagged=flagged,
        now=now,
    )


@review.get("/review/next")
def next_candidate():
    """Go to the next candidate waiting for the user's review (?interview_id=, ?after=).

    After the last one, wraps round to earlier ones; when the only one left is `after`
    itself, stays on it and says it is the last. "All caught up" is said only when the
    queue (the same clause as its counts) is empty, for that interview if one is given.
    """
    session = db()
    interview_id = request.args.get("interview_id", type=int)
    after = request.args.get("after", type=int)
    query = {"queue": interview_id} if interview_id is not None else {}
    found = next_unreviewed(session, current_user, interview_id, after)
    if found is not None:
        return redirect(url_for("dashboard.candidate", candidate_id=found, **query))
    if after is not None and in_queue(session, current_user, after):
        current = session.get(Candidate, after)
        if current is not None and (interview_id is None or current.interview_id == interview_id):
            flash(f"{current.name} is the last candidate waiting for your score.", "info")
            return redirect(url_for("dashboard.candidate", candidate_id=after, **query))
    if interview_id is None:
        # next_unreviewed found nobody at all, so the counts are zero too.
        flash("You're all caught up: every completed candidate has your score.", "success")
        return redirect(url_for(".queue"))
    elsewhere = sum(unreviewed_counts(session, current_user).values())
    interview = session.scalar(
        select_visible(current_user, Interview).where(Interview.id == interview_id)
    )
    title = interview.title if interview is not None else "this interview"
    message = f"You're all caught up on {title}: every completed candidate has your score."
    if elsewhere:
        verb = "is" if elsewhere == 1 else "are"
        message += f" {elsewhere} more {verb} waiting for your score in other interviews."
    flash(message, "success")
    return redirect(url_for("dashboard.interview", interview_id=interview_id))
