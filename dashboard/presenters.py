"""How the dashboard words and colours things: status labels and tones, times, transcripts.

Defined once here and handed to every template by `init_app` (a context processor and
three filters), so templates never spell a status literal or a colour map themselves.
A tone is one of the pill classes in static/app.css: success, info, warning, danger, muted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Flask

from dashboard.flashes import flashes_for
from ivr.flow import NOT_CONNECTED
from ivr.outbound import UNDER_WAY_WORDS
from voice import corrections, pipeline, reliability
from voice.apikeys import key_words
from voice.dates import date_and_time, for_managers, short_date
from voice.deadlines import reminder_amount
from voice.messages import INVITATION, RECEIPT
from voice.models import (
    Answer,
    AnswerStatus,
    CandidateStatus,
    Decision,
    DecisionKind,
    Interview,
    QuestionKind,
    Role,
)
from voice.results import answer_length
from voice.wording import plural

# ---------------------------------------------------------------- words and tones

ANSWER_STATES: dict[str, tuple[str, str]] = {
    AnswerStatus.RECORDING: ("Recording", "info"),
    AnswerStatus.ANNOUNCED: ("Fetching audio", "info"),
    AnswerStatus.STORED: ("Transcribing", "info"),
    AnswerStatus.TRANSCRIBED: ("Transcribed", "success"),
    AnswerStatus.NO_AUDIO: ("No audio", "muted"),
    AnswerStatus.FAILED: ("Failed", "danger"),
    AnswerStatus.UNTRANSCRIBED: ("No speech model", "warning"),
    AnswerStatus.KEYPAD: ("Keypad", "info"),
    AnswerStatus.ERASED: ("Erased", "muted"),
    AnswerStatus.SUPERSEDED: ("Replaced by a retake", "muted"),
}
# What a spoken answer without a transcript reads as in a line of text (`screenline
# results`), in a few words of what the candidate page says in its place.
ANSWER_NOTES: dict[str, str] = {
    AnswerStatus.RECORDING: "transcript not ready yet",
    AnswerStatus.ANNOUNCED: "transcript not ready yet",
    AnswerStatus.STORED: "transcript not ready yet",
    AnswerStatus.TRANSCRIBED: "empty transcript: no speech was recognised",
    AnswerStatus.NO_AUDIO: "no recording: Twilio kept no audio for this answer",
    AnswerStatus.FAILED: "the recording could not be processed",
    AnswerStatus.UNTRANSCRIBED: "not transcribed: no speech model for this answer's language",
    AnswerStatus.ERASED: "erased: the recording and its transcript are gone",
    AnswerStatus.SUPERSEDED: "replaced by a retake",
}
# A candidate's status in words. The stored (and API) value `invited` means "may take the
# interview, not started yet", whether or not an invitation text was sent, so it reads
# "Not started"; whether one was sent is shown beside it ("Not invited yet").
CANDIDATE_LABELS: dict[str, str] = {
    CandidateStatus.INVITED: "Not started",
    CandidateStatus.IN_PROGRESS: "In progress",
    CandidateStatus.COMPLETED: "Completed",
    CandidateStatus.ABANDONED: "Abandoned",
    CandidateStatus.SCREENED_OUT: "Screened out",
}
CANDIDATE_TONES: dict[str, str] = {
    CandidateStatus.INVITED: "muted",
    CandidateStatus.IN_PROGRESS: "info",
    CandidateStatus.COMPLETED: "success",
    CandidateStatus.ABANDONED: "warning",
    CandidateStatus.SCREENED_OUT: "warning",
}
DECISION_LABELS: dict[str, str] = {
    DecisionKind.ADVANCE: "Advance",
    DecisionKind.HOLD: "Hold",
    DecisionKind.REJECT: "Reject",
}
DECISION_TONES: dict[str, str] = {
    DecisionKind.ADVANCE: "success",
    DecisionKind.HOLD: "warning",
    DecisionKind.REJECT: "danger",
}
LINK_TONES: dict[str, str] = {"active": "success", "expired": "muted", "revoked": "danger"}
# What to do after a "call me now" call that did not reach the candidate (ivr.flow's
# outcomes): shown on the candidate page beside "Call again" and "Text the invitation".
CALL_NEXT_STEPS: dict[str, str] = {
    "no answer": "No one answered. Call again later, or text them the number and PIN.",
    "busy": "The line was busy. Call again in a few minutes, or text them the number and PIN.",
    "voicemail": (
        "Voicemail answered; a message asking them to call back was left (without the PIN). "
        "Call again later, or text them the number and PIN."
    ),
    "failed": "The call could not be connected. Check the phone number, then call again or text.",
    "canceled": "The call was canceled before it rang through. Call again.",
    "fax": "A fax machine answered. Check the phone number.",
}


def _sentence_case(words: str) -> str:
    return words[:1].upper() + words[1:]


def call_words(value: str | None) -> str:
    """A call's state for people, from its outcome (ivr.flow's, e.g. "no answer", "hung up
    at question 2", "wrong PIN") or, before it has one, Twilio's CallStatus ("in-progress",
    "no-answer"): "No answer", "Hung up at question 2", "In progress". A call still under
    way reads as ivr.outbound.UNDER_WAY_WORDS says it ("Being dialled"); one not ended
    before it connected as ivr.flow.NOT_CONNECTED does; None reads "Still in progress".
    """
    if not value:
        return "Still in progress"
    words = UNDER_WAY_WORDS.get(value) or NOT_CONNECTED.get(value) or value.replace("-", " ")
    return _sentence_case(words)


def call_direction_words(direction: str | None) -> str:
    """Who placed a call, for people: "Call me now" for one Screenline placed through
    Twilio's REST API (Twilio's Direction "outbound-api"), "Called in" for any other (the
    candidate dialled the interview's number: "inbound")."""
    return "Call me now" if direction == "outbound-api" else "Called in"


def call_line(call: dict[str, Any], started_at: datetime | None, zone: str, language: str) -> str:
    """A call as one line of text, worded as the candidate page's Calls list words it:
    "Called in · Mar 3, 2026, 5:00 PM CST · Completed".

    `call` is a call of voice.results' candidate results ("direction", "outcome",
    "status"); `started_at` is when it began (UTC), written in `zone` (an IANA name) and
    `language` by voice.dates.date_and_time (for_managers gives both); None leaves the time
    out.
    """
    parts = [call_direction_words(call["direction"])]
    if started_at is not None:
        parts.append(date_and_time(started_at, zone, language, year=True))
    parts.append(call_words(call["outcome"] or call["status"]))
    return " · ".join(parts)


# A text's kind (voice.messages) for people; "decision:<d>" and "reminder:<label>" are
# worded by `message_kind_words`.
MESSAGE_KINDS: dict[str, str] = {INVITATION: "Invitation", RECEIPT: "Receipt"}
_UNITS = {"m": "minute", "h": "hour", "d": "day"}


AUTOMATIC_SENDER = "Screenline (automatic)"  # a text no person or API key sent: a reminder


def api_key_sender(key_name: str) -> str:
    """Who did something through the REST API, named by its key as the audit trail does
    (voice.apikeys.key_words): "API key “Greenhouse sync”"."""
    return key_words(key_name)


def decided_by_words(decision: Decision) -> str:
    """Who made a decision (a voice.models.Decision), for people: the API key as
    `api_key_sender` names it when a REST API request made it, else the person's name
    (or e-mail), else "a former teammate" (their account is gone)."""
    if decision.decided_by_api_key is not None:
        return api_key_sender(decision.decided_by_api_key.name)
    if decision.decided_by is not None:
        return decision.decided_by.name or decision.decided_by.email
    return "a former teammate"


def message_kind_words(kind: str) -> str:
    """A text's kind (voice.models.Message.kind) for people: "invitation" -> "Invitation",
    "decision:advance" -> "Decision: Advance" (and so does "decision:advance:2", the second
    Advance text dashboard.review.decisions writes), "reminder:48h" -> "Reminder (48 hours
    before)"; an unknown kind reads as itself in sentence case."""
    if kind in MESSAGE_KINDS:
        return MESSAGE_KINDS[kind]
    family, _, detail = kind.partition(":")
    decision = detail.partition(":")[0]
    if family == "decision" and decision in DECISION_LABELS:
        return f"Decision: {DECISION_LABELS[decision]}"
    if family == "reminder" and detail:
        try:
            amount, unit = reminder_amount(detail)
        except ValueError:
            return f"Reminder ({detail} before)"
        return f"Reminder ({amount} {_UNITS[unit]}{'' if amount == 1 else 's'} before)"
    return _sentence_case(kind.replace(":", ": "))


def call_next_step(outcome: str | None) -> str | None:
    """What to do after a call that ended with `outcome`; None when nothing is needed."""
    return CALL_NEXT_STEPS.get(outcome or "")


def answer_state(status: str) -> tuple[str, str]:
    """Return (label, tone) for an answer status; an unknown one reads as itself, muted."""
    return ANSWER_STATES.get(status, (status.capitalize(), "muted"))


def keypad_answer(kind: str, digits: str | None) -> str:
    """What a keypad answer means for a question of `kind`: Yes (1) or No (2) for a
    yes-no question, else the digits typed; a dash when nothing was typed."""
    if kind == QuestionKind.YES_NO:
        return {"1": "Yes", "2": "No"}.get(digits or "", digits or "—")
    return digits or "—"


def candidate_words(candidate: dict[str, Any]) -> str:
    """A candidate of voice.results in the dashboard's words, as `candidate list` prints
    them: "Not started", "Completed, Advance", "Screened out: <reason>"."""
    words = CANDIDATE_LABELS.get(candidate["status"], candidate["status"])
    if candidate.get("screened_out_reason"):
        words += f": {candidate['screened_out_reason']}"
    if candidate.get("decision"):
        words += f", {DECISION_LABELS.get(candidate['decision'], candidate['decision'])}"
    return words


def result_answer(answer: dict[str, Any]) -> str:
    """An answer of voice.results as one line's worth of text: a keypad answer as the
    dashboard shows it (keypad_answer: "Yes", "No", the digits, or a dash), a spoken one
    as its transcript (with the unsure-transcript warning while unchecked), or, without
    one, what the candidate page says in its place, in a few words (ANSWER_NOTES:
    "transcript not ready yet", "erased: ...", a failure's error), never a stored status."""
    if answer["kind"] in QuestionKind.KEYPAD or answer["digits"] is not None:
        return keypad_answer(answer["kind"], answer["digits"])
    if answer["transcript"]:
        text = answer["transcript"]
        if answer.get("flags") and not answer.get("transcript_checked_at"):
            text += f" [{reliability.WARNING}: {', '.join(answer['flag_reasons'])}]"
        return text
    status = answer["status"]
    note = ANSWER_NOTES.get(status, answer_state(status)[0].lower())
    if status == AnswerStatus.SUPERSEDED and answer["error"]:
        return answer["error"]
    if status in (AnswerStatus.FAILED, AnswerStatus.UNTRANSCRIBED) and answer["error"]:
        return f"{note} ({answer['error']})"
    return note


def keypad_rules(question: Any) -> list[str]:
    """The knockout rules a keypad question sets, as a reader says them
    ("must be yes", "at least 2", "at most 10"); [] when it sets none."""
    rules = []
    if getattr(question, "must_be", None):
        rules.append(f"must be {question.must_be}")
    if getattr(question, "at_least", None) is not None:
        rules.append(f"at least {question.at_least}")
    if getattr(question, "at_most", None) is not None:
        rules.append(f"at most {question.at_most}")
    return rules


# ---------------------------------------------------------------- transcripts


@dataclass(frozen=True)
class Segment:
    """One timed line of a transcript: start and end in seconds from the answer's start."""

    start: float
    end: float
    text: str


def segments_of(answer: Answer | None) -> list[Segment]:
    """Transcript segments with timings, skipping any that are malformed; [] for None."""
    segments = []
    for raw in (answer.segments if answer else None) or []:
        try:
            start = max(0.0, float(raw["start"]))
            end = float(raw.get("end", start))
            text = str(raw.get("text", "")).strip()
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
        if text:
            segments.append(Segment(start, max(start, end), text))
    return segments


def flag_warning(flags, language: str | None) -> str:
    """The flag a reviewer sees on a transcript the machine was unsure of, with its reasons
    ("Transcript may be unreliable: listen to the audio (answered in Spanish)"); '' when
    there is no flag. The rules are voice/reliability.py's."""
    if not flags:
        return ""
    reasons = reliability.describe(list(flags), language)
    text = reliability.WARNING[:1].upper() + reliability.WARNING[1:]
    return f"{text} ({', '.join(reasons)})" if reasons else text


def transcript_warning(answer: Answer | None) -> str:
    """`flag_warning` for an answer; '' for None, an answer without flags, or an erased
    one (no transcript or audio is left to be unsure of or to listen to)."""
    if answer is None or not answer.transcript_flagged or answer.status == AnswerStatus.ERASED:
        return ""
    return flag_warning(answer.transcript_flags or ["flagged"], answer.transcript_language)


def machine_flags(answer: Answer | None) -> str:
    """Why the machine flagged a transcript a person has since checked, for the record
    ("answered in Spanish, repeats itself"); '' when it was never flagged or is erased."""
    if answer is None or answer.status == AnswerStatus.ERASED or not answer.transcript_flags:
        return ""
    return ", ".join(reliability.describe(answer.transcript_flags, answer.transcript_language))


def transcript_language_name(answer: Answer | None) -> str:
    """The language an answer's transcript is in, as a reader names it ("Spanish"); ''."""
    if answer is None or not answer.transcript_language:
        return ""
    return reliability.language_name(answer.transcript_language)


# ---------------------------------------------------------------- times


def ago(
    when: datetime | None,
    now: datetime | None = None,
    day: Callable[[datetime], str] | None = None,
) -> str:
    """'just now', '5 minutes ago', 'yesterday', or a date for anything older than a week.

    `when` is timezone-aware (voice.models.UTCDateTime); None reads as a dash. The date is
    written by `day` (the dashboard's passes the reader's zone: dashboard/local_dates.py),
    by default its day in UTC ("Jan 1, 2026").
    """
    if when is None:
        return "—"
    seconds = int(((now or datetime.now(UTC)) - when).total_seconds())
    if seconds < 45:
        return "just now"
    for limit, unit, size in ((3600, "minute", 60), (86400, "hour", 3600)):
        if seconds < limit:
            n = max(1, round(seconds / size))
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    days = seconds // 86400
    if days == 1:
        return "yesterday"
    if days < 7:
        return f"{days} days ago"
    return day(when) if day else short_date(when, None, None)


def isotime(when: datetime | None) -> str:
    """An aware timestamp as ISO 8601 in UTC to the second; '' for None."""
    if when is None:
        return ""
    return when.astimezone(UTC).isoformat(timespec="seconds")


def clock(seconds: float | None) -> str:
    """Seconds as m:ss (or h:mm:ss); a dash for None."""
    if seconds is None:
        return "—"
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def answer_clock(playback_seconds: float | None, duration_seconds: int | None) -> str | None:
    """An answer's length as people read it, m:ss ("0:07"), by voice.results.answer_length
    (the playable file's length when known, else Twilio's RecordingDuration); None when
    neither is known. The candidate page and `screenline results` both word it here."""
    seconds = answer_length(playback_seconds, duration_seconds)
    return None if seconds is None else clock(seconds)


# An interview whose deadline has passed (Interview.is_closed): callers hear only the
# "closed" phrase. Shown beside its title on the interviews list and its own page.
CLOSED_STATE = ("Closed", "muted")


@dataclass(frozen=True)
class DeadlineWords:
    """An interview's deadline as the dashboard says it: `verb` is "closes" while it is
    ahead and "closed on" once passed (`closed`); `when` is "Jan 1, 2020, 4:00 AM CST", in
    the organisation's time zone (voice/dates.py)."""

    closed: bool
    verb: str
    when: str

    def __str__(self) -> str:
        return f"{self.verb} {self.when}"


def deadline_words(interview: Interview, now: datetime | None = None) -> DeadlineWords | None:
    """How the interview's deadline reads at `now` (aware; default the current time),
    with `Interview.is_closed` deciding; None when it has no deadline."""
    if interview.deadline is None:
        return None
    closed = interview.is_closed(now or datetime.now(UTC))
    zone, language = for_managers(interview.organization)
    return DeadlineWords(
        closed=closed,
        verb="closed on" if closed else "closes",
        when=date_and_time(interview.deadline, zone, language, year=True),
    )


def failure_note(answer: Answer, now: datetime | None = None) -> str:
    """Why a failed answer is where it is, and what happens next (voice/pipeline.py's policy).

    Given up: nothing more happens until a person presses Retry. Otherwise the sweep
    tries again by itself at `answer.retry_at`.
    """
    count = answer.attempts_failed or 0
    times = f"{count} {'time' if count == 1 else 'times'}"
    if pipeline.is_given_up(answer):
        return (
            f"Screenline stopped trying after it failed {times}. "
            "Retry fetches it from Twilio again."
        )
    if answer.retry_at is None:
        return f"It failed {times}. Screenline tries again shortly."
    wait = int((answer.retry_at - (now or datetime.now(UTC))).total_seconds())
    when = "shortly" if wait < 60 else f"in about {max(1, round(wait / 60))} min"
    return f"It failed {times}. Screenline tries again by itself {when}."


# ---------------------------------------------------------------- wiring


def template_globals() -> dict[str, Any]:
    """The names every template may use: the maps above and the status vocabularies."""
    return {
        "answer_states": ANSWER_STATES,
        "candidate_labels": CANDIDATE_LABELS,
        "candidate_tones": CANDIDATE_TONES,
        "decision_labels": DECISION_LABELS,
        "decision_tones": DECISION_TONES,
        "link_tones": LINK_TONES,
        "call_words": call_words,
        "answer_clock": answer_clock,
        "message_kind_words": message_kind_words,
        "decided_by_words": decided_by_words,
        "keypad_answer": keypad_answer,
        "keypad_rules": keypad_rules,
        "failure_note": failure_note,
        "transcript_warning": transcript_warning,
        "flag_warning": flag_warning,
        "machine_flags": machine_flags,
        "max_transcript_chars": corrections.MAX_CHARS,
        "transcript_language_name": transcript_language_name,
        "deadline_words": deadline_words,
        "closed_state": CLOSED_STATE,
        "AnswerStatus": AnswerStatus,
        "CandidateStatus": CandidateStatus,
        "QuestionKind": QuestionKind,
        "Role": Role,
        "flashes_for": flashes_for,
    }


def init_app(app: Flask) -> None:
    """Register the presentation filters (isotime, clock, plural) and globals on `app`; the
    reader's dates (ago, local_datetime, local_date) are dashboard/local_dates.py's."""
    app.add_template_filter(isotime, "isotime")
    app.add_template_filter(plural, "plural")
    app.add_template_filter(clock, "clock")
    app.context_processor(template_globals)
