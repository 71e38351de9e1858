"""Migration 0025 makes decision texts per language, on SQLite and PostgreSQL: a custom
text saved before it becomes the English text, and downgrading keeps it."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from tests.conftest import ADMIN_DATABASE_URL
from tests.factories import make_old_org
from tests.support import postgres_database
from voice.db import make_engine, make_session_factory
from voice.migrate import downgrade, upgrade
from voice.models import MessageTemplate

CUSTOM = "Hi {first_name}! Book your trial shift at acme.test/book.{feedback}"


@pytest.fixture(params=["sqlite", "postgresql"])
def before_0025(request, tmp_path) -> Iterator[str]:
    """A database of its own at revision 0024 (SQLite file or fresh PostgreSQL database)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'screenline.db'}"
        upgrade(url)
        downgrade(url, "0024")
        yield url
    else:
        with postgres_database(ADMIN_DATABASE_URL, prefix="screenline_templates") as url:
            downgrade(url, "0024")
            yield url


def test_an_existing_custom_text_becomes_the_english_text(before_0025, caplog):
    """Upgrading keeps each custom text, as English; a Spanish text may then be added
    beside it but not twice; downgrading keeps the English text and drops (and logs) the
    Spanish one."""
    engine = make_engine(before_0025)
    factory = make_session_factory(engine)
    with factory() as session:
        org_id = make_old_org(session).id
        session.execute(
            text("INSERT INTO message_templates (organization_id, kind, body) VALUES (:o, :k, :b)"),
            {"o": org_id, "k": "decision:advance", "b": CUSTOM},
        )
        session.commit()
    engine.dispose()

    upgrade(before_0025)
    engine = make_engine(before_0025)
    with make_session_factory(engine)() as session:
        [row] = session.scalars(select(MessageTemplate)).all()
        assert (row.organization_id, row.kind, row.language, row.body) == (
            org_id,
            "decision:advance",
            "en",
            CUSTOM,
        )
        session.add(
            MessageTemplate(
                organization_id=org_id, kind="decision:advance", language="es", body="Hola"
            )
        )
        session.commit()
        session.add(
            MessageTemplate(
                organization_id=org_id, kind="decision:advance", language="es", body="Otra"
            )
        )
        with pytest.raises(IntegrityError):
            session.flush()
    engine.dispose()

    with caplog.at_level(logging.WARNING, logger="alembic.runtime.migration"):
        downgrade(before_0025, "0024")
    engine = make_engine(before_0025)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT organization_id, kind, body FROM message_templates"))
        assert rows.all() == [(org_id, "decision:advance", CUSTOM)]
    engine.dispose()
    logged = [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]
    assert logged == [
        f"organisation {org_id}: the es text for decision:advance dropped "
        "(one text per decision before 0025)"
    ]
