"""The rules of checking and correcting a transcript (voice/corrections.py), on answers
in memory."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from voice import corrections
from voice.models import Answer, AnswerStatus

NOW = datetime(2099, 1, 15, 23, 0, tzinfo=UTC)


def flagged_answer() -> Answer:
    return Answer(
        status=AnswerStatus.TRANSCRIBED,
        transcript="machine words",
        transcript_flags=["repetition"],
        transcript_flagged=True,
    )


def test_clean_keeps_the_text_and_refuses_empty_or_too_long():
    """Line endings become \\n and surrounding space goes; empty or too long is refused."""
    assert corrections.clean("  one\r\ntwo\r ") == "one\ntwo"
    with pytest.raises(corrections.CorrectionError, match="cannot be empty"):
        corrections.clean(" \n\t ")
    with pytest.raises(corrections.CorrectionError, match="at most 20,000 characters"):
        corrections.clean("x" * (corrections.MAX_CHARS + 1))


def test_each_outcome_of_saving_a_transcript():
    """Same text still to check: checked; new text: corrected, machine's kept; the
    machine's text again: restored; same text once checked: unchanged."""
    answer = flagged_answer()
    assert corrections.correct(answer, "machine words", 7, NOW) == "checked"
    assert answer.transcript_checked_by_id == 7 and not answer.transcript_flagged
    assert corrections.correct(answer, "machine words", 8, NOW) == "unchanged"
    assert answer.transcript_checked_by_id == 7
    assert corrections.correct(answer, "person words", 8, NOW) == "corrected"
    assert (answer.transcript, answer.machine_transcript) == ("person words", "machine words")
    assert corrections.correct(answer, "better words", 9, NOW) == "corrected"
    assert answer.machine_transcript == "machine words"  # the machine's, not the first fix
    assert corrections.correct(answer, "machine words", 9, NOW) == "restored"
    assert (answer.transcript, answer.machine_transcript) == ("machine words", None)
    assert answer.transcript_edited_at is None and answer.transcript_checked_by_id == 9
    assert answer.transcript_flags == ["repetition"]


def test_a_new_machine_transcript_keeps_a_correction_and_undoes_a_mere_check():
    """Transcribed again: a correction stays (the new text becomes the machine's); a
    transcript only checked is replaced, unchecked, and flagged by its new flags."""
    corrected = flagged_answer()
    corrections.correct(corrected, "person words", 7, NOW)
    corrections.transcribed_again(corrected, "new machine words", ["language"])
    assert (corrected.transcript, corrected.machine_transcript) == (
        "person words",
        "new machine words",
    )
    assert not corrected.transcript_flagged and corrected.transcript_flags == ["language"]

    checked = flagged_answer()
    corrections.mark_checked(checked, 7, NOW)
    corrections.transcribed_again(checked, "new machine words", ["language"])
    assert checked.transcript == "new machine words" and checked.transcript_flagged
    assert checked.transcript_checked_at is None


def test_only_a_transcribed_answer_can_be_corrected():
    """A failed (or erased, keypad...) answer has no transcript to check or correct."""
    failed = Answer(status=AnswerStatus.FAILED, transcript_flagged=True)
    assert not corrections.mark_checked(failed, 7, NOW)
    with pytest.raises(corrections.CorrectionError):
        corrections.correct(failed, "words", 7, NOW)
