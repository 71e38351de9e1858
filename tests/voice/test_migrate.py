"""Migrations: the schema builds from nothing on SQLite and PostgreSQL, and matches the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from voice.db import make_engine
from voice.migrate import downgrade, upgrade
from voice.models import Base
from voice.search import is_search_object

# Indexes on expressions, which autogenerate cannot compare (it reports each as removed
# and added again); test_expression_indexes_are_migrated checks them instead.
EXPRESSION_INDEXES = frozenset({"ix_candidates_listing", "ix_candidates_name"})


def _context(conn) -> MigrationContext:
    # The transcript search index (FTS5 table) lives only in migration 0004, not the models.
    return MigrationContext.configure(
        conn,
        opts={
            "include_name": lambda name, *_: not is_search_object(name),
            "include_object": lambda _object, name, *_: name not in EXPRESSION_INDEXES,
        },
    )


def test_expression_indexes_are_migrated(engine, tmp_path):
    """The migrations make every expression index of the models, on PostgreSQL and SQLite."""
    url = f"sqlite:///{tmp_path / 'screenline.db'}"
    upgrade(url)
    with engine.connect() as conn:
        on_postgres = set(conn.scalars(text("SELECT indexname FROM pg_indexes")))
    with make_engine(url).connect() as conn:
        on_sqlite = set(conn.scalars(text("SELECT name FROM sqlite_master WHERE type = 'index'")))
    assert on_postgres >= EXPRESSION_INDEXES and on_sqlite >= EXPRESSION_INDEXES


def test_upgrade_on_sqlite_creates_every_table(tmp_path):
    """`db upgrade` on an empty SQLite file creates every model's table."""
    url = f"sqlite:///{tmp_path / 'screenline.db'}"
    upgrade(url)
    engine = make_engine(url)
    assert set(inspect(engine).get_table_names()) >= set(Base.metadata.tables)
    with engine.connect() as conn:
        assert compare_metadata(_context(conn), Base.metadata) == []
    downgrade(url, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}


def test_postgres_schema_matches_the_models(engine):
    """The migrated PostgreSQL schema has no drift from the models."""
    with engine.connect() as conn:
        diff = compare_metadata(_context(conn), Base.metadata)
    assert diff == []


def test_upgrade_on_sqlite_warns_of_nothing(tmp_path, recwarn):
    """A fresh SQLite database migrates to head without a warning: the batch copies'
    "Skipped unsupported reflection of expression-based index" (ix_candidates_name,
    ix_candidates_listing, left as they are) no longer reaches `make demo`'s output."""
    upgrade(f"sqlite:///{tmp_path / 'quiet.db'}")
    assert [str(w.message) for w in recwarn.list] == []


def test_upgrade_twice_is_harmless(database_url):
    """Running `db upgrade` on an up-to-date database changes nothing."""
    upgrade(database_url)
    upgrade(database_url)


def test_downgrading_below_0018_stores_superseded_attempts_again(tmp_path):
    """Before 0018 there is no `superseded`: such attempts become `stored` (that code
    transcribes them), and SQLite keeps its transcript search triggers both ways."""
    from tests.workers.helpers import make_answer, make_interview_for
    from voice.db import make_session_factory
    from voice.models import AnswerStatus

    url = f"sqlite:///{tmp_path / 'screenline.db'}"
    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        interview = make_interview_for(session)
        make_answer(session, None, "RE1", interview=interview, status=AnswerStatus.SUPERSEDED)

    downgrade(url, "0017")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT status, error FROM answers")).one() == ("stored", None)
    upgrade(url)
    with engine.connect() as conn:
        triggers = conn.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
        assert set(triggers) == {f"answer_transcripts_{x}" for x in ("ai", "ad", "au")}
