"""Reviewing at speed: the queue, rubric scores, comments, decisions and their SMS.

The candidate page (dashboard.views) stays the one place a candidate is shown; it asks
`review_context(candidate)` (a template global) for everything this module adds:
every reviewer's scores with mean and spread, blind review, rubric forms, comments,
decisions and the messages sent.
"""

from __future__ import annotations

import logging
import string
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from statistics import fmean

import redis
from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from sqlalchemy import exists, func, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from dashboard.access import media
from dashboard.auth import login_manager, safe_next
from dashboard.permissions import (
    can_manage,
    interview_visible,
    is_admin,
    require_role,
    visible_answer,
    visible_candidate,
    visible_interview,
)
from dashboard.queries import (
    DISAGREEMENT,
    WAITING_DAYS,
    ScoreSummary,
    answers_by_question,
    waiting_clause,
)
from ivr.jobs import SEND_MESSAGE
from ivr.services import db, services
from voice.messages import DEFAULT_DECISION_TEXTS, decision_kind, decision_text, queue_message
from voice.models import (
    Answer,
    Candidate,
    CandidateStatus,
    Comment,
    CriterionScore,
    Decision,
    DecisionKind,
    Interview,
    Message,
    MessageTemplate,
    Question,
    Role,
    RubricCriterion,
    Score,
    User,
)
from voice.waveform import cached_silences, cached_waveform

log = logging.getLogger(__name__)

review = Blueprint("review", __name__)

COMMENT_MAX = 2000
FEEDBACK_MAX = 480
TEMPLATE_MAX = 640
CRITERIA_MAX = 8
DECISION_LABELS = {
    DecisionKind.ADVANCE: "Advance",
    DecisionKind.HOLD: "Hold",
    DecisionKind.REJECT: "Reject",
}
PLACEHOLDERS = ("first_name", "company", "title", "feedback")


@review.before_request
def require_login():
    """Every review URL needs a signed-in user (media gets a bare 401)."""
    if not current_user.is_authenticated:
        if request.endpoint in ("review.waveform", "review.silences"):
            abort(401)
        return login_manager.unauthorized()
    return None


def _back(default: str) -> str:
    return safe_next(request.form.get("next") or request.args.get("next")) or default


def _checked(name: str) -> bool:
    return request.form.get(name, "").lower() in ("1", "y", "yes", "on", "true")


# ---------------------------------------------------------------- the queue


def _unreviewed(user) -> list:
    """WHERE clauses: completed candidates, in interviews the user sees, not scored by them."""
    scored = exists(
        select(Score.id).where(Score.candidate_id == Candidate.id, Score.reviewer_id == user.id)
    )
    rubric_scored = exists(
        select(CriterionScore.id)
        .join(Answer, Answer.id == CriterionScore.answer_id)
        .where(Answer.candidate_id == Candidate.id, CriterionScore.reviewer_id == user.id)
    )
    return [
        interview_visible(user),
        Candidate.status == CandidateStatus.COMPLETED,
        ~scored,
        ~rubric_scored,
    ]


def _queue_key():
    return func.coalesce(Candidate.completed_at, Candidate.created_at)


def next_unreviewed(
    session: Session, user, interview_id: int | None = None, after: int | None = None
) -> int | None:
    """The next candidate this user has not scored (oldest first), after `after`, wrapping."""
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


def unreviewed_counts(session: Session, user) -> dict[int, int]:
    """{interview_id: candidates this user has still to score}."""
    rows = session.execute(
        select(Interview.id, func.count(Candidate.id))
        .join(Interview, Interview.id == Candidate.interview_id)
        .where(*_unreviewed(user))
        .group_by(Interview.id)
    )
    return dict(rows.all())


@review.get("/review")
def queue():
    session = db()
    counts = unreviewed_counts(session, current_user)
    interviews = session.scalars(
        select(Interview).where(interview_visible(current_user)).order_by(Interview.title)
    ).all()
    now = datetime.now(UTC)
    waiting = session.execute(
        select(Candidate, Interview.title)
        .join(Interview, Interview.id == Candidate.interview_id)
        .where(interview_visible(current_user), waiting_clause(now))
        .order_by(Candidate.completed_at, Candidate.id)
        .limit(50)
    ).all()
    return render_template(
        "review_queue.html",
        interviews=interviews,
        counts=counts,
        total=sum(counts.values()),
        waiting=waiting,
        waiting_days=WAITING_DAYS,
        now=now,
    )


