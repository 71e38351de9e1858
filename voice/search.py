"""Full-text search over transcripts: PostgreSQL text search, or SQLite FTS5 when embedded.

The search structures live in migrations. On PostgreSQL (0016) each answer has a stored,
generated search document, `answers.transcript_search` (PG_COLUMN): its transcript
stemmed with the text search configuration of its language (`config_sql`), with a GIN
index; a query is matched against each transcript in that transcript's language, so a
Spanish query finds Spanish inflections. On SQLite (0004) the FTS5 table
`answer_transcripts`, kept in step with `answers` by triggers, stems every transcript as
English (porter: FTS5 has no other stemmer). Results are ranked, scoped to one
organisation (and optionally to some interviews), and carry a highlighted snippet and
the time in the audio of the first matching transcript segment.

Paging: results come best first, ties by newest answer id, and a page after the first
starts just past a `Position` (the last hit shown, or the first going back). Relevance is
worked out per query, so no index can hold the order: every page ranks every match
(once, from the stored documents, into a materialized list) and its cost grows with the
number of matches, not with the page's depth. Keyset on (rank, id) is the closest sound
design: the page is the `limit` hits just past the cursor, so the sort keeps only a
page of rows, and a transcript saved meanwhile does not shift the page as it would an
OFFSET. Snippets and the rows shown are read for the page's hits alone. The order is
stable while the transcripts are: PostgreSQL's ts_rank_cd depends only on the
transcript and the query. SQLite's bm25 also weighs each word by how many transcripts
hold it, so a transcript saved anywhere moves every score a little; the anchor's score
is therefore read again on each page (the one in the link is used only when the anchor
no longer matches), which keeps single-word searches exact between pages. Within one
unchanged snapshot of the transcripts no hit is shown twice or missed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from sqlalchemy import (
    Double,
    Integer,
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.orm import Session

from voice.models import MAX_ROW_ID, Answer, AnswerStatus, Candidate, Interview, Question

PG_INDEX = "ix_answers_transcript_search"
PG_COLUMN = "transcript_search"  # answers' generated search document (PostgreSQL only)
FTS_TABLE = "answer_transcripts"
# Private-use characters mark matches in snippets: they never occur in transcripts, so
# the snippet is split into plain text and highlighted parts and escaped when shown.
MARK, UNMARK = "\ue000", "\ue001"
SNIPPET_WORDS = 18
MAX_QUERY_WORDS = 12

# PostgreSQL text search configuration per language (the part before any "-" of
# `transcript_language`, lower case); any other language is matched word for word
# ('simple': lower-cased, no stemming, no stop words). Every transcript has a language:
# when the engine reports none, voice.pipeline.transcribed stores the one the candidate
# was asked in, and migration 0019 gave those saved before 0012 recorded one the same.
# A NULL language (an answer with no transcript) counts as English, as 0016 wrote it.
CONFIGS = {"en": "english", "es": "spanish"}
OTHER_CONFIG = "simple"
UNKNOWN_LANGUAGE = "en"

_WORD = re.compile(r"\w+", re.UNICODE)
_MAX_POSITION_CHARS = 60


def is_search_object(name: str | None) -> bool:
    """True for the search column, index and FTS tables, which the models do not declare."""
    return bool(name) and (name in (PG_INDEX, PG_COLUMN) or name.startswith(FTS_TABLE))


def config_sql(column: str) -> str:
    """The SQL that picks the text search configuration (a regconfig) for the language in
    `column` (e.g. "answers.transcript_language"): 'english' for en and en-*, 'spanish'
    for es and es-*, 'simple' for any other, 'english' for NULL.

    Migration 0016 writes the same expression out in the generated search document;
    queries use it to match each transcript with a query in the same configuration.
    """
    cases = " ".join(
        f"WHEN '{language}' THEN '{config}'::regconfig" for language, config in CONFIGS.items()
    )
    return (
        f"CASE lower(split_part(coalesce({column}, '{UNKNOWN_LANGUAGE}'), '-', 1)) "
        f"{cases} ELSE '{OTHER_CONFIG}'::regconfig END"
    )


class BadPosition(ValueError):
    """A results page link's position is not one this module wrote (damaged or edited)."""


