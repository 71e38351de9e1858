"""Audio processing with pydub (ffmpeg underneath): decode, normalise, compress.

Speech-to-text gets mono 16 kHz 16-bit WAV with the silence at both ends trimmed and
the loudness levelled; reviewers get a compact mono MP3 of the same trimmed audio.

Recordings arrive damaged now and then (a download cut short, a file that is not sound
at all). Every such input ends in `AudioError` with a sentence a hiring manager can
read; a PCM WAV that is merely cut short is decoded as far as it goes.

Speech is never lost on the way to mono: channels that cancel when averaged (a phase-
inverted pair) keep the strongest channel instead (`downmix`).

Clipped audio (flat tops at full scale) is kept as it is: levelling never adds gain
that would push a peak above -0.5 dBFS, so a clipped recording is turned down by at
least 0.5 dB, never up, and no sample is clipped further; nothing tries to restore the
lost tops, and speech-to-text reads clipped speech well enough.

Very long answers (Twilio records up to 3600 s; questions allow up to an hour): the
whole recording is decoded in memory, then each step's input is let go as the next is
made. An hour of Twilio's WAV (8 kHz 16-bit mono, 55 MiB; the file Screenline
downloads, so its "compressed" size) adds about 165 MiB at peak, 3x the file (two
channels: 1.5x), measured by bench/bench_long_answer.py; the 16 kHz copy for
speech-to-text is the largest part. Other formats (MP3) decode to at least the same
PCM, so count their memory from their length, not their size: about 3 MiB a minute.
"""

from __future__ import annotations

import io
import logging
import struct
import wave
from dataclasses import dataclass

from pydub import AudioSegment
from pydub.exceptions import CouldntDecodeError, CouldntEncodeError
from pydub.silence import detect_leading_silence
from pydub.utils import audioop  # the stdlib module, or audioop-lts on Python 3.13+

log = logging.getLogger(__name__)

SPEECH_RATE = 16_000
TARGET_DBFS = -20.0
MAX_GAIN_DB = 30.0
SILENCE_BELOW_PEAK_DB = 35.0  # quieter than this, relative to the loudest moment, is silence
# A recording whose loudest moment is below this holds only line noise: levelling it
# would boost hiss by 30 dB, and speech-to-text invents words in amplified hiss.
SILENT_PEAK_DBFS = -50.0
KEEP_EDGE_MS = 150  # a little silence kept at each end so first and last words are whole
PLAYBACK_BITRATE = "32k"
# Below this share of the strongest channel's RMS, the channels' average has cancelled.
CANCELLATION_RATIO = 0.35

# What a sane header may claim. Below 4 kHz resampling to 16 kHz would multiply a small
# damaged file into gigabytes; nothing records above 384 kHz (ffmpeg's own ceiling).
MIN_RATE, MAX_RATE = 4_000, 384_000
MAX_CHANNELS = 8
PCM_SAMPLE_BITS = (8, 16, 24, 32)
WAVE_FORMAT_PCM, WAVE_FORMAT_EXTENSIBLE = 0x0001, 0xFFFE  # Microsoft's WAVE format tags

# Every kind of exception pydub, ffmpeg's wrapper, audioop, wave and struct raise on bad
# input. Caught as kinds, not instances, so no decoding library's error type escapes.
DECODE_ERRORS: tuple[type[BaseException], ...] = (
    CouldntDecodeError,
    audioop.error,
    wave.Error,
    struct.error,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    EOFError,
    ZeroDivisionError,
    OverflowError,
    OSError,
)
# Processing audio that did decode: an OSError here is the machine's (disk, ffmpeg
# missing), not the recording's, so it is left to propagate.
PROCESS_ERRORS: tuple[type[BaseException], ...] = (
    *(kind for kind in DECODE_ERRORS if kind is not OSError),
    CouldntEncodeError,
)


class AudioError(ValueError):
    """The bytes are not audio we can decode, or hold no sound at all.

    The message is a lower-case clause meant to follow "The recording could not be
    processed: " and to be read by a hiring manager; technical detail goes to the log.
    """


def _damaged(detail: str) -> AudioError:
    return AudioError(f"the recording is damaged and could not be decoded as audio: {detail}")


