"""What every benchmark sets up the same way: scratch databases, a private Redis database,
settings, the machine's description, percentiles, and the rows they seed.

Each bench script is run as `python bench/NAME.py` from the repository root; importing
this module also makes the project's packages importable from there.

Environment (both optional):
- SCREENLINE_BENCH_DATABASE_URL: a PostgreSQL database the bench may connect to as a
  user allowed to CREATE and DROP databases (default
  postgresql+psycopg://postgres@127.0.0.1:5432/test); scratch databases are made beside it.
- SCREENLINE_BENCH_REDIS_URL: the Redis server (default redis://127.0.0.1:6379); a
  database number in it is ignored, since each run takes a free one of its own.
"""

from __future__ import annotations

import math
import os
import platform
import re
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script: make config/, voice/, tests/ importable

import redis  # noqa: E402
from sqlalchemy import insert, select, text  # noqa: E402

from config.settings import Settings  # noqa: E402
from tests.support import postgres_database  # noqa: E402
from voice.candidates import add_candidate  # noqa: E402
from voice.db import make_engine, make_session_factory  # noqa: E402
from voice.interviews import interview_from_spec  # noqa: E402
from voice.migrate import upgrade  # noqa: E402
from voice.models import (  # noqa: E402
    Answer,
    AnswerStatus,
    Call,
    Candidate,
    CandidateStatus,
    Organization,
    Role,
    Score,
    User,
)
from voice.passwords import hash_password  # noqa: E402

ADMIN_URL = os.environ.get(
    "SCREENLINE_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ENGINES = ("sqlite", "postgresql")
NUMBER = "+15550108888"  # the phone interview's number (bench_calls, bench_scale)
EMAIL = "bench@bench.test"  # the admin who signs in to the dashboard benches
PASSWORD = "bench password 123"  # noqa: S105 (a scratch database, dropped at the end)
SECRET_KEY = "bench-secret-key-0123456789abcdef0123456789"  # noqa: S105 (scratch only)
QUESTIONS = 5  # questions of the reviewed interview (bench_dashboard, bench_api)
CHUNK = 5_000  # candidates per bulk insert


def redis_server() -> str:
    """SCREENLINE_BENCH_REDIS_URL without a database number: redis://host:port."""
    raw = os.environ.get("SCREENLINE_BENCH_REDIS_URL", "redis://127.0.0.1:6379")
    parts = urlsplit(raw)
    return urlunsplit((parts.scheme, parts.netloc, "", "", "")).rstrip("/")


@contextmanager
def redis_database() -> Iterator[str]:
    """Yield the URL of a Redis database number (1-15) held by this run, emptied after.

    It takes the number the way the test suite does (a `screenline:test-lock:N` key in
    database 0, set if absent, an hour's expiry), so a bench and a test run never share
    queues. Raises SystemExit when every number is held.
    """
    server_url = redis_server()
    server = redis.Redis.from_url(server_url + "/0")
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
    url = f"{server_url}/{number}"
    redis.Redis.from_url(url).flushdb()
    try:
        yield url
    finally:
        redis.Redis.from_url(url).flushdb()
        if server.get(f"screenline:test-lock:{number}") == token.encode():
            server.delete(f"screenline:test-lock:{number}")


@contextmanager
def scratch_database(engine: str = "postgresql", folder: Path | None = None) -> Iterator[str]:
    """Yield the URL of a fresh database migrated to head; drop it afterwards.

    `engine` is "postgresql" (a database named screenline_bench_<random> beside
    ADMIN_URL's, dropped WITH (FORCE) at the end) or "sqlite" (screenline.db in
    `folder`, which the caller owns and removes). Raises ValueError for another engine
    or for SQLite without a folder.
    """
    if engine == "sqlite":
        if folder is None:
            raise ValueError("a SQLite scratch database needs a folder to live in")
        url = f"sqlite:///{folder / 'screenline.db'}"
        upgrade(url)
        yield url
        return
    if engine != "postgresql":
        raise ValueError(f"no scratch database for engine {engine!r}; use one of {ENGINES}")
    with postgres_database(ADMIN_URL, prefix="screenline_bench") as url:
        yield url


def bench_settings(database_url: str, folder: Path, **fields) -> Settings:
    """Settings for a bench's app, server or workers on `database_url`.

    Media and metrics go under `folder`; the secret key and Twilio credentials are
    placeholders (nothing reaches Twilio: a bench points `twilio_api_url` at the
    stand-in when it needs one). `fields` override any setting.
    """
    values = {
        "env": "test",
        "database_url": database_url,
        "media_dir": folder / "media",
        "metrics_dir": folder / "metrics",
        "secret_key": SECRET_KEY,
        "public_url": "http://bench.test",
        "twilio_account_sid": "AC" + "0" * 32,
        "twilio_auth_token": "bench-auth-token",
    }
    values.update(fields)
    return Settings(**values)


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, else platform.processor(), else "unknown"."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        if found:
            return found.group(1).strip()
    return platform.processor() or "unknown"


def machine() -> dict:
    """What the numbers were measured on: {"cpu", "cores", "load_average" (1, 5, 15 min)}.

    Figures from one machine compare with each other only; the load average says how
    busy the machine was with other work when the run started.
    """
    return {"cpu": cpu_model(), "cores": os.cpu_count(), "load_average": os.getloadavg()}


def describe(info: dict) -> str:
    """One line for the top of a bench's output: CPU, cores, load average."""
    return f"{info['cpu']}, {info['cores']} cores, load average {info['load_average'][0]:.1f}"


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile of `values` (`share` from 0 to 1); NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered), max(1, math.ceil(share * len(ordered)))) - 1]


