"""Speech-to-text engines behind one small interface: whisper (default), sphinx, google.

Engines take the normalised speech WAV (mono, 16 kHz, 16-bit) and an interview's BCP-47
language code, and return a Transcript. Models are heavy, so `engine_for` keeps one
engine per process: a worker loads its whisper model once, at start, never per job.
"""

from __future__ import annotations

import io
import os
import threading
import warnings
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from voice import speech_models

DEFAULT_WHISPER_MODEL = speech_models.DEFAULT_MODEL  # multilingual base; tiny.en if absent
# Whisper's detected language replaces the caller's when it is at least this likely.
# Measured with base (bench/bench_transcription.py): English phone speech, clean or under
# noise, is detected as English at 0.77 or more (so nothing else ever reaches 0.6), while
# real Spanish phone prompts are detected as Spanish at 0.31 to 0.95 (10 of 12 at 0.6+).
LANGUAGE_SWITCH_PROBABILITY = 0.6
# Beam width per shipped model, measured with `make bench` (English clean + noisy phone
# speech, three runs): base at beam 1 made the same word errors as at beam 5 (8.7% against
# 9.1%; 23.8% against 23.2% at 10 dB SNR) in 0.79-1.05 of the time; tiny.en at beam 1 made
# more (10.4% against 9.4%; 27.5% against 20.1%), so it keeps beam 5.
BEAM_SIZES = {speech_models.BASE: 1, speech_models.TINY_EN: 5}
# One second of silence splits speech, padded so word edges survive.
VAD_PARAMETERS = {"min_silence_duration_ms": 1000, "speech_pad_ms": 300}
GOOGLE_ENDPOINT = "http://www.google.com/speech-api/v2/recognize"


class SpeechToTextError(RuntimeError):
    """The engine could not transcribe the audio (bad input, missing model, no service)."""


class UnsupportedLanguage(SpeechToTextError):
    """The engine or its model cannot transcribe the interview's language: retrying won't."""


class Stopped(Exception):
    """The caller's `stop` said the transcript is no longer wanted; nothing was returned."""


# Asked with the seconds of speech decoded so far (0.0 before the model runs): True stops
# the transcription.
Stop = Callable[[float], bool]


def _check(stop: Stop | None, decoded: float = 0.0) -> None:
    if stop is not None and stop(decoded):
        raise Stopped


@dataclass(frozen=True)
class Segment:
    """A stretch of speech and its words; times in seconds from the start of the audio.

    Whisper also says how sure it was (None from engines that do not say): the mean
    log-probability of the segment's tokens (0 is certain; below -1 whisper itself
    counts a decoding as failed), the probability that the stretch holds no speech, and
    the gzip compression ratio of its text (above 2.4 whisper counts it as repetitive).
    """

    start: float  # seconds from the start of the speech audio
    end: float
    text: str
    avg_logprob: float | None = None
    no_speech_prob: float | None = None
    compression_ratio: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain data for the answer's JSON segments column (measures only when known)."""
        data: dict[str, Any] = {"start": self.start, "end": self.end, "text": self.text}
        for name in ("avg_logprob", "no_speech_prob", "compression_ratio"):
            value = getattr(self, name)
            if value is not None:
                data[name] = round(value, 3)
        return data


@dataclass(frozen=True)
class Transcript:
    """What an engine heard: the whole text, timed segments, the engine and the language
    it transcribed in (a language subtag such as `es`); with whisper's own language
    detection, the language it heard and that language's probability (0 to 1)."""

    text: str
    segments: list[Segment] = field(default_factory=list)
    engine: str = ""
    language: str = ""
    detected_language: str | None = None
    detected_probability: float | None = None

    def segments_json(self) -> list[dict[str, Any]]:
        """Return the segments as plain dicts for a JSON column."""
        return [s.as_dict() for s in self.segments]


class SpeechToText(Protocol):
    """A speech-to-text engine: whisper, sphinx or google (voice/stt.py builds them)."""

    name: str

    def transcribe(self, wav_bytes: bytes, language: str, stop: Stop | None = None) -> Transcript:
        """Transcribe mono 16 kHz 16-bit WAV bytes; raises SpeechToTextError.

        `stop` is asked before the model runs (and by whisper after each segment, with the
        seconds of speech decoded so far): when it answers True the engine raises Stopped
        at once, spending no more model time.
        """
        ...


