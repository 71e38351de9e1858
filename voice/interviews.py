"""An interview's settings: the one rule set every front door uses, and building the rows.

`screenline interview import`, the dashboard's file import and the builder form all hand
`clean_interview` a plain mapping in the interview file format (README, "The interview
file"). It returns `InterviewSettings`, or raises `InterviewSpecError` whose `errors` map
each field's path ("title", "questions.2.max_seconds", "intro.es-MX") to one sentence
that names the field. Every limit the database has is checked here, so no front door
reaches the database with a value it would refuse.

Any text (the title too) may be a plain string (every language) or a map of language to
text; the first language offered is the default and fills the plain columns, the others
go into `translations`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import yaml
from sqlalchemy.orm import Session

from voice.dates import for_managers
from voice.deadlines import check_deadline, check_reminders, passed_deadline_warning
from voice.fields import checked_text, flag, text_field, unknown_keys, whole_number
from voice.interview_numbers import check_interview_number
from voice.language_codes import LANGUAGE_CODE, not_a_language_code, split_languages
from voice.models import Interview, Organization, Question, QuestionKind
from voice.retention import short_period_warning

DEFAULT_MAX_SECONDS = 120
DEFAULT_VOICES = {"en": "Polly.Joanna", "es": "Polly.Mia"}
FALLBACK_VOICE = "Polly.Joanna"

# Limits: the database's column sizes and check constraints (voice/models.py), and what
# is sensible to read aloud on a call.
MAX_TITLE = 200  # Interview.title String(200)
MAX_VOICE = 60  # Interview.voice String(60)
MAX_SPOKEN_TEXT = 2000  # intro, closing, job details: read aloud, so kept short
MAX_PROMPT = 1000
MAX_QUESTIONS = 30
MAX_LANGUAGES = 9  # one key each in the language menu
RETAKES = (0, 5)
ANSWER_SECONDS = (5, 3600)  # ck_questions_max_seconds
THINK_SECONDS = (0, 120)
RETENTION_DAYS = (1, 3650)
KNOCKOUT_NUMBER = (0, 10**6)
MAX_FILE_BYTES = 1_000_000
# Interview.phone_number is unique. Another organisation's interview on the number is
# never named (number_taken).


# Every key the file format has (README, "The interview file"); any other is a mistake.
INTERVIEW_KEYS = (
    "title",
    "phone_number",
    "language",
    "languages",
    "voice",
    "intro",
    "closing",
    "job_details",
    "retakes",
    "practice",
    "deadline",
    "reminders",
    "retention_days",
    "delete_recordings_at_twilio",
    "questions",
)
QUESTION_KEYS = (
    "kind",
    "prompt",
    "max_seconds",
    "min_seconds",
    "think_seconds",
    "retakes",
    "must_be",
    "at_least",
    "at_most",
)
SPOKEN_TEXTS = ("intro", "closing", "job_details")


class InterviewSpecError(ValueError):
    """The interview's settings are missing something or have bad values.

    `errors` maps a field path ("title", "questions.2.max_seconds", "" for the whole
    file) to one sentence naming the field; `str()` joins them for a terminal.
    """

    def __init__(self, errors: Mapping[str, str] | str):
        self.errors = {"": errors} if isinstance(errors, str) else dict(errors)
        super().__init__("; ".join(self.lines()))

    def lines(self) -> list[str]:
        """One line per problem, each saying where it is ("question 2: ...")."""
        return [f"{where_label(path)}{message}" for path, message in self.errors.items()]


def where_label(path: str) -> str:
    """The prefix a terminal prints for a field path: "question 2: " or nothing."""
    parts = path.split(".")
    if len(parts) > 1 and parts[0] == "questions" and parts[1].isdigit():
        return f"question {parts[1]}: "
    return ""


@dataclass(frozen=True)
class QuestionSettings:
    """One question's validated settings: the `Question` columns but id and position."""

    kind: str
    prompt: str
    translations: dict[str, str]
    max_seconds: int
    min_seconds: int
    think_seconds: int
    retakes: int | None
    must_be: str | None
    at_least: int | None
    at_most: int | None