def ms(seconds: float) -> float:
    """Seconds as milliseconds, to 0.1 ms."""
    return round(seconds * 1000, 1)


def caller_phone(n: int) -> str:
    """The caller ID of candidate `n` of seed_callers (+1555800NNNN)."""
    return f"+1555800{n:04d}"


# The questions of seed_callers' interview, in order.
CALLER_QUESTIONS = (
    "Tell us about your last job.",
    "Which shifts can you work?",
    "Why do you want this job?",
    "How would you handle an upset customer?",
    "When could you start?",
)


def seed_callers(url: str, candidates: int, max_seconds: int = 60, questions: int = 1) -> None:
    """Seed one organisation with a `questions`-question interview on NUMBER and
    `candidates` candidates, candidate n calling from caller_phone(n). Each question
    records for at most `max_seconds`.
    """
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
                    "questions": [
                        {"prompt": prompt, "max_seconds": max_seconds}
                        for prompt in CALLER_QUESTIONS[:questions]
                    ],
                },
            )
            session.flush()
            for n in range(candidates):
                add_candidate(session, interview, f"Caller {n}", caller_phone(n))
            session.commit()
    finally:
        engine.dispose()


def seed_admin(session) -> User:
    """Add an organisation "Bench Co" with one admin (EMAIL, PASSWORD); flushed, not
    committed. Returns the admin; its organisation is `user.organization`."""
    org = Organization(name="Bench Co")
    session.add(org)
    session.flush()
    user = User(
        organization=org, email=EMAIL, password_hash=hash_password(PASSWORD), role=Role.ADMIN
    )
    session.add(user)
    session.flush()
    return user


def seed_reviewed_interview(session_factory) -> tuple[int, int, list[int]]:
    """An admin's organisation with one QUESTIONS-question interview, committed.

    Returns (the admin's id, the interview's id, its question ids in order).
    """
    with session_factory() as s:
        user = seed_admin(s)
        interview = interview_from_spec(
            s,
            user.organization,
            {
                "title": "Bench interview",
                "phone_number": "+15550109999",
                "questions": [f"Question {n}?" for n in range(1, QUESTIONS + 1)],
            },
        )
        s.commit()
        return user.id, interview.id, [q.id for q in interview.questions]


