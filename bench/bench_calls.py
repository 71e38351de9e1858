"""Benchmark concurrent calls at the telephone edge: the embedded SQLite default against PostgreSQL.

For each number of simultaneous calls N and each database engine, makes a fresh database
(a SQLite file, or a scratch PostgreSQL database created and dropped here), starts
gunicorn as `screenline serve` runs it (2 processes x 4 threads) and no worker, and has
the Twilio stand-in place N calls of a one-question interview at the same instant from N
candidates' phones, each answering with the same telephone-quality flite recording.
It reports, per engine and N: calls completed, webhooks that failed or answered >= 400,
callers who heard the spoken apology, answer rows against recordings made, and the
median / p95 / p99 / max webhook latency (each request timed in the stand-in's sender), with
the SQLite/PostgreSQL ratio of the median and p95 from the same run. Without a worker
the answers stay `announced`: this measures the webhooks only.

Run:  .venv/bin/python bench/bench_calls.py [--calls 25,50,100,200]
          [--engines sqlite,postgresql] [--out var/bench/calls.json]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_all
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import redis
from sqlalchemy import func, select

import ivr.standin.caller
from config.settings import Settings
from ivr.phrases import say
from ivr.standin import TwilioApiServer, place_call, synthesise
from ivr.standin.webhooks import WebhookSender
from tests.support import free_port, postgres_database, web_server
from voice.audio import telephone_channel
from voice.candidates import add_candidate
from voice.db import make_engine, make_session_factory
from voice.interviews import interview_from_spec
from voice.migrate import upgrade
from voice.models import Answer, Organization

ROOT = Path(__file__).resolve().parents[1]
ADMIN_URL = os.environ.get(
    "SCREENLINE_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_SERVER = os.environ.get("SCREENLINE_BENCH_REDIS_URL", "redis://127.0.0.1:6379")
ENGINES = ("sqlite", "postgresql")
NUMBER = "+15550108888"
ANSWER_TEXT = "I worked at a grocery store for three years, mostly on the night shift."
APOLOGY = say(None, "internal_error")
WARMUP_CALLS = 4  # load both gunicorn processes before the timed burst
TWILIO_LIMIT = 15.0  # seconds Twilio waits for a webhook's reply
BURST_TIMEOUT = 600.0  # seconds for one burst of calls, whatever happens


class TimedSender(WebhookSender):
    """The stand-in's webhook sender, timing every request it makes (retries included)."""

    lock = threading.Lock()
    samples: list[tuple[str, float, int | None]] = []  # (kind, seconds, HTTP status or None)

    def _attempt(self, kind, url, method, params, body, headers):
        started = time.perf_counter()
        exchange = super()._attempt(kind, url, method, params, body, headers)
        elapsed = time.perf_counter() - started
        with self.lock:
            self.samples.append((kind, elapsed, exchange.status))
        return exchange

    @classmethod
    def take(cls) -> list[tuple[str, float, int | None]]:
        """Return the samples so far and start a fresh list."""
        with cls.lock:
            samples, cls.samples = cls.samples, []
        return samples


@contextmanager
def timed_webhooks():
    """Make every stand-in call send its webhooks through TimedSender."""
    original = ivr.standin.caller.WebhookSender
    ivr.standin.caller.WebhookSender = TimedSender
    try:
        yield
    finally:
        ivr.standin.caller.WebhookSender = original


@contextmanager
def redis_database():
    """Hold a Redis database number of our own (the test suite's lock keys), emptied after."""
    server = redis.Redis.from_url(REDIS_SERVER + "/0")
    token = uuid.uuid4().hex
    number = next(
        (
            db
            for db in range(15, 0, -1)
            if server.set(f"screenline:test-lock:{db}", token, nx=True, ex=3600)
        ),
        None,
    )
    if number is None:
        raise SystemExit("every Redis database 1-15 is held by a test run; try again later")
    url = f"{REDIS_SERVER}/{number}"
    redis.Redis.from_url(url).flushdb()
    try:
        yield url
    finally:
        redis.Redis.from_url(url).flushdb()
        if server.get(f"screenline:test-lock:{number}") == token.encode():
            server.delete(f"screenline:test-lock:{number}")


