"""Transcript search on PostgreSQL (full-text index, each transcript in its language) and
SQLite (FTS5), scoped, ranked and paged by keyset."""

from __future__ import annotations

import pytest
from sqlalchemy import func, literal_column, select, text

from tests.factories import make_candidate, make_interview, make_org
from voice import pipeline
from voice.db import make_engine, make_session_factory
from voice.migrate import upgrade
from voice.models import Answer, AnswerStatus
from voice.search import (
    BadPosition,
    Position,
    config_sql,
    match_start,
    postgresql_terms,
    query_words,
    search_transcripts,
    split_snippet,
)

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
    """The migrations created the GIN index on the search documents the query relies on."""
    indexdef = db.execute(
        text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_answers_transcript_search'")
    ).scalar_one()
    assert "gin" in indexdef and "(transcript_search)" in indexdef


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


# ---------------------------------------------------------------- language-aware stemming


def seed_languages(session):
    """One organisation with a transcript in Spanish (es-MX), English (en-US), French
    and one of unknown language (saved before languages were recorded)."""
    acme = make_org(session)
    interview = make_interview(session, acme)
    candidate = make_candidate(session, interview)

    def answer(transcript, language, attempt):
        row = Answer(
            candidate=candidate,
            question=interview.questions[0],
            status=AnswerStatus.TRANSCRIBED,
            transcript=transcript,
            transcript_language=language,
            attempt=attempt,
            kept=True,
        )
        session.add(row)
        session.flush()
        return row

    spanish = answer("Trabajé dos años en un almacén y manejé montacargas.", "es-MX", 1)
    english = answer("I managed two warehouses for a grocery chain.", "en-US", 2)
    french = answer("J'ai travaillé dans un entrepôt frigorifique.", "fr", 3)
    unknown = answer("Loading trucks at night in the cold.", None, 4)
    session.commit()
    return acme, spanish, english, french, unknown


def english_matches(session, transcript: str, query: str) -> bool:
    """Whether PostgreSQL's English configuration alone would match the transcript."""
    return session.scalar(
        text("SELECT to_tsvector('english', :t) @@ plainto_tsquery('english', :q)"),
        {"t": transcript, "q": query},
    )


def test_spanish_inflections_match_in_spanish_where_english_stemming_misses(db):
    """A Spanish query finds other forms of its words in a Spanish transcript (almacenes ->
    almacén, trabajando -> trabajé), which English stemming does not; the match is marked."""
    acme, spanish, *_ = seed_languages(db)
    for query in ("almacenes", "trabajando", "manejar montacargas"):
        assert not english_matches(db, spanish.transcript, query)
        assert [h.answer_id for h in search_transcripts(db, acme.id, query)] == [spanish.id]
    [hit] = search_transcripts(db, acme.id, "almacenes")
    assert [part for part, is_match in hit.snippet if is_match] == ["almacén"]
    assert hit.language == "es-MX"


def test_english_stemming_still_works_and_other_languages_match_word_for_word(db):
    """English transcripts (and those of unknown language) are stemmed as English; a
    French one matches only its own words ('simple'), never an English stem of them."""
    acme, _, english, french, unknown = seed_languages(db)
    assert [h.answer_id for h in search_transcripts(db, acme.id, "warehouse managing")] == [
        english.id
    ]
    assert [h.answer_id for h in search_transcripts(db, acme.id, "truck loaded")] == [unknown.id]
    assert [h.answer_id for h in search_transcripts(db, acme.id, "entrepôt")] == [french.id]
    assert search_transcripts(db, acme.id, "entrepôts") == []


