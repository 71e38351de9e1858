"""This worker process's resources: the shared Resources plus speech-to-text engines.

Built lazily from settings on first use (nothing connects at import); tests swap them
with `use()` and `reset()`.
"""

from __future__ import annotations

from config.settings import Settings, load_settings
from ivr.resources import Resources
from voice.stt import SpeechToText, engine_for


class WorkerContext(Resources):
    """What a job needs: the database, the audio store, Twilio, Redis, speech-to-text.

    Database connections are not pooled: a connection lives for one unit of work, so a
    killed worker's transaction and answer locks end with its process. Redis gets a 30 s
    socket timeout (a worker may wait on it; a webhook may not).
    """

    def __init__(self, settings: Settings):
        super().__init__(settings, pooled=False, redis_timeout=30.0)

    def stt(self, language: str | None = None) -> SpeechToText:
        """The engine for a language (cached per process by voice.stt)."""
        return engine_for(self.settings, language)


_current: WorkerContext | None = None


def use(settings: Settings) -> WorkerContext:
    """Make this process's jobs use these settings; return the new context."""
    global _current
    if _current is not None:
        _current.close()
    _current = WorkerContext(settings)
    return _current


def current() -> WorkerContext:
    """This process's context, built from the environment on first use."""
    global _current
    if _current is None:
        _current = WorkerContext(load_settings())
    return _current


def reset() -> None:
    """Forget the process's context (tests call this on teardown)."""
    global _current
    if _current is not None:
        _current.close()
    _current = None