@contextmanager
def scratch_database(engine: str, folder: Path):
    """Yield the URL of a fresh, migrated database of `engine`; drop it afterwards."""
    if engine == "sqlite":
        url = f"sqlite:///{folder / 'screenline.db'}"
        upgrade(url)
        yield url
        return
    with postgres_database(ADMIN_URL, prefix="screenline_bench") as url:
        yield url


def phone(n: int) -> str:
    """The caller ID of candidate `n`."""
    return f"+1555800{n:04d}"


def seed(url: str, candidates: int) -> None:
    """One organisation, a one-question interview on NUMBER, `candidates` with phones."""
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            org = Organization(name="Bench Co")
            session.add(org)
            session.flush()
            interview = interview_from_spec(
                session,
                org,
                {
                    "title": "Bench interview",
                    "phone_number": NUMBER,
                    "questions": [{"prompt": "Tell us about your last job.", "max_seconds": 60}],
                },
            )
            session.flush()
            for n in range(candidates):
                add_candidate(session, interview, f"Caller {n}", phone(n))
            session.commit()
    finally:
        engine.dispose()


def burst(settings: Settings, api: TwilioApiServer, audio: bytes, first: int, count: int):
    """Place `count` calls at the same instant from candidates first..first+count-1.

    Returns (call logs, wall-clock seconds); a call that has not ended within
    BURST_TIMEOUT is left out (each webhook is itself bounded by Twilio's 15 s).
    """
    start = threading.Barrier(count)

    def one_call(n: int):
        start.wait(60)
        return place_call(settings, NUMBER, phone(n), answers=[audio], digits=["1"], api=api)

    pool = ThreadPoolExecutor(count)
    try:
        began = time.perf_counter()
        futures = [pool.submit(one_call, n) for n in range(first, first + count)]
        done, _ = wait_all(futures, timeout=BURST_TIMEOUT)
        seconds = time.perf_counter() - began
        logs = [f.result() for f in futures if f in done and f.exception() is None]
        failed = [f.exception() for f in futures if f in done and f.exception() is not None]
        for exc in failed[:3]:
            print(f"  a call raised {type(exc).__name__}: {exc}", file=sys.stderr)
        return logs, seconds
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def locked_reruns(web_log: Path) -> int:
    """How many times a webhook found SQLite locked and was run again (ivr.views.webhook)."""
    if not web_log.exists():
        return 0
    return web_log.read_text(errors="replace").count("database locked at")


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (`share` in 0..1) of `values`; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered), max(1, math.ceil(share * len(ordered)))) - 1]


