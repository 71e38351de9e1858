"""Per-process worker resources, built lazily from settings (nothing connects at import)."""

from __future__ import annotations

from functools import cached_property

import redis
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from config.settings import Settings, load_settings
from ivr.twilio_rest import TwilioRest, rest_client
from voice.db import make_engine, make_session_factory
from voice.store import AudioStore
from voice.stt import SpeechToText, engine_for


class WorkerContext:
    """What a job needs: the database, the audio store, Twilio, Redis, speech-to-text."""

    def __init__(self, settings: Settings):
        self.settings = settings

    @cached_property
    def session_factory(self) -> sessionmaker[Session]:
        # No pool: a connection lives for one job. RQ forks its scheduler from the worker,
        # and a child holding a pooled connection's socket would keep a killed worker's
        # transaction, and its answer lock, open for ever.
        return make_session_factory(make_engine(self.settings.database_url, poolclass=NullPool))

    @cached_property
    def store(self) -> AudioStore:
        return AudioStore(self.settings.media_dir)

    @cached_property
    def twilio(self) -> TwilioRest:
        return rest_client(self.settings)

    @cached_property
    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(
            self.settings.redis_url, socket_connect_timeout=5, socket_timeout=30
        )

    def stt(self, language: str | None = None) -> SpeechToText:
        """The engine for a language (cached per process by voice.stt)."""
        return engine_for(self.settings, language)

    def close(self) -> None:
        """Release pooled connections (used by tests that swap contexts)."""
        if "session_factory" in self.__dict__:
            self.session_factory.kw["bind"].dispose()
        if "redis" in self.__dict__:
            self.redis.close()


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
