"""Audio processing with pydub (ffmpeg underneath): decode, normalise, compress.

Speech-to-text gets mono 16 kHz 16-bit WAV with the silence at both ends trimmed and
the loudness levelled; reviewers get a compact mono MP3 of the same trimmed audio.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from pydub import AudioSegment
from pydub.exceptions import CouldntDecodeError
from pydub.silence import detect_leading_silence
from pydub.utils import audioop  # the stdlib module, or audioop-lts on Python 3.13+

SPEECH_RATE = 16_000
TARGET_DBFS = -20.0
MAX_GAIN_DB = 30.0
SILENCE_BELOW_PEAK_DB = 35.0  # quieter than this, relative to the loudest moment, is silence
# A recording whose loudest moment is below this holds only line noise: levelling it
# would boost hiss by 30 dB, and speech-to-text invents words in amplified hiss.
SILENT_PEAK_DBFS = -50.0
KEEP_EDGE_MS = 150  # a little silence kept at each end so first and last words are whole
PLAYBACK_BITRATE = "32k"


class AudioError(ValueError):
    """The bytes are not audio we can decode, or hold no sound at all."""


@dataclass(frozen=True)
class ProcessedAudio:
    speech_wav: bytes  # mono, 16 kHz, 16-bit PCM, trimmed, levelled
    playback_mp3: bytes  # mono MP3 for the dashboard player
    original_seconds: float
    seconds: float  # of speech, after trimming (0 when silent)
    silent: bool  # nothing louder than the noise floor was found

    @property
    def playback_seconds(self) -> float:
        """Length of the playback copy: the whole recording when it was silent."""
        return self.original_seconds if self.silent else self.seconds


def load(data: bytes) -> AudioSegment:
    """Decode any format ffmpeg knows; raise AudioError for empty or corrupt input."""
    if not data:
        raise AudioError("the recording is empty (0 bytes)")
    # PCM WAV (what Twilio serves) is read in-process; anything else goes through ffmpeg,
    # which costs a third of a second per file in process start-up alone.
    fmt = "wav" if _is_pcm_wav(data) else None
    try:
        segment = AudioSegment.from_file(io.BytesIO(data), format=fmt)
    except (CouldntDecodeError, IndexError, OSError) as exc:
        raise AudioError(
            f"the recording could not be decoded as audio: {_first_line(exc)}"
        ) from exc
    if len(segment) == 0:
        raise AudioError("the recording has no audio frames")
    return segment


def _is_pcm_wav(data: bytes) -> bool:
    """A canonical WAV header with linear PCM samples (format tag 1, or extensible)."""
    return (
        data[:4] == b"RIFF"
        and data[8:16] == b"WAVEfmt "
        and data[20:22] in (b"\x01\x00", b"\xfe\xff")
    )


def trim_silence(segment: AudioSegment) -> tuple[AudioSegment, bool]:
    """Cut leading and trailing silence; return (trimmed, was_all_silence)."""
    if segment.max_dBFS < SILENT_PEAK_DBFS:  # also catches digital silence (-inf)
        return segment[:0], True
    threshold = segment.max_dBFS - SILENCE_BELOW_PEAK_DB
    start = detect_leading_silence(segment, silence_threshold=threshold)
    end = len(segment) - detect_leading_silence(segment.reverse(), silence_threshold=threshold)
    if end <= start:
        return segment[:0], True
    return segment[max(0, start - KEEP_EDGE_MS) : min(len(segment), end + KEEP_EDGE_MS)], False


def level_loudness(segment: AudioSegment) -> AudioSegment:
    """Bring average loudness to TARGET_DBFS without clipping or boosting noise wildly."""
    if len(segment) == 0 or segment.dBFS == float("-inf"):
        return segment
    gain = min(TARGET_DBFS - segment.dBFS, MAX_GAIN_DB, -0.5 - segment.max_dBFS)
    return segment.apply_gain(gain)


def normalise(data: bytes) -> ProcessedAudio:
    """Decode a recording and produce the speech-to-text and playback versions."""
    original = load(data)
    mono = original.set_channels(1)
    trimmed, silent = trim_silence(mono)
    levelled = level_loudness(trimmed)
    speech = levelled.set_frame_rate(SPEECH_RATE).set_sample_width(2)
    # A silent answer keeps its whole length for playback so a reviewer hears the silence.
    playback = mono if silent else levelled
    return ProcessedAudio(
        speech_wav=export(speech, "wav"),
        playback_mp3=export(playback, "mp3", bitrate=PLAYBACK_BITRATE),
        original_seconds=len(original) / 1000,
        seconds=len(speech) / 1000,
        silent=silent,
    )


def telephone_channel(data: bytes) -> bytes:
    """Pass audio through a telephone line as Twilio delivers it: 8 kHz mu-law, as WAV.

    The result is 8 kHz, 16-bit, mono PCM WAV decoded from 8-bit mu-law, the format of
    a Twilio RecordingUrl fetched as WAV.
    """
    segment = load(data).set_channels(1).set_sample_width(2).set_frame_rate(8000)
    # The G.711 round trip, decoded to 16-bit as Twilio does. (ffmpeg decodes a mu-law
    # WAV to 8-bit linear, a far noisier line than any real call.)
    line = audioop.ulaw2lin(audioop.lin2ulaw(segment.raw_data, 2), 2)
    return export(AudioSegment(data=line, sample_width=2, frame_rate=8000, channels=1), "wav")


def export(segment: AudioSegment, fmt: str, **kwargs) -> bytes:
    buffer = io.BytesIO()
    segment.export(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def duration_seconds(data: bytes) -> float:
    return len(load(data)) / 1000


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[-1][:200] if text else type(exc).__name__
