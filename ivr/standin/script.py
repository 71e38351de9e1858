"""What the simulated caller does: the answers they speak and the keys they press."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ivr.standin.speech import synthesise

# bytes: audio in any format ffmpeg reads; a path: an audio file; str: text to speak.
Answer = bytes | os.PathLike | str


@dataclass
class CallScript:
    """A caller's part: one answer per <Record>, one keypress string per <Gather>.

    `digits` entries such as "1" or "482913#" are pressed in full at one <Gather>; an
    empty string, or running out of entries, means the caller presses nothing there.
    Running out of answers means silence at a <Record>.
    `hang_up_during_record`: hang up while recording answer N (1-based).
    `hang_up_after_gathers`: having been through N <Gather>s, hang up at the next one
    (0 hangs up at the first menu).
    """

    answers: list[Answer] = field(default_factory=list)
    digits: list[str] = field(default_factory=list)
    hang_up_during_record: int | None = None
    hang_up_after_gathers: int | None = None


def answer_audio(answer: Answer) -> bytes:
    """Return the audio bytes for one scripted answer, speaking text with flite."""
    if isinstance(answer, bytes):
        return answer
    if isinstance(answer, os.PathLike):
        return Path(answer).read_bytes()
    return synthesise(answer) if answer.strip() else b""
