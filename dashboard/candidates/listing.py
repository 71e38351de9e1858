"""The interview page: one page of the interview's filtered candidates, with the funnel.

The list is one page of a filtered query plus a count of the matching candidates, so it
costs the same number of queries for 10 candidates or 10,000. It is read in one of
voice.candidate_order's orders (`sort`: latest activity, mean score or name). Pages are
reached by keyset: the pager's links carry the last (next page) or first (previous page)
candidate shown, and the page starts just past that candidate in the list's order (read
from an index on the order where one serves it: ix_candidates_listing, ix_candidates_name),
so a deep page costs what page 1 costs. A `page` number without a cursor (an old link)
still works, by OFFSET.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import distinct, exists, func, select
from sqlalchemy.orm import Session

from dashboard.access import can_manage, get_visible, is_admin
from dashboard.insights import funnel_counts
from dashboard.page_links import SHOWN, read_cursor, read_flag, read_page, row_id
from dashboard.presenters import keypad_answer
from ivr.services import db
from voice.attempts import answered
from voice.candidate_order import LATEST, SORT_LABELS, SORTS, candidate_order
from voice.dates import local_days
from voice.messages import INVITATION
from voice.models import (
    Answer,
    AnswerStatus,
    Candidate,
    CandidateStatus,
    DecisionKind,
    Interview,
    Message,
    Question,
    Score,
    User,
)
from voice.retention import effective_days, short_period_warning
from voice.reviews import unreviewed_by

PER_PAGE = 50
NO_DECISION = "none"
PROCESSING = (AnswerStatus.RECORDING, AnswerStatus.ANNOUNCED, AnswerStatus.STORED)
# The list's checkbox filters (?flagged=1, ?unscored=1) and their labels on the page.
CHECKBOXES = {"flagged": "Transcript may be unreliable", "unscored": "Not scored by me"}


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
    unscored: bool = False  # only candidates the signed-in user has still to review
    sort: str = LATEST  # the list's order (voice.candidate_order.SORTS); not a filter
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args) -> Filters:
        """Read the filters from a query string; a bad value is dropped, explained in `errors`
        (the page then answers 422, as the audit page does)."""
        found = cls()
        status = args.get("status", "").strip()
        if status in CandidateStatus.ALL:
            found.status = status
        elif status:
            found.errors.append(
                f"“{status[:SHOWN]}” is not a status (use {_choices(CandidateStatus.ALL)})."
            )
        decision = args.get("decision", "").strip()
        if decision in (*DecisionKind.ALL, NO_DECISION):
            found.decision = decision
        elif decision:
            found.errors.append(
                f"“{decision[:SHOWN]}” is not a decision "
                f"(use {_choices((*DecisionKind.ALL, NO_DECISION))})."
            )
        raw = args.get("min_score", "").strip()
        if raw:
            try:
                found.min_score = float(raw)
                if not 1 <= found.min_score <= 5:
                    raise ValueError
            except ValueError:
                found.min_score = None
                found.errors.append("Minimum score must be a number from 1 to 5.")
        for name, label in CHECKBOXES.items():
            ticked, error = read_flag(args, name, label)
            setattr(found, name, ticked)
            if error:
                found.errors.append(error)
        sort = args.get("sort", "").strip()
        if sort in SORTS:
            found.sort = sort
        elif sort:
            found.errors.append(
                f"“{sort[:SHOWN]}” is not a way to sort the list (use {_choices(SORTS)})."
            )
        reviewer = args.get("reviewer", "").strip()
        if reviewer:
            found.reviewer = row_id(reviewer)
            if found.reviewer is None:
                found.errors.append(f"“{reviewer[:SHOWN]}” is not a reviewer's number.")
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
        """True when any filter narrows the list (the order is no filter)."""
        return any(
            (
                self.status,
                self.decision,
                self.min_score,
                self.reviewer,
                self.since,
                self.until,
                self.flagged,
                self.unscored,
            )
        )

    def args(self) -> dict[str, str]:
        """The filters and the order as query-string arguments (for pager links)."""
        values = {
            "status": self.status,
            "decision": self.decision,
            "min_score": "" if self.min_score is None else f"{self.min_score:g}",
            "reviewer": "" if self.reviewer is None else str(self.reviewer),
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
            "flagged": "1" if self.flagged else "",
            "unscored": "1" if self.unscored else "",
            **self.sort_args(),
        }
        return {k: v for k, v in values.items() if v}

    def sort_args(self) -> dict[str, str]:
        """The order alone as query-string arguments (empty for the default): what
        "Clear" keeps."""
        return {} if self.sort == LATEST else {"sort": self.sort}


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
    invitation_sent: bool = False  # an invitation text went out (voice.messages.INVITATION)
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


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: just past candidate `after` (next) or before `before` (previous)."""

    after: int | None = None
    before: int | None = None

    @classmethod
    def from_args(cls, args) -> tuple[Cursor, str | None]:
        """Read `after` or `before` (a candidate id) from a query string: the cursor, and
        what is wrong with a damaged one (then no cursor: the first page is shown)."""
        after, before, error = read_cursor(
            args,
            ("after", "before"),
            both="it names both a next and a previous page",
            noun="a candidate number",
        )
        return cls(after=after, before=before), error

    @property
    def anchor(self) -> int | None:
        """The candidate id the page starts after or ends before; None for the first page."""
        return self.after or self.before