@dataclass(frozen=True)
class InterviewSettings:
    """An interview's validated settings: the `Interview` columns, and its questions."""

    title: str
    phone_number: str
    languages: list[str]
    voice: str
    intro: str
    closing: str
    job_details: str
    translations: dict[str, dict[str, str]]
    retakes: int
    practice: bool
    deadline: datetime | None
    reminders: list[str]
    retention_days: int | None
    delete_recordings_at_twilio: bool
    questions: tuple[QuestionSettings, ...]

    def warnings(self, now: datetime | None = None, organization=None) -> list[str]:
        """Lawful but worth a second look, one sentence each: a retention period under a
        year (voice.retention), a deadline already passed at `now` (aware; default the
        current time), written in `organization`'s time zone (None: UTC). The interview is
        saved either way: a manager may close it on purpose.
        """
        zone, language = for_managers(organization)
        found = [
            short_period_warning(self.retention_days),
            passed_deadline_warning(self.deadline, now or datetime.now(UTC), zone, language),
        ]
        return [warning for warning in found if warning]

    def columns(self) -> dict[str, Any]:
        """The `Interview` column values (with `language`, the default), without questions."""
        values = {k: v for k, v in asdict(self).items() if k != "questions"}
        return values | {"language": self.languages[0]}


def too_big(name: str, size: int | None, limit: int, what: str) -> str:
    """The sentence refusing `name` (`size` bytes, None when unknown) over `limit` bytes
    for `what` ("an interview file"): the real size when known, never the bytes read."""
    if size is not None and size > limit:
        return f"{name} is {size:,} bytes; {what} is at most {limit:,}."
    return f"{name} is larger than {limit:,} bytes; {what} is at most {limit:,}."


def read_interview_file(raw: bytes, name: str = "the file", size: int | None = None) -> dict:
    """Parse the bytes of an interview file into a mapping, or explain in one sentence.

    Callers read at most MAX_FILE_BYTES + 1 bytes; `size` is the whole file's size in
    bytes when known (on disk, or an upload's length), for the refusal of a file too big.
    Raises InterviewSpecError when the file is too big, binary, not UTF-8, not valid
    YAML, or not a mapping at the top; `name` is how the message refers to the file.
    """
    if len(raw) > MAX_FILE_BYTES:
        # `raw` is only what was read (limit + 1 bytes): its length is not the file's.
        raise InterviewSpecError(too_big(name, size, MAX_FILE_BYTES, "an interview file"))
    if b"\x00" in raw:
        raise InterviewSpecError(f"{name} is not a text file; save the interview as UTF-8 YAML.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InterviewSpecError(
            f"{name} is not UTF-8 text (byte {exc.start + 1} is not UTF-8); "
            "save it as UTF-8 and import it again."
        ) from None
    try:
        spec = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "it could not be read"
        raise InterviewSpecError(f"{name} is not valid YAML: {problem}{where}.") from None
    except (ValueError, OverflowError, RecursionError) as exc:
        # PyYAML builds dates itself: "2026-02-30" raises ValueError from datetime.
        raise InterviewSpecError(f"{name} is not valid YAML: {exc}.") from None
    if spec is None:
        raise InterviewSpecError(f"{name} is empty; an interview file needs title and questions.")
    if not isinstance(spec, dict):
        raise InterviewSpecError(
            f"{name} must be a mapping of settings (title: ..., questions: ...), "
            f"not a {type(spec).__name__}."
        )
    return spec


def clean_interview(
    spec: Any,
    session: Session | None = None,
    interview_id: int | None = None,
    organization_id: int | None = None,
) -> InterviewSettings:
    """Validate a plain mapping in the interview file format; return its settings.

    With a session, the phone number must not answer another interview than
    `interview_id`; the error names that interview when it is `organization_id`'s (the
    organisation the interview is for: see `number_taken`). Raises InterviewSpecError
    with every problem found, by field.
    """
    if not isinstance(spec, dict):
        raise InterviewSpecError("the interview must be a mapping of settings to values")
    errors: dict[str, str] = {}
    unknown_keys(errors, "", spec, INTERVIEW_KEYS)
    number = check_interview_number(
        errors, spec.get("phone_number"), session, interview_id, organization_id
    )
    languages = _languages(errors, spec)
    default = languages[0]
    titles = _title(errors, spec, languages)
    texts = {name: _per_language(errors, spec, name, languages) for name in SPOKEN_TEXTS}
    voices = _per_language(errors, spec, "voice", languages, MAX_VOICE)
    voices[default] = voices.get(default) or DEFAULT_VOICES.get(
        default.split("-")[0], FALLBACK_VOICE
    )
    translations = {}
    for language in languages[1:]:
        voices[language] = voices.get(language) or DEFAULT_VOICES.get(
            language.split("-")[0], voices[default]
        )
        fields = {"voice": voices[language], "title": titles.get(language, "")} | {
            n: texts[n].get(language, "") for n in texts
        }
        translations[language] = {name: value for name, value in fields.items() if value}
    deadline = check_deadline(errors, spec.get("deadline"))
    reminders = check_reminders(errors, spec.get("reminders"))
    if reminders and deadline is None and "deadline" not in errors:
        # Say both when a reminder is also malformed, so neither problem hides the other.
        problem = errors.get("reminders")
        errors["reminders"] = (
            f"{problem}, and reminders are sent before the deadline: set a deadline too"
            if problem
            else "reminders are sent before the deadline: set a deadline too"
        )
    questions = _questions(errors, spec.get("questions"), languages)
    retakes = whole_number(errors, spec, "retakes", 0, RETAKES)
    retention_days = whole_number(errors, spec, "retention_days", None, RETENTION_DAYS)
    practice = flag(errors, spec, "practice")
    delete_at_twilio = flag(errors, spec, "delete_recordings_at_twilio")
    if errors:
        raise InterviewSpecError(errors)
    return InterviewSettings(
        title=titles[default],
        phone_number=number,
        languages=languages,
        voice=voices[default],
        intro=texts["intro"].get(default, ""),
        closing=texts["closing"].get(default, ""),
        job_details=texts["job_details"].get(default, ""),
        translations=translations,
        retakes=retakes,
        practice=practice,
        deadline=deadline,
        reminders=reminders,
        retention_days=retention_days,
        delete_recordings_at_twilio=delete_at_twilio,
        questions=questions,
    )


