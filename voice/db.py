"""Database engines and session factories, built from a URL (never at import)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

# How long a SQLite writer waits for another to finish before giving up, in seconds.
# A webhook that finds the database locked runs again up to 3 times (ivr/views/webhook.py):
# 4 x 3 s stays inside Twilio's 15 s webhook limit, so a busy database still answers.
SQLITE_BUSY_TIMEOUT = 3.0


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine for `url` (never connects until first use).

    PostgreSQL gets pre-ping on pooled connections. SQLite gets foreign keys, WAL, a busy
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
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


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
