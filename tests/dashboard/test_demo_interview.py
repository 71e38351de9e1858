"""The demo interview's own wording agrees with what the system says about it."""

from __future__ import annotations

import re

from dashboard.demo import DEMO_FILE
from voice.interviews import read_interview_file


def _texts(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _texts(item)]
    if isinstance(value, list):
        return [text for item in value for text in _texts(item)]
    return []


def test_demo_texts_state_no_call_length():
    """No demo text gives a duration, which could contradict the invitation's expected minutes."""
    spec = read_interview_file(DEMO_FILE.read_bytes(), name=str(DEMO_FILE))
    texts = _texts(spec)
    assert any("Northwind" in text for text in texts)  # the intro was read
    assert [text for text in texts if re.search(r"minut", text, re.IGNORECASE)] == []
