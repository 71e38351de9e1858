"""Turn a scripted answer into what Twilio records: telephone-quality WAV and a duration."""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass

from pydub import AudioSegment

from voice.audio import export, telephone_channel

# Peaks quieter than this count as a silent recording (mu-law digital silence is -inf).
SILENT_BELOW_DBFS = -50.0


@dataclass(frozen=True)
class LineRecording:
    """What the line heard during a <Record>: the audio, its length, whether it was silent."""

    wav: bytes  # 8 kHz 16-bit mono WAV, empty when silent
    seconds: int  # RecordingDuration: whole seconds, capped at maxLength, 0 when silent
    silent: bool


@functools.lru_cache(maxsize=16)
def _through_the_line(audio: bytes) -> bytes:
    # ffmpeg runs several times per answer; scripts and tests often repeat an answer.
    return telephone_channel(audio)


def record_answer(audio: bytes, max_length: int) -> LineRecording:
    """Pass an answer through an 8 kHz mu-law line and cut it at maxLength seconds."""
    if not audio:
        return LineRecording(b"", 0, True)
    wav = _through_the_line(audio)
    # The line's output is plain PCM WAV: read it directly rather than through ffmpeg.
    segment = AudioSegment.from_wav(io.BytesIO(wav))
    if max_length > 0 and len(segment) > max_length * 1000:
        segment = segment[: max_length * 1000]
        wav = export(segment, "wav")
    if len(segment) == 0 or segment.max_dBFS < SILENT_BELOW_DBFS:
        return LineRecording(b"", 0, True)
    seconds = max(1, round(len(segment) / 1000))
    if max_length > 0:
        seconds = min(seconds, max_length)
    return LineRecording(wav, seconds, False)
