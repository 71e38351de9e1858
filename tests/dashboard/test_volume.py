"""Speed at volume: every list page costs the same number of queries for 10 or 200 rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from tests.dashboard.conftest import count_queries
from voice.models import (
    Answer,
    AnswerStatus,
    Call,
    Candidate,
    CandidateStatus,
    Role,
    Score,
    User,
)


def seed(db, world, count: int, start: int = 0) -> None:
    """Bulk-insert `count` candidates with answers, scores and calls (executemany)."""
    interview = world.interview
    questions = [q.id for q in interview.questions]
    now = datetime.now(UTC)
    statuses = CandidateStatus.ALL
    db.execute(
        insert(Candidate),
        [
            {
                "interview_id": interview.id,
                "name": f"Bulk {start + n}",
                "phone": f"+1555{start + n:07d}",
                "pin": f"{900000 + start + n}",
                "status": statuses[n % len(statuses)],
                "decision": ("advance", "hold", "reject", None)[n % 4],
                "created_at": now - timedelta(minutes=n),
                "completed_at": now - timedelta(minutes=n) if n % 2 else None,
                "extra_time": 1.0,
                "slow_speech": False,
            }
            for n in range(count)
        ],
    )
    ids = db.scalars(
        select(Candidate.id).where(Candidate.name.like("Bulk %")).order_by(Candidate.id)
    ).all()[-count:]
    db.execute(
        insert(Answer),
        [
            {
                "candidate_id": cid,
                "question_id": qid,
                "attempt": 1,
                "kept": True,
                "status": AnswerStatus.TRANSCRIBED,
                "transcript": "I stacked pallets on the night shift.",
                "playback_seconds": 20.0 + (cid % 30),
                "attempts_failed": 0,
                "deleted_at_twilio": False,
            }
            for cid in ids
            for qid in questions
        ],
    )
    db.execute(
        insert(Score),
        [
            {"reviewer_id": world.user.id, "candidate_id": cid, "value": 1 + cid % 5, "note": ""}
            for cid in ids
        ],
    )
    db.execute(
        insert(Call),
        [
            {
                "call_sid": f"CA{cid:032d}",
                "interview_id": interview.id,
                "candidate_id": cid,
                "consented": True,
                "outcome": "hung up at question 2" if cid % 3 else "completed",
                "reached_position": 2,
                "from_number": "",
                "to_number": "",
                "direction": "inbound",
                "status": "completed",
                "pin_attempts": 0,
                "language": None,
            }
            for cid in ids
        ],
    )
    db.execute(
        insert(User),
        [
            {
                "organization_id": world.user.organization_id,
                "email": f"bulk{start + n}@acme.test",
                "name": "",
                "password_hash": "x",
                "role": Role.REVIEWER,
                "is_active": True,
                "blind_review": False,
            }
            for n in range(count)
        ],
    )
    db.commit()


PAGES = [
    "/",
    "/interviews/{i}",
    "/interviews/{i}?status=completed&min_score=2&decision=advance",
    "/interviews/{i}?decision=none&since=2020-01-01&reviewer=1",
    "/interviews/{i}/insights",
    "/interviews/{i}/reviewers",
    "/team",
]


@pytest.mark.parametrize("page", PAGES)
def test_list_pages_use_a_bounded_number_of_queries(signed_in, db, app, client, page):
    """Each list page makes as many queries with 200 candidates as with 10."""
    url = page.format(i=signed_in.interview.id)
    seed(db, signed_in, 10)
    client.get("/")  # warm the session
    with count_queries(app) as small:
        assert client.get(url).status_code == 200
    seed(db, signed_in, 190, start=10)
    with count_queries(app) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small) <= 10, large


def test_the_candidate_page_size_is_fixed(signed_in, db, client):
    """The interview page shows at most one page of rows however many candidates match."""
    seed(db, signed_in, 120)
    body = client.get(f"/interviews/{signed_in.interview.id}").get_data(as_text=True)
    assert body.count('name="candidate_ids"') == 50