@dataclass(frozen=True)
class Position:
    """A hit's place in the results' order: its rank (higher first), then its answer id
    (higher first among equal ranks)."""

    rank: float
    answer_id: int

    def token(self) -> str:
        """The position as a page link carries it: "<rank>_<answer id>" (the rank written
        so that it reads back exactly)."""
        return f"{self.rank!r}_{self.answer_id}"

    @classmethod
    def parse(cls, token: str) -> Position:
        """Read a `token`; raises BadPosition, saying what is wrong, for anything else."""
        token = (token or "").strip()
        rank_text, _, id_text = token.rpartition("_")
        if len(token) > _MAX_POSITION_CHARS or not rank_text:
            raise BadPosition("it is not a rank and an answer id joined by _")
        try:
            rank = float(rank_text)
        except ValueError:
            raise BadPosition(f"{rank_text[:20]!r} is not a rank") from None
        if not math.isfinite(rank):
            raise BadPosition(f"{rank_text[:20]!r} is not a rank")
        if not (id_text.isascii() and id_text.isdecimal() and 0 < int(id_text) <= MAX_ROW_ID):
            raise BadPosition(f"{id_text[:20]!r} is not an answer id")
        return cls(rank, int(id_text))


@dataclass(frozen=True)
class Hit:
    """One transcript matching a search, with where the match is spoken."""

    answer_id: int
    candidate_id: int
    candidate_name: str
    interview_id: int
    interview_title: str
    question_id: int
    question_position: int
    question_prompt: str
    snippet: list[tuple[str, bool]]  # (text, is_match) parts, to be escaped when shown
    start: float  # seconds into the answer's audio where the match is spoken
    # Relevance, higher is better: PostgreSQL's ts_rank_cd, or SQLite's bm25 negated.
    rank: float
    flags: tuple[str, ...] = ()  # voice/reliability.py's flags, while still to check
    language: str | None = None  # the language the transcript is in

    @property
    def snippet_text(self) -> str:
        """The snippet as plain text."""
        return "".join(part for part, _ in self.snippet)

    @property
    def position(self) -> Position:
        """Where the hit sits in the results' order (for the next or previous page)."""
        return Position(self.rank, self.answer_id)


def query_words(query: str) -> list[str]:
    """The words of a search box entry (punctuation and operators dropped)."""
    return _WORD.findall(query or "")[:MAX_QUERY_WORDS]


def search_transcripts(
    session: Session,
    org_id: int,
    query: str,
    *,
    interview_id: int | None = None,
    interview_ids: list[int] | None = None,
    flagged_only: bool = False,
    limit: int = 50,
    offset: int = 0,
    after: Position | None = None,
    before: Position | None = None,
) -> list[Hit]:
    """Transcripts of the organisation matching every word of `query`, best first.

    `interview_id` narrows to one interview; `interview_ids` (when not None) is the set a
    reviewer may see; `flagged_only` keeps transcripts flagged as possibly unreliable.
    Only kept answers are searched. The hits are the `limit` just past `after`, or the
    `limit` just before `before` (still best first), or else those from `offset` on.

    Two queries: the first ranks the matches and picks the page's answers (narrow rows:
    ids and ranks); the second reads those answers with their candidate, interview,
    question and snippet, so that nothing is read or highlighted for a row not shown.
    """
    words = query_words(query)
    if not words or (interview_ids is not None and not interview_ids):
        return []
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite:
        match = _sqlite_ranks(words)
        rank = match.c.rank
        ranked = select(Answer.id.label("answer_id"), rank.label("rank")).select_from(Answer)
        ranked = ranked.join(match, match.c.answer_id == Answer.id)
    else:
        matches, _, rank = postgresql_terms(words)
        ranked = select(Answer.id.label("answer_id"), rank.label("rank")).where(matches)
    ranked = (
        ranked.join(Candidate, Candidate.id == Answer.candidate_id)
        .join(Interview, Interview.id == Candidate.interview_id)
        .where(Interview.organization_id == org_id, Answer.kept.is_(True))
    )
    if interview_id is not None:
        ranked = ranked.where(Interview.id == interview_id)
    if interview_ids is not None:
        ranked = ranked.where(Interview.id.in_(list(interview_ids)))
    if flagged_only:
        ranked = ranked.where(Answer.transcript_flagged.is_(True))
    mark = None
    if after is not None or before is not None:
        mark = _anchor(session, ranked, rank, after or before)
    # Every match is ranked once, into a materialized list, and the page is taken from it:
    # inlined, PostgreSQL would work out the rank again for the cursor's comparison.
    found = ranked.cte("ranked").prefix_with("MATERIALIZED", dialect="postgresql")
    keys = tuple_(found.c.rank, found.c.answer_id)
    stmt = select(found.c.answer_id, found.c.rank)
    if before is not None:
        stmt = stmt.where(keys > mark).order_by(found.c.rank.asc(), found.c.answer_id.asc())
    elif after is not None:
        stmt = stmt.where(keys < mark).order_by(found.c.rank.desc(), found.c.answer_id.desc())
    else:
        stmt = stmt.order_by(found.c.rank.desc(), found.c.answer_id.desc()).offset(offset)
    page = [
        (answer_id, float(score or 0)) for answer_id, score in session.execute(stmt.limit(limit))
    ]
    if before is not None:
        page.reverse()
    shown = _details(session, words, [answer_id for answer_id, _ in page], sqlite)
    # An answer deleted between the two queries is left out.
    return [
        _hit(*shown[answer_id], score, words=words)
        for answer_id, score in page
        if answer_id in shown
    ]


