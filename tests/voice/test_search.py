"""Transcript search on PostgreSQL (full-text index) and SQLite (FTS5), scoped and ranked."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.factories import make_candidate, make_interview, make_org
from voice.db import make_engine, make_session_factory
from voice.migrate import upgrade
from voice.models import Answer, AnswerStatus
from voice.search import match_start, query_words, search_transcripts, split_snippet

SEGMENTS = [
    {"start": 0.0, "end": 2.5, "text": "I worked in retail for two years."},
    {"start": 2.5, "end": 6.0, "text": "Then I drove forklifts in a cold warehouse."},
]


def seed(session):
    """Two organisations; the first has two interviews with transcribed answers."""
    acme = make_org(session)
    warehouse = make_interview(session, acme)
    kitchen = make_interview(session, acme, phone_number="+15550100300", title="Line cook")
    dana = make_candidate(session, warehouse)
    lee = make_candidate(session, kitchen, name="Lee Park", phone="+15557650000")
    other = make_org(session, "Globex")
    rival = make_candidate(session, make_interview(session, other, phone_number="+15550100400"))

    def answer(candidate, transcript, segments=None, **fields):
        row = Answer(
            candidate=candidate,
            question=candidate.interview.questions[0],
            status=AnswerStatus.TRANSCRIBED,
            transcript=transcript,
            segments=segments,
            **fields,
        )
        session.add(row)
        session.flush()
        return row

    forklift = answer(dana, " ".join(s["text"] for s in SEGMENTS), SEGMENTS)
    cook = answer(lee, "I cooked on the grill and drove the delivery van once.")
    answer(rival, "Forklift driver, ten years in a warehouse.")
    discarded = answer(dana, "Forklift forklift forklift.", attempt=2, kept=False)
    session.commit()
    return acme, warehouse, kitchen, forklift, cook, discarded


def check_search(session):
    acme, warehouse, kitchen, forklift, cook, discarded = seed(session)

    [hit] = search_transcripts(session, acme.id, "Forklift")
    assert hit.answer_id == forklift.id
    assert hit.candidate_name == "Dana Diaz"
    assert hit.question_position == 1
    assert hit.start == 2.5
    assert any(is_match and part.lower().startswith("forklift") for part, is_match in hit.snippet)

    # Stemming: a plural finds the singular.
    assert [h.answer_id for h in search_transcripts(session, acme.id, "warehouses")] == [
        forklift.id
    ]
    # Every word must match; order of results is by rank, and scoping works.
    both = search_transcripts(session, acme.id, "drove")
    assert {h.answer_id for h in both} == {forklift.id, cook.id}
    assert [h.answer_id for h in search_transcripts(session, acme.id, "drove grill")] == [cook.id]
    only_kitchen = search_transcripts(session, acme.id, "drove", interview_id=kitchen.id)
    assert [h.answer_id for h in only_kitchen] == [cook.id]
    allowed = search_transcripts(session, acme.id, "drove", interview_ids=[warehouse.id])
    assert [h.answer_id for h in allowed] == [forklift.id]
    assert search_transcripts(session, acme.id, "drove", interview_ids=[]) == []
    # Nothing from another organisation, nothing for punctuation-only queries.
    assert search_transcripts(session, acme.id, "ten years") == []
    assert search_transcripts(session, acme.id, "' & | !") == []
    # Query syntax characters are taken as words, not operators.
    assert [h.answer_id for h in search_transcripts(session, acme.id, 'grill" OR "x')] == []
    assert [h.answer_id for h in search_transcripts(session, acme.id, '"grill"')] == [cook.id]

    # Updating a transcript updates the index.
    cook.transcript = "Now I mention a forklift too."
    session.commit()
    assert {h.answer_id for h in search_transcripts(session, acme.id, "forklift")} == {
        forklift.id,
        cook.id,
    }
    found = {h.answer_id for h in search_transcripts(session, acme.id, "forklift")}
    assert discarded.id not in found


def test_search_on_postgresql(db):
    """PostgreSQL full-text search finds, ranks, snippets and scopes transcripts."""
    check_search(db)


def test_postgresql_uses_the_gin_index(db):
    """The migration created the GIN expression index the query relies on."""
    indexdef = db.execute(
        text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_answers_transcript_search'")
    ).scalar_one()
    assert "gin" in indexdef and "to_tsvector" in indexdef


@pytest.fixture
def sqlite_session(tmp_path):
    url = f"sqlite:///{tmp_path / 'search.db'}"
    upgrade(url)
    engine = make_engine(url)
    session = make_session_factory(engine)()
    yield session
    session.close()
    engine.dispose()


def test_search_on_sqlite(sqlite_session):
    """SQLite FTS5, kept in sync by triggers, behaves like PostgreSQL search."""
    check_search(sqlite_session)


def test_sqlite_index_follows_deletes(sqlite_session):
    """Deleting an answer removes it from the FTS5 index."""
    acme, _, _, forklift, _, _ = seed(sqlite_session)
    sqlite_session.delete(forklift)
    sqlite_session.commit()
    assert search_transcripts(sqlite_session, acme.id, "forklift") == []


def test_helpers():
    """Query words drop operators; snippets split on marks; match times tolerate stems."""
    assert query_words("forklift & 'night shift'!") == ["forklift", "night", "shift"]
    assert split_snippet("a \ue000b\ue001 c") == [("a ", False), ("b", True), (" c", False)]
    assert match_start(SEGMENTS, ["forklift"]) == 2.5
    assert match_start(SEGMENTS, ["nothing"]) == 0.0
    assert match_start([{"text": None}, "bad"], ["x"]) == 0.0
