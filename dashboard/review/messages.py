"""The organisation's decision message templates (the SMS text for each decision), one
per decision and language.

A decision SMS goes in the candidate's language (voice.messages.message_language), so
each language Screenline writes texts in (voice.messages.MESSAGE_LANGUAGES) has its own
text per decision. An empty template, or one equal to that language's default, means
the default (voice.messages.DEFAULT_DECISION_TEXTS[language]): never another language's
text. Only admins edit them.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from dashboard.access import require_role, select_visible
from dashboard.presenters import DECISION_LABELS
from dashboard.review import review
from ivr.services import db
from voice.messages import DEFAULT_DECISION_TEXTS, MESSAGE_LANGUAGES, decision_kind, language_of
from voice.models import DecisionKind, Interview, MessageTemplate, Role
from voice.reliability import language_name

TEMPLATE_MAX = 640  # characters: four SMS segments at most
PLACEHOLDERS = ("first_name", "company", "title", "feedback")


def template_problem(body: str) -> str | None:
    """Why an employer's template cannot be used (too long, a bad or unknown
    placeholder), or None if it can."""
    if not body.strip():
        return None
    if len(body) > TEMPLATE_MAX:
        return (
            f"Keep each message to at most {TEMPLATE_MAX} characters (four text messages): "
            f"this one has {len(body):,}."
        )
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(body) if name is not None]
    except ValueError:
        return "A curly bracket is unmatched: write placeholders like {first_name}."
    unknown = sorted({n for n in names if n not in PLACEHOLDERS})
    if unknown:
        return "Unknown placeholder: " + ", ".join("{" + n + "}" for n in unknown) + "."
    return None


def field_name(decision: str, language: str) -> str:
    """The form field of one decision's text in one language: "advance-es"."""
    return f"{decision}-{language}"


@dataclass(frozen=True)
class TemplateField:
    """One text box of the page: a decision's text in one language."""

    name: str  # the form field, field_name(decision, language)
    label: str  # "Advance"
    text: str
    problem: str | None
    default: str


@dataclass(frozen=True)
class LanguageSection:
    """The decision texts of one language."""

    code: str  # "es"
    name: str  # "Spanish"
    used: bool  # one of the organisation's interviews is offered in this language
    fields: list[TemplateField]


def _used_languages() -> set[str]:
    """The message languages of the organisation's interviews (every language offered)."""
    stmt = select_visible(current_user, Interview).with_only_columns(
        Interview.language, Interview.languages
    )
    used = set()
    for main, offered in db().execute(stmt):
        used.update(language_of(code) for code in (offered or [main]))
    return used


def _page(texts: dict[str, str], problems: dict[str, str]) -> str:
    used = _used_languages()
    sections = [
        LanguageSection(
            code=language,
            name=language_name(language),
            used=language in used,
            fields=[
                TemplateField(
                    name=field_name(decision, language),
                    label=DECISION_LABELS.get(decision, decision.capitalize()),
                    text=texts[field_name(decision, language)],
                    problem=problems.get(field_name(decision, language)),
                    default=DEFAULT_DECISION_TEXTS[language][decision],
                )
                for decision in DecisionKind.ALL
            ],
        )
        for language in MESSAGE_LANGUAGES
    ]
    return render_template("message_templates.html", sections=sections, placeholders=PLACEHOLDERS)


@review.route("/settings/messages", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def message_templates():
    """Show or save the decision messages of every language (422 with every problem, each
    naming its decision and language, and nothing saved, if any text is unusable). A
    field missing from the form leaves that text as it was."""
    session = db()
    rows = {
        (t.kind, t.language): t
        for t in session.scalars(select_visible(current_user, MessageTemplate))
    }
    fields = [(d, lang) for lang in MESSAGE_LANGUAGES for d in DecisionKind.ALL]
    if request.method == "GET":
        texts = {
            field_name(d, lang): rows[(decision_kind(d), lang)].body
            if (decision_kind(d), lang) in rows
            else DEFAULT_DECISION_TEXTS[lang][d]
            for d, lang in fields
        }
        return _page(texts, {})
    problems = {}
    for decision, language in fields:
        name = field_name(decision, language)
        if name not in request.form:
            continue
        body = request.form[name].strip()
        problem = template_problem(body)
        if problem:
            problems[name] = f"{language_name(language)} text: {problem}"
            continue
        row = rows.get((decision_kind(decision), language))
        if not body or body == DEFAULT_DECISION_TEXTS[language][decision]:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(
                MessageTemplate(
                    organization_id=current_user.organization_id,
                    kind=decision_kind(decision),
                    language=language,
                    body=body,
                )
            )
        else:
            row.body = body
    if problems:
        session.rollback()
        where = ", ".join(
            f"{DECISION_LABELS.get(d, d)} in {language_name(lang)}"
            for d, lang in fields
            if field_name(d, lang) in problems
        )
        flash(f"Nothing was saved: fix the messages marked below ({where}).", "error")
        texts = {
            field_name(d, lang): request.form.get(field_name(d, lang), "") for d, lang in fields
        }
        return _page(texts, problems), 422
    session.commit()
    flash("Decision messages saved.", "success")
    return redirect(url_for(".message_templates"))
