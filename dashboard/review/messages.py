"""The organisation's decision message templates (the SMS text for each decision).

An empty template, or one equal to the default, means the default text
(voice.messages.DEFAULT_DECISION_TEXTS); only admins edit them.
"""

from __future__ import annotations

import string

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from dashboard.access import require_role, select_visible
from dashboard.review import review
from ivr.services import db
from voice.messages import DEFAULT_DECISION_TEXTS, decision_kind
from voice.models import DecisionKind, MessageTemplate, Role

TEMPLATE_MAX = 640  # characters: four SMS segments at most
PLACEHOLDERS = ("first_name", "company", "title", "feedback")


def template_problem(body: str) -> str | None:
    """Why an employer's template cannot be used (too long, a bad or unknown
    placeholder), or None if it can."""
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


def _page(texts: dict[str, str], problems: dict[str, str]) -> str:
    return render_template(
        "message_templates.html",
        texts=texts,
        problems=problems,
        defaults=DEFAULT_DECISION_TEXTS,
        placeholders=PLACEHOLDERS,
    )


@review.route("/settings/messages", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def message_templates():
    """Show or save the decision messages (422 with every problem if any is unusable)."""
    session = db()
    rows = {t.kind: t for t in session.scalars(select_visible(current_user, MessageTemplate))}
    if request.method == "GET":
        texts = {
            d: rows[decision_kind(d)].body
            if decision_kind(d) in rows
            else DEFAULT_DECISION_TEXTS[d]
            for d in DecisionKind.ALL
        }
        return _page(texts, {})
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
            session.add(
                MessageTemplate(organization_id=current_user.organization_id, kind=kind, body=body)
            )
        else:
            row.body = body
    if problems:
        session.rollback()
        flash("Nothing was saved: fix the messages marked below.", "error")
        return _page({d: request.form.get(d, "") for d in DecisionKind.ALL}, problems), 422
    session.commit()
    flash("Decision messages saved.", "success")
    return redirect(url_for(".message_templates"))