@review.get("/review/next")
def next_candidate():
    interview_id = request.args.get("interview_id", type=int)
    after = request.args.get("after", type=int)
    found = next_unreviewed(db(), current_user, interview_id, after)
    if found is None:
        flash("You're all caught up: every completed candidate has your score.", "success")
        if interview_id is not None:
            return redirect(url_for("dashboard.interview", interview_id=interview_id))
        return redirect(url_for(".queue"))
    query = {"queue": interview_id} if interview_id is not None else {}
    return redirect(url_for("dashboard.candidate", candidate_id=found, **query))


# ---------------------------------------------------------------- the candidate page's extras


@dataclass
class Stat:
    """Scores of one thing (an answer, the candidate, a criterion) by several reviewers."""

    by_reviewer: dict[int, int] = field(default_factory=dict)

    @property
    def values(self) -> list[int]:
        return list(self.by_reviewer.values())

    @property
    def mean(self) -> float | None:
        return fmean(self.values) if self.values else None

    @property
    def spread(self) -> int:
        return max(self.values) - min(self.values) if len(self.values) > 1 else 0

    @property
    def disputed(self) -> bool:
        return self.spread >= DISAGREEMENT


@dataclass
class ReviewContext:
    blind: bool  # others' scores are hidden from this user for now
    has_scored: bool
    reviewers: list[tuple[int, str]]  # (user id, name), the signed-in user first
    answers: list[Answer]  # kept answers in question order: the table's columns
    stats: dict[int | None, Stat]  # by answer id, None: overall
    criteria: dict[int, list[RubricCriterion]]  # by question id
    criterion_stats: dict[tuple[int, int], Stat]  # by (answer id, criterion id)
    comments: dict[int | None, list[Comment]]  # by answer id, None: about the candidate
    decisions: list[Decision]
    messages: list[tuple[Message, str]]
    waiting_days: int | None
    can_decide: bool
    can_share: bool
    can_edit_rubric: bool
    next_url: str
    queue_interview: int | None
    labels: dict[str, str] = field(default_factory=lambda: dict(DECISION_LABELS))

    @property
    def max_spread(self) -> int:
        spreads = [s.spread for s in self.stats.values()]
        spreads += [s.spread for s in self.criterion_stats.values()]
        return max(spreads, default=0)

    @property
    def disputed(self) -> bool:
        return not self.blind and self.max_spread >= DISAGREEMENT

    def mine(self, answer_id: int, criterion_id: int) -> int | None:
        stat = self.criterion_stats.get((answer_id, criterion_id))
        return stat.by_reviewer.get(current_user.id) if stat else None

    def summary(self, summary: ScoreSummary) -> ScoreSummary:
        """A score form's team summary, emptied under blind review."""
        return ScoreSummary() if self.blind else summary

    def visible_stat(self, stat: Stat | None) -> Stat:
        """The stat, or only the user's own part of it under blind review."""
        if stat is None:
            return Stat()
        if self.blind:
            return Stat({k: v for k, v in stat.by_reviewer.items() if k == current_user.id})
        return stat


