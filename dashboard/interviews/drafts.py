"""The builder form's drafts: the interview as typed, turned into the interview file format.

A draft holds strings exactly as posted, so the form can be re-rendered as it was.
`Draft.to_spec` writes the draft in the file format (README, "The interview file") for
`voice.interviews.clean_interview`, the rule set the YAML import uses too, and
`Draft.field_id` maps each error's field path back to the form control it belongs to.
Question rows are read in the order they arrive in the form, so reordering the page is
reordering the questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from werkzeug.datastructures import MultiDict

from dashboard.labels import QUESTION_LABELS, form_message, interview_labels
from voice.dates import from_local_input, local_input
from voice.interviews import DEFAULT_MAX_SECONDS, QUESTION_KEYS
from voice.language_codes import LANGUAGE_CODE, split_languages
from voice.models import Interview, Question, QuestionKind

TRANSLATED = ("title", "voice", "intro", "closing", "job_details")
QUESTION_FIELDS = ("id", *QUESTION_KEYS)  # a form row: the saved id, then the settings
# The settings each kind of question shows in the form (and so sends to the rules).
KIND_FIELDS = {
    QuestionKind.VOICE: ("max_seconds", "min_seconds", "think_seconds", "retakes"),
    QuestionKind.YES_NO: ("must_be",),
    QuestionKind.NUMBER: ("at_least", "at_most"),
}
_ROW = re.compile(r"^q-(\d+)-prompt$")


def _text(value) -> str:
    return "" if value is None else str(value)


@dataclass
class QuestionDraft:
    """One question as the form holds it (strings, as typed); `key` is its row in the form."""

    key: str
    id: str = ""
    kind: str = QuestionKind.VOICE
    prompt: str = ""
    translations: dict[str, str] = field(default_factory=dict)
    max_seconds: str = str(DEFAULT_MAX_SECONDS)
    min_seconds: str = "0"
    think_seconds: str = "0"
    retakes: str = ""
    must_be: str = ""
    at_least: str = ""
    at_most: str = ""

    @classmethod
    def from_question(cls, key: str, q: Question) -> QuestionDraft:
        """The draft of a saved question, in form row `key`."""
        return cls(
            key=key,
            id=str(q.id),
            kind=q.kind,
            prompt=q.prompt,
            translations=dict(q.translations or {}),
            max_seconds=_text(q.max_seconds),
            min_seconds=_text(q.min_seconds),
            think_seconds=_text(q.think_seconds),
            retakes=_text(q.retakes),
            must_be=q.must_be or "",
            at_least=_text(q.at_least),
            at_most=_text(q.at_most),
        )

    @property
    def question_id(self) -> int | None:
        """The saved question this row edits, or None for a new one."""
        return int(self.id) if self.id.isdecimal() else None

    def to_spec(self, default: str, others: list[str]) -> dict:
        """This question in the file format: only the settings its kind shows in the form."""
        prompt = {default: self.prompt} | {
            lang: text for lang, text in self.translations.items() if text and lang in others
        }
        item = {"kind": self.kind, "prompt": {k: v for k, v in prompt.items() if v}}
        for name in KIND_FIELDS.get(self.kind, ()):
            item[name] = getattr(self, name)
        return item


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
    # The organisation's time zone (IANA): `deadline` is a wall time there, as typed.
    time_zone: str = "UTC"

    @property
    def language_list(self) -> list[str]:
        """The language codes typed, in order (valid or not)."""
        return split_languages(self.languages)

    @property
    def extra_languages(self) -> list[str]:
        """The valid languages other than the default, each once: they get translation
        fields. A repeat of the default ("en-US, en-US") is not one: its fields would be
        named like the default's texts and blank them (the rules refuse the repeat)."""
        default = (self.language_list or ["en-US"])[0]
        valid = [x for x in self.language_list if LANGUAGE_CODE.match(x) and x != default]
        return list(dict.fromkeys(valid))

    @classmethod
    def from_interview(cls, interview: Interview) -> Draft:
        """The draft of a saved interview, for the edit form; the deadline in the
        organisation's time zone."""
        time_zone = interview.organization.time_zone
        return cls(
            time_zone=time_zone,
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
            deadline=local_input(interview.deadline, time_zone),
            reminders=", ".join(interview.reminders or []),
            retention_days=_text(interview.retention_days),
            delete_recordings_at_twilio=interview.delete_recordings_at_twilio,
            questions=[
                QuestionDraft.from_question(str(i), q) for i, q in enumerate(interview.questions)
            ],
        )

    @classmethod
    def from_form(cls, form: MultiDict, time_zone: str = "UTC") -> Draft:
        """The draft as posted: every value stripped, question rows in the order posted;
        the deadline a wall time in `time_zone` (the organisation's)."""

        def get(name: str, default: str = "") -> str:
            return form.get(name, default).strip()

        draft = cls(
            time_zone=time_zone,
            title=get("title"),
            phone_number=get("phone_number"),
            languages=get("languages"),
            voice=get("voice"),
            intro=get("intro"),
            closing=get("closing"),
            job_details=get("job_details"),
            retakes=get("retakes", "0"),
            practice=form.get("practice") == "1",
            deadline=get("deadline"),
            reminders=get("reminders"),
            retention_days=get("retention_days"),
            delete_recordings_at_twilio=form.get("delete_recordings_at_twilio") == "1",
        )
        for language in draft.extra_languages:
            draft.translations[language] = {
                name: get(f"tr-{language}-{name}") for name in TRANSLATED
            }
        keys = [m.group(1) for name in form if (m := _ROW.match(name))]
        for key in dict.fromkeys(keys):
            q = QuestionDraft(key=key)
            for name in QUESTION_FIELDS:
                setattr(q, name, get(f"q-{key}-{name}", getattr(q, name)))
            q.translations = {
                language: get(f"q-{key}-prompt-{language}") for language in draft.extra_languages
            }
            draft.questions.append(q)
        return draft

    def to_spec(self) -> dict:
        """The draft in the interview file format, for `voice.interviews.clean_interview`;
        the deadline with the offset of the draft's time zone (stored in UTC)."""
        default = (self.language_list or ["en-US"])[0]
        others = self.extra_languages

        def per_language(name: str) -> dict[str, str]:
            values = {default: getattr(self, name)} | {
                lang: self.translations.get(lang, {}).get(name, "") for lang in others
            }
            return {k: v for k, v in values.items() if v}

        return {
            "title": self.title,
            "phone_number": self.phone_number,
            "languages": self.languages,
            **{name: per_language(name) for name in TRANSLATED},
            "retakes": self.retakes,
            "practice": self.practice,
            "deadline": from_local_input(self.deadline, self.time_zone),
            "reminders": self.reminders,
            "retention_days": self.retention_days,
            "delete_recordings_at_twilio": self.delete_recordings_at_twilio,
            "questions": [q.to_spec(default, others) for q in self.questions],
        }

    def field_id(self, path: str) -> str:
        """The form control's id for a rule's field path ("questions.2.max_seconds")."""
        parts = path.split(".", 2)
        if parts[0] == "questions" and len(parts) == 3 and parts[1].isdigit():
            number = int(parts[1])
            if 1 <= number <= len(self.questions):
                name, _, language = parts[2].partition(".")
                suffix = f"{name}-{language}" if language else name
                return f"q-{self.questions[number - 1].key}-{suffix}"
            return "questions"
        if len(parts) >= 2 and parts[0] in TRANSLATED:
            return f"tr-{'.'.join(parts[1:])}-{parts[0]}"
        return parts[0] or "title"

    def form_errors(self, errors: dict[str, str]) -> dict[str, str]:
        """The rule set's errors keyed by form control, each question's led by its number.

        The rule set names each setting by its file key (`max_seconds`), as a YAML author
        writes it; here each key becomes the label the form shows for it
        (dashboard/labels.py), since the form's user never sees the keys.
        """
        shown: dict[str, str] = {}
        for path, message in errors.items():
            parts = path.split(".")
            if parts[0] == "questions" and len(parts) > 2:
                message = f"Question {parts[1]}: {form_message(message, QUESTION_LABELS)}"
            else:
                message = form_message(message, interview_labels(self.time_zone))
            shown.setdefault(self.field_id(path), message)
        return shown


def apply_action(draft: Draft, action: str) -> str | None:
    """Add, move or remove a question row for a button press; return the id to focus."""
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
