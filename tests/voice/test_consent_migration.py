"""Migration 0008 (the consent record) goes down and up again on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import inspect, text

from tests.conftest import ADMIN_DATABASE_URL
from tests.support import postgres_database
from voice.db import make_engine
from voice.migrate import downgrade, upgrade

CONSENT_COLUMNS = {"consent_text", "consent_language", "consent_key", "consent_at"}


@pytest.fixture(params=["sqlite", "postgresql"])
def scratch_url(request, tmp_path) -> Iterator[str]:
    """A database of its own, migrated to head (SQLite file or fresh PostgreSQL database)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'screenline.db'}"
        upgrade(url)
        yield url
    else:
        with postgres_database(ADMIN_DATABASE_URL, prefix="screenline_consent") as url:
            yield url


def call_columns(url: str) -> set[str]:
    """The names of the calls table's columns."""
    engine = make_engine(url)
    try:
        return {column["name"] for column in inspect(engine).get_columns("calls")}
    finally:
        engine.dispose()


def test_consent_columns_go_down_and_up_keeping_calls(scratch_url):
    """Downgrading to 0007 drops only the consent columns and keeps the calls; upgrade adds them."""
    assert call_columns(scratch_url) >= CONSENT_COLUMNS
    engine = make_engine(scratch_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO calls (call_sid, from_number, to_number, direction, status,"
                " consented, pin_attempts, outcome, reached_position, prompt, misses,"
                " empty_answers, steps, started_at, consent_key, consent_text)"
                " VALUES ('CA1', '+15557654321', '+15550100200', 'inbound', 'completed',"
                " true, 0, '', 0, '', 0, 0, 0, CURRENT_TIMESTAMP, '1', 'Press 1.')"
            )
        )
    engine.dispose()
    downgrade(scratch_url, "0007")
    columns = call_columns(scratch_url)
    assert not CONSENT_COLUMNS & columns and "consented" in columns
    upgrade(scratch_url)
    assert call_columns(scratch_url) >= CONSENT_COLUMNS
    engine = make_engine(scratch_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT call_sid, consent_key FROM calls")).all()
    engine.dispose()
    assert [tuple(row) for row in rows] == [("CA1", None)]