def review_context(candidate: Candidate) -> ReviewContext:
    """Everything the candidate page shows beyond the answers: a fixed number of queries."""
    session = db()
    me = session.get(User, current_user.id)
    answers = [qa.answer for qa in answers_by_question(candidate) if qa.answer is not None]
    question_ids = [q.id for q in candidate.interview.questions]

    # Scores and rubric scores with their reviewers' names: one query each.
    stats: dict[int | None, Stat] = defaultdict(Stat)
    names: dict[int, str] = {}
    for score, name, email in session.execute(
        select(Score, User.name, User.email)
        .join(User, User.id == Score.reviewer_id)
        .where(Score.candidate_id == candidate.id)
    ):
        stats[score.answer_id].by_reviewer[score.reviewer_id] = score.value
        names[score.reviewer_id] = name or email
    criterion_stats: dict[tuple[int, int], Stat] = defaultdict(Stat)
    for cs, name, email in session.execute(
        select(CriterionScore, User.name, User.email)
        .join(User, User.id == CriterionScore.reviewer_id)
        .join(Answer, Answer.id == CriterionScore.answer_id)
        .where(Answer.candidate_id == candidate.id, Answer.kept.is_(True))
    ):
        criterion_stats[(cs.answer_id, cs.criterion_id)].by_reviewer[cs.reviewer_id] = cs.value
        names[cs.reviewer_id] = name or email
    has_scored = current_user.id in names
    blind = bool(me and me.blind_review and not has_scored)
    shown = [current_user.id] if blind else list(names)
    reviewers = sorted(
        ((i, "You" if i == current_user.id else names[i]) for i in shown if i in names),
        key=lambda r: (r[0] != current_user.id, r[1].lower()),
    )

    criteria: dict[int, list[RubricCriterion]] = defaultdict(list)
    if question_ids:
        for criterion in session.scalars(
            select(RubricCriterion)
            .where(RubricCriterion.question_id.in_(question_ids))
            .order_by(RubricCriterion.position, RubricCriterion.id)
        ):
            criteria[criterion.question_id].append(criterion)

    comments: dict[int | None, list[Comment]] = defaultdict(list)
    for comment in session.scalars(
        select(Comment)
        .options(joinedload(Comment.author))
        .where(Comment.candidate_id == candidate.id)
        .order_by(Comment.created_at, Comment.id)
    ):
        comments[comment.answer_id].append(comment)

    decisions = session.scalars(
        select(Decision)
        .options(joinedload(Decision.decided_by))
        .where(Decision.candidate_id == candidate.id)
        .order_by(Decision.created_at.desc(), Decision.id.desc())
    ).all()

    messages = []
    sender = User.__table__.alias("sender")
    for message, sender_name, sender_email in session.execute(
        select(Message, sender.c.name, sender.c.email)
        .outerjoin(sender, sender.c.id == Message.sent_by_id)
        .where(Message.candidate_id == candidate.id)
        .order_by(Message.created_at.desc(), Message.id.desc())
    ):
        messages.append((message, sender_name or sender_email or "Screenline (automatic)"))

    waiting_days = None
    if candidate.status == CandidateStatus.COMPLETED and candidate.decision is None:
        completed = candidate.completed_at
        if completed is not None:
            days = (datetime.now(UTC) - completed).days
            if days >= WAITING_DAYS:
                waiting_days = days

    queue_interview = request.args.get("queue", type=int)
    next_args = {"after": candidate.id}
    if queue_interview is not None:
        next_args["interview_id"] = queue_interview
    return ReviewContext(
        blind=blind,
        has_scored=has_scored,
        reviewers=reviewers,
        answers=answers,
        stats=stats,
        criteria=criteria,
        criterion_stats=criterion_stats,
        comments=comments,
        decisions=decisions,
        messages=messages,
        waiting_days=waiting_days,
        can_decide=can_manage(current_user),
        can_share=can_manage(current_user),
        can_edit_rubric=can_manage(current_user),
        next_url=url_for("review.next_candidate", **next_args),
        queue_interview=queue_interview,
    )


@review.app_context_processor
def review_globals():
    return {"review_context": review_context, "decision_labels": DECISION_LABELS}


# ---------------------------------------------------------------- rubric scores


@review.post("/answers/<int:answer_id>/rubric")
def score_criteria(answer_id: int):
    session = db()
    answer = visible_answer(session, current_user, answer_id)
    if answer is None:
        abort(404)
    back = url_for(
        "dashboard.candidate", candidate_id=answer.candidate_id, _anchor=f"answer-{answer.id}"
    )
    criteria = session.scalars(
        select(RubricCriterion).where(RubricCriterion.question_id == answer.question_id)
    ).all()
    values: dict[int, int] = {}
    for criterion in criteria:
        raw = request.form.get(f"criterion-{criterion.id}", "")
        if raw == "":
            continue
        if raw not in ("1", "2", "3", "4", "5"):
            flash("Rubric scores run from 1 to 5.", "error")
            return redirect(back)
        values[criterion.id] = int(raw)
    if not values:
        flash("Your rubric scores were not saved: choose at least one score.", "error")
        return redirect(back)
    save_criterion_scores(session, current_user.id, answer.id, values)
    flash(f"Your rubric scores for question {answer.question.position} are saved.", "success")
    return redirect(back)


def save_criterion_scores(
    session: Session, reviewer_id: int, answer_id: int, values: dict[int, int]
) -> None:
    """Create or update this reviewer's scores on each criterion, and commit."""
    for _ in range(2):
        existing = {
            cs.criterion_id: cs
            for cs in session.scalars(
                select(CriterionScore).where(
                    CriterionScore.reviewer_id == reviewer_id, CriterionScore.answer_id == answer_id
                )
            )
        }
        for criterion_id, value in values.items():
            if criterion_id in existing:
                existing[criterion_id].value = value
            else:
                session.add(
                    CriterionScore(
                        reviewer_id=reviewer_id,
                        answer_id=answer_id,
                        criterion_id=criterion_id,
                        value=value,
                    )
                )
        try:
            session.commit()
            return
        except IntegrityError:
            session.rollback()  # a double submit raced us: read again and update
    raise RuntimeError("could not save rubric scores")


