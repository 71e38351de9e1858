"""Shared fixtures: a real PostgreSQL database and a real Redis database per test run."""

from __future__ import annotations

import os
import uuid
import warnings
from pathlib import Path

import pytest
import redis
from sqlalchemy import text

from config.settings import Settings
from voice.db import make_engine, make_session_factory
from voice.models import Base

ADMIN_DATABASE_URL = os.environ.get(
    "SCREENLINE_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TEST_REDIS_URL = os.environ.get("SCREENLINE_TEST_REDIS_URL", "redis://127.0.0.1:6379")


@pytest.fixture(scope="session")
def database_url():
    """A fresh PostgreSQL database, migrated to head, dropped after the run."""
    from tests.support import postgres_database

    with postgres_database(ADMIN_DATABASE_URL) as url:
        yield url


@pytest.fixture(scope="session")
def redis_url():
    """A Redis database number of its own, held with a lock so parallel runs don't collide."""
    server = redis.Redis.from_url(TEST_REDIS_URL + "/0")
    token = uuid.uuid4().hex
    for db in range(15, 0, -1):
        if server.set(f"screenline:test-lock:{db}", token, nx=True, ex=3 * 3600):
            break
    else:
        pytest.fail("every Redis test database is in use")
    url = f"{TEST_REDIS_URL}/{db}"
    redis.Redis.from_url(url).flushdb()
    yield url
    redis.Redis.from_url(url).flushdb()
    if server.get(f"screenline:test-lock:{db}") == token.encode():
        server.delete(f"screenline:test-lock:{db}")


@pytest.fixture(scope="session")
def media_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    """A real S3-compatible server (moto's standalone server) on loopback, for the run.

    Its test credentials go into this process's environment, where boto3's standard
    chain (and every child process, through tests.support.env_for) finds them.
    """
    from tests.s3 import S3_ENV, s3_server

    saved = {name: os.environ.get(name) for name in S3_ENV}
    os.environ.update(S3_ENV)
    try:
        with s3_server(tmp_path_factory.mktemp("s3") / "moto.log") as endpoint:
            yield endpoint
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture
def s3_settings(settings, s3_endpoint) -> Settings:
    """The test settings with audio kept in a fresh bucket of the S3 server, under a prefix."""
    from tests.s3 import make_bucket

    bucket = make_bucket(s3_endpoint)
    return settings.replace(storage_url=f"s3://{bucket}/audio", s3_endpoint_url=s3_endpoint)


@pytest.fixture(scope="session")
def settings(database_url, redis_url, media_root, tmp_path_factory) -> Settings:
    """Settings for the test run: real PostgreSQL and Redis, a temporary media folder."""
    return Settings(
        metrics_dir=tmp_path_factory.mktemp("metrics"),
        env="test",
        database_url=database_url,
        redis_url=redis_url,
        media_dir=media_root,
        secret_key="test-secret-key-0123456789abcdef0123456789",
        public_url="http://screenline.test",
        twilio_account_sid="AC" + "1" * 32,
        twilio_auth_token="test-auth-token-abcdef",
        twilio_api_url="http://twilio.invalid",
        # Tests that only need "some transcript" use the fastest model; the default model
        # (multilingual base), languages and flags are tested with base explicitly.
        whisper_model="tiny.en",
    )


@pytest.fixture(scope="session")
def engine(settings):
    engine = make_engine(settings.database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def session_factory(engine):
    return make_session_factory(engine)


@pytest.fixture
def db(session_factory, engine, redis_url):
    """A session for the test; every table is emptied (and Redis flushed) afterwards."""
    session = session_factory()
    yield session
    session.close()
    names = ", ".join(f'"{t.name}"' for t in reversed(Base.metadata.sorted_tables))
    with engine.begin() as conn:
        # A connection left idle inside a transaction (a leak in the code under test)
        # would block TRUNCATE forever: end it, and never wait long for a lock.
        leaked = conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND state = 'idle in transaction' "
                "AND state_change < now() - interval '2 seconds'"
            )
        ).all()
        conn.execute(text("SET LOCAL lock_timeout = '30s'"))
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    redis.Redis.from_url(redis_url).flushdb()
    if leaked:
        warnings.warn(
            f"{len(leaked)} database connection(s) left idle in a transaction", stacklevel=1
        )


@pytest.fixture
def redis_conn(redis_url):
    conn = redis.Redis.from_url(redis_url)
    yield conn
    conn.flushdb()


@pytest.fixture
def app(settings, db):
    """The web app (IVR webhooks and dashboard) built from the test settings; its
    connection pools (the request sessions' and the first webhooks', ivr/resources.py)
    are closed after the test."""
    from dashboard.app import create_app

    app = create_app(settings)
    yield app
    app.extensions["screenline"].close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def live(settings, tmp_path_factory):
    """A running server and a real RQ worker, with the Twilio stand-in's API beside them.

    Yields (settings as the processes see them, the stand-in API server). Shared by the
    tests of one module; the `db` fixture still empties every table after each test.
    """
    import sys

    from ivr.standin import TwilioApiServer
    from tests.support import env_for, free_port, start_process, stop_process, web_server

    logs = tmp_path_factory.mktemp("live")
    api = TwilioApiServer(settings.twilio_account_sid, settings.twilio_auth_token).start()
    running = settings.replace(
        public_url=f"http://127.0.0.1:{free_port()}",
        twilio_api_url=api.url,
        practice_delete_delay=1,
    )
    try:
        with web_server(running, logs / "web.log"):
            worker = start_process(["-m", "workers"], env_for(running), logs / "worker.log")
            try:
                yield running, api
            finally:
                stop_process(worker)
    finally:
        api.stop()
        for name in ("web.log", "worker.log"):
            sys.stderr.write(f"--- {name} ---\n{(logs / name).read_text()[-4000:]}\n")
