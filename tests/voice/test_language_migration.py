"""Migration 0019 gives transcripts of unknown language the language of their call, on
SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import insert

from tests.conftest import ADMIN_DATABASE_URL
from tests.factories import make_candidate, make_interview, make_old_org
from tests.support import postgres_database
from voice.db import make_engine, make_session_factory
from voice.migrate import downgrade, upgrade
from voice.models import Answer, AnswerStatus
from voice.search import search_transcripts

SPANISH = "Trabajé dos años en un almacén y manejé montacargas."


@pytest.fixture(params=["sqlite", "postgresql"])
def before_0019(request, tmp_path) -> Iterator[str]:
    """A database of its own at revision 0018 (SQLite file or fresh PostgreSQL database)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'screenline.db'}"
        upgrade(url)
        downgrade(url, "0018")
        yield url
    else:
        with postgres_database(ADMIN_DATABASE_URL, prefix="screenline_language") as url:
            downgrade(url, "0018")
            yield url


def test_transcripts_of_unknown_language_take_the_calls_language(before_0019):
    """Upgrading fills a NULL transcript language from the candidate's choice on the call,
    else the interview's language (primary subtag); answers without a transcript and those
    with a language keep theirs; on PostgreSQL the Spanish inflection then matches."""
    engine = make_engine(before_0019)
    factory = make_session_factory(engine)
    with factory() as session:
        org = make_old_org(session)
        spanish = make_interview(session, org, language="es-MX")
        both = make_interview(
            session, org, phone_number="+15550100300", languages=["es-MX", "en-US"]
        )
        ana = make_candidate(session, spanish, name="Ana Ruiz")
        bo = make_candidate(session, both, name="Bo Lund", phone="+15557650000")
        bo.language = "en-US"

        def answer(candidate, transcript, language=None, attempt=1):
            # Inserted naming only columns revision 0018 has (the ORM would name later ones,
            # such as 0023's machine_transcript).
            status = AnswerStatus.TRANSCRIBED if transcript is not None else AnswerStatus.STORED
            session.flush()
            return session.execute(
                insert(Answer.__table__)
                .values(
                    candidate_id=candidate.id,
                    question_id=candidate.interview.questions[0].id,
                    attempt=attempt,
                    kept=attempt == 1,
                    status=status,
                    transcript=transcript,
                    transcript_language=language,
                )
                .returning(Answer.__table__.c.id)
            ).scalar_one()

        ids = {
            "spanish": answer(ana, SPANISH),
            "chose english": answer(bo, "I loaded trucks."),
            "no transcript": answer(ana, None, attempt=2),
            "french": answer(bo, "J'ai travaillé.", "fr", attempt=2),
        }
        session.commit()
        org_id = org.id

    upgrade(before_0019)
    with factory() as session:
        found = {name: session.get(Answer, id).transcript_language for name, id in ids.items()}
        assert found == {
            "spanish": "es",
            "chose english": "en",
            "no transcript": None,
            "french": "fr",
        }
        if engine.dialect.name == "postgresql":
            hits = search_transcripts(session, org_id, "almacenes")
            assert [h.answer_id for h in hits] == [ids["spanish"]]
    engine.dispose()
