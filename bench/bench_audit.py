"""Benchmark the audit trail: appends (one writer, then several at once on one chain),
verifying a long chain, and the audit page on it (a full walk, then a visit that resumes;
the deepest page by number and by its Older link).

Creates a scratch PostgreSQL database and holds a Redis database of its own (where the
page keeps its verified mark), measures, and drops both (bench/common.py). Run:
  .venv/bin/python bench/bench_audit.py [--entries 20000] [--appends 400] [--threads 4]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import (
    bench_settings,
    dispose_app,
    login,
    redis_database,
    scratch_database,
    seed_admin,
)
from sqlalchemy import text

from dashboard.app import create_app
from dashboard.audit import PER_PAGE
from voice import audit
from voice.audit import Actor
from voice.db import make_engine, make_session_factory
from voice.models import AuditEvent

CHUNK = 2_000


def setup(factory) -> int:
    """Seed an organisation with one admin; return the organisation's id."""
    with factory() as s:
        org_id = seed_admin(s).organization_id
        s.commit()
        return org_id


def time_appends(factory, org_id: int, count: int, threads: int) -> tuple[float, float]:
    """Seconds per append by one writer, and appends a second with `threads` at once."""
    with factory() as s:
        started = time.perf_counter()
        for n in range(count):
            audit.record(s, org_id, "candidate_viewed", Actor.user(1, "a@b.test"), candidate_id=n)
            s.commit()
        single = (time.perf_counter() - started) / count

    def work(n: int) -> None:
        with factory() as s:
            for i in range(count // threads):
                audit.record(s, org_id, "score", Actor.user(n, "a@b.test"), detail={"i": i})
                s.commit()

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    started = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    rate = (count // threads) * threads / (time.perf_counter() - started)
    return single, rate


def seed(factory, org_id: int, count: int) -> None:
    """Append `count` more entries in bulk, hashed exactly as `audit.record` hashes them."""
    with factory() as s:
        last = s.execute(
            text(
                "SELECT seq, entry_hash FROM audit_events WHERE organization_id = :o "
                "ORDER BY seq DESC LIMIT 1"
            ),
            {"o": org_id},
        ).first()
        seq, prev = (last.seq, last.entry_hash) if last else (0, audit.GENESIS)
        start = datetime.now(UTC) - timedelta(days=30)
        for first in range(0, count, CHUNK):
            batch = []
            for n in range(first, min(first + CHUNK, count)):
                seq += 1
                actor_data, actor_digest = audit._personal_part(
                    {"email": "reviewer@bench.test", "address": "203.0.113.9"}
                )
                subject_data, subject_digest = audit._personal_part({"name": f"Candidate {n}"})
                entry = AuditEvent(
                    organization_id=org_id,
                    seq=seq,
                    created_at=start + timedelta(seconds=n),
                    action="candidate_viewed",
                    actor_kind="user",
                    actor_id=1,
                    actor_label="",
                    candidate_id=n + 1,
                    interview_id=1,
                    detail={},
                    actor_data=actor_data,
                    actor_digest=actor_digest,
                    subject_data=subject_data,
                    subject_digest=subject_digest,
                    prev_hash=prev,
                )
                entry.entry_hash = prev = audit.entry_hash(entry)
                batch.append(entry)
            s.add_all(batch)
            s.commit()
        s.execute(text("ANALYZE audit_events"))
        s.commit()


def timed_get(client, url: str) -> float:
    """Seconds to GET `url`; raises AssertionError unless it is 200 and the chain verified."""
    started = time.perf_counter()
    response = client.get(url)
    response.get_data()
    assert response.status_code == 200, f"{url}: {response.status_code}"
    assert 'data-ok="1"' in response.get_data(as_text=True), "the chain did not verify"
    return time.perf_counter() - started


def time_deepest_page(client, factory, org_id: int) -> tuple[int, float, float]:
    """(the deepest full /audit page's number, median seconds to GET it by number, and
    by its Older link), five requests each."""
    with factory() as s:  # the deepest full page, and the entry the page before ends with
        newest = s.scalar(
            text("SELECT max(seq) FROM audit_events WHERE organization_id = :o"), {"o": org_id}
        )
    deep = newest // PER_PAGE
    by_number = statistics.median(timed_get(client, f"/audit?page={deep}") for _ in range(5))
    by_link = statistics.median(
        timed_get(client, f"/audit?page={deep}&older_than={newest - (deep - 1) * PER_PAGE + 1}")
        for _ in range(5)
    )
    return deep, by_number, by_link


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--appends", type=int, default=400)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    with (
        redis_database() as redis_url,
        scratch_database("postgresql") as url,
        tempfile.TemporaryDirectory(prefix="screenline-bench-") as folder,
    ):
        engine = make_engine(url)
        try:
            factory = make_session_factory(engine)
            org_id = setup(factory)
            single, rate = time_appends(factory, org_id, args.appends, args.threads)
            seed(factory, org_id, args.entries)
            with factory() as s:
                started = time.perf_counter()
                result = audit.verify(s, org_id)
                walk = time.perf_counter() - started
            assert result.ok, result.reason
            app = create_app(bench_settings(url, Path(folder), redis_url=redis_url))
            try:
                client = app.test_client()
                login(client)
                full = timed_get(client, "/audit?full=1")
                resumed = statistics.median(timed_get(client, "/audit") for _ in range(5))
                deep, by_number, by_link = time_deepest_page(client, factory, org_id)
            finally:
                dispose_app(app)
        finally:
            engine.dispose()
    print(f"append, one writer: {single * 1000:.1f} ms each ({args.appends} appends)")
    print(f"append, {args.threads} writers on one chain: {rate:.0f} a second, chain unbroken")
    print(
        f"verify {result.checked:,} entries: {walk:.2f} s "
        f"({result.checked / walk:,.0f} entries a second)"
    )
    print(f"/audit page, walking every entry: {full * 1000:.0f} ms")
    print(f"/audit page, resuming after the last verified entry: {resumed * 1000:.0f} ms")
    print(f"/audit page {deep}, by number (OFFSET): {by_number * 1000:.0f} ms")
    print(f"/audit page {deep}, by its Older link (keyset): {by_link * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