def primary_language(code: str) -> str:
    """Reduce a BCP-47 tag such as `en-US` or `pt_BR` to its language subtag (`en`, `pt`)."""
    primary = (code or "en").replace("_", "-").split("-", 1)[0].strip().lower()
    return primary or "en"


def wav_seconds(wav_bytes: bytes) -> float:
    """Length of a PCM WAV in seconds; raise SpeechToTextError if it is not one."""
    try:
        with wave.open(io.BytesIO(wav_bytes)) as reader:
            return reader.getnframes() / float(reader.getframerate())
    except (wave.Error, EOFError) as exc:
        raise SpeechToTextError(f"the speech audio is not a PCM WAV file: {exc}") from exc


def resolve_whisper_model(model: str) -> tuple[str, str]:
    """(model name, what faster-whisper loads) for the model setting.

    `base` and `tiny.en` are the shipped models: their verified folder (base falls back
    to tiny.en when set-up could not install it; a folder failing its hash raises
    speech_models.ModelRefused). Anything else, a local CTranslate2 folder or a name
    already in the local cache, is passed on as given.
    """
    if model in (speech_models.BASE, speech_models.TINY_EN):
        name, folder = speech_models.model_folder(model)
        return name, str(folder)
    return Path(model).name or model, model


class WhisperEngine:
    """faster-whisper (CTranslate2) on the CPU; the model loads once, on first use or preload."""

    def __init__(
        self,
        model: str = DEFAULT_WHISPER_MODEL,
        compute_type: str = "int8",
        beam_size: int | None = None,
        cpu_threads: int = 0,
    ):
        """`beam_size` None takes the measured default for the model that loads
        (BEAM_SIZES, else 5)."""
        self.model = model
        self.compute_type = compute_type
        self.beam_size = beam_size if beam_size is not None else BEAM_SIZES.get(model, 5)
        self.cpu_threads = cpu_threads
        self.name = f"whisper-{Path(model).name or model}"[:40]  # set again by load
        self._loaded = None
        self._lock = threading.Lock()

    def load(self):
        """Load the model now (idempotent); a worker calls this before taking jobs."""
        with self._lock:
            if self._loaded is None:
                self._loaded = self._load()
            return self._loaded

    def _load(self):
        from faster_whisper import WhisperModel

        try:
            used, path = resolve_whisper_model(self.model)
        except speech_models.ModelRefused as exc:
            raise SpeechToTextError(
                f"refusing whisper model {self.model!r}: {exc}. Run `make setup` again, "
                "or set SCREENLINE_WHISPER_MODEL to tiny.en or to a CTranslate2 model folder."
            ) from exc
        self.name = f"whisper-{used}"[:40]
        if used != self.model and self.beam_size == BEAM_SIZES.get(self.model, 5):
            self.beam_size = BEAM_SIZES.get(used, 5)  # base fell back to tiny.en
        try:
            # local_files_only: a worker never downloads a model while taking jobs; a model
            # that is neither bundled nor cached must be installed as a folder beforehand.
            return WhisperModel(
                path,
                device="cpu",
                compute_type=self.compute_type,
                cpu_threads=self.cpu_threads,
                local_files_only=True,
            )
        except Exception as exc:  # CTranslate2 and huggingface_hub raise many types
            raise SpeechToTextError(
                f"could not load whisper model {self.model!r} ({path}): {exc}. "
                "Set SCREENLINE_WHISPER_MODEL to tiny.en or to a CTranslate2 model folder."
            ) from exc

    def transcribe(self, wav_bytes: bytes, language: str, stop: Stop | None = None) -> Transcript:
        """Transcribe speech WAV bytes in the caller's language, or in the language heard.

        A multilingual model first detects the language of the speech; when that is
        another language than `language` with probability LANGUAGE_SWITCH_PROBABILITY
        or more, the answer is transcribed in the language heard, never translated.
        `stop` is asked before the model runs, after language detection (when it ran) and
        after each decoded segment with the seconds decoded so far (faster-whisper decodes lazily,
        one 30 s window at a time); True raises Stopped, so no further window is decoded.
        """
        wav_seconds(wav_bytes)  # reject non-WAV input with a clear message
        _check(stop)
        lang = primary_language(language)
        model = self.load()
        self._check_language(model, lang, language)
        try:
            from faster_whisper import decode_audio

            audio = decode_audio(io.BytesIO(wav_bytes))
            detected, probability = self._detect(model, audio)
            if detected is not None:  # detection ran the encoder once: ask again
                _check(stop)
            used = lang
            if (
                detected
                and detected != lang
                and probability >= LANGUAGE_SWITCH_PROBABILITY
                and detected in model.supported_languages
            ):
                used = detected
            pieces, _info = model.transcribe(
                audio,
                language=used,
                beam_size=self.beam_size,
                # Previous-text conditioning makes whisper repeat itself on long answers.
                condition_on_previous_text=False,
                # VAD drops the pauses of a hesitant caller, where whisper invents words;
                # one second of silence splits speech, padded so word edges survive.
                vad_filter=True,
                vad_parameters=VAD_PARAMETERS,
            )
            segments = []
            for p in pieces:  # a generator: decoding happens here
                if p.text.strip():
                    segments.append(
                        Segment(
                            round(p.start, 2),
                            round(p.end, 2),
                            p.text.strip(),
                            p.avg_logprob,
                            p.no_speech_prob,
                            p.compression_ratio,
                        )
                    )
                _check(stop, p.end)
        except Stopped:
            raise
        except Exception as exc:
            raise SpeechToTextError(f"whisper could not transcribe the audio: {exc}") from exc
        text = " ".join(s.text for s in segments)
        return Transcript(text, segments, self.name, used, detected, probability)

    @staticmethod
    def _detect(model, audio) -> tuple[str | None, float | None]:
        """Whisper's language detection on the first 30 s of speech (VAD applied).

        (None, None) for an English-only model, or when there is no speech to listen to.
        """
        if not model.model.is_multilingual:
            return None, None
        import numpy as np
        from faster_whisper.vad import VadOptions, collect_chunks, get_speech_timestamps

        chunks = get_speech_timestamps(audio, VadOptions(**VAD_PARAMETERS))
        if not chunks:
            return None, None
        speech = np.concatenate(collect_chunks(audio, chunks)[0])
        detected, probability, _all = model.detect_language(audio=speech)
        return detected, round(float(probability), 3)

    def _check_language(self, model, lang: str, requested: str) -> None:
        from faster_whisper.tokenizer import _LANGUAGE_CODES

        if not model.model.is_multilingual and lang != "en":
            raise UnsupportedLanguage(
                f"the whisper model {self.model!r} is English-only and cannot transcribe "
                f"{requested!r}; set SCREENLINE_WHISPER_MODEL to a multilingual model"
            )
        if lang not in _LANGUAGE_CODES:
            raise UnsupportedLanguage(f"whisper does not know the language {requested!r}")


