"""The orders a list of candidates is read in, and where a page starts in each.

Three orders, named by the interview page's and the API's `sort` argument:

- `latest` (the interview page's default): latest activity first. Completed candidates
  by completion time, then those started by start time, then the rest by creation time
  (a NULL time is EARLIEST_SQL, below every real one); ties by newest id. Read straight
  from the index ix_candidates_listing (migration 0015).
- `score`: highest mean score first, the mean of every 1-5 score the candidate has
  (answer and overall scores, as the list shows it); candidates nobody scored come after
  every scored one; ties by newest id. Means are an aggregate: they are worked out in
  one grouped query over the candidates in scope (an interview's), joined to the page.
- `name`: by name A-Z, ignoring case; on PostgreSQL in ICU's root collation (`und-x-icu`),
  so an accented letter sorts with its base letter ("Álvarez" among the A's, not after
  "Zamora" as in the C collation); on SQLite (the demo) by lower(name). Ties by oldest
  id. Read from the index ix_candidates_name (migration 0024).

Pages are reached by keyset: every order's keys run one way, so "just past candidate
X" is one row-value comparison with X's keys (`CandidateOrder.position`), never OFFSET.

Nothing here commits; the functions build SQL for the caller's query.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Select,
    Subquery,
    func,
    literal_column,
    select,
    tuple_,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import String

from voice.models import EARLIEST_SQL, Candidate, Score

LATEST = "latest"
SCORE = "score"
NAME = "name"
SORTS = (LATEST, SCORE, NAME)
# How each order is named where people choose it (the interview page's "Sort by").
SORT_LABELS = {LATEST: "Latest activity", SCORE: "Mean score, highest first", NAME: "Name, A to Z"}
NO_SCORE = 0  # the score key of a candidate nobody scored: below every mean (scores are 1-5)


def earliest() -> ColumnElement:
    """The stand-in for a NULL time in the latest-activity order (voice.models.EARLIEST_SQL)."""
    return literal_column(EARLIEST_SQL, DateTime(timezone=True))


def latest_keys() -> tuple[ColumnElement, ...]:
    """The latest-activity order's keys, each read descending: the expressions of the index
    ix_candidates_listing, so the database can read a page straight from it."""
    return (
        func.coalesce(Candidate.completed_at, earliest()),
        func.coalesce(Candidate.started_at, earliest()),
        Candidate.created_at,
        Candidate.id,
    )


NAME_COLLATION = "und-x-icu"  # ICU's root collation, made by initdb in PostgreSQL with ICU


class NameKey(FunctionElement):
    """A name as the name order compares it: lower-cased, in NAME_COLLATION on PostgreSQL
    (the expression of ix_candidates_name, migration 0024), plain lower() elsewhere."""

    type = String()
    name = "name_key"
    inherit_cache = True


@compiles(NameKey)
def _name_key(element, compiler, **kw) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(NameKey, "postgresql")
def _name_key_postgresql(element, compiler, **kw) -> str:
    return f'(lower({compiler.process(element.clauses, **kw)}) COLLATE "{NAME_COLLATION}")'


def name_keys() -> tuple[ColumnElement, ...]:
    """The name order's keys, each read ascending: the expressions of ix_candidates_name."""
    return (NameKey(Candidate.name), Candidate.id)


def mean_scores(scope: Select | None = None) -> Subquery:
    """A subquery (candidate_id, mean): the mean of each scored candidate's 1-5 scores, one
    grouped query; only candidates whose id `scope` (a SELECT of candidate ids) returns."""
    stmt = select(Score.candidate_id.label("candidate_id"), func.avg(Score.value).label("mean"))
    if scope is not None:
        stmt = stmt.where(Score.candidate_id.in_(scope))
    return stmt.group_by(Score.candidate_id).subquery("means")


@dataclass(frozen=True)
class CandidateOrder:
    """One order of a candidate list: its keys (all descending or all ascending, the last
    one Candidate.id so no two candidates tie) and, for the score order, the grouped
    means the statement joins."""

    sort: str
    keys: tuple[ColumnElement, ...]
    descending: bool
    means: Subquery | None = None

    def joined(self, stmt: Select) -> Select:
        """`stmt` (a SELECT from Candidate) with what the keys read joined to it."""
        if self.means is None:
            return stmt
        return stmt.outerjoin(self.means, self.means.c.candidate_id == Candidate.id)

    def position(self, session: Session, candidate_id: int, *where) -> tuple | None:
        """Candidate `candidate_id`'s keys as values a page starts after or ends before;
        None when no candidate matching `where` (WHERE clauses on Candidate) has that id."""
        if self.sort == LATEST:
            return _latest_position(session, candidate_id, *where)
        stmt = self.joined(select(*self.keys).select_from(Candidate))
        found = session.execute(stmt.where(Candidate.id == candidate_id, *where)).first()
        return None if found is None else tuple(found)

    def page(self, stmt: Select, position: tuple | None = None, backwards: bool = False) -> Select:
        """`stmt` in this order, starting just past `position` (from `position()`), or with
        `backwards` ending just before it and in reverse (the caller reverses the rows).
        `stmt` must already be `joined`."""
        ahead = self.descending != backwards  # the keys shrink along the rows read
        if position is not None:
            keys, values = tuple_(*self.keys), tuple_(*position)
            stmt = stmt.where(keys < values if ahead else keys > values)
        return stmt.order_by(*(key.desc() if ahead else key.asc() for key in self.keys))


def candidate_order(sort: str, scope: Select | None = None) -> CandidateOrder:
    """The order named `sort` (one of SORTS); `scope`, a SELECT of candidate ids, limits
    the candidates whose mean score the score order works out (say an interview's).

    Raises ValueError for a name not in SORTS (callers validate it first).
    """
    if sort == LATEST:
        return CandidateOrder(LATEST, latest_keys(), descending=True)
    if sort == NAME:
        return CandidateOrder(NAME, name_keys(), descending=False)
    if sort == SCORE:
        means = mean_scores(scope)
        keys = (func.coalesce(means.c.mean, NO_SCORE), Candidate.id)
        return CandidateOrder(SCORE, keys, descending=True, means=means)
    raise ValueError(f"{sort!r} is not a candidate order (one of {', '.join(SORTS)})")


def _latest_position(session: Session, candidate_id: int, *where) -> tuple | None:
    found = session.execute(
        select(
            Candidate.completed_at, Candidate.started_at, Candidate.created_at, Candidate.id
        ).where(Candidate.id == candidate_id, *where)
    ).first()
    if found is None:
        return None
    completed, started, created, candidate = found
    # A NULL time is compared as the same constant the keys use, never as a parameter.
    return (
        earliest() if completed is None else completed,
        earliest() if started is None else started,
        created,
        candidate,
    )
