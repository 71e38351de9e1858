"""Alembic environment: migrates the database whose URL the caller put in the config."""

import warnings

from alembic import context
from sqlalchemy import pool
from sqlalchemy.exc import SAWarning

from voice.db import make_engine
from voice.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    """Write the migrations as SQL without a database connection."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on a connection (given by voice/migrate.py, or made here)."""
    connectable = config.attributes.get("connection")
    if connectable is None:
        connectable = make_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with connectable.connect() if hasattr(connectable, "connect") else connectable as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction(), warnings.catch_warnings():
            # SQLite's batch copy of a table (render_as_batch) reflects the tables it
            # refers to, and SQLAlchemy cannot reflect candidates' indexes on expressions
            # (0015, 0024): it warns and skips them, and they stay as they are. The
            # warning told `make demo`'s users nothing they could act on.
            warnings.filterwarnings(
                "ignore", "Skipped unsupported reflection of expression-based index", SAWarning
            )
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
