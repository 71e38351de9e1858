"""Candidates in bulk: the interview's filtered list, CSV import, SMS invitations,
accommodations and "Call me now".

The list is one page of a filtered query (its total comes from a window count in the
same query), so it costs the same number of queries for 10 candidates or 10,000.
"""

from __future__ import annotations

import csv
import io
import logging
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import redis
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import distinct, exists, func, select
from sqlalchemy.orm import Session

from dashboard.access import can_manage, get_visible, require_manager
from dashboard.insights import funnel_counts
from ivr.jobs import SEND_MESSAGE
from ivr.services import db, services
from ivr.twilio_rest import TwilioError
from voice.messages import INVITATION, invitation_text, queue_message
from voice.models import (
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
from voice.phones import normalise_phone
from voice.pins import PIN_DIGITS

log = logging.getLogger(__name__)

candidates = Blueprint("candidates", __name__)

PER_PAGE = 50
MAX_IMPORT_ROWS = 20_000
NO_DECISION = "none"
PROCESSING = (AnswerStatus.RECORDING, AnswerStatus.ANNOUNCED, AnswerStatus.STORED)


# ---------------------------------------------------------------- filters


@dataclass
class Filters:
    """The candidate list's filters, read from the query string and validated."""

    status: str = ""
    decision: str = ""
    min_score: float | None = None
    reviewer: int | None = None
    since: date | None = None
    until: date | None = None
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args) -> Filters:
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
        reviewer = args.get("reviewer", "")
        if reviewer.isdigit():
            found.reviewer = int(reviewer)
        for name in ("since", "until"):
            raw = args.get(name, "").strip()
            if raw:
                try:
                    setattr(found, name, date.fromisoformat(raw))
                except ValueError:
                    found.errors.append(f"“{raw}” is not a date (use YYYY-MM-DD).")
        return found

    @property
    def active(self) -> bool:
        return any(
            (self.status, self.decision, self.min_score, self.reviewer, self.since, self.until)
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
        }
        return {k: v for k, v in values.items() if v}


@dataclass(frozen=True)
class Row:
    candidate: Candidate
    recorded: int
    transcribed: int
    processing: int
    failed: int
    mean_score: float | None
    reviewers: int
    keypad: list[tuple[int, str]] = field(default_factory=list)  # (question number, shown)

    @property
    def transcription(self) -> tuple[str, str]:
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
    for c, recorded, transcribed, processing, failed, mean, reviewers, count in session.execute(
        stmt
    ):
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
    if kind == "yes_no":
        return {"1": "Yes", "2": "No"}.get(digits or "", digits or "—")
    return digits or "—"


# ---------------------------------------------------------------- the interview page


def interview_page(interview_id: int, per_page: int = PER_PAGE):
    """The interview page: funnel summary, filters, bulk actions, one page of candidates."""
    session = db()
    interview = get_visible(session, current_user, Interview, interview_id)
    filters = Filters.from_args(request.args)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
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
        bulk_decide="review.bulk_decide" in current_app.view_functions,
    )


# ---------------------------------------------------------------- CSV import


@dataclass
class ImportReport:
    added: list[Candidate] = field(default_factory=list)
    merged: list[tuple[int, str, str]] = field(default_factory=list)  # (row, phone, how)
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # (row, raw, why)


HEADERS = {
    "name": "name",
    "full name": "name",
    "candidate": "name",
    "phone": "phone",
    "phone number": "phone",
    "mobile": "phone",
    "telephone": "phone",
    "email": "email",
    "e-mail": "email",
    "email address": "email",
    "external id": "external_id",
    "external_id": "external_id",
    "externalid": "external_id",
    "id": "external_id",
}