def flagged_transcripts(
    session: Session,
    org_id: int,
    *,
    interview_id: int | None = None,
    interview_ids: list[int] | None = None,
    limit: int = 50,
    offset: int = 0,
    after: Position | None = None,
    before: Position | None = None,
) -> list[Hit]:
    """The organisation's transcripts still flagged as possibly unreliable (nobody has
    checked or corrected them yet), newest answer first: a search with the flag and no
    words. `interview_id`, `interview_ids`, `limit`, `offset`, `after` and `before` are
    as for search_transcripts. Only kept, transcribed answers are listed.

    Every hit has rank 0.0, so the results' order (rank, then answer id, higher first) is
    newest answer first, and the same Position tokens page it by keyset on the answer id.
    A hit's snippet is the transcript's first SNIPPET_WORDS words, nothing highlighted,
    and its start is 0.0 (the answer's beginning).
    """
    if interview_ids is not None and not interview_ids:
        return []
    stmt = (
        select(Answer, Candidate, Interview, Question)
        .join(Candidate, Candidate.id == Answer.candidate_id)
        .join(Interview, Interview.id == Candidate.interview_id)
        .join(Question, Question.id == Answer.question_id)
        .where(
            Interview.organization_id == org_id,
            Answer.kept.is_(True),
            Answer.transcript_flagged.is_(True),
            Answer.status == AnswerStatus.TRANSCRIBED,
        )
    )
    if interview_id is not None:
        stmt = stmt.where(Interview.id == interview_id)
    if interview_ids is not None:
        stmt = stmt.where(Interview.id.in_(list(interview_ids)))
    if before is not None:
        # Going back: the hits just before the position, read upwards, then turned round.
        stmt = stmt.where(Answer.id > before.answer_id).order_by(Answer.id.asc())
    elif after is not None:
        stmt = stmt.where(Answer.id < after.answer_id).order_by(Answer.id.desc())
    else:
        stmt = stmt.order_by(Answer.id.desc()).offset(offset)
    rows = session.execute(stmt.limit(limit)).all()
    if before is not None:
        rows.reverse()
    return [_opening(*row) for row in rows]


def _opening(answer, candidate, interview, question) -> Hit:
    """A flagged transcript as a hit without a match: its first words, from the start."""
    words = (answer.transcript or "").split()
    opening = " ".join(words[:SNIPPET_WORDS]) + (" …" if len(words) > SNIPPET_WORDS else "")
    return _hit_for(
        answer,
        candidate,
        interview,
        question,
        snippet=[(opening, False)] if opening else [],
        start=0.0,
        rank=0.0,
        # As dashboard.presenters shows a flag saved without its reasons.
        flags=tuple(answer.transcript_flags or ("flagged",)),
    )


def _hit_for(answer, candidate, interview, question, *, snippet, start, rank, flags) -> Hit:
    """The Hit for one answer's row (answer, candidate, interview, question): `snippet` as
    (text, matched) parts, `start` in seconds, `rank`, and the flags to show."""
    return Hit(
        answer_id=answer.id,
        candidate_id=candidate.id,
        candidate_name=candidate.name,
        interview_id=interview.id,
        interview_title=interview.title,
        question_id=question.id,
        question_position=question.position,
        question_prompt=question.prompt,
        snippet=snippet,
        start=start,
        rank=rank,
        flags=flags,
        language=answer.transcript_language,
    )


def _anchor(session: Session, ranked, rank, position: Position) -> tuple[float, int]:
    """The position's (rank, answer id) now: its answer's current rank while it still
    matches the search, else the rank the link carried."""
    live = session.scalar(ranked.with_only_columns(rank).where(Answer.id == position.answer_id))
    return (position.rank if live is None else float(live), position.answer_id)


def _details(session: Session, words: list[str], ids: list[int], sqlite: bool) -> dict[int, tuple]:
    """answer id -> (answer, candidate, interview, question, snippet) for the page's answers."""
    if not ids:
        return {}
    if sqlite:
        found = _sqlite_snippets(words, ids)
        snippet = found.c.snippet
        stmt = select(Answer, Candidate, Interview, Question, snippet).outerjoin(
            found, found.c.answer_id == Answer.id
        )
    else:
        _, snippet, _ = postgresql_terms(words)
        stmt = select(Answer, Candidate, Interview, Question, snippet)
    stmt = (
        stmt.join(Candidate, Candidate.id == Answer.candidate_id)
        .join(Interview, Interview.id == Candidate.interview_id)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.id.in_(ids))
    )
    return {row[0].id: tuple(row) for row in session.execute(stmt)}


