"""Creating and editing an interview in the browser.

The form works without JavaScript: "Add question", "Move up/down" and "Remove" are
submit buttons that re-render the form from what was posted (nothing is saved until
"Save interview"); static/builder.js does the same in the page, and adds dragging.
Saving checks the draft with the same rule set as the YAML import
(`voice.interviews.clean_interview`), plus the one rule only an edit has: a question
someone has answered can't be removed.
"""

from __future__ import annotations

from dataclasses import asdict

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dashboard.access import get_visible, require_manager
from dashboard.auditing import record
from dashboard.interviews.drafts import Draft, QuestionDraft, apply_action
from dashboard.labels import QUESTION_LABELS, interview_labels
from ivr.services import db
from voice.interview_numbers import TAKEN, number_taken
from voice.interviews import InterviewSettings, InterviewSpecError, clean_interview
from voice.models import Answer, Interview, Organization, Question, QuestionKind
from voice.time_zones import DEFAULT_TIME_ZONE

KIND_LABELS = {
    QuestionKind.VOICE: "Spoken answer",
    QuestionKind.YES_NO: "Yes / no (keypad)",
    QuestionKind.NUMBER: "Number (keypad)",
}


@require_manager
def new():
    """Show the empty builder (GET), or act on a button press or save (POST)."""
    return _handle(None)


@require_manager
def edit(interview_id: int):
    """Show the builder for a saved interview (GET), or act on it (POST); 404/403 as access says."""
    interview = get_visible(db(), current_user, Interview, interview_id, manage=True)
    return _handle(interview)


def save(
    session: Session,
    org_id: int,
    interview: Interview | None,
    settings: InterviewSettings,
    question_ids: list[int | None],
) -> Interview:
    """Write validated settings to a new or existing interview; the caller commits.

    `question_ids[i]` is the saved question the i-th question edits (None: a new one);
    saved questions not listed are deleted, the others keep their rows (and answers).
    """
    if interview is None:
        interview = Interview(organization_id=org_id, title=settings.title, phone_number="")
        session.add(interview)
    for name, value in settings.columns().items():
        setattr(interview, name, value)
    session.flush()
    existing = {q.id: q for q in interview.questions}
    # Park every position out of the way first: (interview, position) is unique.
    if existing:
        session.execute(
            update(Question)
            .where(Question.interview_id == interview.id)
            .values(position=-Question.id)
        )
        session.expire_all()
    kept_ids = set()
    for position, (values, qid) in enumerate(
        zip(settings.questions, question_ids, strict=True), start=1
    ):
        question = existing.get(qid) if qid else None
        if question is None:
            question = Question(interview_id=interview.id, position=position, prompt="")
            session.add(question)
        kept_ids.add(question.id)
        question.position = position
        for name, value in asdict(values).items():
            setattr(question, name, value)
    for qid, question in existing.items():
        if qid not in kept_ids:
            session.delete(question)
    session.flush()
    return interview


def answered_question_ids(session: Session, interview: Interview | None) -> dict[int, int]:
    """Question id -> how many answers it has, for the interview's answered questions."""
    if interview is None:
        return {}
    rows = session.execute(
        select(Answer.question_id, func.count(Answer.id))
        .join(Question, Question.id == Answer.question_id)
        .where(Question.interview_id == interview.id)
        .group_by(Answer.question_id)
    )
    return dict(rows.all())


def _render(draft: Draft, interview: Interview | None, errors=None, focus=None, status=200):
    return (
        render_template(
            "builder.html",
            draft=draft,
            interview=interview,
            errors=errors or {},
            focus=focus,
            kinds=KIND_LABELS,
            labels=interview_labels(draft.time_zone),
            question_labels=QUESTION_LABELS,
            blank=QuestionDraft(key="__KEY__"),
        ),
        status,
    )


def _handle(interview: Interview | None):
    session = db()
    organization = session.get(Organization, current_user.organization_id)
    time_zone = organization.time_zone if organization else DEFAULT_TIME_ZONE
    if request.method == "GET":
        if interview is None:
            draft = Draft(questions=[QuestionDraft(key="0")], time_zone=time_zone)
        else:
            draft = Draft.from_interview(interview)
        return _render(draft, interview)
    draft = Draft.from_form(request.form, time_zone)
    action = request.form.get("action", "save")
    if action != "save":
        return _render(draft, interview, focus=apply_action(draft, action))
    question_ids = [q.question_id for q in draft.questions]
    if interview is not None:
        mine = {q.id for q in interview.questions}
        if any(qid is not None and qid not in mine for qid in question_ids):
            abort(400)
    errors: dict[str, str] = {}
    settings = None
    try:
        settings = clean_interview(
            draft.to_spec(),
            session,
            interview.id if interview else None,
            organization_id=current_user.organization_id,
        )
    except InterviewSpecError as exc:
        errors = draft.form_errors(exc.errors)
    for qid, count in answered_question_ids(session, interview).items():
        if qid not in question_ids:
            errors["questions"] = (
                f"A question that {count} {'candidate has' if count == 1 else 'candidates have'} "
                "answered can't be removed: their answers would be lost."
            )
    if errors or settings is None:
        return _render(draft, interview, errors=errors, status=422)
    created = interview is None
    try:
        saved = save(session, current_user.organization_id, interview, settings, question_ids)
        session.flush()
        record(
            "interview_created" if created else "interview_changed",
            interview_id=saved.id,
            detail={"source": "builder", "title": saved.title},
        )
        session.commit()
    except IntegrityError:  # the number was taken since the check: a race
        session.rollback()
        taken = number_taken(
            session,
            settings.phone_number,
            current_user.organization_id,
            interview.id if interview else None,
        )
        errors = draft.form_errors(
            {"phone_number": taken or f"phone_number {settings.phone_number} {TAKEN}"}
        )
        return _render(draft, interview, errors=errors, status=422)
    flash(f"Interview “{saved.title}” {'created' if created else 'saved'}.", "success")
    for warning in settings.warnings(organization=saved.organization):
        flash(warning, "warning")
    if created:  # what comes next is on the interview's page: import candidates, preview
        return redirect(url_for("dashboard.interview", interview_id=saved.id))
    return redirect(url_for(".edit", interview_id=saved.id))