def import_csv(session: Session, interview: Interview, text: str) -> ImportReport:
    """Add the CSV's candidates to the interview; merge duplicates by phone; report."""
    report = ImportReport()
    reader = csv.reader(io.StringIO(text))
    rows = [row for row in reader]
    if not rows:
        report.rejected.append((0, "", "The file is empty."))
        return report
    columns = _columns(rows[0])
    start = 1
    if columns is None:
        columns = ["name", "phone", "email", "external_id"]
        start = 0
    existing = {
        c.phone: c
        for c in session.scalars(
            select(Candidate).where(
                Candidate.interview_id == interview.id, Candidate.phone.is_not(None)
            )
        )
    }
    pins = set(session.scalars(select(Candidate.pin).where(Candidate.interview_id == interview.id)))
    for number, raw in enumerate(rows[start:], start=start + 1):
        if not any(cell.strip() for cell in raw):
            continue
        if number > MAX_IMPORT_ROWS + 1:
            report.rejected.append((number, "", f"Only {MAX_IMPORT_ROWS} rows per file."))
            break
        values = {
            columns[i]: cell.strip()
            for i, cell in enumerate(raw)
            if i < len(columns) and columns[i]
        }
        shown = ", ".join(cell.strip() for cell in raw)
        name = values.get("name", "")
        if not name:
            report.rejected.append((number, shown, "No name."))
            continue
        if len(name) > 200:
            report.rejected.append((number, shown, "Name is longer than 200 characters."))
            continue
        if not values.get("phone"):
            report.rejected.append((number, shown, "No phone number."))
            continue
        try:
            phone = normalise_phone(values["phone"])
        except ValueError:
            report.rejected.append(
                (number, shown, f"“{values['phone']}” is not a phone number we can call.")
            )
            continue
        email = values.get("email") or None
        if email and ("@" not in email or len(email) > 254):
            report.rejected.append((number, shown, f"“{email}” is not an email address."))
            continue
        external_id = (values.get("external_id") or "")[:100] or None
        if phone in existing:
            kept = existing[phone]
            filled = []
            if email and not kept.email:
                kept.email = email
                filled.append("email")
            if external_id and not kept.external_id:
                kept.external_id = external_id
                filled.append("external id")
            how = f"merged into {kept.name}" + (f" (added {', '.join(filled)})" if filled else "")
            report.merged.append((number, phone, how))
            continue
        candidate = Candidate(
            interview_id=interview.id,
            name=name,
            phone=phone,
            email=email,
            external_id=external_id,
            pin=_fresh_pin(pins),
            status=CandidateStatus.INVITED,
        )
        session.add(candidate)
        existing[phone] = candidate
        report.added.append(candidate)
    return report


def _columns(header: list[str]) -> list[str] | None:
    """Map a header row to field names, or None if the first row is data."""
    mapped = []
    for cell in header:
        key = cell.strip().lower()
        mapped.append(HEADERS.get(key) or HEADERS.get(key.replace("_", " ")) or "")
    if "name" in mapped and "phone" in mapped:
        return mapped
    return None


def _fresh_pin(taken: set[str]) -> str:
    while True:
        pin = "".join(secrets.choice("0123456789") for _ in range(PIN_DIGITS))
        if pin not in taken and pin[0] != "0":
            taken.add(pin)
            return pin


@candidates.route("/interviews/<int:interview_id>/import", methods=["GET", "POST"])
@require_manager
def import_candidates(interview_id: int):
    session = db()
    interview = get_visible(session, current_user, Interview, interview_id, manage=True)
    report, error = None, None
    if request.method == "POST":
        upload = request.files.get("file")
        pasted = request.form.get("pasted", "")
        raw = upload.read() if upload and upload.filename else pasted.encode()
        if not raw.strip():
            error = "Choose a CSV file (or paste its rows) to import."
        else:
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                try:
                    text = raw.decode("cp1252")
                except UnicodeDecodeError:
                    text = None
            if text is None:
                error = "That file is not text. Save it as CSV (UTF-8) and try again."
            else:
                report = import_csv(session, interview, text)
                session.commit()
    status = 422 if error else 200
    return (
        render_template("import.html", interview=interview, report=report, error=error),
        status,
    )


# ---------------------------------------------------------------- invitations