def measure(engine: str, calls: int, folder: Path, redis_url: str, audio: bytes) -> dict:
    """Run one burst of `calls` calls on a fresh `engine` database; return its figures."""
    with scratch_database(engine, folder) as url:
        seed(url, calls + WARMUP_CALLS)
        api = TwilioApiServer("AC" + "2" * 32, "bench-auth-token").start()
        settings = Settings(
            env="development",
            database_url=url,
            redis_url=redis_url,
            media_dir=folder / "media",
            secret_key="bench-secret-key-0123456789abcdef0123456789",  # noqa: S106
            public_url=f"http://127.0.0.1:{free_port()}",
            twilio_account_sid="AC" + "2" * 32,
            twilio_auth_token="bench-auth-token",  # noqa: S106
            twilio_api_url=api.url,
        )
        try:
            (folder / "logs").mkdir(parents=True, exist_ok=True)
            with web_server(settings, folder / "logs" / "web.log"):
                burst(settings, api, audio, calls, WARMUP_CALLS)
                TimedSender.take()
                reruns_before = locked_reruns(folder / "logs" / "web.log")
                load_before = os.getloadavg()[0]
                logs, seconds = burst(settings, api, audio, 0, calls)
                samples = TimedSender.take()
                load_after = os.getloadavg()[0]
                reruns = locked_reruns(folder / "logs" / "web.log") - reruns_before
        finally:
            api.stop()
        sids = {r.sid for log in logs for r in log.recordings if r.status == "completed"}
        db = make_engine(url)
        try:
            with db.connect() as conn:
                rows = (
                    conn.scalar(select(func.count(Answer.id)).where(Answer.recording_sid.in_(sids)))
                    if sids
                    else 0
                )
        finally:
            db.dispose()
    # Every attempt counts: a webhook that timed out and then succeeded on the stand-in's
    # one retry still failed once, as Twilio would log it (error 11205).
    errors = [(kind, status) for kind, _, status in samples if status is None or status >= 400]
    apologised = [log.call_sid for log in logs if any(APOLOGY in t for t in log.said())]
    completed = [
        log
        for log in logs
        if log.ok
        and log.call_sid not in apologised
        and any(r.status == "completed" for r in log.recordings)
        and not any(e.status is None or e.status >= 400 for e in log.exchanges)
    ]
    latencies = [s for _, s, _ in samples]
    return {
        "engine": engine,
        "calls": calls,
        "calls_ended": len(logs),
        "completed": len(completed),
        "webhooks": len(samples),
        "webhook_errors": len(errors),
        "timeouts": sum(status is None for _, status in errors),
        "error_kinds": sorted({f"{kind} {status or 'no reply'}" for kind, status in errors}),
        "apologies": len(apologised),
        "locked_reruns": reruns,
        "recordings": len(sids),
        "answer_rows": rows,
        "median_ms": ms(statistics.median(latencies) if latencies else float("nan")),
        "p95_ms": ms(percentile(latencies, 0.95)),
        "p99_ms": ms(percentile(latencies, 0.99)),
        "max_ms": ms(max(latencies, default=float("nan"))),
        "by_kind": {
            kind: {
                "webhooks": len(times),
                "median_ms": ms(statistics.median(times)),
                "max_ms": ms(max(times)),
            }
            for kind, times in sorted(by_kind(samples).items())
        },
        "over_5s": sum(s > 5 for s in latencies),
        "burst_seconds": round(seconds, 1),
        "load_before": round(load_before, 2),
        "load_after": round(load_after, 2),
    }


def ms(seconds: float) -> float:
    """Seconds as milliseconds, to 0.1 ms."""
    return round(seconds * 1000, 1)


def by_kind(samples: list[tuple[str, float, int | None]]) -> dict[str, list[float]]:
    """Latencies (s) grouped by webhook kind: voice, gather, record, recording-status..."""
    groups: dict[str, list[float]] = {}
    for kind, seconds, _ in samples:
        groups.setdefault(kind, []).append(seconds)
    return groups


def ratios(results: list[dict]) -> list[dict]:
    """SQLite/PostgreSQL ratio of the median and p95 latency at each N measured on both."""
    by_key = {(r["engine"], r["calls"]): r for r in results}
    out = []
    for calls in sorted({r["calls"] for r in results}):
        lite, pg = by_key.get(("sqlite", calls)), by_key.get(("postgresql", calls))
        if lite and pg and pg["median_ms"] and pg["p95_ms"]:
            out.append(
                {
                    "calls": calls,
                    "median_ratio": round(lite["median_ms"] / pg["median_ms"], 2),
                    "p95_ratio": round(lite["p95_ms"] / pg["p95_ms"], 2),
                }
            )
    return out