# ---------------------------------------------------------------- rubric editing


def _question_for(session: Session, question_id: int) -> Question:
    question = session.scalar(
        select(Question)
        .join(Interview, Interview.id == Question.interview_id)
        .where(Question.id == question_id, interview_visible(current_user))
    )
    if question is None:
        abort(404)
    if not can_manage(current_user):
        abort(403)
    return question


@review.route("/questions/<int:question_id>/rubric", methods=["GET", "POST"])
def rubric(question_id: int):
    session = db()
    question = _question_for(session, question_id)
    criteria = session.scalars(
        select(RubricCriterion)
        .where(RubricCriterion.question_id == question.id)
        .order_by(RubricCriterion.position, RubricCriterion.id)
    ).all()
    errors: list[str] = []
    if request.method == "POST":
        keep = []
        for criterion in criteria:
            if _checked(f"delete-{criterion.id}"):
                session.delete(criterion)
                continue
            name = request.form.get(f"name-{criterion.id}", criterion.name).strip()
            if not name:
                errors.append("Every criterion needs a name (or tick Remove).")
                continue
            criterion.name = name[:100]
            criterion.description = request.form.get(f"description-{criterion.id}", "").strip()
            keep.append(criterion)
        for n in range(3):
            name = request.form.get(f"new_name-{n}", "").strip()
            description = request.form.get(f"new_description-{n}", "").strip()
            if not name and description:
                errors.append("A new criterion needs a name.")
            if name:
                criterion = RubricCriterion(
                    question_id=question.id, position=0, name=name[:100], description=description
                )
                session.add(criterion)
                keep.append(criterion)
        if len(keep) > CRITERIA_MAX:
            errors.append(f"A question can have at most {CRITERIA_MAX} criteria.")
        if errors:
            session.rollback()
            for error in dict.fromkeys(errors):
                flash(error, "error")
            return redirect(url_for(".rubric", question_id=question.id))
        for position, criterion in enumerate(keep, start=1):
            criterion.position = position
        session.commit()
        flash("The rubric is saved.", "success")
        return redirect(url_for(".rubric", question_id=question.id))
    return render_template(
        "rubric.html", question=question, interview=question.interview, criteria=criteria
    )


# ---------------------------------------------------------------- comments


@review.post("/candidates/<int:candidate_id>/comments")
def comment(candidate_id: int):
    session = db()
    candidate = visible_candidate(session, current_user, candidate_id)
    if candidate is None:
        abort(404)
    answer_id = request.form.get("answer_id", type=int)
    anchor = "comments"
    if answer_id is not None:
        owner = session.scalar(select(Answer.candidate_id).where(Answer.id == answer_id))
        if owner != candidate.id:
            abort(404)
        anchor = f"answer-{answer_id}"
    back = url_for("dashboard.candidate", candidate_id=candidate.id, _anchor=anchor)
    body = request.form.get("body", "").strip()
    if not body or len(body) > COMMENT_MAX:
        flash(f"Write a comment of 1 to {COMMENT_MAX} characters.", "error")
        return redirect(back)
    session.add(
        Comment(
            candidate_id=candidate.id, answer_id=answer_id, author_id=current_user.id, body=body
        )
    )
    session.commit()
    flash("Your comment is added.", "success")
    return redirect(back)


# ---------------------------------------------------------------- decisions


@dataclass
class Outcome:
    decided: int = 0
    queued: list[Message] = field(default_factory=list)
    already_told: list[str] = field(default_factory=list)
    no_phone: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _notification_kind(session: Session, candidate: Candidate, decision: str) -> str | None:
    """The message kind for telling `candidate` of `decision`; None if already told."""
    sent = session.scalars(
        select(Message.kind)
        .where(Message.candidate_id == candidate.id, Message.kind.like("decision:%"))
        .order_by(Message.created_at.desc(), Message.id.desc())
    ).all()
    if sent and sent[0].split(":")[1] == decision:
        return None  # the last thing we told them is this decision already
    same = sum(1 for kind in sent if kind.split(":")[1] == decision)
    base = decision_kind(decision)
    return base if same == 0 else f"{base}:{same + 1}"


