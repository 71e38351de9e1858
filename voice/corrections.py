"""A person's check and correction of a machine transcript.

A reviewer who listens to an answer may find its transcript right or wrong:

- *checked*: they vouch for the transcript as it is. A flagged transcript
  (voice/reliability.py) stops being one to check: `Answer.transcript_flagged` is
  cleared, so the review queue, the interview's "N transcripts to check" and the search
  filter leave it out, while `Answer.transcript_flags` keeps the machine's reasons for
  the record. Who and when: `transcript_checked_by_id`, `transcript_checked_at`.
- *corrected*: they typed the right text. It becomes `Answer.transcript`, the one text
  that search (its stored search document follows the column: migration 0016 on
  PostgreSQL, the FTS5 triggers on SQLite), the CSV export, the API, `screenline
  results` and share links read; the speech model's own text is kept in
  `Answer.machine_transcript` (NULL while nobody corrected it), with the timed segments,
  which stay the machine's. Saving a correction counts as checking it. Saving the
  machine's own text again ("Restore the machine transcript") undoes the correction.

A transcription that runs again for an answer a person corrected (voice.pipeline.
transcribed) never overwrites the correction: the new machine text goes to
`machine_transcript` and the person's stays. Today no path transcribes a transcribed
answer twice (the jobs stop at "done already", and Retry only takes a failed answer);
the rule guards any that comes.

Functions here change the Answer in memory and never commit.
"""

from __future__ import annotations

from datetime import datetime

from voice.models import Answer, AnswerStatus, utcnow

MAX_CHARS = 20_000  # characters of a corrected transcript: ~3,000 words, 20+ minutes of speech


class CorrectionError(ValueError):
    """A corrected transcript that cannot be saved; the message says why, for a person."""


def can_correct(answer: Answer | None) -> bool:
    """Whether a person may check or correct the answer's transcript: only a transcribed
    answer has one (an erased, failed, keypad or untranscribed answer has none)."""
    return answer is not None and answer.status == AnswerStatus.TRANSCRIBED


def to_check(answer: Answer | None) -> bool:
    """Whether the answer's transcript is flagged and nobody has checked it yet."""
    return can_correct(answer) and bool(answer.transcript_flagged)


def is_corrected(answer: Answer | None) -> bool:
    """Whether a person's text replaced the machine's (`machine_transcript` holds it)."""
    return answer is not None and answer.machine_transcript is not None


def machine_text(answer: Answer) -> str:
    """The speech model's own text of the answer ('' when there is none)."""
    return (answer.machine_transcript if is_corrected(answer) else answer.transcript) or ""


def clean(text: str | None) -> str:
    """A posted transcript as it is kept: line endings as \\n, no space around it.

    Raises CorrectionError when nothing is left or it is longer than MAX_CHARS.
    """
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise CorrectionError(
            "Type the transcript's text: it cannot be empty. "
            "To keep the machine's text, use “Mark transcript checked”."
        )
    if len(text) > MAX_CHARS:
        raise CorrectionError(
            f"A transcript can be at most {MAX_CHARS:,} characters; this one has {len(text):,}."
        )
    return text


def mark_checked(answer: Answer, user_id: int, now: datetime | None = None) -> bool:
    """`user_id` checked the answer's transcript now; False (nothing changed) if it was
    not one to check. Clears the flag; the machine's flags stay."""
    if not to_check(answer):
        return False
    answer.transcript_flagged = False
    answer.transcript_checked_by_id = user_id
    answer.transcript_checked_at = now or utcnow()
    return True


def correct(answer: Answer, text: str, user_id: int, now: datetime | None = None) -> str:
    """Save `user_id`'s text (already `clean`) as the answer's transcript; it also counts
    as checking it. Returns what happened: "corrected", "restored" (the machine's own
    text again: the correction is undone), "checked" (the same text, which was still to
    check) or "unchanged" (nothing changed).

    Raises CorrectionError if the answer has no transcript to correct.
    """
    if not can_correct(answer):
        raise CorrectionError("This answer has no transcript to correct.")
    now = now or utcnow()
    machine = machine_text(answer)
    if text == (answer.transcript or ""):
        outcome = "unchanged"
    elif text == machine:
        answer.transcript = machine
        answer.machine_transcript = None
        answer.transcript_edited_by_id = None
        answer.transcript_edited_at = None
        outcome = "restored"
    else:
        answer.machine_transcript = machine
        answer.transcript = text
        answer.transcript_edited_by_id = user_id
        answer.transcript_edited_at = now
        outcome = "corrected"
    if outcome == "unchanged" and answer.transcript_flagged:
        outcome = "checked"
    if outcome != "unchanged":
        answer.transcript_flagged = False
        answer.transcript_checked_by_id = user_id
        answer.transcript_checked_at = now
    return outcome


def transcribed_again(answer: Answer, text: str, flags: list[str]) -> None:
    """The speech model transcribed the answer (again): keep its text and flags without
    losing a person's work (voice.pipeline.transcribed calls this).

    A corrected transcript stays: the new text becomes the machine's, and it is not
    flagged again (a person's text is what is shown). An uncorrected one is replaced,
    so an earlier check no longer applies: it is flagged by the new flags, unchecked.
    """
    answer.transcript_flags = list(flags)
    if is_corrected(answer):
        answer.machine_transcript = text
        answer.transcript_flagged = False
        return
    answer.transcript = text
    answer.transcript_flagged = bool(flags)
    answer.transcript_checked_by_id = None
    answer.transcript_checked_at = None
