"""Seeing the whole interview: the funnel, where calls end, drop-off by question,
answer lengths and how long completed interviews wait for a first review.

Each figure is one aggregate query, whatever the number of candidates; charts are
CSS bars drawn by the template (no chart library, nothing from a CDN).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from statistics import median

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from dashboard.access import get_visible
from dashboard.presenters import call_words
from dashboard.review.queue import unreviewed_counts
from ivr.services import db
from voice.models import (
    Answer,
    Call,
    Candidate,
    CandidateStatus,
    DecisionKind,
    Interview,
    Question,
    QuestionKind,
)
from voice.reviews import first_reviews, reviewed_by_anyone, waits_for_review

insights = Blueprint("insights", __name__)

_HUNG_UP_AT = re.compile(r"^hung up at question (\d+)$")


@dataclass(frozen=True)
class Stage:
    """One step of the funnel: its label, how many reached it, and the share of those added."""

    label: str
    count: int
    percent: float  # of those added


@dataclass
class Funnel:
    """How many candidates reached each step, and how many are in each status.

    The first step is every candidate added to the interview, invitation texted or not
    (an invitation is not a step: a candidate may be told the number another way).
    """

    added: int = 0
    called: int = 0
    consented: int = 0
    completed: int = 0
    reviewed: int = 0
    advanced: int = 0
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def stages(self) -> list[Stage]:
        """The funnel's steps in order, each as a share of those added."""
        base = self.added or 1
        pairs = [
            ("Added", self.added),
            ("Called", self.called),
            ("Consented", self.consented),
            ("Completed", self.completed),
            ("Reviewed", self.reviewed),
            ("Advanced", self.advanced),
        ]
        return [Stage(label, n, 100.0 * n / base) for label, n in pairs]


def funnel_counts(session: Session, interview_id: int) -> Funnel:
    """Candidates at each stage of the funnel, and in each status, in one query."""
    called = exists(select(Call.id).where(Call.candidate_id == Candidate.id))
    consented = exists(
        select(Call.id).where(Call.candidate_id == Candidate.id, Call.consented.is_(True))
    )
    reviewed = reviewed_by_anyone()  # voice.reviews: the one rule for "reviewed"
    columns = [
        func.count(Candidate.id),
        func.count(Candidate.id).filter(called),
        func.count(Candidate.id).filter(consented),
        func.count(Candidate.id).filter(Candidate.status == CandidateStatus.COMPLETED),
        func.count(Candidate.id).filter(reviewed),
        func.count(Candidate.id).filter(Candidate.decision == DecisionKind.ADVANCE),
    ] + [func.count(Candidate.id).filter(Candidate.status == s) for s in CandidateStatus.ALL]
    row = session.execute(select(*columns).where(Candidate.interview_id == interview_id)).one()
    funnel = Funnel(*row[:6])
    funnel.statuses = dict(zip(CandidateStatus.ALL, row[6:], strict=True))
    return funnel


@dataclass(frozen=True)
class Bar:
    """One bar of a CSS bar chart."""

    label: str
    value: float
    percent: float  # of the largest bar, for the bar's width
    shown: str  # the value as text


def bars(pairs: list[tuple[str, float]], fmt=lambda v: f"{v:g}") -> list[Bar]:
    """Bars for (label, value) pairs, sized against the largest; `fmt` writes each value."""
    top = max((value for _, value in pairs), default=0) or 1
    return [Bar(label, value, 100.0 * value / top, fmt(value)) for label, value in pairs]


def call_outcomes(session: Session, interview_id: int) -> list[tuple[str, int]]:
    """How calls ended, most common first (hung up at question N, no consent, ...)."""
    rows = session.execute(
        select(Call.outcome, func.count(Call.id))
        .where(Call.interview_id == interview_id)
        .group_by(Call.outcome)
    )
    found = [(outcome or "still in progress", n) for outcome, n in rows]
    return sorted(found, key=lambda pair: (-pair[1], pair[0]))


def drop_off(outcomes: list[tuple[str, int]], questions: list[Question]) -> list[tuple[str, int]]:
    """Calls that ended by hanging up at each question, in question order."""
    by_number: dict[int, int] = {}
    for outcome, n in outcomes:
        match = _HUNG_UP_AT.match(outcome)
        if match:
            by_number[int(match.group(1))] = by_number.get(int(match.group(1)), 0) + n
    return [(f"Q{q.position}", by_number.get(q.position, 0)) for q in questions]


