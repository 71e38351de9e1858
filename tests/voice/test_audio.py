"""Audio normalisation: mono 16 kHz speech, trimmed and levelled; playback MP3; errors."""

from __future__ import annotations

import io

import pytest
from pydub import AudioSegment

from tests.voice.samples import hiss_wav, padded, phone_speech, silence_wav, tone_wav
from voice.audio import (
    KEEP_EDGE_MS,
    SPEECH_RATE,
    TARGET_DBFS,
    AudioError,
    duration_seconds,
    normalise,
    telephone_channel,
)


def decode(data: bytes) -> AudioSegment:
    return AudioSegment.from_file(io.BytesIO(data))


def test_speech_copy_is_mono_16khz_16bit_wav():
    """A stereo 44.1 kHz recording becomes mono, 16 kHz, 16-bit PCM WAV for speech-to-text."""
    processed = normalise(tone_wav(seconds=1.0, channels=2))
    speech = decode(processed.speech_wav)
    assert processed.speech_wav[:4] == b"RIFF" and processed.speech_wav[8:12] == b"WAVE"
    assert (speech.channels, speech.frame_rate, speech.sample_width) == (1, SPEECH_RATE, 2)


def test_silence_at_both_ends_is_trimmed_to_a_small_margin():
    """Two seconds before and three after the speech are cut, leaving KEEP_EDGE_MS each side."""
    speech = phone_speech()
    spoken = normalise(speech).seconds
    processed = normalise(padded(speech, before_ms=2000, after_ms=3000))
    assert processed.original_seconds == pytest.approx(spoken + 5.0, abs=0.4)
    assert processed.seconds == pytest.approx(spoken, abs=2 * KEEP_EDGE_MS / 1000 + 0.05)
    assert not processed.silent


def test_quiet_and_loud_recordings_are_levelled_to_the_same_loudness():
    """A caller 25 dB too quiet and one 10 dB louder both end near the target loudness."""
    speech = phone_speech()
    quiet = decode(normalise(padded(speech, 0, 0, gain_db=-25)).speech_wav)
    loud = decode(normalise(padded(speech, 0, 0, gain_db=+4)).speech_wav)
    assert quiet.dBFS == pytest.approx(TARGET_DBFS, abs=1.5)
    assert loud.dBFS == pytest.approx(TARGET_DBFS, abs=1.5)
    assert loud.max_dBFS <= -0.4  # levelling never clips


def test_playback_copy_is_a_small_mono_mp3_of_the_trimmed_audio():
    """The playback MP3 is mono, as long as the trimmed speech, and far smaller than WAV."""
    processed = normalise(padded(phone_speech(), before_ms=1000, after_ms=1000))
    playback = decode(processed.playback_mp3)
    assert playback.channels == 1
    assert len(playback) / 1000 == pytest.approx(processed.seconds, abs=0.15)
    assert processed.playback_seconds == processed.seconds
    assert len(processed.playback_mp3) < len(processed.speech_wav) / 4


def test_digital_silence_is_detected_and_kept_whole_for_playback():
    """A silent recording is flagged silent, has no speech audio, and plays back in full."""
    processed = normalise(silence_wav(seconds=3.0))
    assert processed.silent
    assert processed.seconds == 0
    assert processed.playback_seconds == pytest.approx(3.0, abs=0.05)
    assert len(decode(processed.playback_mp3)) / 1000 == pytest.approx(3.0, abs=0.15)


def test_line_hiss_without_speech_counts_as_silence():
    """Only faint line noise (peaks near -50 dBFS) is silence, not boosted into fake speech."""
    assert normalise(hiss_wav(dbfs=-65.0)).silent


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"this is not audio at all " * 40, "could not be decoded"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 20, "could not be decoded"),
    ],
)
def test_corrupt_or_empty_bytes_raise_a_readable_audio_error(data, message):
    """Empty, random or truncated bytes raise AudioError with a sentence a person can read."""
    with pytest.raises(AudioError, match=message):
        normalise(data)


def test_telephone_channel_gives_twilio_shaped_wav():
    """The telephone channel yields 8 kHz 16-bit mono WAV of the same length."""
    speech = phone_speech()
    line = decode(speech)
    assert (line.frame_rate, line.channels, line.sample_width) == (8000, 1, 2)
    assert duration_seconds(speech) == pytest.approx(duration_seconds(telephone_channel(speech)))
