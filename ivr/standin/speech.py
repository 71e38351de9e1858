"""Synthesise a caller's spoken answer: English with flite's slt voice, other languages
(the demo's Spanish caller) with espeak-ng."""

from __future__ import annotations

import functools
import subprocess
import tempfile
from pathlib import Path

# espeak-ng voices for the languages the stand-in's callers speak besides English.
ESPEAK_VOICES = {"es": "es-419", "fr": "fr", "pt": "pt-br", "de": "de"}
# Slower, with gaps between words: through the phone line, whisper base misheard half
# the words of the demo's Spanish answers at espeak-ng's default pace, a quarter at this.
ESPEAK_PACE = ["-s", "130", "-g", "4"]


class SpeechError(RuntimeError):
    """flite or espeak-ng is missing, or could not speak the text."""


@functools.lru_cache(maxsize=64)
def synthesise(text: str, language: str = "en") -> bytes:
    """Speak `text` in `language` (a BCP-47 tag: `en-US`, `es-MX`) and return WAV bytes.

    English uses flite's slt voice; languages in ESPEAK_VOICES use espeak-ng; any other
    raises ValueError.
    """
    if not text.strip():
        raise ValueError("there is no text to speak")
    primary = language.replace("_", "-").split("-", 1)[0].lower() or "en"
    if primary != "en" and primary not in ESPEAK_VOICES:
        raise ValueError(f"the stand-in cannot speak {language!r}")
    with tempfile.TemporaryDirectory(prefix="screenline-speech-") as tmp:
        out = Path(tmp) / "speech.wav"
        if primary == "en":
            program = "flite"
            command = ["flite", "-voice", "slt", "-t", text, "-o", str(out)]
        else:
            program = "espeak-ng"
            voice = ESPEAK_VOICES[primary]
            command = ["espeak-ng", "-v", voice, *ESPEAK_PACE, "-w", str(out), text]
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=120)
        except FileNotFoundError:
            raise SpeechError(f"{program} is not installed (apt-get install {program})") from None
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise SpeechError(f"{program} could not speak the text: {exc}") from exc
        return out.read_bytes()
