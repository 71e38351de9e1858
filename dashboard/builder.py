"""The interview builder: create and edit interviews in the browser, and preview the call.

The form works without JavaScript: "Add question", "Move up/down" and "Remove" are
submit buttons that re-render the form from what was posted (nothing is saved until
"Save interview"); static/builder.js does the same in the page, and adds dragging.
Question rows are read in the order they arrive in the form, so reordering the page
is reordering the questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from dashboard.access import can_manage, get_visible, interview_rows, require_manager
from ivr import script
from ivr.script import Step
from ivr.services import db
from voice.interviews import DEFAULT_VOICES
from voice.models import (
    Answer,
    Interview,
    InterviewReviewer,
    Question,
    QuestionKind,
    Role,
    User,
)
from voice.phones import normalise_phone

builder = Blueprint("builder", __name__)

LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")
REMINDER = re.compile(r"^(\d+)\s*([mhd])$")
TRANSLATED = ("voice", "intro", "closing", "job_details")
KIND_LABELS = {
    QuestionKind.VOICE: "Spoken answer",
    QuestionKind.YES_NO: "Yes / no (keypad)",
    QuestionKind.NUMBER: "Number (keypad)",
}
MAX_QUESTIONS = 30
_ROW = re.compile(r"^q-(\d+)-prompt$")


@dataclass
class QuestionDraft:
    """One question as the form holds it (strings, as typed)."""

    key: str  # the row's index in the form
    id: str = ""
    kind: str = QuestionKind.VOICE
    prompt: str = ""
    translations: dict[str, str] = field(default_factory=dict)
    max_seconds: str = "120"
    min_seconds: str = "0"
    think_seconds: str = "0"
    retakes: str = ""
    must_be: str = ""
    at_least: str = ""
    at_most: str = ""

    @classmethod
    def from_question(cls, key: str, q: Question) -> QuestionDraft:
        def text(value) -> str:
            return "" if value is None else str(value)

        return cls(
            key=key,
            id=str(q.id),
            kind=q.kind,
            prompt=q.prompt,
            translations=dict(q.translations or {}),
            max_seconds=text(q.max_seconds),
            min_seconds=text(q.min_seconds),
            think_seconds=text(q.think_seconds),
            retakes=text(q.retakes),
            must_be=q.must_be or "",
            at_least=text(q.at_least),
            at_most=text(q.at_most),
        )


@dataclass
class Draft:
    """The whole interview as the form holds it."""

    title: str = ""
    phone_number: str = ""
    languages: str = "en-US"
    voice: str = "Polly.Joanna"
    intro: str = ""
    closing: str = ""
    job_details: str = ""
    translations: dict[str, dict[str, str]] = field(default_factory=dict)
    retakes: str = "0"
    practice: bool = False
    deadline: str = ""
    reminders: str = ""
    retention_days: str = ""
    delete_recordings_at_twilio: bool = False
    questions: list[QuestionDraft] = field(default_factory=list)

    @property
    def language_list(self) -> list[str]:
        return [x.strip() for x in re.split(r"[,\s]+", self.languages) if x.strip()]

    @property
    def extra_languages(self) -> list[str]:
        valid = [x for x in self.language_list if LANGUAGE.match(x)]
        return list(dict.fromkeys(valid[1:]))

    @classmethod
    def from_interview(cls, interview: Interview) -> Draft:
        deadline = ""
        if interview.deadline is not None:
            when = interview.deadline
            when = when if when.tzinfo else when.replace(tzinfo=UTC)
            deadline = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
        return cls(
            title=interview.title,
            phone_number=interview.phone_number,
            languages=", ".join(interview.offered_languages()),
            voice=interview.voice,
            intro=interview.intro,
            closing=interview.closing,
            job_details=interview.job_details,
            translations={k: dict(v) for k, v in (interview.translations or {}).items()},
            retakes=str(interview.retakes),
            practice=interview.practice,
            deadline=deadline,
            reminders=", ".join(interview.reminders or []),
            retention_days=""
            if interview.retention_days is None
            else str(interview.retention_days),
            delete_recordings_at_twilio=interview.delete_recordings_at_twilio,
            questions=[
                QuestionDraft.from_question(str(i), q) for i, q in enumerate(interview.questions)
            ],
        )

    @classmethod
    def from_form(cls, form) -> Draft:
        draft = cls(
            title=form.get("title", "").strip(),
            phone_number=form.get("phone_number", "").strip(),
            languages=form.get("languages", "").strip(),
            voice=form.get("voice", "").strip(),
            intro=form.get("intro", "").strip(),
            closing=form.get("closing", "").strip(),
            job_details=form.get("job_details", "").strip(),
            retakes=form.get("retakes", "0").strip(),
            practice=form.get("practice") == "1",
            deadline=form.get("deadline", "").strip(),
            reminders=form.get("reminders", "").strip(),
            retention_days=form.get("retention_days", "").strip(),
            delete_recordings_at_twilio=form.get("delete_recordings_at_twilio") == "1",
        )
        for language in draft.extra_languages:
            draft.translations[language] = {
                name: form.get(f"tr-{language}-{name}", "").strip() for name in TRANSLATED
            }
        keys = [m.group(1) for name in form if (m := _ROW.match(name))]
        for key in dict.fromkeys(keys):
            q = QuestionDraft(key=key)
            for name in (
                "id",
                "kind",
                "prompt",
                "max_seconds",
                "min_seconds",
                "think_seconds",
                "retakes",
                "must_be",
                "at_least",
                "at_most",
            ):
                default = getattr(q, name)
                setattr(q, name, form.get(f"q-{key}-{name}", default).strip())
            q.translations = {
                language: form.get(f"q-{key}-prompt-{language}", "").strip()
                for language in draft.extra_languages
            }
            draft.questions.append(q)
        return draft


class Invalid(dict):
    """Field name -> message; the summary at the top links to each field by id."""


def validate(session: Session, draft: Draft, org_id: int, interview: Interview | None):
    """Check a draft; return (errors, cleaned values) where cleaned is usable only if no errors."""
    errors = Invalid()
    clean: dict = {}
    if not draft.title:
        errors["title"] = "Give the interview a title."
    elif len(draft.title) > 200:
        errors["title"] = "Keep the title under 200 characters."
    clean["title"] = draft.title
    try:
        number = normalise_phone(draft.phone_number)
        taken = session.scalar(
            select(Interview.id).where(
                Interview.phone_number == number,
                Interview.id != (interview.id if interview else -1),
            )
        )
        if taken:
            errors["phone_number"] = f"{number} already answers another interview."
        clean["phone_number"] = number
    except ValueError:
        errors["phone_number"] = "Enter the Twilio number candidates call, like +15550100200."
    languages = draft.language_list
    bad = [x for x in languages if not LANGUAGE.match(x)]
    if not languages:
        errors["languages"] = "Offer at least one language, like en-US."
    elif bad:
        errors["languages"] = f"“{bad[0]}” is not a language code like en-US or es-MX."
    elif len(set(languages)) != len(languages):
        errors["languages"] = "List each language once."
    elif len(languages) > 9:
        errors["languages"] = "Offer at most 9 languages (one key each in the menu)."
    clean["languages"] = languages
    default = languages[0] if languages else "en-US"
    clean["voice"] = draft.voice or DEFAULT_VOICES.get(default.split("-")[0], "Polly.Joanna")
    if len(clean["voice"]) > 60:
        errors["voice"] = "The voice name is too long."
    for name in ("intro", "closing", "job_details"):
        if len(getattr(draft, name)) > 2000:
            errors[name] = "Keep this under 2,000 characters: it is read aloud."
        clean[name] = getattr(draft, name)
    clean["retakes"] = _whole(errors, "retakes", draft.retakes, 0, 5, "Retakes")
    clean["practice"] = draft.practice
    clean["delete_recordings_at_twilio"] = draft.delete_recordings_at_twilio
    clean["deadline"] = None
    if draft.deadline:
        try:
            when = datetime.fromisoformat(draft.deadline.replace("Z", "+00:00"))
            clean["deadline"] = when if when.tzinfo else when.replace(tzinfo=UTC)
        except ValueError:
            errors["deadline"] = "Enter the deadline as a date and time."
    reminders = [x.strip().lower() for x in draft.reminders.split(",") if x.strip()]
    for label in reminders:
        if not REMINDER.match(label):
            errors["reminders"] = f"“{label}” is not like 48h, 30m or 2d."
            break
    if reminders and not draft.deadline:
        errors.setdefault("reminders", "Reminders are sent before the deadline: set a deadline.")
    clean["reminders"] = [label.replace(" ", "") for label in reminders]
    clean["retention_days"] = None
    if draft.retention_days:
        clean["retention_days"] = _whole(
            errors, "retention_days", draft.retention_days, 1, 3650, "Retention"
        )
    translations = {}
    for language in draft.extra_languages:
        values = {k: v for k, v in draft.translations.get(language, {}).items() if v}
        values.setdefault("voice", DEFAULT_VOICES.get(language.split("-")[0], clean["voice"]))
        translations[language] = values
    clean["translations"] = translations

    if not draft.questions:
        errors["questions"] = "Add at least one question."
    if len(draft.questions) > MAX_QUESTIONS:
        errors["questions"] = f"An interview has at most {MAX_QUESTIONS} questions."
    clean["questions"] = [
        _question(errors, n, q, draft.extra_languages)
        for n, q in enumerate(draft.questions, start=1)
    ]
    return errors, clean


def _whole(errors: dict, name: str, raw: str, low: int, high: int, label: str) -> int | None:
    try:
        value = int(raw)
    except ValueError:
        errors[name] = f"{label} must be a whole number from {low} to {high}."
        return None
    if not low <= value <= high:
        errors[name] = f"{label} must be from {low} to {high}."
        return None
    return value


def _question(errors: dict, number: int, q: QuestionDraft, languages: list[str]) -> dict:
    where = f"Question {number}"
    name = f"q-{q.key}-"
    if q.kind not in QuestionKind.ALL:
        errors[name + "kind"] = f"{where}: choose a kind."
    if not q.prompt:
        errors[name + "prompt"] = f"{where}: write the question as it should be read aloud."
    elif len(q.prompt) > 1000:
        errors[name + "prompt"] = f"{where}: keep the prompt under 1,000 characters."
    clean = {
        "id": int(q.id) if q.id.isdigit() else None,
        "kind": q.kind,
        "prompt": q.prompt,
        "translations": {k: v for k, v in q.translations.items() if v and k in languages},
        "max_seconds": 120,
        "min_seconds": 0,
        "think_seconds": 0,
        "retakes": None,
        "must_be": None,
        "at_least": None,
        "at_most": None,
    }
    if q.kind == QuestionKind.VOICE:
        top = _whole(errors, name + "max_seconds", q.max_seconds, 5, 3600, f"{where}: answer time")
        low = _whole(
            errors, name + "min_seconds", q.min_seconds or "0", 0, 3600, f"{where}: minimum"
        )
        if top is not None and low is not None and low >= top:
            errors[name + "min_seconds"] = (
                f"{where}: the minimum ({low} s) must be shorter than the limit ({top} s)."
            )
        think = _whole(
            errors, name + "think_seconds", q.think_seconds or "0", 0, 120, f"{where}: think time"
        )
        retakes = None
        if q.retakes:
            retakes = _whole(errors, name + "retakes", q.retakes, 0, 5, f"{where}: retakes")
        clean.update(
            max_seconds=top or 120, min_seconds=low or 0, think_seconds=think or 0, retakes=retakes
        )
    elif q.kind == QuestionKind.YES_NO:
        if q.must_be not in ("", "yes", "no"):
            errors[name + "must_be"] = f"{where}: the knockout answer is yes, no or none."
        clean["must_be"] = q.must_be or None
    elif q.kind == QuestionKind.NUMBER:
        for rule in ("at_least", "at_most"):
            raw = getattr(q, rule)
            if raw:
                label = f"{where}: {'at least' if rule == 'at_least' else 'at most'}"
                clean[rule] = _whole(errors, name + rule, raw, 0, 10**6, label)
        if (
            clean["at_least"] is not None
            and clean["at_most"] is not None
            and clean["at_least"] > clean["at_most"]
        ):
            errors[name + "at_most"] = (
                f"{where}: “at most” ({clean['at_most']}) is below “at least” "
                f"({clean['at_least']}), so nobody could pass."
            )
    return clean


def save(session: Session, org_id: int, interview: Interview | None, clean: dict) -> Interview:
    """Write the cleaned draft to a new or existing interview (the caller commits)."""
    if interview is None:
        interview = Interview(organization_id=org_id, title=clean["title"], phone_number="")
        session.add(interview)
    languages = clean["languages"]
    interview.title = clean["title"]
    interview.phone_number = clean["phone_number"]
    interview.languages = languages
    interview.language = languages[0]
    for name in (
        "voice",
        "intro",
        "closing",
        "job_details",
        "translations",
        "retakes",
        "practice",
        "deadline",
        "reminders",
        "retention_days",
        "delete_recordings_at_twilio",
    ):
        setattr(interview, name, clean[name])
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
    for position, values in enumerate(clean["questions"], start=1):
        question = existing.get(values["id"]) if values["id"] else None
        if question is None:
            question = Question(interview_id=interview.id, position=position, prompt="")
            session.add(question)
        kept_ids.add(question.id)
        question.position = position
        for name in (
            "kind",
            "prompt",
            "translations",
            "max_seconds",
            "min_seconds",
            "think_seconds",
            "retakes",
            "must_be",
            "at_least",
            "at_most",
        ):
            setattr(question, name, values[name])
    for qid, question in existing.items():
        if qid not in kept_ids:
            session.delete(question)
    session.flush()
    return interview


def answered_question_ids(session: Session, interview: Interview | None) -> dict[int, int]:
    if interview is None:
        return {}
    rows = session.execute(
        select(Answer.question_id, func.count(Answer.id))
        .join(Question, Question.id == Answer.question_id)
        .where(Question.interview_id == interview.id)
        .group_by(Answer.question_id)
    )
    return dict(rows.all())


def apply_action(draft: Draft, action: str) -> str | None:
    """Add, move or remove a question row; return where to put the focus."""
    verb, _, arg = action.partition(":")
    keys = [q.key for q in draft.questions]
    if verb == "add" and arg in QuestionKind.ALL:
        key = str(max((int(k) for k in keys), default=-1) + 1)
        draft.questions.append(QuestionDraft(key=key, kind=arg))
        return f"q-{key}-prompt"
    if arg not in keys:
        return None
    i = keys.index(arg)
    if verb == "up" and i > 0:
        draft.questions[i - 1], draft.questions[i] = draft.questions[i], draft.questions[i - 1]
    elif verb == "down" and i < len(keys) - 1:
        draft.questions[i + 1], draft.questions[i] = draft.questions[i], draft.questions[i + 1]
    elif verb == "remove":
        del draft.questions[i]
        return "questions-heading"
    return f"q-{arg}-{verb}"


def _render(draft: Draft, interview: Interview | None, errors=None, focus=None, status=200):
    return (
        render_template(
            "builder.html",
            draft=draft,
            interview=interview,
            errors=errors or {},
            focus=focus,
            kinds=KIND_LABELS,
            blank=QuestionDraft(key="__KEY__"),
        ),
        status,
    )


def _handle(interview: Interview | None):
    session = db()
    if request.method == "GET":
        if interview is None:
            draft = Draft(questions=[QuestionDraft(key="0")])
        else:
            draft = Draft.from_interview(interview)
        return _render(draft, interview)
    draft = Draft.from_form(request.form)
    action = request.form.get("action", "save")
    if action != "save":
        focus = apply_action(draft, action)
        return _render(draft, interview, focus=focus)
    errors, clean = validate(session, draft, current_user.organization_id, interview)
    answered = answered_question_ids(session, interview)
    kept = {values["id"] for values in clean["questions"]}
    for qid, count in answered.items():
        if qid not in kept:
            errors["questions"] = (
                f"A question that {count} {'candidate has' if count == 1 else 'candidates have'} "
                "answered can't be removed: their answers would be lost."
            )
    if interview is not None:
        mine = {q.id for q in interview.questions}
        if any(v["id"] is not None and v["id"] not in mine for v in clean["questions"]):
            abort(400)
    if errors:
        return _render(draft, interview, errors=errors, status=422)
    created = interview is None
    saved = save(session, current_user.organization_id, interview, clean)
    session.commit()
    flash(f"Interview “{saved.title}” {'created' if created else 'saved'}.", "success")
    return redirect(url_for(".edit", interview_id=saved.id))


@builder.route("/interviews/new", methods=["GET", "POST"])
@require_manager
def new():
    return _handle(None)


@builder.route("/interviews/<int:interview_id>/edit", methods=["GET", "POST"])
@require_manager
def edit(interview_id: int):
    interview = get_visible(db(), current_user, Interview, interview_id, manage=True)
    return _handle(interview)


# ---------------------------------------------------------------- reviewers


@builder.route("/interviews/<int:interview_id>/reviewers", methods=["GET", "POST"])
@require_manager
def reviewers(interview_id: int):
    """Choose which reviewer-role teammates may review this interview."""
    session = db()
    interview = get_visible(session, current_user, Interview, interview_id, manage=True)
    people = list(
        session.scalars(
            select(User)
            .where(
                User.organization_id == interview.organization_id,
                User.role == Role.REVIEWER,
                User.is_active.is_(True),
            )
            .order_by(User.email)
        )
    )
    if request.method == "POST":
        chosen = {int(x) for x in request.form.getlist("user_ids") if x.isdigit()}
        allowed = {u.id for u in people}
        session.query(InterviewReviewer).filter(
            InterviewReviewer.interview_id == interview.id
        ).delete()
        for uid in sorted(chosen & allowed):
            session.add(InterviewReviewer(interview_id=interview.id, user_id=uid))
        session.commit()
        flash(f"{len(chosen & allowed)} reviewers can now review this interview.", "success")
        return redirect(url_for(".reviewers", interview_id=interview.id))
    shared = set(
        session.scalars(
            select(InterviewReviewer.user_id).where(InterviewReviewer.interview_id == interview.id)
        )
    )
    return render_template("reviewers.html", interview=interview, people=people, shared=shared)


# ---------------------------------------------------------------- preview


def call_script(interview: Interview, language: str) -> list[Step]:
    """The whole call as the caller hears it, step by step, in one language.

    The texts come from ivr/script.py, which the IVR's routes speak, so the preview
    cannot drift from the call.
    """
    return script.call_script(interview, language)


@builder.get("/interviews/<int:interview_id>/preview")
def preview(interview_id: int):
    interview = get_visible(db(), current_user, Interview, interview_id)
    languages = interview.offered_languages()
    language = request.args.get("language", languages[0])
    if language not in languages:
        language = languages[0]
    return render_template(
        "preview.html",
        interview=interview,
        language=language,
        languages=languages,
        steps=call_script(interview, language),
    )


# ---------------------------------------------------------------- the interviews list


def interviews_page():
    """The interviews the user can see (a reviewer: those shared with them), one query."""
    rows = interview_rows(db(), current_user)
    return render_template("interviews.html", rows=rows, manager=can_manage(current_user))