def print_table(results: list[dict], ratio_rows: list[dict]) -> None:
    """Print one line per engine and N, then the ratios and the largest clean N per engine."""
    head = (
        f"{'engine':<11}{'N':>5}{'done':>6}{'hooks':>7}{'errors':>7}{'sorry':>6}{'locked':>7}"
        f"{'recs':>6}{'rows':>6}{'med ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'p95/15s':>8}"
        f"{'wall s':>8}{'load':>6}"
    )
    print(head)  # hooks: webhook requests, the stand-in's retries included
    for r in results:
        print(
            f"{r['engine']:<11}{r['calls']:>5}{r['completed']:>6}{r['webhooks']:>7}"
            f"{r['webhook_errors']:>7}{r['apologies']:>6}{r['locked_reruns']:>7}{r['recordings']:>6}"
            f"{r['answer_rows']:>6}{r['median_ms']:>9.0f}{r['p95_ms']:>9.0f}{r['p99_ms']:>9.0f}"
            f"{r['max_ms']:>9.0f}"
            f"{r['p95_ms'] / 1000 / TWILIO_LIMIT:>8.0%}{r['burst_seconds']:>8.1f}"
            f"{r['load_after']:>6.1f}"
        )
        if r["error_kinds"]:
            print(f"{'':<16}errors: {', '.join(r['error_kinds'])}")
    for row in ratio_rows:
        print(
            f"N={row['calls']}: SQLite/PostgreSQL median x{row['median_ratio']}, "
            f"p95 x{row['p95_ratio']}"
        )
    for engine, n in clean_limits(results).items():
        print(f"{engine}: clean (0 errors, 0 apologies) up to N={n or 'none'}")


def clean_limits(results: list[dict]) -> dict[str, int]:
    """Per engine, the largest N such that it and every smaller N ran clean (0 if none).

    Clean: every call completed, no webhook failed or answered >= 400, no apology, and
    every recording made has its answer row.
    """
    limits: dict[str, int] = {}
    broken: set[str] = set()
    for r in sorted(results, key=lambda r: r["calls"]):
        engine = r["engine"]
        limits.setdefault(engine, 0)
        clean = (
            r["webhook_errors"] == 0
            and r["apologies"] == 0
            and r["completed"] == r["calls"]
            and r["answer_rows"] == r["recordings"]
        )
        if not clean:
            broken.add(engine)
        elif engine not in broken:
            limits[engine] = r["calls"]
    return limits


def machine() -> dict:
    """What the numbers were measured on (they compare with each other only)."""
    model = platform.processor()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [
            ln.split(":", 1)[1].strip()
            for ln in cpuinfo.read_text().splitlines()
            if ln.startswith("model name")
        ]
        model = names[0] if names else model
    return {"cpu": model, "cores": os.cpu_count(), "load_average": os.getloadavg()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", default="25,50,100,200", help="comma-separated N")
    parser.add_argument("--engines", default=",".join(ENGINES), help="sqlite,postgresql")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "calls.json")
    args = parser.parse_args()
    try:
        counts = [int(n) for n in args.calls.split(",") if n.strip()]
    except ValueError:
        parser.error(f"--calls takes whole numbers separated by commas, not {args.calls!r}")
    engines = [e.strip().lower() for e in args.engines.split(",") if e.strip()]
    if not counts or any(n < 1 or n > 1000 for n in counts):
        parser.error("--calls takes numbers from 1 to 1000")
    if not engines or any(e not in ENGINES for e in engines):
        parser.error(f"--engines takes {' and/or '.join(ENGINES)}, not {args.engines!r}")

    audio = telephone_channel(synthesise(ANSWER_TEXT))
    info = machine()
    print(f"{info['cpu']}, {info['cores']} cores, load average {info['load_average'][0]:.1f}")
    results = []
    with redis_database() as redis_url, timed_webhooks():
        # Engines alternate at each N, so both meet the same background load.
        for calls in counts:
            for engine in engines:
                with tempfile.TemporaryDirectory(prefix="screenline-bench-calls-") as folder:
                    print(f"{engine}: {calls} calls at once ...", flush=True)
                    results.append(measure(engine, calls, Path(folder), redis_url, audio))
    ratio_rows = ratios(results)
    print()
    print_table(results, ratio_rows)
    report = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": info,
        "server": "gunicorn, 2 processes x 4 threads, no worker",
        "twilio_limit_s": TWILIO_LIMIT,
        "results": results,
        "ratios": ratio_rows,
        "largest_clean_n": clean_limits(results),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
