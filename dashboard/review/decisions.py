"""Decisions: advance, hold or reject one candidate or many, and the SMS telling them.

A decision is recorded once per change (Decision rows keep the history). Texting is
optional; a candidate is never texted the same decision twice in a row. Message rows
are committed with the decision and then enqueued; the worker's sweep sends any that
the queue missed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

import redis
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.access import (
    ERASED_MESSAGE,
    erased_skipped,
    get_visible,
    require_not_erased,
    split_erased,
)
from dashboard.auditing import record
from dashboard.flashes import flash_at
from dashboard.page_links import back_to_list
from dashboard.presenters import DECISION_LABELS
from dashboard.review import checked, posted_ids, review
from dashboard.review.candidate_page import render_candidate
from ivr.jobs import SEND_MESSAGE
from ivr.services import db, services
from voice import webhooks
from voice.messages import decision_kind, decision_text, queue_message
from voice.models import Candidate, Decision, DecisionKind, Interview, Message

log = logging.getLogger(__name__)

FEEDBACK_MAX = 480  # characters: the feedback is sent inside one SMS


@dataclass
class Outcome:
    """What deciding did: how many changed, texts queued, and who was not texted why."""

    decided: int = 0
    changed: list[Candidate] = field(default_factory=list)
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
    api_key_id: int | None = None,
) -> Outcome:
    """Record `decision` (a DecisionKind) for each candidate, with a candidate.decided
    webhook for each change, and, if `notify`, write the SMS rows; nothing is committed.

    `user_id` is who decided; `api_key_id` the API key whose request it was (the texts
    and the decision history name it), None on the dashboard.

    Raises dashboard.access.CandidateErased, before writing anything, if a candidate is
    erased (a bulk action sets those aside first, with `split_erased`).
    """
    for candidate in candidates:
        require_not_erased(candidate)
    outcome = Outcome()
    now = datetime.now(UTC)
    for candidate in candidates:
        if candidate.decision != decision:
            session.add(
                Decision(
                    candidate_id=candidate.id,
                    decision=decision,
                    decided_by_id=user_id,
                    decided_by_api_key_id=api_key_id,
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
            outcome.changed.append(candidate)
            webhooks.emit_for_candidate(candidate, webhooks.CANDIDATE_DECIDED)
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
            message = queue_message(
                session, candidate, kind, body, sent_by_id=user_id, sent_by_api_key_id=api_key_id
            )
        if message is None:
            outcome.already_told.append(candidate.name)
        else:
            outcome.queued.append(message)
    return outcome


def _send(outcome: Outcome, spot: str | None = None) -> None:
    """Enqueue the committed messages; the worker's sweep picks up any the queue missed.
    A warning is flashed at `spot` (dashboard/flashes.py) when given."""
    for message in outcome.queued:
        try:
            services().enqueue(SEND_MESSAGE, message.id)
        except redis.RedisError:
            log.exception("could not enqueue %s for message %s", SEND_MESSAGE.name, message.id)
            flash_at(
                spot,
                "The job queue is unavailable: the text will be sent when it is back.",
                "warning",
            )
            return


# The bulk form's "Decision to apply" starts at "Choose…" (no default), so a press of
# "Apply decision" without a choice is refused rather than read as one.
NO_BULK_DECISION = (
    "Choose the decision to apply (advance, hold or reject), then press Apply decision: "
    "nothing was changed."
)


@dataclass(frozen=True)
class DecisionForm:
    """A posted decision form as sent: the decision ("" when none was chosen), whether to
    text it, the feedback, and what is wrong with it (None when it can be saved)."""

    decision: str
    notify: bool
    feedback: str
    problem: str | None


def read_decision_form(missing: str = "Choose advance, hold or reject.") -> DecisionForm:
    """Read the posted decision form; `missing` is the sentence when no decision is chosen."""
    decision = request.form.get("decision", "").strip()
    feedback = request.form.get("feedback", "").strip()
    problem = None
    if not decision:
        problem = missing
    elif decision not in DecisionKind.ALL:
        problem = "Choose advance, hold or reject."
    elif len(feedback) > FEEDBACK_MAX:
        problem = (
            f"Feedback can be at most {FEEDBACK_MAX} characters (it is sent by SMS); "
            f"yours has {len(feedback)}."
        )
    return DecisionForm(decision, checked("notify"), feedback, problem)


def _read_decision(
    missing: str = "Choose advance, hold or reject.",
) -> tuple[str, bool, str] | None:
    """The bulk form's decision, notify and feedback; None (with a flash saying why) when
    it cannot be saved."""
    form = read_decision_form(missing)
    if form.problem:
        flash(form.problem, "error")
        return None
    return form.decision, form.notify, form.feedback


def _audit(outcome: Outcome, decision: str, notify: bool) -> None:
    """Audit each candidate whose decision changed ("decision"); not committed."""
    texted = {message.candidate_id for message in outcome.queued}
    for candidate in outcome.changed:
        detail = {"decision": decision, "texted": notify and candidate.id in texted}
        record("decision", candidate=candidate, detail=detail)


def _report(
    outcome: Outcome, decision: str, count: int, name: str | None = None, spot: str | None = None
) -> None:
    """Flash what was saved and texted: for `count` selected candidates (bulk), or for the
    one candidate `name` (their own page, where "for 1 candidate" reads oddly), at the
    page section `spot` when given (dashboard/flashes.py)."""
    label = DECISION_LABELS[decision].lower()
    if name is not None:
        flash_at(spot, f"Decision saved for {name}: {label}.", "success")
        if outcome.queued:
            flash_at(spot, f"The text to {name} is queued to send.", "success")
    else:
        people = "candidate" if count == 1 else "candidates"
        flash_at(spot, f"Decision saved: {label} for {count} {people}.", "success")
        if outcome.queued:
            n = len(outcome.queued)
            flash_at(spot, f"{n} {'text' if n == 1 else 'texts'} queued to send.", "success")
    if outcome.already_told:
        flash_at(
            spot,
            "Not texted again (already told of this decision): "
            + ", ".join(outcome.already_told)
            + ".",
            "info",
        )
    if outcome.no_phone:
        flash_at(
            spot, "No phone number, so not texted: " + ", ".join(outcome.no_phone) + ".", "warning"
        )


@review.post("/candidates/<int:candidate_id>/decision")
def decide(candidate_id: int):
    """Record a manager's decision on one candidate, texting them if asked."""
    session = db()
    candidate = get_visible(
        session, current_user, Candidate, candidate_id, manage=True, change=True
    )
    back = url_for("dashboard.candidate", candidate_id=candidate.id, _anchor="decision")
    form = read_decision_form()
    if form.problem:  # the page again (422), the form as it was sent and why
        return render_candidate(candidate, decision_invalid=form, status=422)
    decision, notify, feedback = form.decision, form.notify, form.feedback
    outcome = apply_decision(
        session, [candidate], decision, current_user.id, notify=notify, feedback=feedback
    )
    _audit(outcome, decision, notify)
    session.commit()
    _report(outcome, decision, 1, name=candidate.name, spot="decision")
    _send(outcome, spot="decision")
    return redirect(back)


@review.post("/interviews/<int:interview_id>/decisions")
def bulk_decide(interview_id: int):
    """Record one decision for the selected candidates of an interview (404 if any id is
    not one of its candidates), then go back to the interview's list as it was shown: the
    form's `next` (its filters, order and page), when that is the interview page."""
    session = db()
    interview = get_visible(session, current_user, Interview, interview_id, manage=True)
    back = back_to_list(
        request.form.get("next"), url_for("dashboard.interview", interview_id=interview.id)
    )
    ids = posted_ids("candidate_ids")
    read = _read_decision(NO_BULK_DECISION)
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
    if len(candidates) != len(ids):
        abort(404)  # an id of another interview (or organisation) was slipped in
    candidates, erased = split_erased(candidates)
    if not candidates:
        flash(ERASED_MESSAGE if len(erased) == 1 else erased_skipped(len(erased)), "error")
        return redirect(back)
    decision, notify, feedback = read
    outcome = apply_decision(
        session, candidates, decision, current_user.id, notify=notify, feedback=feedback
    )
    _audit(outcome, decision, notify)
    session.commit()
    _report(outcome, decision, len(candidates))
    if erased:
        flash(erased_skipped(len(erased)), "warning")
    _send(outcome)
    return redirect(back)
