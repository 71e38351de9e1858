"""Presentation: friendly times, durations, status words and transcript segments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dashboard.presenters import (
    ANSWER_STATES,
    DECISION_LABELS,
    DECISION_TONES,
    ago,
    answer_state,
    clock,
    failure_note,
    isotime,
    keypad_answer,
    segments_of,
)
from voice import pipeline
from voice.models import Answer, AnswerStatus, DecisionKind, QuestionKind
from voice.wording import plural


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (timedelta(seconds=10), "just now"),
        (timedelta(minutes=1), "1 minute ago"),
        (timedelta(minutes=5), "5 minutes ago"),
        (timedelta(hours=3), "3 hours ago"),
        (timedelta(days=1, hours=2), "yesterday"),
        (timedelta(days=4), "4 days ago"),
        (timedelta(days=30), "Jan 1, 2026"),
    ],
)
def test_ago_is_friendly(delta, expected):
    """Times read as a person would say them, and as a date once older than a week."""
    now = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
    assert ago(now - delta, now=now) == expected


def test_clock_formats_seconds():
    """Durations read as m:ss, and h:mm:ss past an hour."""
    assert (clock(3.2), clock(75), clock(3725), clock(None)) == ("0:03", "1:15", "1:02:05", "—")


def test_isotime_is_utc_to_the_second():
    """An aware time reads as ISO 8601 in UTC; None reads as nothing."""
    from datetime import timezone

    when = datetime(2026, 1, 31, 13, 0, 5, 999, tzinfo=timezone(timedelta(hours=1)))
    assert (isotime(when), isotime(None)) == ("2026-01-31T12:00:05+00:00", "")


def test_every_status_and_decision_has_words_and_a_tone():
    """Each answer status and decision is labelled once; an unknown status reads as itself."""
    assert set(ANSWER_STATES) == set(AnswerStatus.ALL)
    assert set(DECISION_LABELS) == set(DECISION_TONES) == set(DecisionKind.ALL)
    assert answer_state("odd") == ("Odd", "muted")
    assert answer_state(AnswerStatus.FAILED) == ("Failed", "danger")


def test_keypad_answers_read_as_words_for_yes_no():
    """1 and 2 read as Yes and No on a yes-no question; numbers read as typed."""
    assert keypad_answer(QuestionKind.YES_NO, "1") == "Yes"
    assert keypad_answer(QuestionKind.YES_NO, "2") == "No"
    assert keypad_answer(QuestionKind.NUMBER, "12") == "12"
    assert keypad_answer(QuestionKind.NUMBER, None) == "—"


def test_segments_skip_malformed_entries():
    """Timed lines come back in order; entries without a start or text are dropped."""
    answer = Answer(
        segments=[
            {"start": 0, "end": 1.5, "text": " Hello "},
            {"end": 2, "text": "no start"},
            {"start": 3, "end": 2, "text": "ends early"},
            {"start": 4, "text": "   "},
            "junk",
        ]
    )
    assert [(s.start, s.end, s.text) for s in segments_of(answer)] == [
        (0.0, 1.5, "Hello"),
        (3.0, 3.0, "ends early"),
    ]
    assert segments_of(None) == []


def test_a_failed_answer_says_whether_and_when_it_is_tried_again():
    """A failed answer names its count and the sweep's next try; a given-up one says so."""
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    retrying = Answer(
        status=AnswerStatus.FAILED, attempts_failed=2, retry_at=now + timedelta(minutes=2)
    )
    assert failure_note(retrying, now) == (
        "It failed 2 times. Screenline tries again by itself in about 2 min."
    )
    soon = Answer(status=AnswerStatus.FAILED, attempts_failed=1, retry_at=now)
    assert failure_note(soon, now) == "It failed 1 time. Screenline tries again by itself shortly."
    gone = Answer(status=AnswerStatus.FAILED, attempts_failed=pipeline.MAX_FAILURES)
    assert failure_note(gone, now).startswith(
        f"Screenline stopped trying after it failed {pipeline.MAX_FAILURES} times."
    )


@pytest.mark.parametrize(
    ("count", "words", "said"),
    [
        (0, ("entry", "entries"), "0 entries"),
        (1, ("entry", "entries"), "1 entry"),
        (2, ("entry", "entries"), "2 entries"),
        (1, ("reviewer",), "1 reviewer"),
        (3, ("reviewer",), "3 reviewers"),
        (1500, ("file",), "1,500 files"),
    ],
)
def test_plural_says_one_and_many(count, words, said):
    """A count reads with the noun's singular for 1 and its plural otherwise."""
    assert plural(count, *words) == said
