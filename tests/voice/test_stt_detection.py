"""Each answer in its language, and flags where the machine is unsure: the real base model
on real recorded Spanish telephone speech, flite English and reversed speech."""

from __future__ import annotations

import io

import pytest
from pydub import AudioSegment

from config.settings import Settings
from tests.voice.samples import SENTENCES, flite, librivox_clips, spanish_clips, word_error_rate
from voice.audio import export, normalise, telephone_channel
from voice.reliability import (
    LANGUAGE,
    REPETITION,
    UNINTELLIGIBLE,
    describe,
    transcript_flags,
)
from voice.stt import LANGUAGE_SWITCH_PROBABILITY, Segment, Transcript, preload

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def base():
    """The default engine, multilingual Whisper base (int8), loaded once for the module."""
    engine = preload(Settings())
    assert engine.name == "whisper-base"
    return engine


@pytest.fixture(scope="module")
def spanish():
    """Five real recorded Spanish phone prompts (asterisk-core-sounds-es), with their text."""
    return spanish_clips()[::16][:5]


def speech_of(data: bytes) -> bytes:
    """What the worker feeds the engine: a phone recording, normalised."""
    return normalise(telephone_channel(data)).speech_wav


def test_spanish_interview_answers_are_transcribed_in_spanish(base, spanish):
    """Real Spanish phone speech in a Spanish interview comes out in Spanish, unflagged."""
    heard = [base.transcribe(speech_of(audio), "es-MX") for audio, _ in spanish]
    assert [t.language for t in heard] == ["es"] * len(spanish)
    assert all(t.detected_language == "es" for t in heard)
    error = word_error_rate([text for _, text in spanish], [t.text for t in heard])
    print(f"base WER on {len(spanish)} Spanish phone prompts: {error:.3f}")
    assert error < 0.25, [t.text for t in heard]
    assert [transcript_flags(t, "es-MX") for t in heard] == [[]] * len(spanish)


def test_english_interview_answered_in_spanish_is_transcribed_in_spanish_and_flagged(base, spanish):
    """Spanish in an English interview is written in Spanish, never translated, and flagged."""
    audio, text = spanish[0]
    transcript = base.transcribe(speech_of(audio), "en-US")
    assert transcript.language == "es" and transcript.detected_language == "es"
    assert transcript.detected_probability >= LANGUAGE_SWITCH_PROBABILITY
    assert word_error_rate([text], [transcript.text]) < 0.3, transcript.text
    flags = transcript_flags(transcript, "en-US")
    assert flags == [LANGUAGE]
    assert describe(flags, transcript.language) == ["answered in Spanish"]


def test_spanish_interview_answered_in_english_is_transcribed_in_english_and_flagged(base):
    """English in a Spanish interview is written in English and flagged 'answered in English'."""
    transcript = base.transcribe(speech_of(flite(SENTENCES[6])), "es-MX")
    assert (transcript.language, transcript.detected_language) == ("en", "en")
    assert word_error_rate([SENTENCES[6]], [transcript.text]) < 0.2, transcript.text
    assert transcript_flags(transcript, "es-MX") == [LANGUAGE]
    assert describe([LANGUAGE], transcript.language) == ["answered in English"]


def test_clear_english_answers_raise_no_flag(base):
    """Flite and LibriVox English in an English interview: English, detected, no flag."""
    clips = [flite(s) for s in SENTENCES[:2]] + [audio for audio, _ in librivox_clips()[:2]]
    for audio in clips:
        transcript = base.transcribe(speech_of(audio), "en-US")
        assert (transcript.language, transcript.detected_language) == ("en", "en")
        assert transcript.detected_probability > 0.9
        assert transcript_flags(transcript, "en-US") == [], transcript.text


def test_segments_keep_whisper_measures(base, spanish):
    """Each segment keeps its mean log-probability, no-speech probability and compression."""
    transcript = base.transcribe(speech_of(spanish[1][0]), "es-MX")
    assert transcript.segments
    for segment in transcript.segments_json():
        assert -5 < segment["avg_logprob"] <= 0
        assert 0 <= segment["no_speech_prob"] <= 1
        assert segment["compression_ratio"] > 0


def test_reversed_speech_is_flagged_unintelligible(base):
    """Speech played backwards (words no language has) is flagged mostly unintelligible."""
    forwards = AudioSegment.from_file(io.BytesIO(flite(" ".join(SENTENCES[:3]))))
    transcript = base.transcribe(speech_of(export(forwards.reverse(), "wav")), "en-US")
    assert UNINTELLIGIBLE in transcript_flags(transcript, "en-US"), transcript


def test_tiny_en_cannot_detect_and_keeps_the_interview_language():
    """The English-only model runs no detection; its transcripts are English, unflagged."""
    tiny = preload(Settings(whisper_model="tiny.en"))
    transcript = tiny.transcribe(speech_of(flite(SENTENCES[0])), "en-US")
    assert transcript.language == "en" and transcript.detected_language is None
    assert transcript_flags(transcript, "en-US") == []


def looping(text: str, times: int) -> Transcript:
    """A transcript whose one segment says `text` `times` times over, confidently."""
    said = " ".join([text] * times)
    return Transcript(said, [Segment(0.0, 20.0, said, -0.2, 0.01, 1.2)], "whisper-base", "en")


@pytest.mark.parametrize("times", [1, 2, 8])
def test_a_transcript_repeating_itself_is_flagged(times):
    """Text compressing over 2.4 to 1 (a decoder loop) flags repetition; said twice, it does not."""
    flags = transcript_flags(looping("I worked the night shift at the warehouse.", times), "en")
    assert (REPETITION in flags) == (times == 8)
