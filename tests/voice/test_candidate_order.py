"""voice.candidate_order: each order, page by page by keyset both ways, on PostgreSQL and on
SQLite (the demo's database)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from tests.factories import make_candidate, make_interview, make_org, make_score, make_user
from voice.candidate_order import SORTS, candidate_order
from voice.db import make_engine, make_session_factory
from voice.migrate import upgrade
from voice.models import Candidate

CREATED = datetime(2026, 11, 4, 9, tzinfo=UTC)
# (name, overall scores from up to two reviewers): case-only name ties and equal means.
PEOPLE = [
    ("bea", [4]),
    ("Al", [3, 5]),
    ("al", []),
    ("Cy", [1, 2]),
    ("AL", [5]),
    ("dee", []),
    ("Eve", [2, 1]),
]


@pytest.fixture
def sqlite_session(tmp_path):
    url = f"sqlite:///{tmp_path / 'order.db'}"
    upgrade(url)
    engine = make_engine(url)
    session = make_session_factory(engine)()
    yield session
    session.close()
    engine.dispose()


def check_orders(session) -> None:
    org = make_org(session)
    interview = make_interview(session, org)
    other = make_interview(session, org, phone_number="+15550100201")
    reviewers = [make_user(session, org), make_user(session, org, email="b@acme.test")]
    means = {}
    for name, scores in PEOPLE:
        candidate = make_candidate(session, interview, name=name, phone=None)
        candidate.created_at = CREATED  # every one ties on latest activity
        for reviewer, value in zip(reviewers, scores, strict=False):
            make_score(session, reviewer, candidate, value)
        means[candidate.id] = (name, sum(scores) / len(scores) if scores else 0)
    outsider = make_candidate(session, other, name="Aaron", phone=None)
    make_score(session, reviewers[0], outsider, 5)
    session.commit()
    expected = {
        "score": sorted(means, key=lambda i: (means[i][1], i), reverse=True),
        "name": sorted(means, key=lambda i: (means[i][0].lower(), i)),
        "latest": sorted(means, reverse=True),  # all tie: newest id first
    }
    in_interview = Candidate.interview_id == interview.id
    for sort in SORTS:
        order = candidate_order(sort, select(Candidate.id).where(in_interview))
        stmt = order.joined(select(Candidate.id).where(in_interview))

        def page(position=None, backwards=False, order=order, stmt=stmt):
            ids = list(session.scalars(order.page(stmt, position, backwards).limit(3)))
            return ids[::-1] if backwards else ids

        forward = [page()]
        while len(forward[-1]) == 3:
            forward.append(page(order.position(session, forward[-1][-1], in_interview)))
        assert [i for ids in forward for i in ids] == expected[sort], sort
        before = order.position(session, forward[-1][0], in_interview)
        assert page(before, backwards=True) == forward[-2]
        assert order.position(session, outsider.id, in_interview) is None


def test_orders_page_by_keyset_on_postgresql(db):
    """Every order pages forward and back without gaps, ties by id, on PostgreSQL."""
    check_orders(db)


def test_orders_page_by_keyset_on_sqlite(sqlite_session):
    """The same on SQLite: the score order's means, lower(name) and row values all work."""
    check_orders(sqlite_session)


def test_an_unknown_order_is_a_value_error():
    """A name outside SORTS is refused (callers validate it first)."""
    with pytest.raises(ValueError, match="not a candidate order"):
        candidate_order("best")


def test_accented_names_sort_with_their_base_letter_on_postgresql(db):
    """On PostgreSQL the name order is ICU's root collation of the lower-cased name: an
    accented first letter sorts with its base letter ("Álvaro" among the A's, "Émile"
    among the E's); in the C collation both came after "zoe". The page is read from
    ix_candidates_name (the planner matches the index's expression)."""
    interview = make_interview(db, make_org(db))
    names = ["zoe", "Émile", "bob", "Álvaro", "alice", "Óscar", "Eve"]
    for name in names:
        make_candidate(db, interview, name=name, phone=None)
    db.commit()
    in_interview = Candidate.interview_id == interview.id
    order = candidate_order("name")
    stmt = order.page(order.joined(select(Candidate.name).where(in_interview)))
    assert list(db.scalars(stmt)) == ["alice", "Álvaro", "bob", "Émile", "Eve", "Óscar", "zoe"]
    # Keyset from "Émile" goes on with "Eve", not with what C's byte order puts next.
    emile = db.scalar(select(Candidate.id).where(Candidate.name == "Émile"))
    after = order.page(
        order.joined(select(Candidate.name).where(in_interview)),
        order.position(db, emile, in_interview),
    )
    assert list(db.scalars(after)) == ["Eve", "Óscar", "zoe"]
    db.execute(text("SET enable_seqscan = off"))  # a tiny table: ask whether the index fits
    plan = "\n".join(
        db.scalars(
            text(
                "EXPLAIN "
                + str(stmt.compile(db.get_bind(), compile_kwargs={"literal_binds": True}))
            )
        )
    )
    db.rollback()
    assert "ix_candidates_name" in plan, plan