def _speech_recognition():
    """Import SpeechRecognition lazily (it is slow to import), quietly."""
    with warnings.catch_warnings():
        # It imports the aifc module, deprecated since Python 3.11; nothing we can change.
        warnings.simplefilter("ignore", DeprecationWarning)
        import speech_recognition

    return speech_recognition


def _audio_data(wav_bytes: bytes):
    sr = _speech_recognition()
    wav_seconds(wav_bytes)
    with sr.AudioFile(io.BytesIO(wav_bytes)) as source:
        return sr.Recognizer().record(source)


def _one_segment(text: str, wav_bytes: bytes) -> list[Segment]:
    return [Segment(0.0, round(wav_seconds(wav_bytes), 2), text)] if text else []


class SphinxEngine:
    """CMU PocketSphinx through SpeechRecognition: offline, English only, less accurate."""

    name = "sphinx"

    def transcribe(self, wav_bytes: bytes, language: str, stop: Stop | None = None) -> Transcript:
        """Transcribe speech WAV bytes (English only) as one segment spanning the audio;
        `stop` is asked once, before the recogniser runs."""
        _check(stop)
        sr = _speech_recognition()

        if primary_language(language) != "en":
            raise UnsupportedLanguage(f"the sphinx engine only knows English, not {language!r}")
        audio = _audio_data(wav_bytes)
        try:
            text = sr.Recognizer().recognize_sphinx(audio, language="en-US")
        except sr.UnknownValueError:
            text = ""  # nothing recognisable is an empty transcript, not a failure
        except sr.RequestError as exc:
            raise SpeechToTextError(f"sphinx could not run: {exc}") from exc
        text = " ".join(text.split())
        return Transcript(text, _one_segment(text, wav_bytes), self.name, "en")


