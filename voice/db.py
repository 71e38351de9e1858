"""Database engines and session factories, built from a URL (never at import)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

# How long a SQLite writer waits for another to finish before giving up, in seconds.
# A webhook that finds the database locked runs again up to 3 times (ivr/views/webhook.py):
# 4 x 3 s stays inside Twilio's 15 s webhook limit, so a busy database still answers.
SQLITE_BUSY_TIMEOUT = 3.0
# A pooled PostgreSQL connection that has waited in the pool this long, in seconds, is
# pinged before use; one used more recently is not (see _ping_when_idle).
IDLE_BEFORE_PING = 5.0


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine for `url` (never connects until first use).

    PostgreSQL pings a pooled connection before use only when it has been idle for
    IDLE_BEFORE_PING seconds or more (_ping_when_idle). SQLite gets foreign keys, WAL, a busy
    timeout of SQLITE_BUSY_TIMEOUT seconds, and transactions that start with
    `BEGIN IMMEDIATE`: with the driver's default deferred transactions, a request that
    read first and writes second cannot wait for a concurrent writer and fails at once
    with "database is locked" (SQLite's BUSY_SNAPSHOT in WAL mode). Taking the write lock
    at BEGIN makes every transaction queue for it instead, so concurrent webhooks wait
    their turn for a few milliseconds rather than fail. Keep transactions short: nothing
    slow (downloads, speech-to-text) may run inside one.
    """
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connect_args = {"timeout": SQLITE_BUSY_TIMEOUT, **kwargs.pop("connect_args", {})}
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    engine = create_engine(url, **kwargs)
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection before use if it sat in the pool IDLE_BEFORE_PING or more.

    SQLAlchemy's `pool_pre_ping` pings on every checkout: a round trip per request, about
    a fifth of a webhook's (bench/bench_scale.py). A connection back from a request a
    moment ago is almost surely alive; one idle for a while may have been closed by a
    PostgreSQL restart or a proxy's idle timeout, and is pinged. A dead one is replaced
    before use (DisconnectionError in a `checkout` listener makes the pool discard it and
    connect again: docs.sqlalchemy.org, "Disconnect Handling - Pessimistic"). A
    connection that dies while in use raises an error whose `connection_invalidated` is
    True, and SQLAlchemy then discards every connection older than the failure; the
    webhook guard runs such a webhook again (ivr/views/webhook.py).
    """

    @event.listens_for(engine, "checkin")
    def idle_from(_dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def ping_if_idle(dbapi_connection, record, _proxy) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < IDLE_BEFORE_PING:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError(f"pooled connection is gone: {error}") from error


def _sqlite_connect(dbapi_connection, _record) -> None:
    # Hand transaction control to SQLAlchemy (the `begin` event below); the sqlite3
    # driver's own implicit BEGIN would be deferred.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # WAL with synchronous=NORMAL is durable across application crashes and much faster.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin_immediate(connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def is_connection_lost(exc: BaseException) -> bool:
    """Whether `exc` is the database connection dropping mid-request (now discarded)."""
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def is_database_locked(exc: BaseException) -> bool:
    """Whether `exc` is SQLite saying another writer held the database past the busy timeout."""
    return isinstance(exc, OperationalError) and "database is locked" in str(exc.orig or exc)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One session for one job or command: rolled back on error, always closed."""
    session = factory()
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