@dataclass(frozen=True)
class ProcessedAudio:
    """A recording made ready: WAV for speech-to-text, MP3 for reviewers, lengths in seconds."""

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
    """Decode a recording in any format ffmpeg knows into a pydub segment.

    Takes the file's bytes; returns its audio at the file's own rate, width and channels
    (24-bit samples widened to 32, as pydub does). A PCM WAV cut short is decoded as far
    as it goes: the incomplete trailing frame is dropped and a data length that
    overstates the file is ignored. Raises AudioError, and nothing else, for anything
    that cannot be decoded: empty, not sound, a damaged or absurd header, no frames.
    """
    if not data:
        raise AudioError("the recording is empty (0 bytes)")
    try:
        segment = _decode(data)
    except AudioError:
        raise
    except DECODE_ERRORS as exc:
        log.info("undecodable recording (%d bytes): %s", len(data), _first_line(exc))
        raise AudioError(
            "the recording could not be decoded as audio: it is damaged, or it is not a sound file"
        ) from exc
    _check_shape(segment.channels, segment.frame_rate, segment.sample_width * 8)
    if len(segment) == 0:
        raise AudioError("the recording has no audio frames")
    return segment


def _decode(data: bytes) -> AudioSegment:
    # PCM WAV (what Twilio serves) is read in-process; anything else goes through ffmpeg,
    # which costs a third of a second per file in process start-up alone.
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        segment = _decode_pcm_wav(data)
        if segment is not None:
            return segment
    return AudioSegment.from_file(io.BytesIO(data))


def _decode_pcm_wav(data: bytes) -> AudioSegment | None:
    """Decode a RIFF/WAVE file of linear PCM; None when it holds another encoding."""
    fmt, samples = _wav_chunks(data)
    if len(fmt) < 16:
        raise _damaged("its header is incomplete")
    tag = int.from_bytes(fmt[0:2], "little")
    if tag == WAVE_FORMAT_EXTENSIBLE and len(fmt) >= 26:
        tag = int.from_bytes(fmt[24:26], "little")  # first two bytes of the SubFormat GUID
    if tag != WAVE_FORMAT_PCM:
        return None  # mu-law, float, ADPCM...: ffmpeg decodes those
    channels = int.from_bytes(fmt[2:4], "little")
    rate = int.from_bytes(fmt[4:8], "little")
    bits = int.from_bytes(fmt[14:16], "little")
    _check_shape(channels, rate, bits)
    if samples is None:
        raise _damaged("the file ends before its sound begins")
    width = bits // 8
    frame = width * channels
    whole = samples[: len(samples) - len(samples) % frame]  # a cut can split a frame
    if width == 1:
        whole = audioop.bias(whole, 1, -128)  # 8-bit WAV is unsigned, pydub works signed
    return AudioSegment(data=whole, sample_width=width, frame_rate=rate, channels=channels)


def _wav_chunks(data: bytes) -> tuple[bytes, bytes | None]:
    """The fmt chunk's body (b"" if absent) and the samples present (None if no data chunk).

    Chunks are walked as the RIFF layout defines them (id, little-endian size, body padded
    to an even length). A data chunk claiming more bytes than the file holds yields the
    bytes that are there; a size of 0 is a writer that stopped before filling it in, so
    the rest of the file is the samples.
    """
    fmt, samples = b"", None
    pos = 12
    while pos + 8 <= len(data):
        chunk_id = data[pos : pos + 4]
        size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        body = pos + 8
        if chunk_id == b"fmt ":
            fmt = data[body : body + size]
        elif chunk_id == b"data":
            samples = data[body:] if size == 0 else data[body : body + size]
            if fmt:
                break
        pos = body + size + (size & 1)
    return fmt, samples


def _check_shape(channels: int, rate: int, bits: int) -> None:
    """Refuse channel counts, sample rates and sample sizes no real recording has."""
    if not 1 <= channels <= MAX_CHANNELS:
        raise _damaged(f"its header says it has {channels} channels")
    if not MIN_RATE <= rate <= MAX_RATE:
        raise _damaged(f"its header gives a sample rate of {rate} Hz")
    if bits not in PCM_SAMPLE_BITS:
        raise _damaged(f"its header gives {bits}-bit samples")


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
    """Decode a recording and produce the speech-to-text and playback versions.

    Takes the recording's bytes (any format ffmpeg knows); returns ProcessedAudio with a
    mono 16 kHz 16-bit WAV for speech-to-text, a mono MP3 for playback, and lengths in
    seconds. A PCM WAV cut short is processed as far as it goes. Raises AudioError, and
    no decoding library's own error, for anything that cannot be decoded (see `load`).
    """
    try:
        # Passed straight on, so that no frame here holds the decoded original.
        return _process(load(data))
    except AudioError:
        raise
    except PROCESS_ERRORS as exc:
        log.info("recording decoded but could not be processed: %s", _first_line(exc))
        raise _damaged("its sound could not be converted") from exc


