"""Benchmark the REST API's lists at 10,000 candidates against an empty-database baseline.

Creates a scratch PostgreSQL database, seeds it as bench_dashboard.py does (a handful
of candidates first, then 10,000 with 50,000 answers, scores and calls; bench/common.py),
times each API list with a real key before and after, prints both and their ratio, and
drops the database. Run:  .venv/bin/python bench/bench_api.py [--candidates 10000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import (
    QUESTIONS,
    bench_settings,
    dispose_app,
    scratch_database,
    seed_reviewed_interview,
    timed_before_and_after_seeding,
)
from sqlalchemy import func, select

from dashboard.api.fields import encode_cursor
from dashboard.app import create_app
from voice.apikeys import create_key
from voice.db import make_engine, make_session_factory
from voice.models import Candidate, Organization


def urls(interview_id: int, deep_after: int, candidate_id: int) -> dict[str, str]:
    """The API requests timed, by name; `deep_after` is the deep page's cursor."""
    return {
        "interviews": "/api/v1/interviews",
        "candidates (first 100)": "/api/v1/candidates?limit=100",
        "candidates (deep cursor)": (
            f"/api/v1/candidates?limit=100&cursor={encode_cursor(deep_after)}"
        ),
        "candidates (interview, status)": (
            f"/api/v1/candidates?interview={interview_id}&status=completed&limit=100"
        ),
        "candidates (decision)": "/api/v1/candidates?decision=advance&limit=100",
        "candidates (updated_since)": "/api/v1/candidates?updated_since=2000-01-01T00:00:00Z",
        "one candidate's results": f"/api/v1/candidates/{candidate_id}/results",
    }


def time_urls(client, headers, pages: dict[str, str], repeat: int) -> dict[str, float]:
    """Median seconds of `repeat` requests of each URL with `headers` (after one to warm
    up), by name; raises AssertionError on an answer other than 200."""
    timings = {}
    for name, url in pages.items():
        client.get(url, headers=headers).get_data()  # warm caches and the pool
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            response.get_data()
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
            with factory() as s:
                _, secret = create_key(s, s.scalar(select(Organization)), "bench")
                s.commit()
            app = create_app(bench_settings(url, Path(folder), api_rate_limit=10**9))
            try:
                headers = {"Authorization": f"Bearer {secret}"}
                measure(
                    app.test_client(), headers, factory, user_id, interview_id, question_ids, args
                )
            finally:
                dispose_app(app)
        finally:
            engine.dispose()
    return 0


def measure(client, headers, factory, user_id, interview_id, question_ids, args) -> None:
    """Time every API list with `args.baseline` candidates, seed up to `args.candidates`,
    time them again, and print both with their ratio."""

    def first_candidate() -> int:
        with factory() as s:
            return s.scalar(select(func.min(Candidate.id)))

    def time_baseline() -> dict[str, float]:
        first = first_candidate()
        return time_urls(client, headers, urls(interview_id, first, first), args.repeat)

    def time_loaded() -> dict[str, float]:
        deep = first_candidate() + int(args.candidates * 0.9)
        return time_urls(client, headers, urls(interview_id, deep, deep), args.repeat)

    baseline, loaded, seeded = timed_before_and_after_seeding(
        factory,
        user_id,
        interview_id,
        question_ids,
        baseline=args.baseline,
        candidates=args.candidates,
        time_baseline=time_baseline,
        time_loaded=time_loaded,
    )
    print(
        f"seeded {args.candidates:,} candidates / {args.candidates * QUESTIONS:,} answers "
        f"in {seeded:.1f} s; median of {args.repeat} requests each, with a key"
    )
    print(f"{'API request':<32}{'baseline ms':>12}{'loaded ms':>12}{'ratio':>8}")
    for key in baseline:
        ratio = loaded[key] / baseline[key] if baseline[key] else float("nan")
        print(f"{key:<32}{baseline[key] * 1000:>12.1f}{loaded[key] * 1000:>12.1f}{ratio:>8.1f}")


if __name__ == "__main__":
    sys.exit(main())
