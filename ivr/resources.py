"""What a Screenline process holds, for web and workers alike: built lazily from settings.

Nothing connects at import or construction; each resource is made on first use. The web
keeps one `Resources` on the Flask app (ivr/services.py); a worker keeps one per process
(workers/context.py), which adds the speech-to-text engines.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property

import redis
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from config.settings import Settings
from ivr.first_reply import Openings
from ivr.jobs import JobRef
from ivr.twilio_rest import TwilioRest, rest_client
from voice.db import make_engine, make_session_factory
from voice.store import Store, open_store

# A job in one of these states will still run: enqueueing it again would only duplicate it.
WAITING = frozenset({JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED})


class Resources:
    """The database, Redis, the audio store, Twilio's REST API, and enqueueing by declaration.

    `pooled=False` opens a database connection per unit of work (workers: a connection
    then never outlives its job, so a killed worker's transaction ends with it).
    `redis_timeout` is the socket timeout in seconds: short on the web, where a webhook
    must answer Twilio within 15 s, longer for workers.
    """

    def __init__(self, settings: Settings, *, pooled: bool = True, redis_timeout: float = 5.0):
        self.settings = settings
        self._pooled = pooled
        self._redis_timeout = redis_timeout

    @cached_property
    def session_factory(self) -> sessionmaker[Session]:
        """Sessions on this process's engine (one per request or job)."""
        options = {} if self._pooled else {"poolclass": NullPool}
        return make_session_factory(make_engine(self.settings.database_url, **options))

    @cached_property
    def openings(self) -> Openings | None:
        """This web process's first replies (ivr/first_reply.py); None on SQLite, where
        every first webhook runs through the ORM views."""
        if not self.settings.database_url.startswith("postgresql"):
            return None
        return Openings(make_engine(self.settings.database_url, isolation_level="AUTOCOMMIT"))

    @cached_property
    def redis(self) -> redis.Redis:
        """The Redis connection the queues live on."""
        return redis.Redis.from_url(
            self.settings.redis_url,
            socket_connect_timeout=2,
            socket_timeout=self._redis_timeout,
        )

    @cached_property
    def store(self) -> Store:
        """The audio store of SCREENLINE_STORAGE_URL (default: the SCREENLINE_MEDIA_DIR folder)."""
        return open_store(
            self.settings.audio_store_url, endpoint_url=self.settings.s3_endpoint_url or None
        )

    @cached_property
    def twilio(self) -> TwilioRest:
        """Twilio's REST API (or the stand-in's, per SCREENLINE_TWILIO_API_URL)."""
        return rest_client(self.settings)

    def enqueue(self, job: JobRef, *args, job_id: str | None = None, delay: int = 0) -> Job:
        """Queue `job(*args)` by name with its declared queue, timeout and retries.

        The job id is `job_id`, else the declaration's own for these arguments. A job of
        that id that will still run (queued, scheduled, deferred) is returned instead of
        being queued twice; a finished, failed or abandoned one is replaced. With `delay`
        (seconds) the job is scheduled rather than queued. Raises redis.RedisError when
        Redis cannot be reached: callers decide what that means (the sweep covers the
        answer pipeline).
        """
        job_id = job_id or job.job_id(*args)
        if job_id is not None:
            waiting = self.waiting_job(job_id)
            if waiting is not None:
                return waiting
        queue = Queue(job.queue, connection=self.redis)
        options = {
            "job_id": job_id,
            "job_timeout": job.timeout,
            "retry": job.retry(),
            "description": f"{job.name}{args!r}",
        }
        if delay:
            return queue.enqueue_in(timedelta(seconds=delay), job.name, *args, **options)
        return queue.enqueue(job.name, *args, **options)

    def waiting_job(self, job_id: str) -> Job | None:
        """The job with this id if it is queued, scheduled or deferred; otherwise None."""
        try:
            found = Job.fetch(job_id, connection=self.redis)
        except NoSuchJobError:
            return None
        return found if found.get_status(refresh=False) in WAITING else None

    def close(self) -> None:
        """Release the database pools (the sessions' and the first webhooks') and the Redis
        connection (tests, and tests that swap settings)."""
        if "session_factory" in self.__dict__:
            self.session_factory.kw["bind"].dispose()
        if self.__dict__.get("openings") is not None:
            self.openings.engine.dispose()
        if "redis" in self.__dict__:
            self.redis.close()
