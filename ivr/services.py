"""What a web process holds: settings, database sessions, Redis, the audio store.

Built once by the app factory from settings and kept on `app.extensions`; the
database session belongs to one request and is closed on teardown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property

import redis
from flask import Flask, current_app, g
from rq import Queue, Retry
from sqlalchemy.orm import Session, sessionmaker

from config.settings import Settings
from ivr.jobs import JobRef
from ivr.twilio_rest import TwilioRest, rest_client
from voice.db import make_engine, make_session_factory
from voice.store import AudioStore

EXTENSION = "screenline"


@dataclass
class Services:
    settings: Settings

    @cached_property
    def session_factory(self) -> sessionmaker[Session]:
        return make_session_factory(make_engine(self.settings.database_url))

    @cached_property
    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(
            self.settings.redis_url, socket_connect_timeout=2, socket_timeout=5
        )

    @cached_property
    def store(self) -> AudioStore:
        return AudioStore(self.settings.media_dir)

    @cached_property
    def twilio(self) -> TwilioRest:
        return rest_client(self.settings)

    def enqueue(self, job: JobRef, *args, job_id: str | None = None, delay: int = 0):
        """Put a job on its queue by dotted name (after `delay` seconds); raises redis errors."""
        queue = Queue(job.queue, connection=self.redis)
        options = {
            "job_id": job_id,
            "job_timeout": job.timeout,
            "retry": Retry(max=len(job.retries), interval=list(job.retries))
            if job.retries
            else None,
            "description": f"{job.name}{args!r}",
        }
        if delay:
            return queue.enqueue_in(timedelta(seconds=delay), job.name, *args, **options)
        return queue.enqueue(job.name, *args, **options)


def init_services(app: Flask, settings: Settings) -> Services:
    services = Services(settings)
    app.extensions[EXTENSION] = services
    app.teardown_appcontext(_close_session)
    return services


def services() -> Services:
    return current_app.extensions[EXTENSION]


def db() -> Session:
    """The request's database session, opened on first use."""
    if "db_session" not in g:
        g.db_session = services().session_factory()
    return g.db_session


def _close_session(_exc) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
