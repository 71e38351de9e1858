"""How long an interview's call takes: the one estimate the invitation SMS and the
builder's preview both give, so they never disagree."""

from __future__ import annotations

from voice.models import Interview, QuestionKind

# How long a caller takes, for the estimate the invitation and the preview give.
MINUTES_PER_SPOKEN_QUESTION = 2  # hear it, think, answer, maybe a retake
SECONDS_PER_KEYPAD_QUESTION = 30  # hear it, press a key or two
MINUTES_AROUND = 1  # greeting, consent, how it works, closing
MIN_EXPECTED_MINUTES = 5


def expected_minutes(interview: Interview) -> int:
    """About how many minutes the call takes, in whole minutes (at least 5).

    Spoken questions count 2 minutes each, keypad questions (yes/no, number) 30 seconds,
    a practice question 1 minute, plus 1 for the greeting and closing. The one estimate:
    the invitation SMS and the builder's preview both say this number.
    """
    spoken = sum(1 for q in interview.questions if q.kind == QuestionKind.VOICE)
    keypad = len(interview.questions) - spoken
    seconds = (
        60 * (MINUTES_PER_SPOKEN_QUESTION * spoken + MINUTES_AROUND + int(interview.practice))
        + SECONDS_PER_KEYPAD_QUESTION * keypad
    )
    return max(MIN_EXPECTED_MINUTES, -(-seconds // 60))
