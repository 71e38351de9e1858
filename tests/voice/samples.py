"""Real audio for tests: flite speech, LibriVox read speech, silence, noise, and WER."""

from __future__ import annotations

import gzip
import io
import re
import subprocess
import tempfile
import unicodedata
from functools import cache
from pathlib import Path

import jiwer
from pydub import AudioSegment
from pydub.generators import Sine, WhiteNoise

from voice.audio import export, telephone_channel

LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")
# Real recorded Mexican Spanish telephone prompts (8 kHz, 16-bit) and what each says,
# from Debian's asterisk-core-sounds-es-wav and asterisk-core-sounds-es.
ASTERISK_ES = Path("/usr/share/asterisk/sounds/es_MX_f_Allison")
ASTERISK_ES_TEXT = Path("/usr/share/doc/asterisk-core-sounds-es/core-sounds-es.txt.gz")

# Things candidates say in hourly-job interviews, fixed so results are comparable.
SENTENCES = (
    "I worked at a grocery store for three years, mostly on the night shift.",
    "I want this job because I enjoy helping customers and working with a team.",
    "My last manager would say that I am reliable and always on time.",
    "I am available to work weekends and evenings.",
    "When a customer is angry, I listen carefully and try to solve the problem.",
    "I have experience with cash registers and counting money at the end of the day.",
    "I live close to the warehouse, so getting to work is easy for me.",
    "In five years I would like to be a shift supervisor.",
)


@cache
def flite(text: str) -> bytes:
    """Synthesise `text` with flite's slt voice; return 16 kHz WAV bytes."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "speech.wav"
        subprocess.run(["flite", "-voice", "slt", "-t", text, "-o", str(path)], check=True)
        return path.read_bytes()


def phone_speech(text: str = SENTENCES[0]) -> bytes:
    """Flite speech as a Twilio recording: 8 kHz mu-law through the telephone channel."""
    return telephone_channel(flite(text))


def librivox_clips() -> list[tuple[bytes, str]]:
    """Debian's pocketsphinx-testdata read-speech clips with what was read."""
    clips = []
    for line in (LIBRIVOX / "transcription").read_text().splitlines():
        match = re.match(r"<s> (.*) </s> \((.*)\)", line.strip())
        if match:
            text, name = match.groups()
            clips.append(((LIBRIVOX / f"{name}.wav").read_bytes(), text))
    return clips


def spanish_clips(min_words: int = 8, max_words: int = 25) -> list[tuple[bytes, str]]:
    """Real recorded Spanish phone prompts of min_words to max_words words, in a fixed
    order, with their text; prompts with digits or bracketed sound names are left out."""
    clips = []
    for line in gzip.decompress(ASTERISK_ES_TEXT.read_bytes()).decode("utf-8").splitlines():
        name, colon, text = line.partition(":")
        text = text.strip()
        path = ASTERISK_ES / f"{name.strip()}.wav"
        if (
            colon
            and not line.startswith(";")
            and min_words <= len(text.split()) <= max_words
            and not re.search(r"[\[\]0-9]", text)
            and path.is_file()
        ):
            clips.append((path.read_bytes(), text))
    return clips


def espeak(text: str, voice: str = "es-419") -> bytes:
    """Synthesise `text` with espeak-ng (Latin American Spanish by default); WAV bytes."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "speech.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-w", str(path), text], check=True)
        return path.read_bytes()


def silence_wav(seconds: float = 3.0, rate: int = 8000) -> bytes:
    return export(AudioSegment.silent(int(seconds * 1000), frame_rate=rate), "wav")


def padded(speech: bytes, before_ms: int, after_ms: int, gain_db: float = 0.0) -> bytes:
    """Speech with digital silence before and after it, made louder or quieter."""
    segment = AudioSegment.from_file(io.BytesIO(speech)).apply_gain(gain_db)
    rate = segment.frame_rate
    return export(
        AudioSegment.silent(before_ms, rate) + segment + AudioSegment.silent(after_ms, rate), "wav"
    )


def tone_wav(seconds: float = 1.0, dbfs: float = -20.0, channels: int = 1) -> bytes:
    tone = Sine(440, sample_rate=44100).to_audio_segment(int(seconds * 1000), volume=dbfs)
    return export(tone.set_channels(channels), "wav")


def hiss_wav(seconds: float = 2.0, dbfs: float = -60.0) -> bytes:
    """Line noise only, with no speech: what an unanswered, open line records."""
    noise = WhiteNoise(sample_rate=8000).to_audio_segment(int(seconds * 1000), volume=dbfs)
    return export(noise, "wav")


def words(text: str) -> str:
    """Normalise for word error rate: lower case, no accents or punctuation, hyphens split."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = text.lower().replace("mr.", "mister").replace("-", " ")
    return " ".join(re.sub(r"[^a-z' ]+", " ", text).split())


def word_error_rate(references: list[str], hypotheses: list[str]) -> float:
    """WER over a whole set (errors summed over all words, not averaged per sentence)."""
    return jiwer.wer([words(r) for r in references], [words(h) for h in hypotheses])