def interview_from_spec(session: Session, organization: Organization, spec: Any) -> Interview:
    """Build (and add to the session) an interview from a parsed interview file.

    Raises InterviewSpecError as `clean_interview` does; nothing is added then.
    """
    settings = clean_interview(spec, session, organization_id=organization.id)
    interview = build_interview(settings, organization=organization)
    session.add(interview)
    return interview


def build_interview(
    settings: InterviewSettings,
    organization: Organization | None = None,
    organization_id: int | None = None,
) -> Interview:
    """A new `Interview` with its questions from validated settings, owned by the
    organisation given (the row, or its id); the caller adds it to a session."""
    owner = {"organization": organization} if organization else {"organization_id": organization_id}
    interview = Interview(**owner, **settings.columns())
    for position, question in enumerate(settings.questions, start=1):
        interview.questions.append(Question(position=position, **asdict(question)))
    return interview


# ---------------------------------------------------------------- field rules


def _languages(errors: dict, spec: dict) -> list[str]:
    raw = spec.get("languages") or spec.get("language") or "en-US"
    if isinstance(raw, str):  # "en-US, es-MX" or "en-US es-MX": commas or spaces separate
        raw = split_languages(raw)
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        errors["languages"] = "languages: give a list like [en-US, es-MX]"
        return ["en-US"]
    languages = [x.strip() for x in raw if x.strip()]
    bad = [x for x in languages if not LANGUAGE_CODE.match(x)]
    if not languages:
        errors["languages"] = "languages: offer at least one language, like en-US"
        return ["en-US"]
    repeated = [x for n, x in enumerate(languages) if x in languages[:n]]
    if bad:
        errors["languages"] = f"languages: {bad[0][:40]!r} {not_a_language_code(bad[0])}"
    elif repeated:
        errors["languages"] = f"languages: {repeated[0]} is listed twice; list each language once"
    elif len(languages) > MAX_LANGUAGES:
        errors["languages"] = f"languages: at most {MAX_LANGUAGES} (one key each in the menu)"
    # Wrong or not, the languages as written: texts keyed by them (the builder keys the
    # question it shows by the first) are still checked, and none is called missing.
    return list(dict.fromkeys(languages))


def _per_language(
    errors: dict,
    spec: dict,
    key: str,
    languages: list[str],
    limit: int = MAX_SPOKEN_TEXT,
    path: str = "",
) -> dict[str, str]:
    """A text for every language from a string (all languages) or a {language: text} map."""
    value = spec.get(key)
    if value is None:
        return {}
    if isinstance(value, str):
        text = checked_text(errors, path + key, key, value.strip(), limit)
        return dict.fromkeys(languages, text) if text else {}
    if not isinstance(value, dict):
        errors[path + key] = f"{key}: give text, or a map of language to text"
        return {}
    unknown = sorted(str(k) for k in value if k not in languages)
    # When the languages themselves are wrong, that is said once, not per text; the texts
    # are still checked (their lengths), so every other error shows at once.
    if unknown and "languages" not in errors:
        errors[path + key] = f"{key}: {', '.join(unknown)} is not among languages {languages}"
        return {}
    found = {}
    for language, text in value.items():
        field = path + key + ("" if language == languages[0] else f".{language}")
        if text is None:
            continue
        if isinstance(text, (dict, list)):
            errors[field] = f"{key} ({language}) must be text"
            continue
        # A key that is not a language code (the languages are wrong) is not named.
        label = f"{key} ({language})" if LANGUAGE_CODE.match(str(language)) else key
        found[language] = checked_text(errors, field, label, str(text).strip(), limit)
    return {k: v for k, v in found.items() if v}


