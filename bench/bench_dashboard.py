"""Benchmark the dashboard's list pages at volume against an empty-database baseline.

Creates a scratch PostgreSQL database, times each list page with one interview and a
handful of candidates, seeds 10,000 candidates and 50,000 answers (with scores and
calls) in bulk, times the same pages again, prints both and their ratio, and drops the
database. Run:  .venv/bin/python bench/bench_dashboard.py [--candidates 10000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select, text

from config.settings import Settings
from dashboard.app import create_app
from dashboard.candidates.listing import order_keys
from dashboard.search import PER_PAGE as HITS_PER_PAGE
from voice.db import make_engine, make_session_factory
from voice.interviews import interview_from_spec
from voice.migrate import upgrade
from voice.models import (
    Answer,
    AnswerStatus,
    Call,
    Candidate,
    CandidateStatus,
    Interview,
    Organization,
    Role,
    Score,
    User,
)
from voice.passwords import hash_password
from voice.search import search_transcripts

ADMIN_URL = os.environ.get(
    "SCREENLINE_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PASSWORD = "bench password 123"  # noqa: S105 (a scratch database, dropped at the end)
QUESTIONS = 5
CHUNK = 5_000


def pages(interview_id: int) -> dict[str, str]:
    return {
        "interviews list": "/",
        "interview (page 1)": f"/interviews/{interview_id}",
        "interview (page 100)": f"/interviews/{interview_id}?page=100",  # by number: OFFSET
        # by the pager's Next link (keyset); the cursor is filled in once seeded
        "interview (page 100, keyset)": f"/interviews/{interview_id}?page=100&after=",
        "interview (filtered)": f"/interviews/{interview_id}?status=completed&min_score=3",
        "insights": f"/interviews/{interview_id}/insights",
        "team": "/team",
        "export CSV (all rows)": f"/interviews/{interview_id}/export.csv",
        # every seeded transcript says "nights": one rank, ordered by answer id
        "search (page 1)": "/search?q=nights",
        "search (page 100)": "/search?q=nights&page=100",  # by number: OFFSET
        "search (page 100, keyset)": "/search?q=nights&page=100&after=",  # filled in once seeded
    }


def last_of_page_99(session_factory, interview_id: int) -> int:
    """The candidate page 99 ends with (50 a page): page 100's Next-link cursor."""
    with session_factory() as s:
        return s.scalar(
            select(Candidate.id)
            .where(Candidate.interview_id == interview_id)
            .order_by(*(key.desc() for key in order_keys()))
            .offset(99 * 50 - 1)
            .limit(1)
        )


def last_hit_of_page_99(session_factory, interview_id: int) -> str:
    """The hit search page 99 ends with: page 100's Next-link position."""
    with session_factory() as s:
        org_id = s.get(Interview, interview_id).organization_id
        offset = 99 * HITS_PER_PAGE - 1
        [hit] = search_transcripts(s, org_id, "nights", limit=1, offset=offset)
        return hit.position.token()


def setup(session_factory):
    with session_factory() as s:
        org = Organization(name="Bench Co")
        s.add(org)
        s.flush()
        user = User(
            organization=org,
            email="bench@bench.test",
            password_hash=hash_password(PASSWORD),
            role=Role.ADMIN,
        )
        s.add(user)
        interview = interview_from_spec(
            s,
            org,
            {
                "title": "Bench interview",
                "phone_number": "+15550109999",
                "questions": [f"Question {n}?" for n in range(1, QUESTIONS + 1)],
            },
        )
        s.commit()
        return user.id, interview.id, [q.id for q in interview.questions]


