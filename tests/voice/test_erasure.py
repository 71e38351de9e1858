"""The erasure and retention rules on their own: search entries, anchors, the 1-year warning."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import make_candidate, make_interview, make_org
from tests.voice.test_search import seed
from voice import erasure, retention
from voice.db import make_engine, make_session_factory
from voice.migrate import upgrade
from voice.models import Call
from voice.search import search_transcripts


@pytest.fixture
def sqlite_session(tmp_path):
    url = f"sqlite:///{tmp_path / 'erasure.db'}"
    upgrade(url)
    engine = make_engine(url)
    session = make_session_factory(engine)()
    yield session
    session.close()
    engine.dispose()


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_erasure_removes_the_candidates_search_entries(backend, db, sqlite_session):
    """After an erasure no search finds the candidate's words (PostgreSQL and SQLite FTS5)."""
    session = db if backend == "postgresql" else sqlite_session
    acme, _, _, forklift, cook, _ = seed(session)
    assert [h.answer_id for h in search_transcripts(session, acme.id, "warehouse")] == [forklift.id]
    state = erasure.erase_candidate(session, forklift.candidate)
    session.commit()
    assert state.state == erasure.ERASED  # no audio and no Twilio copies were held
    assert search_transcripts(session, acme.id, "warehouse") == []
    assert search_transcripts(session, acme.id, "forklift") == []
    assert [h.answer_id for h in search_transcripts(session, acme.id, "grill")] == [cook.id]


def test_retention_counts_from_completion_or_last_activity(db):
    """Completed: from completion; unfinished: from the latest of invitation, start, call."""
    org = make_org(db)
    org.retention_days = 400
    interview = make_interview(db, org)
    finished = make_candidate(db, interview)
    finished.completed_at = datetime(2026, 1, 10, tzinfo=UTC)
    unfinished = make_candidate(db, interview, name="Lee Park", phone="+15557650000")
    unfinished.created_at = datetime(2026, 1, 1, tzinfo=UTC)
    unfinished.started_at = datetime(2026, 1, 2, tzinfo=UTC)
    db.add(
        Call(
            call_sid="CA" + uuid.uuid4().hex,
            interview_id=interview.id,
            candidate_id=unfinished.id,
            started_at=datetime(2026, 2, 1, tzinfo=UTC),
            ended_at=datetime(2026, 2, 1, 0, 5, tzinfo=UTC),
        )
    )
    db.commit()
    done = retention.retention_of(db, finished)
    assert (done.anchor, done.due) == ("completion", datetime(2027, 2, 14, tzinfo=UTC))
    left = retention.retention_of(db, unfinished)
    assert left.anchor == "last activity"
    assert left.due == datetime(2026, 2, 1, 0, 5, tzinfo=UTC) + timedelta(days=400)
    interview.retention_days = 30  # the interview's own period wins over the default
    db.commit()
    assert retention.retention_of(db, finished).days == 30


@pytest.mark.parametrize(("days", "warned"), [(None, False), (1, True), (364, True), (365, False)])
def test_a_period_under_a_year_is_warned_about_naming_the_eeoc_rule(days, warned):
    """Under 365 days the warning names 29 CFR 1602.14; a year or none, no warning."""
    found = retention.short_period_warning(days)
    assert (found is not None) == warned
    if warned:
        period = "1 day " if days == 1 else f"{days} days "
        assert "29 CFR 1602.14" in found and f"A retention period of {period}is" in found


@pytest.mark.parametrize(("days", "said"), [(1, "1 day"), (30, "30 days"), (3650, "3,650 days")])
def test_a_purge_reason_counts_its_days_in_words(days, said):
    """A purge's reason reads "retention: 1 day after completion", never "1 days"."""
    reason = erasure.retention_reason(days, "completion")
    assert reason == f"retention: {said} after completion"