def apply_decision(
    session: Session,
    candidates: list[Candidate],
    decision: str,
    user_id: int,
    *,
    notify: bool,
    feedback: str,
) -> Outcome:
    """Record `decision` for each candidate and write the SMS rows (not committed)."""
    outcome = Outcome()
    now = datetime.now(UTC)
    for candidate in candidates:
        if candidate.decision != decision:
            session.add(
                Decision(
                    candidate_id=candidate.id,
                    decision=decision,
                    decided_by_id=user_id,
                    feedback=feedback,
                    created_at=now,
                )
            )
            candidate.decision, candidate.decided_by_id, candidate.decided_at = (
                decision,
                user_id,
                now,
            )
            outcome.decided += 1
        else:
            outcome.unchanged.append(candidate.name)
        if not notify:
            continue
        if not candidate.phone:
            outcome.no_phone.append(candidate.name)
            continue
        kind = _notification_kind(session, candidate, decision)
        message = None
        if kind is not None:
            body = decision_text(session, candidate, decision, feedback)
            message = queue_message(session, candidate, kind, body, sent_by_id=user_id)
        if message is None:
            outcome.already_told.append(candidate.name)
        else:
            outcome.queued.append(message)
    return outcome


def _send(outcome: Outcome) -> None:
    """Enqueue the committed messages; the worker's sweep picks up any the queue missed."""
    for message in outcome.queued:
        try:
            services().enqueue(SEND_MESSAGE, message.id)
        except redis.RedisError:
            log.exception("could not enqueue %s for message %s", SEND_MESSAGE.name, message.id)
            flash("The job queue is unavailable: the text will be sent when it is back.", "warning")
            return


def _read_decision() -> tuple[str, bool, str] | None:
    decision = request.form.get("decision", "")
    feedback = request.form.get("feedback", "").strip()
    if decision not in DecisionKind.ALL:
        flash("Choose advance, hold or reject.", "error")
        return None
    if len(feedback) > FEEDBACK_MAX:
        flash(f"Feedback can be at most {FEEDBACK_MAX} characters (it is sent by SMS).", "error")
        return None
    return decision, _checked("notify"), feedback


def _report(outcome: Outcome, decision: str, count: int) -> None:
    label = DECISION_LABELS[decision].lower()
    people = "candidate" if count == 1 else "candidates"
    flash(f"Decision saved: {label} for {count} {people}.", "success")
    if outcome.queued:
        n = len(outcome.queued)
        flash(f"{n} {'text' if n == 1 else 'texts'} queued to send.", "success")
    if outcome.already_told:
        flash(
            "Not texted again (already told of this decision): "
            + ", ".join(outcome.already_told)
            + ".",
            "info",
        )
    if outcome.no_phone:
        flash("No phone number, so not texted: " + ", ".join(outcome.no_phone) + ".", "warning")


@review.post("/candidates/<int:candidate_id>/decision")
def decide(candidate_id: int):
    session = db()
    candidate = visible_candidate(session, current_user, candidate_id)
    if candidate is None:
        abort(404)
    if not can_manage(current_user):
        abort(403)
    back = url_for("dashboard.candidate", candidate_id=candidate.id, _anchor="decision")
    read = _read_decision()
    if read is None:
        return redirect(back)
    decision, notify, feedback = read
    outcome = apply_decision(
        session, [candidate], decision, current_user.id, notify=notify, feedback=feedback
    )
    session.commit()
    _report(outcome, decision, 1)
    _send(outcome)
    return redirect(back)


@review.post("/interviews/<int:interview_id>/decisions")
def bulk_decide(interview_id: int):
    session = db()
    interview = visible_interview(session, current_user, interview_id)
    if interview is None:
        abort(404)
    if not can_manage(current_user):
        abort(403)
    back = _back(url_for("dashboard.interview", interview_id=interview.id))
    ids = []
    for raw in request.form.getlist("candidate_ids"):
        try:
            ids.append(int(raw))
        except ValueError:
            continue
    read = _read_decision()
    if read is None:
        return redirect(back)
    if not ids:
        flash("Select at least one candidate.", "error")
        return redirect(back)
    candidates = session.scalars(
        select(Candidate)
        .where(Candidate.interview_id == interview.id, Candidate.id.in_(ids))
        .order_by(Candidate.id)
    ).all()
    if len(candidates) != len(set(ids)):
        abort(404)  # an id of another interview (or organisation) was slipped in
    decision, notify, feedback = read
    outcome = apply_decision(
        session, list(candidates), decision, current_user.id, notify=notify, feedback=feedback
    )
    session.commit()
    _report(outcome, decision, len(candidates))
    _send(outcome)
    return redirect(back)


