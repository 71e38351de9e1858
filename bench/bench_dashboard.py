"""Benchmark the dashboard's list pages at volume against an empty-database baseline.

Creates a scratch PostgreSQL database, times each list page with one interview and a
handful of candidates, seeds 10,000 candidates and 50,000 answers (with scores and
calls) in bulk, times the same pages again, prints both and their ratio, and drops the
database. Run:  .venv/bin/python bench/bench_dashboard.py [--candidates 10000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from common import (
    QUESTIONS,
    bench_settings,
    dispose_app,
    login,
    scratch_database,
    seed_reviewed_interview,
    timed_before_and_after_seeding,
)
from sqlalchemy import select

from dashboard.app import create_app
from dashboard.search import PER_PAGE as HITS_PER_PAGE
from voice.candidate_order import LATEST, candidate_order
from voice.db import make_engine, make_session_factory
from voice.models import Candidate, Interview
from voice.search import search_transcripts


def pages(interview_id: int) -> dict[str, str]:
    """The list pages timed, by name: their URLs for `interview_id`."""
    return {
        "interviews list": "/",
        "interview (page 1)": f"/interviews/{interview_id}",
        "interview (page 100)": f"/interviews/{interview_id}?page=100",  # by number: OFFSET
        # by the pager's Next link (keyset); the cursor is filled in once seeded
        "interview (page 100, keyset)": f"/interviews/{interview_id}?page=100&after=",
        "interview (filtered)": f"/interviews/{interview_id}?status=completed&min_score=3",
        "by score (page 1)": f"/interviews/{interview_id}?sort=score",
        "by score (page 100, keyset)": f"/interviews/{interview_id}?sort=score&page=100&after=",
        "by name (page 1)": f"/interviews/{interview_id}?sort=name",
        "by name (page 100, keyset)": f"/interviews/{interview_id}?sort=name&page=100&after=",
        "interview (not scored by me)": f"/interviews/{interview_id}?unscored=1",
        "insights": f"/interviews/{interview_id}/insights",
        "team": "/team",
        "export CSV (all rows)": f"/interviews/{interview_id}/export.csv",
        # every seeded transcript says "nights": one rank, ordered by answer id
        "search (page 1)": "/search?q=nights",
        "search (page 100)": "/search?q=nights&page=100",  # by number: OFFSET
        "search (page 100, keyset)": "/search?q=nights&page=100&after=",  # filled in once seeded
    }


def last_of_page_99(session_factory, interview_id: int, sort: str = LATEST) -> int:
    """The candidate page 99 ends with (50 a page) in the `sort` order: page 100's
    Next-link cursor."""
    in_interview = Candidate.interview_id == interview_id
    order = candidate_order(sort, select(Candidate.id).where(in_interview))
    with session_factory() as s:
        return s.scalar(
            order.page(order.joined(select(Candidate.id).where(in_interview)))
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


def time_pages(client, urls: dict[str, str], repeat: int) -> dict[str, float]:
    """Median seconds of `repeat` requests of each URL (after one to warm up), by name."""
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

    with (
        scratch_database("postgresql") as url,
        tempfile.TemporaryDirectory(prefix="screenline-bench-") as folder,
    ):
        engine = make_engine(url)
        try:
            factory = make_session_factory(engine)
            user_id, interview_id, question_ids = seed_reviewed_interview(factory)
            app = create_app(bench_settings(url, Path(folder)))
            try:
                client = app.test_client()
                login(client)
                measure(client, factory, user_id, interview_id, question_ids, args)
            finally:
                dispose_app(app)
        finally:
            engine.dispose()
    return 0


def measure(client, factory, user_id, interview_id, question_ids, args) -> None:
    """Time every page with `args.baseline` candidates, seed up to `args.candidates`,
    time them again, and print both with their ratio."""
    urls = pages(interview_id)
    base_urls = {k: v.replace("page=100", "page=1") for k, v in urls.items()}

    def time_loaded() -> dict[str, float]:
        urls["interview (page 100, keyset)"] += str(last_of_page_99(factory, interview_id))
        for sort in ("score", "name"):
            last = last_of_page_99(factory, interview_id, sort)
            urls[f"by {sort} (page 100, keyset)"] += str(last)
        urls["search (page 100, keyset)"] += last_hit_of_page_99(factory, interview_id)
        return time_pages(client, urls, args.repeat)

    baseline, loaded, seeded = timed_before_and_after_seeding(
        factory,
        user_id,
        interview_id,
        question_ids,
        baseline=args.baseline,
        candidates=args.candidates,
        time_baseline=lambda: time_pages(client, base_urls, args.repeat),
        time_loaded=time_loaded,
    )
    answers = args.candidates * QUESTIONS
    print(
        f"seeded {args.candidates:,} candidates / {answers:,} answers in {seeded:.1f} s; "
        f"median of {args.repeat} requests each"
    )
    print(f"{'page':<30}{'baseline ms':>12}{'loaded ms':>12}{'ratio':>8}")
    for key in urls:
        ratio = loaded[key] / baseline[key] if baseline[key] else float("nan")
        print(f"{key:<30}{baseline[key] * 1000:>12.1f}{loaded[key] * 1000:>12.1f}{ratio:>8.1f}")


if __name__ == "__main__":
    raise SystemExit(main())