def answer_lengths(session: Session, interview_id: int) -> tuple[float | None, dict[int, float]]:
    """Median spoken-answer length in seconds, overall and per question id."""
    # voice.results.answer_length's rule, in SQL: the playable file's length, else Twilio's.
    length = func.coalesce(Answer.playback_seconds, Answer.duration_seconds)
    base = (
        select(Answer.question_id, length.label("seconds"))
        .join(Question, Question.id == Answer.question_id)
        .where(
            Question.interview_id == interview_id,
            Question.kind == QuestionKind.VOICE,
            Answer.kept.is_(True),
            length.is_not(None),
        )
    )
    if session.get_bind().dialect.name == "postgresql":
        sub = base.subquery()
        per = func.percentile_cont(0.5).within_group(sub.c.seconds)
        rows = session.execute(select(sub.c.question_id, per).group_by(sub.c.question_id)).all()
        overall = session.scalar(select(func.percentile_cont(0.5).within_group(sub.c.seconds)))
        return (
            float(overall) if overall is not None else None,
            {qid: float(v) for qid, v in rows},
        )
    values: dict[int, list[float]] = {}
    for qid, seconds in session.execute(base):
        values.setdefault(qid, []).append(float(seconds))
    everything = [v for vs in values.values() for v in vs]
    return (
        median(everything) if everything else None,
        {qid: median(vs) for qid, vs in values.items()},
    )


def review_waits(session: Session, interview_id: int) -> tuple[float | None, int, int]:
    """Median hours from completion to first review; how many completed candidates were
    reviewed; how many wait for a first review (anyone's).

    "Reviewed" and "waiting" are voice.reviews' rules: an overall score or every scorable
    answer scored; an erased candidate waits for nobody.
    """
    first = first_reviews().subquery("first_reviews")
    rows = session.execute(
        select(Candidate.completed_at, first.c.first, and_(*waits_for_review()))
        .outerjoin(first, first.c.candidate_id == Candidate.id)
        .where(
            Candidate.interview_id == interview_id,
            Candidate.status == CandidateStatus.COMPLETED,
        )
    ).all()
    hours = [
        max(0.0, (reviewed - done).total_seconds() / 3600)
        for done, reviewed, _ in rows
        if reviewed is not None and done is not None
    ]
    reviewed = sum(1 for _, first_review, _ in rows if first_review is not None)
    waiting = sum(1 for _, first_review, waits in rows if first_review is None and waits)
    return (median(hours) if hours else None, reviewed, waiting)


def duration_text(hours: float | None) -> str:
    """Hours as '45 min', '5.5 h' or '3.2 days'; a dash for None."""
    if hours is None:
        return "—"
    if hours < 1:
        return f"{round(hours * 60)} min"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} days"


@insights.get("/interviews/<int:interview_id>/insights")
def interview_insights(interview_id: int):
    """Show the interview's funnel, call outcomes, drop-off, answer lengths and waits."""
    session = db()
    interview = get_visible(session, current_user, Interview, interview_id)
    funnel = funnel_counts(session, interview.id)
    outcomes = call_outcomes(session, interview.id)
    overall, per_question = answer_lengths(session, interview.id)
    wait, reviewed, waiting = review_waits(session, interview.id)
    yours = unreviewed_counts(session, current_user).get(interview.id, 0)
    voice_questions = [q for q in interview.questions if q.kind == QuestionKind.VOICE]
    return render_template(
        "insights.html",
        interview=interview,
        funnel=funnel,
        funnel_bars=bars([(s.label, s.count) for s in funnel.stages], fmt=lambda v: f"{v:.0f}"),
        outcome_bars=bars([(call_words(o), n) for o, n in outcomes], fmt=lambda v: f"{v:.0f}"),
        drop_bars=bars(drop_off(outcomes, interview.questions), fmt=lambda v: f"{v:.0f}"),
        length_bars=bars(
            [(f"Q{q.position}", per_question.get(q.id, 0.0)) for q in voice_questions],
            fmt=lambda v: f"{v:.0f} s",
        ),
        median_length=overall,
        wait=duration_text(wait),
        reviewed=reviewed,
        waiting=waiting,
        yours=yours,
        total_calls=sum(n for _, n in outcomes),
    )
