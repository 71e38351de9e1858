"""Full-text search over transcripts: PostgreSQL text search, or SQLite FTS5 when embedded.

The index lives in migration 0004: on PostgreSQL a GIN index on
`to_tsvector('english', coalesce(transcript, ''))` (queried with exactly that
expression so the planner uses it), on SQLite the FTS5 table `answer_transcripts`
kept in step with `answers` by triggers. Results are ranked, scoped to one
organisation (and optionally to some interviews), and carry a highlighted snippet and
the time in the audio of the first matching transcript segment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Float, Integer, String, func, literal_column, select, text
from sqlalchemy.orm import Session

from voice.models import Answer, Candidate, Interview, Question

PG_INDEX = "ix_answers_transcript_search"
FTS_TABLE = "answer_transcripts"
# Private-use characters mark matches in snippets: they never occur in transcripts, so
# the snippet is split into plain text and highlighted parts and escaped when shown.
MARK, UNMARK = "\ue000", "\ue001"
SNIPPET_WORDS = 18
MAX_QUERY_WORDS = 12

_WORD = re.compile(r"\w+", re.UNICODE)


def is_search_object(name: str | None) -> bool:
    """True for the search index and FTS tables, which the models do not declare."""
    return bool(name) and (name == PG_INDEX or name.startswith(FTS_TABLE))


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
    rank: float
    flags: tuple[str, ...] = ()  # voice/reliability.py's flags on the transcript
    language: str | None = None  # the language the transcript is in

    @property
    def snippet_text(self) -> str:
        """The snippet as plain text."""
        return "".join(part for part, _ in self.snippet)


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
) -> list[Hit]:
    """Transcripts of the organisation matching every word of `query`, best first.

    `interview_id` narrows to one interview; `interview_ids` (when not None) is the set a
    reviewer may see; `flagged_only` keeps transcripts flagged as possibly unreliable.
    Only kept answers are searched.
    """
    words = query_words(query)
    if not words or (interview_ids is not None and not interview_ids):
        return []
    if session.get_bind().dialect.name == "sqlite":
        match, snippet, rank = _sqlite(words)
        stmt = select(Answer, Candidate, Interview, Question, snippet, rank).join(
            match, match.c.answer_id == Answer.id
        )
        order = rank.asc()  # bm25: lower is better
    else:
        doc = func.to_tsvector(
            literal_column("'english'::regconfig"),
            func.coalesce(Answer.transcript, literal_column("''")),
        )
        tsquery = func.plainto_tsquery(literal_column("'english'::regconfig"), " ".join(words))
        snippet = func.ts_headline(
            literal_column("'english'::regconfig"),
            Answer.transcript,
            tsquery,
            f'StartSel="{MARK}", StopSel="{UNMARK}", MaxWords={SNIPPET_WORDS}, '
            'MinWords=6, MaxFragments=2, FragmentDelimiter=" … "',
        )
        rank = func.ts_rank_cd(doc, tsquery)
        stmt = select(Answer, Candidate, Interview, Question, snippet, rank).where(
            doc.op("@@")(tsquery)
        )
        order = rank.desc()
    stmt = (
        stmt.join(Candidate, Candidate.id == Answer.candidate_id)
        .join(Interview, Interview.id == Candidate.interview_id)
        .join(Question, Question.id == Answer.question_id)
        .where(Interview.organization_id == org_id, Answer.kept.is_(True))
        .order_by(order, Answer.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if interview_id is not None:
        stmt = stmt.where(Interview.id == interview_id)
    if interview_ids is not None:
        stmt = stmt.where(Interview.id.in_(list(interview_ids)))
    if flagged_only:
        stmt = stmt.where(Answer.transcript_flagged.is_(True))
    hits = []
    for answer, candidate, interview, question, snip, score in session.execute(stmt):
        parts = split_snippet(snip or "")
        hits.append(
            Hit(
                answer_id=answer.id,
                candidate_id=candidate.id,
                candidate_name=candidate.name,
                interview_id=interview.id,
                interview_title=interview.title,
                question_id=question.id,
                question_position=question.position,
                question_prompt=question.prompt,
                snippet=parts,
                start=match_start(answer.segments, [p for p, hit in parts if hit] or words),
                rank=float(score or 0),
                flags=tuple(answer.transcript_flags or ()),
                language=answer.transcript_language,
            )
        )
    return hits


def _sqlite(words: list[str]):
    """The FTS5 match as a subquery, with its snippet and bm25 rank columns."""
    fts_query = " ".join('"' + word.replace('"', '""') + '"' for word in words)
    match = (
        text(
            "SELECT rowid AS answer_id, "
            "snippet(answer_transcripts, 0, :mark, :unmark, ' … ', 18) AS snippet, "
            "bm25(answer_transcripts) AS rank "
            "FROM answer_transcripts WHERE answer_transcripts MATCH :fts_query"
        )
        .bindparams(mark=MARK, unmark=UNMARK, fts_query=fts_query)
        .columns(answer_id=Integer, snippet=String, rank=Float)
        .subquery("fts")
    )
    return match, match.c.snippet, match.c.rank


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
