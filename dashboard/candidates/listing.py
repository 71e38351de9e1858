"""The interview page: one page of the interview's filtered candidates, with the funnel.

The list is one page of a filtered query (its total comes from a window count in the
same query), so it costs the same number of queries for 10 candidates or 10,000.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import distinct, exists, func, select
from sqlalchemy.orm import Session

from dashboard.access import can_manage, get_visible, is_admin
from dashboard.insights import funnel_counts
from ivr.services import db
from voice.models import (
    MAX_ROW_ID,
    Answer,
    AnswerStatus,
    Candidate,
    CandidateStatus,
    DecisionKind,
    Interview,
    Question,
    Score,
    User,
)
from voice.retention import effective_days, short_period_warning

PER_PAGE = 50
MAX_PAGE = 100_000  # keeps OFFSET within what the database accepts
NO_DECISION = "none"
PROCESSING = (AnswerStatus.RECORDING, AnswerStatus.ANNOUNCED, AnswerStatus.STORED)


@dataclass
class Filters:
    """The candidate list's filters, read from the query string and validated."""

    status: str = ""
    decision: str = ""
    min_score: float | None = None
    reviewer: int | None = None
    since: date | None = None
    until: date | None = None
    flagged: bool = False  # only candidates with a transcript that may be unreliable
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args) -> Filters:
        """Read the filters from a query string; a bad value is dropped, explained in `errors`."""
        found = cls()
        status = args.get("status", "")
        if status in CandidateStatus.ALL:
            found.status = status
        decision = args.get("decision", "")
        if decision in (*DecisionKind.ALL, NO_DECISION):
            found.decision = decision
        raw = args.get("min_score", "").strip()
        if raw:
            try:
                found.min_score = float(raw)
                if not 1 <= found.min_score <= 5:
                    raise ValueError
            except ValueError:
                found.min_score = None
                found.errors.append("Minimum score must be a number from 1 to 5.")
        found.flagged = args.get("flagged", "") == "1"
        reviewer = args.get("reviewer", "")
        if reviewer.isdecimal() and int(reviewer) <= MAX_ROW_ID:
            found.reviewer = int(reviewer)
        for name in ("since", "until"):
            raw = args.get(name, "").strip()
            if raw:
                try:
                    when = date.fromisoformat(raw)
                    if when >= date.max:  # "until" reads up to the day after
                        raise ValueError
                    setattr(found, name, when)
                except ValueError:
                    found.errors.append(f"“{raw}” is not a date (use YYYY-MM-DD).")
        return found

    @property
    def active(self) -> bool:
        """True when any filter narrows the list."""
        return any(
            (
                self.status,
                self.decision,
                self.min_score,
                self.reviewer,
                self.since,
                self.until,
                self.flagged,
            )
        )

    def args(self) -> dict[str, str]:
        """The filters as query-string arguments (for pager links)."""
        values = {
            "status": self.status,
            "decision": self.decision,
            "min_score": "" if self.min_score is None else f"{self.min_score:g}",
            "reviewer": "" if self.reviewer is None else str(self.reviewer),
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
            "flagged": "1" if self.flagged else "",
        }
        return {k: v for k, v in values.items() if v}


@dataclass(frozen=True)
class Row:
    """One candidate's line in the list: answers by stage, mean score, reviewers, keypad."""

    candidate: Candidate
    recorded: int
    transcribed: int
    processing: int
    failed: int
    mean_score: float | None
    reviewers: int
    flagged: int = 0  # kept answers whose transcript may be unreliable
    keypad: list[tuple[int, str]] = field(default_factory=list)  # (question number, shown)

    @property
    def transcription(self) -> tuple[str, str]:
        """The transcription summary to show, and its tone (danger, info, success, muted)."""
        if self.failed:
            return f"{self.failed} failed", "danger"
        if self.processing:
            return f"{self.processing} processing", "info"
        if self.transcribed:
            return "Transcribed", "success"
        return "Nothing yet", "muted"


def _last_activity():
    return func.coalesce(Candidate.completed_at, Candidate.started_at, Candidate.created_at)


