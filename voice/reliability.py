"""When a transcript may be unreliable: the flags a reviewer sees before trusting the text.

An answer is flagged when the machine was unsure, from what whisper says per segment
(see voice.stt.Segment) and its language detection:

- `unintelligible`: most of the speech (by duration) lies in segments whisper decoded
  with a mean token log-probability below -0.7, or judged more likely than not to hold
  no speech at all (no-speech probability above 0.6, whisper's own
  `no_speech_threshold`: words invented in noise); or, over 3 s of speech or more, the
  model could not tell which language it heard (detection probability below 0.5) and
  was not sure of its words either (mean log-probability below -0.5: short real Spanish
  prompts can be detected at 0.31 yet transcribed right, at about -0.3).
  Whisper itself counts a decoding below -1.0 as failed (`logprob_threshold`); -0.7 is
  measured here: clean telephone speech, English and real Spanish, decodes at -0.17 to
  -0.54 with base, while speech under noise at 0 dB SNR, reversed speech and Spanish
  forced into English decode at -0.84 to -0.96 into fluent invented English.
- `repetition`: a segment, or the whole text, compresses with gzip by more than 2.4 to 1,
  whisper's own sign of a decoder stuck in a loop (`compression_ratio_threshold=2.4`).
- `language`: whisper heard another language than the interview's (with the caller's
  menu choice) with probability `voice.stt.LANGUAGE_SWITCH_PROBABILITY` or more; the answer is
  then transcribed in the language heard, and the flag says which.

A flagged answer shows "transcript may be unreliable: listen to the audio" with the
reasons, wherever its transcript is shown, and reviewers can filter by it.
"""

from __future__ import annotations

import zlib

from voice.stt import Transcript, primary_language

UNINTELLIGIBLE = "unintelligible"
REPETITION = "repetition"
LANGUAGE = "language"
ALL = (UNINTELLIGIBLE, REPETITION, LANGUAGE)

LOGPROB_THRESHOLD = -0.7  # stricter than whisper's -1.0 (a failed decoding): measured
UNSURE_LANGUAGE_PROBABILITY = 0.5  # below this the model cannot tell what it hears
MIN_DETECTION_SECONDS = 3.0  # short answers give language detection too little to go on
LOST_LOGPROB = -0.5  # ...and a language it cannot tell counts only if unsure of the words
NO_SPEECH_THRESHOLD = 0.6  # whisper's no_speech_threshold
COMPRESSION_RATIO_THRESHOLD = 2.4  # whisper's compression_ratio_threshold
UNSURE_SHARE = 0.5  # "mostly": more than half of the speech, by duration
MIN_REPEAT_CHARS = 60  # shorter texts compress badly whatever they say

WARNING = "transcript may be unreliable: listen to the audio"

# English names for the languages reviewers will meet most; others show their code.
LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "pt": "Portuguese",
    "de": "German",
    "it": "Italian",
    "zh": "Chinese",
    "vi": "Vietnamese",
    "tl": "Tagalog",
    "ar": "Arabic",
    "ko": "Korean",
    "ru": "Russian",
    "ht": "Haitian Creole",
    "hi": "Hindi",
    "pl": "Polish",
    "uk": "Ukrainian",
    "ja": "Japanese",
}


def language_name(code: str | None) -> str:
    """`es` -> "Spanish"; an unknown code is returned as given."""
    code = primary_language(code or "")
    return LANGUAGE_NAMES.get(code, code)


def compression_ratio(text: str) -> float:
    """Bytes of UTF-8 text over bytes of its zlib compression, as whisper computes it."""
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


def _unsure(segment) -> bool:
    logprob = segment.avg_logprob
    if logprob is None:
        return False
    return logprob < LOGPROB_THRESHOLD or (segment.no_speech_prob or 0.0) > NO_SPEECH_THRESHOLD


def transcript_flags(transcript: Transcript, expected_language: str) -> list[str]:
    """The flags (in `ALL`'s order) for a transcript of an answer expected in a language.

    `expected_language` is a BCP-47 tag or subtag (`es-MX`, `es`). Engines that give no
    per-segment measures (sphinx, google) can only be flagged for repetition.
    """
    flags = []
    speech = sum(max(s.end - s.start, 0.01) for s in transcript.segments)
    unsure = sum(max(s.end - s.start, 0.01) for s in transcript.segments if _unsure(s))
    weighted = sum(max(s.end - s.start, 0.01) * (s.avg_logprob or 0.0) for s in transcript.segments)
    lost = (
        transcript.detected_probability is not None
        and transcript.detected_probability < UNSURE_LANGUAGE_PROBABILITY
        and speech >= MIN_DETECTION_SECONDS
        and weighted / speech < LOST_LOGPROB
    )
    if (speech and unsure / speech > UNSURE_SHARE) or lost:
        flags.append(UNINTELLIGIBLE)
    looping = any(
        (s.compression_ratio or 0.0) > COMPRESSION_RATIO_THRESHOLD for s in transcript.segments
    )
    if looping or (
        len(transcript.text) >= MIN_REPEAT_CHARS
        and compression_ratio(transcript.text) > COMPRESSION_RATIO_THRESHOLD
    ):
        flags.append(REPETITION)
    if transcript.language and transcript.language != primary_language(expected_language):
        flags.append(LANGUAGE)
    return flags


def describe(flags: list[str] | None, language: str | None) -> list[str]:
    """Each flag as a reviewer reads it: "answered in Spanish", "mostly unintelligible"..."""
    words = {
        UNINTELLIGIBLE: "mostly unintelligible",
        REPETITION: "repeats itself",
        LANGUAGE: f"answered in {language_name(language)}",
    }
    return [words[flag] for flag in flags or [] if flag in words]