def seed(session_factory, user_id, interview_id, question_ids, count, start=0):
    now = datetime.now(UTC)
    with session_factory() as s:
        for first in range(start, start + count, CHUNK):
            last = min(first + CHUNK, start + count)
            s.execute(
                insert(Candidate),
                [
                    {
                        "interview_id": interview_id,
                        "name": f"Candidate {n}",
                        "phone": f"+1555{n:07d}",
                        "pin": f"{100000 + n}",
                        "status": CandidateStatus.ALL[n % len(CandidateStatus.ALL)],
                        "decision": ("advance", "hold", "reject", None)[n % 4],
                        "created_at": now - timedelta(minutes=n),
                        "completed_at": now - timedelta(minutes=n) if n % 2 else None,
                        "extra_time": 1.0,
                        "slow_speech": False,
                    }
                    for n in range(first, last)
                ],
            )
            ids = s.scalars(
                select(Candidate.id)
                .where(Candidate.interview_id == interview_id)
                .order_by(Candidate.id.desc())
                .limit(last - first)
            ).all()
            s.execute(
                insert(Answer),
                [
                    {
                        "candidate_id": cid,
                        "question_id": qid,
                        "attempt": 1,
                        "kept": True,
                        "status": AnswerStatus.TRANSCRIBED,
                        "transcript": "I worked nights at a distribution centre for two years.",
                        "playback_seconds": 15.0 + cid % 60,
                        "attempts_failed": 0,
                        "deleted_at_twilio": False,
                    }
                    for cid in ids
                    for qid in question_ids
                ],
            )
            s.execute(
                insert(Score),
                [
                    {"reviewer_id": user_id, "candidate_id": cid, "value": 1 + cid % 5, "note": ""}
                    for cid in ids
                    if cid % 3
                ],
            )
            s.execute(
                insert(Call),
                [
                    {
                        "call_sid": f"CA{cid:032d}",
                        "interview_id": interview_id,
                        "candidate_id": cid,
                        "consented": bool(cid % 7),
                        "outcome": f"hung up at question {1 + cid % QUESTIONS}"
                        if cid % 4
                        else "completed",
                        "reached_position": 1 + cid % QUESTIONS,
                        "from_number": "",
                        "to_number": "",
                        "direction": "inbound",
                        "status": "completed",
                        "pin_attempts": 0,
                    }
                    for cid in ids
                ],
            )
            s.commit()
        s.execute(text("ANALYZE"))
        s.commit()


def login(client):
    import re

    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"csrf_token": token, "email": "bench@bench.test", "password": PASSWORD}
    )
    assert response.status_code == 302, "could not sign in"


def time_pages(client, urls: dict[str, str], repeat: int) -> dict[str, float]:
    timings = {}
    for name, url in urls.items():
        client.get(url).get_data()  # warm caches and the connection pool
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(url)
            response.get_data()
            response.close()
            samples.append(time.perf_counter() - started)
            assert response.status_code == 200, f"{url}: {response.status_code}"
        timings[name] = statistics.median(samples)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=10, help="candidates in the baseline")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    name = f"screenline_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    engine = None
    try:
        upgrade(url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        user_id, interview_id, question_ids = setup(factory)
        settings = Settings(
            env="test",
            database_url=url,
            media_dir=Path(tempfile.mkdtemp(prefix="screenline-bench-")),
            secret_key="bench-secret-key-0123456789abcdef0123456789",  # noqa: S106
            public_url="http://bench.test",
            twilio_account_sid="AC" + "0" * 32,
            twilio_auth_token="bench-token",  # noqa: S106
        )
        app = create_app(settings)
        client = app.test_client()
        login(client)
        urls = pages(interview_id)
        seed(factory, user_id, interview_id, question_ids, args.baseline)
        base_urls = {k: v.replace("page=100", "page=1") for k, v in urls.items()}
        baseline = time_pages(client, base_urls, args.repeat)
        started = time.perf_counter()
        seed(
            factory,
            user_id,
            interview_id,
            question_ids,
            args.candidates - args.baseline,
            start=args.baseline,
        )
        seeded = time.perf_counter() - started
        urls["interview (page 100, keyset)"] += str(last_of_page_99(factory, interview_id))
        urls["search (page 100, keyset)"] += last_hit_of_page_99(factory, interview_id)
        loaded = time_pages(client, urls, args.repeat)
        answers = args.candidates * QUESTIONS
        print(
            f"seeded {args.candidates:,} candidates / {answers:,} answers in {seeded:.1f} s; "
            f"median of {args.repeat} requests each"
        )
        print(f"{'page':<30}{'baseline ms':>12}{'loaded ms':>12}{'ratio':>8}")
        for key in urls:
            ratio = loaded[key] / baseline[key] if baseline[key] else float("nan")
            print(f"{key:<30}{baseline[key] * 1000:>12.1f}{loaded[key] * 1000:>12.1f}{ratio:>8.1f}")
        app.extensions["screenline"].session_factory.kw["bind"].dispose()
    finally:
        if engine is not None:
            engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