def test_a_transcript_with_no_engine_language_is_searched_in_the_calls_language(db):
    """A Spanish interview's answer whose engine reported no language is stored as Spanish
    and found by a Spanish inflection that English stemming misses; a candidate who chose
    English on a bilingual call gets English."""
    acme = make_org(db)
    interview = make_interview(db, acme, languages=["es-MX", "en-US"])
    ana = make_candidate(db, interview, name="Ana Ruiz")
    bo = make_candidate(db, interview, name="Bo Lund", phone="+15557650000")
    bo.language = "en-US"  # pressed 2 for English on the call

    def transcribed(candidate, transcript):
        row = Answer(candidate=candidate, question=interview.questions[0], status="stored")
        db.add(row)
        db.flush()
        pipeline.transcribed(
            row, text=transcript, segments=[], engine="google", stt_seconds=1.0, language=None
        )
        return row

    spanish = transcribed(ana, "Trabajé dos años en un almacén y manejé montacargas.")
    english = transcribed(bo, "I managed two warehouses.")
    db.commit()
    assert (spanish.transcript_language, english.transcript_language) == ("es", "en")
    assert not english_matches(db, spanish.transcript, "almacenes")
    assert [h.answer_id for h in search_transcripts(db, acme.id, "almacenes")] == [spanish.id]
    assert [h.answer_id for h in search_transcripts(db, acme.id, "managing")] == [english.id]


def test_the_stored_document_is_stemmed_by_the_language_rule(db):
    """Each answer's generated search document (migration 0016) is its transcript stemmed
    with voice.search's configuration for its language, and follows a change of language."""
    _, spanish, *_ = seed_languages(db)
    expected = func.to_tsvector(
        literal_column(config_sql("answers.transcript_language")),
        func.coalesce(Answer.transcript, ""),
    )
    agreeing = func.count().filter(literal_column("answers.transcript_search") == expected)
    same = select(agreeing, func.count()).select_from(Answer)
    assert tuple(db.execute(same).one()) == (4, 4)
    stored = text("SELECT transcript_search::text FROM answers WHERE id = :id")
    assert "'almacen'" in db.scalar(stored, {"id": spanish.id})
    spanish.transcript_language = "fr"
    db.commit()
    assert "'almacén'" in db.scalar(stored, {"id": spanish.id})
    assert tuple(db.execute(same).one()) == (4, 4)


def test_the_match_reads_the_language_aware_index(db):
    """With scans that could read answers another way switched off, PostgreSQL plans the
    match from the GIN index on the search documents, one arm per configuration."""
    seed_languages(db)
    matches, _, _ = postgresql_terms(["almacenes", "trabajando"])
    statement = select(Answer.id).where(matches).compile(db.get_bind())
    db.execute(text("SET LOCAL enable_seqscan = off"))
    db.execute(text("SET LOCAL enable_indexscan = off"))
    explain = db.connection().exec_driver_sql(f"EXPLAIN {statement}", statement.params)
    plan = "\n".join(row[0] for row in explain)
    db.rollback()
    assert "Bitmap Index Scan on ix_answers_transcript_search" in plan
    assert "Seq Scan" not in plan


def test_the_language_rule():
    """en and en-* are English, es and es-* Spanish, NULL English, anything else simple."""
    sql = config_sql("transcript_language")
    assert sql.startswith("CASE lower(split_part(coalesce(transcript_language, 'en'), '-', 1))")
    assert "WHEN 'en' THEN 'english'::regconfig" in sql
    assert "WHEN 'es' THEN 'spanish'::regconfig" in sql
    assert sql.endswith("ELSE 'simple'::regconfig END")


@pytest.mark.parametrize(
    ("language", "config"),
    [
        ("en", "english"),
        ("EN-gb", "english"),
        ("es-MX", "spanish"),
        ("es", "spanish"),
        ("fr-CA", "simple"),
        ("pt", "simple"),
        (None, "english"),
        ("", "simple"),
    ],
)
def test_each_language_gets_its_configuration(db, language, config):
    """The rule, run by PostgreSQL on each kind of language code."""
    found = db.scalar(text(f"SELECT ({config_sql(':language')})::text"), {"language": language})
    assert found == config


# ---------------------------------------------------------------- pages by keyset


