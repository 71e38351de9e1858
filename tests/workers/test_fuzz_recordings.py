"""Property-based: whatever bytes Twilio serves as a recording, the worker never dies.

Hypothesis mutates a real Twilio-shaped WAV (bytes flipped in its header and samples, cut
anywhere, channels and rates rewritten) and draws raw bytes; `normalise` gives audio or
AudioError, and the worker's jobs end every answer in a final or failed state with a
sentence, returning an outcome instead of raising.
"""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.voice.samples import tone_wav
from tests.workers.helpers import make_answer, make_interview_for
from voice.audio import AudioError, ProcessedAudio, normalise
from voice.models import Answer, AnswerStatus
from workers.recordings import fetch_recording, transcribe_answer

TONE = tone_wav(1.0)
STEREO = tone_wav(1.0, channels=2)


@st.composite
def damaged_wavs(draw) -> bytes:
    """A WAV damaged the ways downloads and writers damage them, or any bytes at all."""
    kind = draw(st.sampled_from(["mutated", "cut", "raw"]))
    if kind == "raw":
        return draw(st.binary(min_size=1, max_size=3000))  # 0 bytes: Twilio's retry path
    data = bytearray(draw(st.sampled_from([TONE, STEREO])))
    if kind == "cut":
        return bytes(data[: draw(st.integers(1, len(data)))])
    for _ in range(draw(st.integers(1, 6))):
        where = draw(st.integers(0, 80))  # mostly the header: sizes, channels, rate, bits
        data[where] = draw(st.integers(0, 255))
    return bytes(data)


FAST = settings(max_examples=120, deadline=None, database=None, derandomize=True)


@FAST
@given(data=damaged_wavs())
def test_normalise_gives_audio_or_a_sentence(data):
    """Any bytes: ProcessedAudio, or AudioError with a sentence; no decoder's own error."""
    try:
        processed = normalise(data)
    except AudioError as exc:
        assert str(exc) and str(exc)[0].islower()
        return
    assert isinstance(processed, ProcessedAudio) and processed.speech_wav[:4] == b"RIFF"


@pytest.mark.slow
@settings(
    max_examples=12,
    deadline=None,
    database=None,
    derandomize=True,  # the same examples every run: no flaky failures in CI
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=damaged_wavs())
def test_the_worker_ends_every_answer_in_a_known_state(
    in_process, recordings, db, session_factory, data
):
    """Fetch then transcribe any recording: an outcome string back, and the answer settled."""
    sid = "RE" + uuid.uuid4().hex
    interview = make_interview_for(db, phone_number=f"+1555{uuid.uuid4().int % 10**7:07d}")
    answer = make_answer(db, recordings.add(sid, data), sid, interview=interview)
    assert isinstance(fetch_recording(answer.id), str)
    assert isinstance(transcribe_answer(answer.id), str)
    with session_factory() as session:
        settled = session.get(Answer, answer.id)
        assert settled.status in (*AnswerStatus.DONE, AnswerStatus.FAILED)
        if settled.status == AnswerStatus.FAILED:
            assert settled.error