def _title(errors: dict, spec: dict, languages: list[str]) -> dict[str, str]:
    """The title per language, like any text; the default language's title is required.

    A language without its own title is greeted with the default one (Interview.text).
    """
    value = spec.get("title")
    if not isinstance(value, dict):
        # One title for every language: kept once, in the default language's column.
        return {languages[0]: text_field(errors, spec, "title", MAX_TITLE, required=True)}
    titles = _per_language(errors, spec, "title", languages, MAX_TITLE)
    if not titles.get(languages[0]) and "title" not in errors:
        if value and "languages" in errors:
            return titles  # the languages are wrong, not the title: said once, there
        errors["title"] = "title is required"
        if value:
            errors["title"] += f" in {languages[0]}, the default language"
    return titles


def _questions(errors: dict, items: Any, languages: list[str]) -> tuple[QuestionSettings, ...]:
    if not isinstance(items, list) or not items:
        errors["questions"] = "questions: give at least one question"
        return ()
    if len(items) > MAX_QUESTIONS:
        errors["questions"] = f"questions: an interview has at most {MAX_QUESTIONS}"
        return ()
    found = [_question(errors, n, item, languages) for n, item in enumerate(items, start=1)]
    return tuple(q for q in found if q is not None)


def _question(errors: dict, number: int, item: Any, languages: list[str]):
    path = f"questions.{number}."
    if isinstance(item, str):
        item = {"prompt": item}
    if not isinstance(item, dict):
        errors[path + "prompt"] = "give a prompt, or a map with prompt, kind, max_seconds..."
        return None
    unknown_keys(errors, path, item, QUESTION_KEYS)
    kind = item.get("kind") or QuestionKind.VOICE
    if kind not in QuestionKind.ALL:
        errors[path + "kind"] = f"kind must be one of {', '.join(QuestionKind.ALL)}"
    prompts = _per_language(errors, item, "prompt", languages, MAX_PROMPT, path)
    default = prompts.get(languages[0], "")
    # With wrong languages a prompt under another language is not missing: the
    # languages are the mistake, said once.
    keyed_elsewhere = bool(prompts) and "languages" in errors
    if not default and path + "prompt" not in errors and not keyed_elsewhere:
        where = "" if "languages" in errors else f" (in {languages[0]} at least)"
        errors[path + "prompt"] = f"prompt is required{where}"
    top = whole_number(errors, item, "max_seconds", DEFAULT_MAX_SECONDS, ANSWER_SECONDS, path)
    low = whole_number(errors, item, "min_seconds", 0, (0, ANSWER_SECONDS[1]), path)
    if low and low >= top and path + "max_seconds" not in errors:
        errors.setdefault(
            path + "min_seconds",
            f"min_seconds ({low} s) must be shorter than max_seconds ({top} s)",
        )
    question = QuestionSettings(
        kind=kind,
        prompt=default,
        translations={k: v for k, v in prompts.items() if k != languages[0]},
        max_seconds=top,
        min_seconds=low,
        think_seconds=whole_number(errors, item, "think_seconds", 0, THINK_SECONDS, path),
        retakes=whole_number(errors, item, "retakes", None, RETAKES, path),
        must_be=_must_be(errors, item, kind, path),
        at_least=_knockout_number(errors, item, "at_least", kind, path),
        at_most=_knockout_number(errors, item, "at_most", kind, path),
    )
    if (
        question.at_least is not None
        and question.at_most is not None
        and question.at_least > question.at_most
    ):
        errors[path + "at_most"] = (
            f"at_most ({question.at_most}) is below at_least ({question.at_least}), "
            "so nobody could pass"
        )
    return question


def _must_be(errors: dict, item: dict, kind: str, path: str) -> str | None:
    value = item.get("must_be")
    if value is None or value == "":
        return None
    # YAML reads a bare yes/no as a boolean.
    answer = {True: "yes", False: "no"}.get(value) if isinstance(value, bool) else None
    if isinstance(value, str):
        answer = value.strip().lower()
    if kind != QuestionKind.YES_NO or answer not in ("yes", "no"):
        errors[path + "must_be"] = "must_be (yes or no) is for yes_no questions"
        return None
    return answer


def _knockout_number(errors: dict, item: dict, key: str, kind: str, path: str) -> int | None:
    if item.get(key) in (None, ""):
        return None
    if kind != QuestionKind.NUMBER:
        errors[path + key] = f"{key} is for number questions"
        return None
    return whole_number(errors, item, key, None, KNOCKOUT_NUMBER, path)