def seed_pages(session, count: int = 11):
    """`count` transcripts that all match "forklift", several of them tying on rank."""
    acme = make_org(session)
    interview = make_interview(session, acme)
    rows = []
    for n in range(count):
        candidate = make_candidate(session, interview, name=f"Person {n:02d}", phone=None)
        row = Answer(
            candidate=candidate,
            question=interview.questions[0],
            status=AnswerStatus.TRANSCRIBED,
            # Three kinds of text, so ranks tie within each kind.
            transcript=("forklift " * (1 + n % 3)) + "and a warehouse shift.",
            transcript_language="en",
        )
        session.add(row)
        rows.append(row)
    session.commit()
    return acme


def check_pages(session):
    acme = seed_pages(session)
    every = search_transcripts(session, acme.id, "forklift", limit=100)
    assert len(every) == 11
    # Best first; equal ranks by newest answer (the tie-break that makes the order total).
    assert [(h.rank, h.answer_id) for h in every] == sorted(
        ((h.rank, h.answer_id) for h in every), reverse=True
    )
    assert len({h.rank for h in every}) == 3

    pages, after = [], None
    while True:
        page = search_transcripts(session, acme.id, "forklift", limit=3, after=after)
        if not page:
            break
        pages.append([h.answer_id for h in page])
        after = page[-1].position
    assert pages == [[h.answer_id for h in every[i : i + 3]] for i in range(0, 11, 3)]

    # Back from the last page, a page at a time, through the same rows.
    before, back = Position.parse(every[9].position.token()), []
    while True:
        page = search_transcripts(session, acme.id, "forklift", limit=3, before=before)
        if not page:
            break
        back.insert(0, [h.answer_id for h in page])
        before = page[0].position
    assert back == [[h.answer_id for h in every[i : i + 3]] for i in range(0, 9, 3)]


def test_pages_by_keyset_on_postgresql(db):
    """Following after= and before= positions shows every hit once, in rank-then-id order."""
    check_pages(db)


def test_pages_by_keyset_on_sqlite(sqlite_session):
    """The same pages on SQLite (bm25 negated, so higher is better there too)."""
    check_pages(sqlite_session)


def test_a_page_after_new_transcripts_on_sqlite_neither_repeats_nor_skips(sqlite_session):
    """bm25 scores move when transcripts are added anywhere; the anchor's score is read
    again, so the next page still starts right after the last hit shown."""
    acme = seed_pages(sqlite_session)
    first = search_transcripts(sqlite_session, acme.id, "forklift", limit=4)
    other = make_org(sqlite_session, "Globex")
    stranger = make_candidate(sqlite_session, make_interview(sqlite_session, other, "+15550100500"))
    for attempt in range(1, 4):  # other documents change every score's weight
        sqlite_session.add(
            Answer(
                candidate=stranger,
                question=stranger.interview.questions[0],
                status=AnswerStatus.TRANSCRIBED,
                transcript="Nothing about lifting here.",
                attempt=attempt,
            )
        )
    sqlite_session.commit()
    every = search_transcripts(sqlite_session, acme.id, "forklift", limit=100)
    assert first[0].rank != every[0].rank  # the scores did move
    rest = search_transcripts(sqlite_session, acme.id, "forklift", after=first[-1].position)
    assert [h.answer_id for h in first + rest] == [h.answer_id for h in every]


def test_a_position_reads_back_exactly_and_junk_is_refused():
    """Tokens round-trip; anything else raises BadPosition with the reason."""
    position = Position(0.1 + 0.2, 42)
    assert Position.parse(position.token()) == position
    assert Position.parse(Position(-3.5e-07, 7).token()) == Position(-3.5e-07, 7)
    for junk in (
        "",
        "42",
        "x_42",
        "nan_42",
        "inf_1",
        "0.5_",
        "0.5_-3",
        "0.5_0",
        "0.5_1e3",
        "0.5_99999999999",
        "1_" + "9" * 70,
    ):
        with pytest.raises(BadPosition):
            Position.parse(junk)