def downmix(segment: AudioSegment) -> AudioSegment:
    """One channel from many without losing speech: the average, unless channels cancel.

    Averaging is right when the channels carry the same sound (or different sounds). But
    a phase-inverted pair (a miswired headset, a balanced line recorded as stereo) sums
    to near silence, and the answer would be marked silent. So the average's RMS is
    compared with the strongest channel's: below CANCELLATION_RATIO of it, the channels
    cancel and the strongest channel alone is kept. (Uncorrelated channels average to
    about 0.71 of one, one silent channel to 0.5: both keep the average.) The check is
    over the whole recording. Neither choice can clip: an average of samples is within
    their range.
    """
    if segment.channels == 1:
        return segment
    channels = segment.split_to_mono()
    width = segment.sample_width
    mixed = audioop.mul(channels[0].raw_data, width, 1 / len(channels))
    for channel in channels[1:]:
        mixed = audioop.add(mixed, audioop.mul(channel.raw_data, width, 1 / len(channels)), width)
    average = AudioSegment(
        data=mixed, sample_width=width, frame_rate=segment.frame_rate, channels=1
    )
    strongest = max(channels, key=lambda channel: channel.rms)
    if strongest.rms and average.rms < CANCELLATION_RATIO * strongest.rms:
        log.info(
            "channels cancel when averaged (RMS %d of %d): keeping the strongest channel",
            average.rms,
            strongest.rms,
        )
        return strongest
    return average


def _process(original: AudioSegment) -> ProcessedAudio:
    # Each step's input is let go as soon as the next exists: an hour-long answer holds
    # about five decoded copies at its peak, not one per step (see the module docstring).
    mono = downmix(original)
    del original
    original_seconds = len(mono) / 1000
    trimmed, silent = trim_silence(mono)
    if not silent:
        mono = None  # a spoken answer's playback is the trimmed, levelled audio
    levelled = level_loudness(trimmed)
    del trimmed
    speech = levelled.set_frame_rate(SPEECH_RATE).set_sample_width(2)
    seconds = len(speech) / 1000
    speech_wav = export(speech, "wav")
    del speech
    # A silent answer keeps its whole length for playback so a reviewer hears the silence.
    playback_mp3 = export(mono if silent else levelled, "mp3", bitrate=PLAYBACK_BITRATE)
    return ProcessedAudio(
        speech_wav=speech_wav,
        playback_mp3=playback_mp3,
        original_seconds=original_seconds,
        seconds=seconds,
        silent=silent,
    )


def telephone_channel(data: bytes) -> bytes:
    """Pass audio through a telephone line as Twilio delivers it: 8 kHz mu-law, as WAV.

    The result is 8 kHz, 16-bit, mono PCM WAV decoded from 8-bit mu-law, the format of
    a Twilio RecordingUrl fetched as WAV. Raises AudioError for undecodable input.
    """
    segment = load(data).set_channels(1).set_sample_width(2).set_frame_rate(8000)
    # The G.711 round trip, decoded to 16-bit as Twilio does. (ffmpeg decodes a mu-law
    # WAV to 8-bit linear, a far noisier line than any real call.)
    line = audioop.ulaw2lin(audioop.lin2ulaw(segment.raw_data, 2), 2)
    return export(AudioSegment(data=line, sample_width=2, frame_rate=8000, channels=1), "wav")


def export(segment: AudioSegment, fmt: str, **kwargs) -> bytes:
    """Encode a segment as `fmt` ("wav", "mp3"...) with pydub's export options; return bytes."""
    buffer = io.BytesIO()
    segment.export(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def duration_seconds(data: bytes) -> float:
    """Length of a recording in seconds; raises AudioError when it cannot be decoded."""
    return len(load(data)) / 1000


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[-1][:200] if text else type(exc).__name__