def _hit(answer, candidate, interview, question, snip, score, *, words: list[str]) -> Hit:
    parts = split_snippet(snip or "")
    return _hit_for(
        answer,
        candidate,
        interview,
        question,
        snippet=parts,
        start=match_start(answer.segments, [p for p, hit in parts if hit] or words),
        rank=score,
        # A transcript a person checked or corrected is no longer flagged (voice/corrections.py).
        flags=tuple(answer.transcript_flags or ()) if answer.transcript_flagged else (),
    )


def postgresql_terms(words: list[str]):
    """The match condition, snippet and rank, each in the transcript's own configuration.

    The condition is one arm per configuration ("this transcript is Spanish and its
    document matches the query stemmed as Spanish"), each a constant query against the
    indexed document, so that the planner reads each arm from the GIN index; the rank is
    cast to double precision so that the value a page link carries compares exactly.
    """
    config = literal_column(config_sql("answers.transcript_language"))
    document = literal_column(f"answers.{PG_COLUMN}")
    phrase = " ".join(words)
    arms, queries = [], []
    for name in (*CONFIGS.values(), OTHER_CONFIG):
        constant = literal_column(f"'{name}'::regconfig")
        query = func.plainto_tsquery(constant, phrase)
        arms.append(and_(config == constant, document.op("@@")(query)))
        queries.append((config == constant, query))
    # The query in the row's configuration, picked from the constant ones: the database
    # parses each once, where plainto_tsquery(<the row's configuration>, ...) would parse
    # the words again for every matching row.
    tsquery = case(*queries[:-1], else_=queries[-1][1])
    snippet = func.ts_headline(
        config,
        Answer.transcript,
        tsquery,
        f'StartSel="{MARK}", StopSel="{UNMARK}", MaxWords={SNIPPET_WORDS}, '
        'MinWords=6, MaxFragments=2, FragmentDelimiter=" … "',
    )
    rank = cast(func.ts_rank_cd(document, tsquery), Double)
    return or_(*arms), snippet, rank


def _fts_query(words: list[str]) -> str:
    """The words as an FTS5 query of quoted strings (all must match; no operators)."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


def _sqlite_ranks(words: list[str]):
    """The FTS5 match as a subquery of answer ids and ranks (bm25 negated: higher is better)."""
    return (
        text(
            "SELECT rowid AS answer_id, -bm25(answer_transcripts) AS rank "
            "FROM answer_transcripts WHERE answer_transcripts MATCH :fts_query"
        )
        .bindparams(fts_query=_fts_query(words))
        .columns(answer_id=Integer, rank=Double)
        .subquery("fts")
    )


def _sqlite_snippets(words: list[str], ids: list[int]):
    """The FTS5 snippets of the answers `ids` for the words, as a subquery."""
    return (
        text(
            "SELECT rowid AS answer_id, "
            "snippet(answer_transcripts, 0, :mark, :unmark, ' … ', 18) AS snippet "
            "FROM answer_transcripts WHERE answer_transcripts MATCH :fts_query "
            "AND rowid IN :ids"
        )
        .bindparams(bindparam("ids", expanding=True))
        .bindparams(mark=MARK, unmark=UNMARK, fts_query=_fts_query(words), ids=ids)
        .columns(answer_id=Integer, snippet=String)
        .subquery("fts")
    )


def split_snippet(snippet: str) -> list[tuple[str, bool]]:
    """'a \ue000b\ue001 c' -> [('a ', False), ('b', True), (' c', False)]."""
    parts: list[tuple[str, bool]] = []
    for n, chunk in enumerate(re.split(f"[{MARK}{UNMARK}]", snippet)):
        if chunk:
            parts.append((chunk, n % 2 == 1))
    return parts


def match_start(segments, terms: list[str]) -> float:
    """Start time of the first segment containing one of `terms` (stem-tolerant); else 0."""
    wanted = [t.lower() for t in terms if t.strip()]
    for segment in segments or []:
        try:
            words = [w.lower() for w in _WORD.findall(str(segment.get("text", "")))]
            start = max(0.0, float(segment.get("start", 0)))
        except (AttributeError, TypeError, ValueError):
            continue
        for term in wanted:
            stem = term[: max(4, len(term) - 3)]
            if any(w == term or w.startswith(stem) for w in words):
                return round(start, 2)
    return 0.0
