"""What the simulated caller does: the answers they speak and the keys they press."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ivr.standin.speech import synthesise

# bytes: audio in any format ffmpeg reads; a path: an audio file; str: text to speak.
Answer = bytes | os.PathLike | str
PICKS_UP = ("human", "machine", "fax")
# How an outbound call that never connects ends (twilio.com/docs/voice/api/call-resource).
UNANSWERED = ("busy", "no-answer", "failed", "canceled")
KEYPAD = frozenset("0123456789*#")  # the keys of a telephone keypad


def keys_problem(keys: str) -> str | None:
    """Why `keys` is not what a caller can press at one prompt, or None when it is.

    One prompt's keys are keypad keys only (0-9, * and #), pressed in order; "" presses
    nothing. The answer names the first bad character, e.g. "',' is not a key on a
    telephone keypad (keys are 0-9, * and #; give each prompt's keys separately)".
    """
    for key in keys:
        if key not in KEYPAD:
            return (
                f"{key!r} is not a key on a telephone keypad (keys are 0-9, * and #; "
                "give each prompt's keys separately)"
            )
    return None


@dataclass
class CallScript:
    """A caller's part: one answer per <Record>, one keypress string per <Gather>.

    `digits` entries such as "1" or "482913#" are pressed in full at one <Gather>; an
    empty string, or running out of entries, means the caller presses nothing there.
    Entries are not checked here, so a test may press what no keypad has ("x#"); the
    command-line front doors refuse anything but keypad keys (see `keys_problem`).
    Running out of answers means silence at a <Record>.
    `hang_up_during_record`: hang up while recording answer N (1-based).
    `hang_up_after_gathers`: having been through N <Gather>s, hang up at the next one
    (0 hangs up at the first menu).
    `answered_by`: who picks up an outbound call: "human", "machine" (a mailbox: its
    greeting, then a beep) or "fax". Twilio reports it only when the call asked for
    answering machine detection; a machine presses no keys either way.
    `unanswered`: the outbound call never connects and ends with this CallStatus
    ("busy", "no-answer", "failed" or "canceled"); its Url is never fetched.
    """

    answers: list[Answer] = field(default_factory=list)
    digits: list[str] = field(default_factory=list)
    hang_up_during_record: int | None = None
    hang_up_after_gathers: int | None = None
    answered_by: str = "human"
    unanswered: str | None = None

    def __post_init__(self) -> None:
        if self.answered_by not in PICKS_UP:
            raise ValueError(f"answered_by must be one of {', '.join(PICKS_UP)}")
        if self.unanswered not in (None, *UNANSWERED):
            raise ValueError(f"unanswered must be one of {', '.join(UNANSWERED)}")


def answer_audio(answer: Answer) -> bytes:
    """Return the audio bytes for one scripted answer, speaking text with flite."""
    if isinstance(answer, bytes):
        return answer
    if isinstance(answer, os.PathLike):
        return Path(answer).read_bytes()
    return synthesise(answer) if answer.strip() else b""
