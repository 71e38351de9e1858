"""Normalisation never loses speech: channels that cancel when averaged, clipped audio."""

from __future__ import annotations

import pytest
from pydub import AudioSegment

from config.settings import Settings
from tests.voice.samples import SENTENCES, phone_speech, tone_wav, words
from voice.audio import CANCELLATION_RATIO, downmix, export, load, normalise
from voice.stt import preload


def stereo(left: AudioSegment, right: AudioSegment) -> bytes:
    """A two-channel WAV of two mono segments."""
    return export(AudioSegment.from_mono_audiosegments(left, right), "wav")


def inverted(segment: AudioSegment) -> AudioSegment:
    """The same sound with its phase inverted (every sample negated)."""
    return segment.invert_phase()


def test_phase_inverted_channels_keep_the_stronger_channel():
    """Left and minus left average to silence; the downmix keeps a channel instead."""
    left = load(tone_wav(2.0, dbfs=-12.0))
    mixed = downmix(load(stereo(left, inverted(left))))
    assert mixed.channels == 1
    assert mixed.rms == pytest.approx(left.rms, rel=0.01)


def test_unequal_inverted_channels_keep_the_louder_one():
    """A louder left and a quieter inverted right: the left, not their near-cancelling mean."""
    left = load(tone_wav(2.0, dbfs=-12.0))
    right = inverted(left.apply_gain(-2.0))
    mixed = downmix(load(stereo(left, right)))
    assert mixed.rms == pytest.approx(left.rms, rel=0.01)


def test_identical_channels_average_to_themselves():
    """The same sound on both channels is kept as it is."""
    left = load(tone_wav(2.0, dbfs=-12.0))
    assert downmix(load(stereo(left, left))).rms == pytest.approx(left.rms, rel=0.01)


def test_one_silent_channel_is_averaged_not_cancelled():
    """A silent channel halves the average (0.5 of the strongest, above the ratio): kept."""
    left = load(tone_wav(2.0, dbfs=-12.0))
    right = AudioSegment.silent(len(left), left.frame_rate).set_sample_width(left.sample_width)
    assert downmix(load(stereo(left, right))).rms == pytest.approx(left.rms / 2, rel=0.02)
    assert CANCELLATION_RATIO < 0.5


@pytest.mark.slow
def test_a_phase_inverted_spoken_answer_is_transcribed_not_marked_silent():
    """The issue's instance: a stereo answer whose channels cancel is heard and transcribed."""
    speech = load(phone_speech(SENTENCES[3]))  # "I am available to work weekends..."
    processed = normalise(stereo(speech, inverted(speech)))
    assert not processed.silent
    assert processed.seconds > 1.5
    heard = set(words(preload(Settings()).transcribe(processed.speech_wav, "en-US").text).split())
    assert len({"available", "work", "weekends", "evenings"} & heard) >= 3, heard


def test_clipped_audio_is_not_made_louder_or_clipped_further():
    """A recording already at full scale is levelled down by at least 0.5 dB, never up."""
    loud = load(tone_wav(2.0, dbfs=0.0)).apply_gain(+6.0)  # clipped flat tops
    processed = normalise(export(loud, "wav"))
    speech = load(processed.speech_wav)
    assert not processed.silent
    assert speech.max_dBFS <= -0.4