@candidates.post("/interviews/<int:interview_id>/invite")
@require_manager
def invite(interview_id: int):
    session = db()
    interview = get_visible(session, current_user, Interview, interview_id, manage=True)
    stmt = select(Candidate).where(Candidate.interview_id == interview.id)
    if request.form.get("all") != "1":
        ids = [int(x) for x in request.form.getlist("candidate_ids") if x.isdigit()]
        if not ids:
            flash("Select at least one candidate to invite.", "error")
            return redirect(url_for("dashboard.interview", interview_id=interview.id))
        stmt = stmt.where(Candidate.id.in_(ids))
    chosen = list(session.scalars(stmt.order_by(Candidate.id)))
    queued, skipped = [], defaultdict(list)
    for candidate in chosen:
        if not candidate.phone:
            skipped["no phone number"].append(candidate.name)
            continue
        message = queue_message(
            session, candidate, INVITATION, invitation_text(candidate), current_user.id
        )
        if message is None:
            skipped["already invited"].append(candidate.name)
        else:
            queued.append(message)
    session.commit()
    failed = 0
    for message in queued:
        try:
            services().enqueue(SEND_MESSAGE, message.id)
        except redis.RedisError:
            failed += 1
            log.exception("could not enqueue %s for message %s", SEND_MESSAGE.name, message.id)
    if queued:
        flash(f"Invitation texts queued for {len(queued)} {_people(len(queued))}.", "success")
    for why, names in skipped.items():
        flash(f"Skipped {len(names)} ({why}): {_names(names)}.", "info")
    if failed:
        flash(f"{failed} texts could not be queued; the sweep will send them later.", "warning")
    if not chosen:
        flash("No candidates to invite.", "info")
    return redirect(url_for("dashboard.interview", interview_id=interview.id))


def _people(n: int) -> str:
    return "candidate" if n == 1 else "candidates"


def _names(names: list[str], most: int = 5) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


# ---------------------------------------------------------------- one candidate


def _managed_candidate(candidate_id: int) -> Candidate:
    return get_visible(db(), current_user, Candidate, candidate_id, manage=True)


@candidates.get("/candidates/<int:candidate_id>/manage")
@require_manager
def manage(candidate_id: int):
    candidate = _managed_candidate(candidate_id)
    return render_template(
        "candidate_manage.html", candidate=candidate, interview=candidate.interview, errors={}
    )


@candidates.post("/candidates/<int:candidate_id>/accommodations")
@require_manager
def accommodations(candidate_id: int):
    candidate = _managed_candidate(candidate_id)
    errors = {}
    try:
        extra = float(request.form.get("extra_time", "1") or "1")
        if not 1.0 <= extra <= 4.0:
            raise ValueError
    except ValueError:
        errors["extra_time"] = "Extra time is a multiplier from 1 (none) to 4."
    if errors:
        return (
            render_template(
                "candidate_manage.html",
                candidate=candidate,
                interview=candidate.interview,
                errors=errors,
            ),
            422,
        )
    candidate.extra_time = round(extra, 2)
    candidate.slow_speech = request.form.get("slow_speech") == "1"
    db().commit()
    flash(f"Accommodations for {candidate.name} are saved.", "success")
    return redirect(url_for(".manage", candidate_id=candidate.id))


@candidates.post("/candidates/<int:candidate_id>/call")
@require_manager
def call_now(candidate_id: int):
    candidate = _managed_candidate(candidate_id)
    back = request.form.get("back") == "interview"
    target = (
        url_for("dashboard.interview", interview_id=candidate.interview_id)
        if back
        else url_for(".manage", candidate_id=candidate.id)
    )
    if not candidate.phone:
        flash(f"{candidate.name} has no phone number to call.", "error")
        return redirect(target)
    settings = services().settings
    base = settings.public_url.rstrip("/")
    try:
        sid = services().twilio.create_call(
            to=candidate.phone,
            from_=candidate.interview.phone_number,
            url=f"{base}/ivr/voice?candidate={candidate.id}",
            status_callback=f"{base}/ivr/status",
        )
    except TwilioError as exc:
        log.warning("call to candidate %s failed: %s", candidate.id, exc)
        flash(f"Twilio could not place the call to {candidate.phone}: {exc}", "error")
        return redirect(target)
    log.info("outbound call %s to candidate %s", sid, candidate.id)
    flash(f"Calling {candidate.name} at {candidate.phone} now.", "success")
    return redirect(target)