def candidate_page(
    session: Session,
    interview: Interview,
    filters: Filters,
    *,
    limit: int,
    offset: int = 0,
    cursor: Cursor | None = None,
    user_id: int | None = None,
) -> tuple[list[Row], int]:
    """One page of the interview's candidates matching the filters, in `filters.sort`'s
    order, and how many match.

    With a `cursor` whose candidate belongs to the interview, the page is the `limit`
    candidates just past it (or just before it) in the list's order and `offset` is
    ignored; otherwise the page starts `offset` rows in. `user_id` is the signed-in user,
    whom "Not scored by me" (`filters.unscored`) is about; without one that filter is off.
    """

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

    recorded = count(distinct(Answer.question_id), answered())
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
    invitation_sent = (
        exists(
            select(Message.id).where(
                Message.candidate_id == Candidate.id,
                Message.kind == INVITATION,
                Message.sent_at.is_not(None),
            )
        )
        .correlate(Candidate)
        .label("invitation_sent")
    )
    conditions = [Candidate.interview_id == interview.id]
    if filters.status:
        conditions.append(Candidate.status == filters.status)
    if filters.decision == NO_DECISION:
        conditions.append(Candidate.decision.is_(None))
    elif filters.decision:
        conditions.append(Candidate.decision == filters.decision)
    if filters.min_score is not None:
        conditions.append(mean_score >= filters.min_score)
    if filters.reviewer is not None:
        conditions.append(
            exists(
                select(Score.id).where(
                    Score.candidate_id == Candidate.id, Score.reviewer_id == filters.reviewer
                )
            )
        )
    if filters.flagged:
        conditions.append(flagged > 0)
    if filters.unscored and user_id is not None:
        # The review queue's rule (voice.reviews): completed, and not yet reviewed by them.
        conditions.extend(unreviewed_by(user_id))
    # Days in the organisation's time zone, as the page shows times (voice.dates).
    since, until = local_days(filters.since, filters.until, interview.organization.time_zone)
    if since is not None:
        conditions.append(_last_activity() >= since)
    if until is not None:
        conditions.append(_last_activity() < until)
    total = session.scalar(select(func.count(Candidate.id)).where(*conditions)) or 0
    stmt = select(
        Candidate,
        recorded,
        transcribed,
        processing,
        failed,
        mean_score,
        reviewers,
        flagged,
        invitation_sent,
    ).where(*conditions)
    in_interview = Candidate.interview_id == interview.id
    order = candidate_order(filters.sort, select(Candidate.id).where(in_interview))
    stmt = order.joined(stmt)
    position = None
    if cursor is not None and cursor.anchor is not None:
        position = order.position(session, cursor.anchor, in_interview)
    backwards = position is not None and cursor.before is not None
    if position is None:
        stmt = order.page(stmt).offset(offset)
    else:
        stmt = order.page(stmt, position, backwards=backwards)
    rows = [
        Row(
            c,
            recorded,
            transcribed,
            processing,
            failed,
            float(mean) if mean is not None else None,
            reviewers,
            flagged_count,
            bool(sent),
        )
        for (
            c,
            recorded,
            transcribed,
            processing,
            failed,
            mean,
            reviewers,
            flagged_count,
            sent,
        ) in session.execute(stmt.limit(limit))
    ]
    if backwards:
        rows.reverse()
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
        by_id[candidate_id].keypad.append((position, keypad_answer(kind, digits)))


def interview_page(interview_id: int, per_page: int = PER_PAGE):
    """The interview page: funnel summary, filters, bulk actions, one page of candidates."""
    session = db()
    interview = get_visible(session, current_user, Interview, interview_id)
    filters = Filters.from_args(request.args)
    page, page_error = read_page(request.args)
    cursor, link_error = Cursor.from_args(request.args)
    link_error = link_error or page_error
    if link_error or page == 1:
        cursor = Cursor()
        page = 1
    rows, total = candidate_page(
        session,
        interview,
        filters,
        limit=per_page,
        offset=(page - 1) * per_page,
        cursor=cursor,
        user_id=current_user.id,
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
    status = 400 if link_error else 422 if filters.errors else 200
    page_html = render_template(
        "interview.html",
        interview=interview,
        rows=rows,
        counts=funnel.statuses,
        funnel=funnel,
        total=funnel.added,
        matching=total,
        page=page,
        pages=pages,
        filters=filters,
        statuses=CandidateStatus.ALL,
        decisions=DecisionKind.ALL,
        sorts=SORT_LABELS,
        teammates=teammates,
        manager=can_manage(current_user),
        admin=is_admin(current_user),
        retention_days=effective_days(interview, interview.organization),
        retention_warning=short_period_warning(effective_days(interview, interview.organization)),
        bulk_decide="review.bulk_decide" in current_app.view_functions,
        closed=interview.is_closed(datetime.now(UTC)),
        link_error=link_error,
    )
    return page_html, status


def _choices(values) -> str:
    """The values a filter takes, for an error: "a, b or c"."""
    return ", ".join(values[:-1]) + " or " + values[-1]
