"""Synthesise a caller's spoken answer with flite's slt voice."""

from __future__ import annotations

import functools
import subprocess
import tempfile
from pathlib import Path


class SpeechError(RuntimeError):
    """flite is missing or could not speak the text."""


@functools.lru_cache(maxsize=64)
def synthesise(text: str) -> bytes:
    """Speak `text` with flite's slt voice and return the WAV bytes."""
    if not text.strip():
        raise ValueError("there is no text to speak")
    with tempfile.TemporaryDirectory(prefix="screenline-speech-") as tmp:
        out = Path(tmp) / "speech.wav"
        try:
            subprocess.run(
                ["flite", "-voice", "slt", "-t", text, "-o", str(out)],
                check=True,
                capture_output=True,
                timeout=120,
            )
        except FileNotFoundError:
            raise SpeechError("flite is not installed (apt-get install flite)") from None
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise SpeechError(f"flite could not speak the text: {exc}") from exc
        return out.read_bytes()