class GoogleEngine:
    """Google's free web speech API through SpeechRecognition; needs the internet."""

    name = "google"

    def __init__(
        self, key: str | None = None, endpoint: str = GOOGLE_ENDPOINT, timeout: float = 30
    ):
        self.key = key
        self.endpoint = endpoint
        self.timeout = timeout

    def transcribe(self, wav_bytes: bytes, language: str, stop: Stop | None = None) -> Transcript:
        """Send speech WAV bytes to Google; any service failure is a SpeechToTextError.
        `stop` is asked once, before anything is sent."""
        _check(stop)
        sr = _speech_recognition()

        audio = _audio_data(wav_bytes)
        recognizer = sr.Recognizer()
        recognizer.operation_timeout = self.timeout
        try:
            text = recognizer.recognize_google(
                audio, key=self.key, language=language or "en-US", endpoint=self.endpoint
            )
        except sr.UnknownValueError:
            text = ""
        except (sr.RequestError, OSError, ValueError) as exc:
            raise SpeechToTextError(f"google speech recognition failed: {exc}") from exc
        text = " ".join(str(text).split())
        return Transcript(text, _one_segment(text, wav_bytes), self.name, language)


def engine_choice(settings, language: str | None = None) -> tuple[str, str]:
    """(engine name, whisper model) for a language: its SCREENLINE_STT_LANGUAGES entry,
    or the default engine. Raises UnsupportedLanguage when transcription is turned off."""
    if language:
        wanted = primary_language(language)
        for code, spec in settings.stt_languages:
            if code == wanted:
                name, _, model = spec.partition(":")
                if name.lower() == "none":
                    raise UnsupportedLanguage(
                        f"transcription of {language} is turned off (SCREENLINE_STT_LANGUAGES)"
                    )
                return name.lower(), model or settings.whisper_model
    return settings.stt_engine, settings.whisper_model


def build_engine(
    name: str, whisper_model: str, compute_type: str, cpu_threads: int = 0
) -> SpeechToText:
    """Build a fresh engine (prefer engine_for, which caches); `cpu_threads` 0 lets
    CTranslate2 choose."""
    if name == "whisper":
        return WhisperEngine(whisper_model, compute_type, cpu_threads=cpu_threads)
    if name == "sphinx":
        return SphinxEngine()
    if name == "google":
        return GoogleEngine()
    raise SpeechToTextError(f"unknown speech-to-text engine {name!r}")


_engines: dict[tuple[str, ...], SpeechToText] = {}
_engines_lock = threading.Lock()


def available_cores() -> int:
    """CPU cores this process may run on (its affinity mask, as taskset and cpusets set)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def default_worker_processes(transcribes: bool) -> int:
    """How many worker processes `screenline worker` starts unless told: one per core
    (each then gets one CPU thread) when it takes transcription jobs, else one.

    Measured with `make bench` on 2 cores, three runs: two processes with one thread
    each transcribed 0.93x to 1.92x (base) and 1.05x to 2.11x (tiny.en) the speech per
    second of one process with two threads. Each holds its own model (390 MB for base).
    """
    return max(1, min(64, available_cores())) if transcribes else 1


def stt_threads(settings) -> int:
    """Threads for one transcription process: SCREENLINE_STT_THREADS, else every core
    it may use. `python -m workers --processes N` sets it to cores // N per process, so
    N processes on one machine fill its cores without oversubscribing them."""
    configured = getattr(settings, "stt_threads", 0)
    return configured if configured > 0 else available_cores()


def engine_for(settings, language: str | None = None) -> SpeechToText:
    """The process's engine for a language, built on first use and then reused."""
    name, model = engine_choice(settings, language)
    key = (name, model, settings.whisper_compute_type)
    with _engines_lock:
        if key not in _engines:
            _engines[key] = build_engine(*key, cpu_threads=stt_threads(settings))
        return _engines[key]


def preload(settings) -> SpeechToText:
    """Load every configured engine's model now, so no job pays for it; return the default."""
    languages = [code for code, spec in settings.stt_languages if spec.lower() != "none"]
    for language in [None, *languages]:
        load = getattr(engine_for(settings, language), "load", None)
        if load is not None:
            load()
    return engine_for(settings)
