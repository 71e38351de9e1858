"""Read queries for the dashboard, each scoped to one organisation through Interview.

Every function takes the organisation's id and filters on it, so a row of another
organisation is simply not found (the views turn that into a 404). Pages are built
from a fixed number of queries, never one per candidate or answer.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from statistics import fmean

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from voice.models import (
    Answer,
    AnswerStatus,
    Candidate,
    CandidateStatus,
    Interview,
    Question,
    Score,
)

PROCESSING = (AnswerStatus.RECORDING, AnswerStatus.ANNOUNCED, AnswerStatus.STORED)


# ---------------------------------------------------------------- interviews list


@dataclass(frozen=True)
class InterviewRow:
    interview: Interview
    questions: int
    candidates: int
    completed: int
    in_progress: int


def interviews_for(session: Session, visible) -> list[InterviewRow]:
    """The interviews matching `visible` (a WHERE clause), newest first, with counts."""
    questions = (
        select(func.count(Question.id))
        .where(Question.interview_id == Interview.id)
        .correlate(Interview)
        .scalar_subquery()
    )
    people = (
        select(
            Candidate.interview_id.label("interview_id"),
            func.count(Candidate.id).label("total"),
            func.count(Candidate.id)
            .filter(Candidate.status == CandidateStatus.COMPLETED)
            .label("completed"),
            func.count(Candidate.id)
            .filter(Candidate.status == CandidateStatus.IN_PROGRESS)
            .label("in_progress"),
        )
        .group_by(Candidate.interview_id)
        .subquery()
    )
    stmt = (
        select(
            Interview,
            questions,
            func.coalesce(people.c.total, 0),
            func.coalesce(people.c.completed, 0),
            func.coalesce(people.c.in_progress, 0),
        )
        .outerjoin(people, people.c.interview_id == Interview.id)
        .where(visible)
        .order_by(Interview.created_at.desc(), Interview.id.desc())
    )
    return [InterviewRow(*row) for row in session.execute(stmt)]


# ---------------------------------------------------------------- one candidate


def candidate_for(session: Session, org_id: int, candidate_id: int) -> Candidate | None:
    """One candidate of the organisation, with interview, questions and answers loaded."""
    return session.scalar(
        select(Candidate)
        .join(Interview, Interview.id == Candidate.interview_id)
        .options(
            joinedload(Candidate.interview).selectinload(Interview.questions),
            selectinload(Candidate.answers),
        )
        .where(Candidate.id == candidate_id, Interview.organization_id == org_id)
    )


def answer_for(session: Session, org_id: int, answer_id: int) -> Answer | None:
    """One answer of the organisation (for audio, scoring and retries)."""
    return session.scalar(_answer_in_org(org_id).where(Answer.id == answer_id))


def _answer_in_org(org_id: int) -> Select:
    return (
        select(Answer)
        .join(Candidate, Candidate.id == Answer.candidate_id)
        .join(Interview, Interview.id == Candidate.interview_id)
        .where(Interview.organization_id == org_id)
    )


@dataclass
class ScoreSummary:
    """The signed-in reviewer's own score and the team's mean for one thing scored."""

    mine: Score | None = None
    values: list[int] = field(default_factory=list)
    reviewers: set[int] = field(default_factory=set)

    @property
    def mean(self) -> float | None:
        return fmean(self.values) if self.values else None

    @property
    def count(self) -> int:
        return len(self.values)


def score_summaries(
    session: Session, candidate_id: int, reviewer_id: int
) -> dict[int | None, ScoreSummary]:
    """Scores of a candidate keyed by answer id (None: overall), in one query."""
    summaries: dict[int | None, ScoreSummary] = defaultdict(ScoreSummary)
    for score in session.scalars(select(Score).where(Score.candidate_id == candidate_id)):
        summary = summaries[score.answer_id]
        summary.values.append(score.value)
        summary.reviewers.add(score.reviewer_id)
        if score.reviewer_id == reviewer_id:
            summary.mine = score
    return summaries


def combined(summaries: dict[int | None, ScoreSummary]) -> ScoreSummary:
    """Every score of the candidate together (the mean `screenline results` prints)."""
    total = ScoreSummary()
    for summary in summaries.values():
        total.values.extend(summary.values)
        total.reviewers |= summary.reviewers
    return total


@dataclass(frozen=True)
class QuestionAnswer:
    question: Question
    answer: Answer | None  # the kept attempt (or the latest, if none is kept)
    attempts: int


def answers_by_question(candidate: Candidate) -> list[QuestionAnswer]:
    """Pair each question of the interview with the candidate's answer to it."""
    by_question: dict[int, list[Answer]] = defaultdict(list)
    for answer in candidate.answers:
        by_question[answer.question_id].append(answer)
    pairs = []
    for question in candidate.interview.questions:
        attempts = sorted(by_question.get(question.id, []), key=lambda a: (a.kept, a.attempt))
        pairs.append(QuestionAnswer(question, attempts[-1] if attempts else None, len(attempts)))
    return pairs


# ---------------------------------------------------------------- review: disagreement, waiting

DISAGREEMENT = 2  # reviewers this far apart on one thing scored are flagged
WAITING_DAYS = 3  # a completed candidate with no decision after this long is "waiting"


def score_spreads():
    """A subquery (candidate_id, spread): max - min of reviewers' scores per thing scored.

    One row per answer score, overall score and (answer, rubric criterion) scored.
    """
    from voice.models import CriterionScore

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
    """{candidate_id: largest spread} for those whose reviewers disagree by `threshold`+.

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


def disputed_clause(threshold: int = DISAGREEMENT):
    """A WHERE clause on Candidate: reviewers disagree by `threshold` or more (for filters)."""
    spreads = score_spreads()
    return Candidate.id.in_(select(spreads.c.candidate_id).where(spreads.c.spread >= threshold))


def waiting_clause(now, days: int = WAITING_DAYS):
    """A WHERE clause on Candidate: completed `days` or more ago and still no decision."""
    from datetime import timedelta

    return (
        (Candidate.status == CandidateStatus.COMPLETED)
        & Candidate.decision.is_(None)
        & (Candidate.completed_at <= now - timedelta(days=days))
    )
