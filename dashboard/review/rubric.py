"""Rubrics: up to CRITERIA_MAX named criteria per question, edited by managers; each
reviewer scores every criterion of an answer from 1 to 5."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass
class CriterionRow:
    """One row of the rubric form: an existing criterion (`criterion_id`) or a new one
    (`new`, the row's number), with its name and description as shown or as posted, and
    whether Remove is ticked."""

    name: str
    description: str
    criterion_id: int | None = None
    new: int | None = None
    remove: bool = False

    @property
    def prefix(self) -> str:
        """The form fields' prefix: "" for an existing criterion, "new_" for a new one."""
        return "new_" if self.new is not None else ""

    @property
    def key(self) -> int:
        """The form fields' suffix: the criterion's id, or the new row's number."""
        return self.new if self.new is not None else self.criterion_id


def _new_rows_shown(existing: int) -> int:
    """How many empty rows for new criteria the form offers beside `existing` ones."""
    return NEW_ROWS if existing < CRITERIA_MAX - 2 else 1


def _render_rubric(question: Question, rows: list[CriterionRow], errors=None, status=200):
    """The rubric page: `rows` in form order, `errors` by field id ("name-7",
    "new_name-0", "criteria" for the whole form), each one sentence beside its field."""
    return (
        render_template(
            "rubric.html",
            question=question,
            interview=question.interview,
            rows=rows,
            errors=errors or {},
        ),
        status,
    )


@review.route("/questions/<int:question_id>/rubric", methods=["GET", "POST"])
def rubric(question_id: int):
    """Show or save a question's rubric: rename, describe, remove and add criteria.

    A refused form saves nothing and comes back (422) as it was sent, every name and
    description whole and each Remove as ticked, with each error beside its field."""
    session = db()
    question = get_visible(session, current_user, Question, question_id, manage=True)
    criteria = session.scalars(
        select(RubricCriterion)
        .where(RubricCriterion.question_id == question.id)
        .order_by(RubricCriterion.position, RubricCriterion.id)
    ).all()
    if request.method == "GET":
        rows = [CriterionRow(c.name, c.description, criterion_id=c.id) for c in criteria]
        rows += [CriterionRow("", "", new=n) for n in range(_new_rows_shown(len(criteria)))]
        return _render_rubric(question, rows)
    errors: dict[str, str] = {}
    rows: list[CriterionRow] = []
    keep = []
    for criterion in criteria:
        row = CriterionRow(
            request.form.get(f"name-{criterion.id}", criterion.name),
            request.form.get(f"description-{criterion.id}", ""),
            criterion_id=criterion.id,
            remove=checked(f"delete-{criterion.id}"),
        )
        rows.append(row)
        if row.remove:
            session.delete(criterion)
            continue
        name = row.name.strip()
        if not name:
            errors[f"name-{criterion.id}"] = "Every criterion needs a name (or tick Remove)."
            continue
        if len(name) > NAME_MAX:
            errors[f"name-{criterion.id}"] = TOO_LONG
            continue
        criterion.name = name
        criterion.description = row.description.strip()
        keep.append(criterion)
    shown = _new_rows_shown(len(criteria))
    for n in range(NEW_ROWS):
        row = CriterionRow(
            request.form.get(f"new_name-{n}", ""),
            request.form.get(f"new_description-{n}", ""),
            new=n,
        )
        name, description = row.name.strip(), row.description.strip()
        if n < shown or name or description:
            rows.append(row)
        if not name and description:
            errors[f"new_name-{n}"] = "A new criterion needs a name."
        if len(name) > NAME_MAX:
            errors[f"new_name-{n}"] = TOO_LONG
        elif name:
            criterion = RubricCriterion(
                question_id=question.id, position=0, name=name, description=description
            )
            session.add(criterion)
            keep.append(criterion)
    if len(keep) > CRITERIA_MAX:
        errors["criteria"] = f"A question can have at most {CRITERIA_MAX} criteria."
    if errors:  # the form again (422), as it was sent, each error beside its field
        session.rollback()
        return _render_rubric(question, rows, errors, 422)
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