# ---------------------------------------------------------------- message templates


def template_problem(body: str) -> str | None:
    """Why an employer's template cannot be used, or None."""
    if not body.strip():
        return None
    if len(body) > TEMPLATE_MAX:
        return f"Keep each message under {TEMPLATE_MAX} characters."
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(body) if name is not None]
    except ValueError:
        return "A curly bracket is unmatched: write placeholders like {first_name}."
    unknown = sorted({n for n in names if n not in PLACEHOLDERS})
    if unknown:
        return "Unknown placeholder: " + ", ".join("{" + n + "}" for n in unknown) + "."
    return None


@review.route("/settings/messages", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def message_templates():
    session = db()
    org_id = current_user.organization_id
    rows = {
        t.kind: t
        for t in session.scalars(
            select(MessageTemplate).where(MessageTemplate.organization_id == org_id)
        )
    }
    if request.method == "POST":
        problems = {}
        for decision in DecisionKind.ALL:
            body = request.form.get(decision, "").strip()
            problem = template_problem(body)
            if problem:
                problems[decision] = problem
                continue
            kind = decision_kind(decision)
            row = rows.get(kind)
            if not body or body == DEFAULT_DECISION_TEXTS[decision]:
                if row is not None:
                    session.delete(row)
            elif row is None:
                session.add(MessageTemplate(organization_id=org_id, kind=kind, body=body))
            else:
                row.body = body
        if problems:
            session.rollback()
            flash("Nothing was saved: fix the messages marked below.", "error")
            texts = {d: request.form.get(d, "") for d in DecisionKind.ALL}
            return render_template(
                "message_templates.html",
                texts=texts,
                problems=problems,
                defaults=DEFAULT_DECISION_TEXTS,
                placeholders=PLACEHOLDERS,
            ), 422
        session.commit()
        flash("Decision messages saved.", "success")
        return redirect(url_for(".message_templates"))
    texts = {
        d: (rows[decision_kind(d)].body if decision_kind(d) in rows else DEFAULT_DECISION_TEXTS[d])
        for d in DecisionKind.ALL
    }
    return render_template(
        "message_templates.html",
        texts=texts,
        problems={},
        defaults=DEFAULT_DECISION_TEXTS,
        placeholders=PLACEHOLDERS,
    )


# ---------------------------------------------------------------- own settings


@review.route("/settings/review", methods=["GET", "POST"])
def my_settings():
    session = db()
    me = session.get(User, current_user.id)
    if me is None:
        abort(404)
    if request.method == "POST":
        me.blind_review = _checked("blind_review")
        session.commit()
        flash(
            "Blind review is on: others' scores stay hidden until you score a candidate."
            if me.blind_review
            else "Blind review is off.",
            "success",
        )
        return redirect(url_for(".my_settings"))
    return render_template("review_settings.html", me=me, is_admin=is_admin(current_user))


# ---------------------------------------------------------------- waveform and silences


def _playback(answer_id: int) -> Answer:
    answer = visible_answer(db(), current_user, answer_id)
    if answer is None or not answer.playback_key:
        abort(404)
    try:
        if not services().store.exists(answer.playback_key):
            abort(404)
    except ValueError:
        abort(404)
    return answer


def media_response(response, max_age: int = 600):
    response.cache_control.no_cache = None
    response.cache_control.public = False
    response.cache_control.private = True
    response.cache_control.max_age = max_age
    response.vary.add("Cookie")
    return response


def waveform_response(answer: Answer):
    store = services().store
    cached_waveform(store, answer.id, answer.playback_key)
    response = send_file(
        store.path(f"answers/{answer.id}/waveform.svg"),
        mimetype="image/svg+xml",
        conditional=True,
        max_age=None,
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return media_response(response)


def silences_response(answer: Answer):
    spans = cached_silences(services().store, answer.id, answer.playback_key)
    return media_response(jsonify({"answer_id": answer.id, "silences": spans}))


@review.get("/answers/<int:answer_id>/waveform.svg")
@media
def waveform(answer_id: int):
    return waveform_response(_playback(answer_id))


@review.get("/answers/<int:answer_id>/silences.json")
@media
def silences(answer_id: int):
    return silences_response(_playback(answer_id))
