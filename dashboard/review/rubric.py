"""Rubrics: up to CRITERIA_MAX named criteria per question, edited by managers; each
reviewer scores every criterion of an answer from 1 to 5."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from dashboard.access import get_visible
from dashboard.auditing import record
from dashboard.review import checked, review
from dashboard.review.scoring import save_criterion_scores
from ivr.services import db
from voice.models import Answer, Question, RubricCriterion

CRITERIA_MAX = 8
NAME_MAX = 100  # characters of a criterion's name (RubricCriterion.name String(100))
TOO_LONG = f"A criterion's name has at most {NAME_MAX} characters: nothing was saved."
NEW_ROWS = 3  # empty rows the form offers for new criteria


@review.post("/answers/<int:answer_id>/rubric")
def score_criteria(answer_id: int):
    """Save the signed-in reviewer's 1-5 scores on an answer's rubric criteria."""
    session = db()
    answer = get_visible(session, current_user, Answer, answer_id, change=True)
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
    save_criterion_scores(
        session,
        current_user.id,
        answer.id,
        values,
        before_commit=lambda: record(
            "score",
            candidate=answer.candidate,
            answer_id=answer.id,
            detail={"criteria": {str(k): v for k, v in sorted(values.items())}},
        ),
    )
    flash(f"Your rubric scores for question {answer.question.position} are saved.", "success")
    return redirect(back)


@review.route("/questions/<int:question_id>/rubric", methods=["GET", "POST"])
def rubric(question_id: int):
    """Show or save a question's rubric: rename, describe, remove and add criteria."""
    session = db()
    question = get_visible(session, current_user, Question, question_id, manage=True)
    criteria = session.scalars(
        select(RubricCriterion)
        .where(RubricCriterion.question_id == question.id)
        .order_by(RubricCriterion.position, RubricCriterion.id)
    ).all()
    if request.method == "GET":
        return render_template(
            "rubric.html", question=question, interview=question.interview, criteria=criteria
        )
    errors: list[str] = []
    keep = []
    for criterion in criteria:
        if checked(f"delete-{criterion.id}"):
            session.delete(criterion)
            continue
        name = request.form.get(f"name-{criterion.id}", criterion.name).strip()
        if not name:
            errors.append("Every criterion needs a name (or tick Remove).")
            continue
        if len(name) > NAME_MAX:
            errors.append(TOO_LONG)
            continue
        criterion.name = name
        criterion.description = request.form.get(f"description-{criterion.id}", "").strip()
        keep.append(criterion)
    for n in range(NEW_ROWS):
        name = request.form.get(f"new_name-{n}", "").strip()
        description = request.form.get(f"new_description-{n}", "").strip()
        if not name and description:
            errors.append("A new criterion needs a name.")
        if len(name) > NAME_MAX:
            errors.append(TOO_LONG)
        elif name:
            criterion = RubricCriterion(
                question_id=question.id, position=0, name=name, description=description
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
    record(
        "interview_changed",
        interview_id=question.interview_id,
        detail={"rubric": question.id, "criteria": len(keep)},
    )
    session.commit()
    flash("The rubric is saved.", "success")
    return redirect(url_for(".rubric", question_id=question.id))