def seed_candidates(session_factory, user_id, interview_id, question_ids, count, start=0):
    """Bulk-insert `count` candidates numbered from `start`, as a busy interview holds them.

    Each gets a transcribed answer to every question, a call (completed or hung up), a
    score from `user_id` for two in three, statuses and decisions in rotation, and
    creation times a minute apart going back from now. Inserts CHUNK candidates per
    statement and runs ANALYZE at the end, so the planner sees the volume.
    """
    now = datetime.now(UTC)
    with session_factory() as s:
        for first in range(start, start + count, CHUNK):
            last = min(first + CHUNK, start + count)
            s.execute(
                insert(Candidate), [_candidate(interview_id, n, now) for n in range(first, last)]
            )
            ids = s.scalars(
                select(Candidate.id)
                .where(Candidate.interview_id == interview_id)
                .order_by(Candidate.id.desc())
                .limit(last - first)
            ).all()
            s.execute(insert(Answer), [_answer(cid, qid) for cid in ids for qid in question_ids])
            s.execute(
                insert(Score),
                [
                    {"reviewer_id": user_id, "candidate_id": cid, "value": 1 + cid % 5, "note": ""}
                    for cid in ids
                    if cid % 3
                ],
            )
            s.execute(insert(Call), [_call(interview_id, cid) for cid in ids])
            s.commit()
        s.execute(text("ANALYZE"))
        s.commit()


def timed_before_and_after_seeding(
    session_factory,
    user_id: int,
    interview_id: int,
    question_ids: list[int],
    *,
    baseline: int,
    candidates: int,
    time_baseline: Callable[[], dict[str, float]],
    time_loaded: Callable[[], dict[str, float]],
) -> tuple[dict[str, float], dict[str, float], float]:
    """Seed `baseline` candidates and call `time_baseline`; seed more (seed_candidates) up
    to `candidates` in all and call `time_loaded`.

    Each timer returns seconds by name (it may read the seeded rows first, for cursors).
    Returns (the baseline timings, the loaded timings, seconds spent seeding the rest).
    """
    seed_candidates(session_factory, user_id, interview_id, question_ids, baseline)
    before = time_baseline()
    started = time.perf_counter()
    seed_candidates(
        session_factory,
        user_id,
        interview_id,
        question_ids,
        candidates - baseline,
        start=baseline,
    )
    seeded = time.perf_counter() - started
    return before, time_loaded(), seeded


def _candidate(interview_id: int, n: int, now: datetime) -> dict:
    return {
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


def _answer(candidate_id: int, question_id: int) -> dict:
    return {
        "candidate_id": candidate_id,
        "question_id": question_id,
        "attempt": 1,
        "kept": True,
        "status": AnswerStatus.TRANSCRIBED,
        "transcript": "I worked nights at a distribution centre for two years.",
        "playback_seconds": 15.0 + candidate_id % 60,
        "attempts_failed": 0,
        "deleted_at_twilio": False,
    }


def _call(interview_id: int, candidate_id: int) -> dict:
    return {
        "call_sid": f"CA{candidate_id:032d}",
        "interview_id": interview_id,
        "candidate_id": candidate_id,
        "consented": bool(candidate_id % 7),
        "outcome": f"hung up at question {1 + candidate_id % QUESTIONS}"
        if candidate_id % 4
        else "completed",
        "reached_position": 1 + candidate_id % QUESTIONS,
        "from_number": "",
        "to_number": "",
        "direction": "inbound",
        "status": "completed",
        "pin_attempts": 0,
    }


def login(client) -> None:
    """Sign a Flask test client in as EMAIL through the login form (CSRF token included).

    Raises AssertionError when the sign-in is refused.
    """
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"csrf_token": token, "email": EMAIL, "password": PASSWORD}
    )
    assert response.status_code == 302, "could not sign in"


def dispose_app(app) -> None:
    """Close the database connections a bench's app (dashboard.app.create_app) holds,
    so its scratch database can be dropped."""
    app.extensions["screenline"].session_factory.kw["bind"].dispose()
