"""What the caller hears at each step of the call, in one place.

The IVR's TwiML routes speak these texts and the builder's preview shows them (through
`call_script`), so the preview cannot drift from the call. Each function returns the
texts of one step in order, as separate <Say>s; an empty text is never spoken.
Wording lives in ivr/phrases.py; an interview's own texts come from its row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from ivr.phrases import duration, say
from voice.call_length import expected_minutes
from voice.dates import spoken_day
from voice.models import Interview, Question, QuestionKind

MAX_RECORD_SECONDS = 3600  # Twilio's <Record maxLength> default and our ceiling


def language_options(interview: Interview) -> list[tuple[str, str]]:
    """The language menu: (language, "For English, press 1.") for each offered language."""
    return [
        (language, say(language, "language_option", key=number))
        for number, language in enumerate(interview.offered_languages(), start=1)
    ]


def greeting(interview: Interview, language: str) -> list[str]:
    """The welcome (the title in the caller's language, and how long the call takes) and
    the interview's own introduction (which may be empty).

    The length is voice.call_length's estimate, the one the invitation SMS and the
    builder's preview give, so the caller hears the same number they read.
    """
    welcome = say(
        language,
        "welcome",
        title=interview.text("title", language),
        minutes=expected_minutes(interview),
    )
    return [welcome, interview.text("intro", language)]


def closed(interview: Interview, language: str) -> list[str]:
    """All a caller hears once the interview's deadline has passed (`Interview.is_closed`):
    that it closed on the deadline's day (in the organisation's time zone, said in the
    caller's language: "March 3", "3 de marzo"), then goodbye; the call ends there."""
    day = spoken_day(interview.deadline, interview.organization.time_zone, language)
    return [say(language, "closed", deadline=day)]


def already_done(interview: Interview, language: str) -> list[str]:
    """All a candidate who has finished (completed or screened out) hears on calling
    again: that their interview for the title (in the caller's language) is finished,
    then goodbye; the call ends there. When caller ID knows them it is the first thing
    the call says (after the language menu, before the greeting), so it names the
    interview as the greeting does."""
    return [say(language, "already_done", title=interview.text("title", language))]


def consent(language: str) -> list[str]:
    """The recording-consent question (1 agrees, 2 declines)."""
    return [say(language, "consent")]


def consent_request(interview: Interview, language: str) -> list[str]:
    """The consent request as first asked: the greeting, then the consent question.

    The IVR speaks exactly these texts and keeps them, joined by `spoken`, as the call's
    consent record, so the record cannot drift from what the caller heard.
    """
    return [*greeting(interview, language), *consent(language)]


def ask_pin(language: str) -> list[str]:
    """The request for the PIN, asked when the caller's number does not identify them."""
    return [say(language, "ask_pin")]


def how_it_works(interview: Interview, language: str) -> list[str]:
    """How answering works, how to repeat, and (when there are job details) how to hear them."""
    count = len(interview.questions)
    texts = [
        say(language, "how_it_works", count=count)
        if count > 1
        else say(language, "how_it_works_one"),
        say(language, "star_to_repeat"),
    ]
    if interview.text("job_details", language):
        texts.append(say(language, "job_details_offer"))
    return texts


def practice_intro(language: str) -> list[str]:
    """The practice question, said before its <Record>."""
    return [say(language, "practice_intro")]


def practice_playback(language: str) -> list[str]:
    """Said before the caller's practice answer is played back."""
    return [say(language, "practice_playback")]


def practice_menu(language: str) -> list[str]:
    """After the playback: practise again (1) or start (2)."""
    return [say(language, "practice_menu")]


def question_heading(language: str, number: int, total: int) -> str:
    """ "Question 2 of 5." (number is 1-based, in the interview's order)."""
    return say(language, "question", number=number, total=total)


def answer_seconds(question: Question, extra_time: float | None = None) -> int:
    """The recording limit in seconds: the question's, times the candidate's extra time."""
    return min(round(question.max_seconds * (extra_time or 1.0)), MAX_RECORD_SECONDS)


def question_body(question: Question, language: str, extra_time: float | None = None) -> list[str]:
    """The question and how to answer it: the time limit (spoken) or the keys (keypad)."""
    texts = [question.prompt_for(language)]
    if question.kind == QuestionKind.VOICE:
        seconds = answer_seconds(question, extra_time)
        texts.append(say(language, "answer_limit", minutes=duration(language, seconds)))
        if question.think_seconds:
            texts.append(say(language, "think", seconds=question.think_seconds))
    else:
        texts.append(say(language, "yes_no" if question.kind == QuestionKind.YES_NO else "number"))
    return texts


def closing(interview: Interview, language: str, unanswered: int = 0) -> list[str]:
    """The end of the interview: thanks and the interview's closing words when every
    question is answered; when `unanswered` questions are left (answers empty three times,
    so the call moved on), how many, that the rest is saved, and to call again; when no
    question was answered at all, only to call again (nothing is said to be saved)."""
    if unanswered >= len(interview.questions) > 0:
        return [say(language, "unanswered_all"), say(language, "goodbye")]
    if unanswered:
        left = (
            say(language, "unanswered_one")
            if unanswered == 1
            else say(language, "unanswered", count=unanswered)
        )
        return [left, say(language, "goodbye")]
    return [
        say(language, "thanks"),
        interview.text("closing", language),
        say(language, "goodbye"),
    ]


def voicemail(interview: Interview, language: str) -> list[str]:
    """The message left when an answering machine takes a "call me now" call.

    Who called, about which interview, and the number to call back, read digit by digit;
    never the PIN (anyone may hear a mailbox) and nothing the candidate answered.
    """
    employer = interview.organization.name if interview.organization else ""
    number = spoken_number(interview.phone_number)
    title = interview.text("title", language)
    return [say(language, "voicemail", employer=employer, title=title, number=number)]


def spoken_number(e164: str) -> str:
    """A telephone number as a voice reads it back: digits one by one, in groups.

    "+15550100200" -> "5 5 5, 0 1 0, 0 2 0 0" (North American numbers without the 1,
    as dialled at home); other numbers keep their country code, grouped in threes.
    """
    digits = "".join(ch for ch in e164 if ch.isdigit())
    if e164.startswith("+1") and len(digits) == 11:
        groups = [digits[1:4], digits[4:7], digits[7:]]
    else:
        groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    return ", ".join(" ".join(group) for group in groups if group)


# --- the builder's preview ----------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One step of the preview: a title, what is said, the keys, and a note for the employer."""

    title: str
    spoken: str
    keys: str = ""  # what the caller can press
    note: str = ""  # what the caller doesn't hear (knockout rules)


def spoken(texts: list[str]) -> str:
    """Texts as one line, the way the caller hears them one after another."""
    return " ".join(text for text in texts if text)


def call_script(interview: Interview, language: str, now: datetime | None = None) -> list[Step]:
    """The whole call as a caller would hear it at `now` (aware; default the current
    time), step by step, in one language: once the interview is closed, only `closed`."""
    if interview.is_closed(now or datetime.now(UTC)):
        return [
            Step(
                "Interview closed",
                spoken(closed(interview, language)),
                note="The deadline has passed: every caller hears only this, then the call "
                "ends. A later deadline reopens the interview.",
            )
        ]
    steps = []
    options = language_options(interview)
    if len(options) > 1:
        keys = " · ".join(f"{n}: {lang}" for n, (lang, _) in enumerate(options, start=1))
        steps.append(Step("Language menu", spoken([text for _, text in options]), keys=keys))
    steps.append(Step("Greeting", spoken(greeting(interview, language))))
    steps.append(Step("Recording consent", spoken(consent(language)), keys="1: agree · 2: decline"))
    steps.append(
        Step(
            "PIN (only when the caller's number is not known)",
            spoken(ask_pin(language)),
            keys="the PIN, then #",
        )
    )
    job = interview.text("job_details", language)
    steps.append(
        Step(
            "How it works",
            spoken(how_it_works(interview, language)),
            keys="* repeats · 0 job details" if job else "* repeats",
        )
    )
    if job:
        steps.append(Step("Job details (on 0)", job, keys="0"))
    if interview.practice:
        texts = practice_intro(language) + practice_playback(language) + practice_menu(language)
        steps.append(
            Step(
                "Practice question",
                spoken(texts),
                keys="# ends the answer · 1: practise again · 2: start",
            )
        )
    total = len(interview.questions)
    for number, question in enumerate(interview.questions, start=1):
        texts = [question_heading(language, number, total), *question_body(question, language)]
        keys, note = _keys_and_note(question)
        steps.append(Step(f"Question {number}", spoken(texts), keys=keys, note=note))
    steps.append(Step("Closing", spoken(closing(interview, language))))
    steps.append(
        Step(
            "Calling again after finishing",
            spoken(already_done(interview, language)),
            note="A candidate who has finished (or was screened out) and calls again hears "
            "only this, then the call ends: straight away (after the language menu) when "
            "their number is known, else after consent and the PIN.",
        )
    )
    return steps


def _keys_and_note(question: Question) -> tuple[str, str]:
    """The keys a question takes, and its rule as the employer should read it."""
    if question.kind == QuestionKind.YES_NO:
        note = ""
        if question.must_be:
            other = "no" if question.must_be == "yes" else "yes"
            note = f"Knockout: a caller who answers {other} is screened out."
        return "1: yes · 2: no", note
    if question.kind == QuestionKind.NUMBER:
        rules = []
        if question.at_least is not None:
            rules.append(f"at least {question.at_least}")
        if question.at_most is not None:
            rules.append(f"at most {question.at_most}")
        note = f"Knockout: the number must be {' and '.join(rules)}." if rules else ""
        return "digits, then #", note
    keys = "# ends the answer"
    retakes = question.retakes_allowed()
    if retakes:
        times = "retake" if retakes == 1 else "retakes"
        keys += f" · then 1 keeps it, 2 records again (up to {retakes} {times})"
    if not question.min_seconds:
        return keys, ""
    return keys, f"Answers under {question.min_seconds} s are asked again."