def candidate_page(
    session: Session, interview: Interview, filters: Filters, *, limit: int, offset: int
) -> tuple[list[Row], int]:
    """One page of the interview's candidates matching the filters, and how many match."""

    # Correlated subqueries: the database works them out only for the page's rows,
    # not for every candidate of the interview.
    def answers_where(*conditions):
        return (
            Answer.candidate_id == Candidate.id,
            Answer.kept.is_(True),
            *conditions,
        )

    def count(expression, *conditions):
        return (
            select(func.count(expression))
            .where(*answers_where(*conditions))
            .correlate(Candidate)
            .scalar_subquery()
        )

    recorded = count(distinct(Answer.question_id), Answer.status != AnswerStatus.NO_AUDIO)
    transcribed = count(Answer.id, Answer.status == AnswerStatus.TRANSCRIBED)
    processing = count(Answer.id, Answer.status.in_(PROCESSING))
    failed = count(Answer.id, Answer.status == AnswerStatus.FAILED)
    flagged = count(
        Answer.id,
        Answer.transcript_flagged.is_(True),
        Answer.status == AnswerStatus.TRANSCRIBED,  # not an erased answer's
    )
    mean_score = (
        select(func.avg(Score.value))
        .where(Score.candidate_id == Candidate.id)
        .correlate(Candidate)
        .scalar_subquery()
    )
    reviewers = (
        select(func.count(distinct(Score.reviewer_id)))
        .where(Score.candidate_id == Candidate.id)
        .correlate(Candidate)
        .scalar_subquery()
    )
    stmt = select(
        Candidate,
        recorded,
        transcribed,
        processing,
        failed,
        mean_score,
        reviewers,
        flagged,
        func.count().over().label("total"),
    ).where(Candidate.interview_id == interview.id)
    if filters.status:
        stmt = stmt.where(Candidate.status == filters.status)
    if filters.decision == NO_DECISION:
        stmt = stmt.where(Candidate.decision.is_(None))
    elif filters.decision:
        stmt = stmt.where(Candidate.decision == filters.decision)
    if filters.min_score is not None:
        stmt = stmt.where(mean_score >= filters.min_score)
    if filters.reviewer is not None:
        stmt = stmt.where(
            exists(
                select(Score.id).where(
                    Score.candidate_id == Candidate.id, Score.reviewer_id == filters.reviewer
                )
            )
        )
    if filters.flagged:
        stmt = stmt.where(flagged > 0)
    if filters.since:
        stmt = stmt.where(_last_activity() >= datetime.combine(filters.since, time(), UTC))
    if filters.until:
        end = datetime.combine(filters.until + timedelta(days=1), time(), UTC)
        stmt = stmt.where(_last_activity() < end)
    stmt = (
        stmt.order_by(
            Candidate.completed_at.desc().nulls_last(),
            Candidate.started_at.desc().nulls_last(),
            Candidate.created_at.desc(),
            Candidate.id.desc(),
        )
        .limit(limit)
        .offset(offset)
    )
    rows, total = [], 0
    for (
        c,
        recorded,
        transcribed,
        processing,
        failed,
        mean,
        reviewers,
        flagged_count,
        count,
    ) in session.execute(stmt):
        total = count
        rows.append(
            Row(
                c,
                recorded,
                transcribed,
                processing,
                failed,
                float(mean) if mean is not None else None,
                reviewers,
                flagged_count,
            )
        )
    _attach_keypad(session, rows)
    return rows, total


def _attach_keypad(session: Session, rows: list[Row]) -> None:
    """Fill each row's keypad answers (yes/no, numbers) in one query for the page."""
    if not rows:
        return
    by_id = {row.candidate.id: row for row in rows}
    found = session.execute(
        select(Answer.candidate_id, Question.position, Question.kind, Answer.digits)
        .join(Question, Question.id == Answer.question_id)
        .where(
            Answer.candidate_id.in_(by_id),
            Answer.kept.is_(True),
            Answer.digits.is_not(None),
        )
        .order_by(Answer.candidate_id, Question.position)
    )
    for candidate_id, position, kind, digits in found:
        by_id[candidate_id].keypad.append((position, keypad_label(kind, digits)))


def keypad_label(kind: str, digits: str | None) -> str:
    """How a keypad answer reads: Yes or No for yes/no questions, else the digits (or —)."""
    if kind == "yes_no":
        return {"1": "Yes", "2": "No"}.get(digits or "", digits or "—")
    return digits or "—"


def interview_page(interview_id: int, per_page: int = PER_PAGE):
    """The interview page: funnel summary, filters, bulk actions, one page of candidates."""
    session = db()
    interview = get_visible(session, current_user, Interview, interview_id)
    filters = Filters.from_args(request.args)
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
    rows, total = candidate_page(
        session, interview, filters, limit=per_page, offset=(page - 1) * per_page
    )
    if not rows and page > 1:
        return redirect(url_for("dashboard.interview", interview_id=interview.id, **filters.args()))
    funnel = funnel_counts(session, interview.id)
    pages = max(1, -(-total // per_page))
    teammates = session.execute(
        select(User.id, User.name, User.email)
        .where(User.organization_id == interview.organization_id)
        .order_by(User.email)
    ).all()
    return render_template(
        "interview.html",
        interview=interview,
        rows=rows,
        counts=funnel.statuses,
        funnel=funnel,
        total=funnel.invited,
        matching=total,
        page=page,
        pages=pages,
        filters=filters,
        statuses=CandidateStatus.ALL,
        decisions=DecisionKind.ALL,
        teammates=teammates,
        manager=can_manage(current_user),
        admin=is_admin(current_user),
        retention_days=effective_days(interview, interview.organization),
        retention_warning=short_period_warning(effective_days(interview, interview.organization)),
        bulk_decide="review.bulk_decide" in current_app.view_functions,
    )
