"""The whole pipeline under a burst of calls (bench_calls.py --pipeline N): the web
server and the workers as the README's roles run them, on PostgreSQL, measured from the
moment the burst starts until the last transcript is saved.

Workers: `screenline worker --queues recordings,messages` (downloads and texts, one
process) and `screenline worker --queues transcribe` (one process per core, one CPU
thread each), at the CPU priority the caller gives (`nice`), started before the
clock; four warm-up calls are transcribed first, so the models are loaded and every
process has run a job before the burst.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from callers import TimedSender, burst, recorded, webhook_figures
from common import ROOT, seed_callers
from sqlalchemy import func, select

from config.settings import Settings
from ivr.standin import TwilioApiServer
from tests.support import env_for, stop_process, web_server
from tests.voice.samples import word_error_rate
from voice.db import make_engine
from voice.models import Answer, AnswerStatus

WARMUP_CALLS = 4
WARMUP_TIMEOUT = 600.0  # seconds for the warm-up answers' transcripts (models loading)
ROLES = (  # (log name, `screenline worker` queues): the README's worker roles
    ("downloads", "recordings,messages"),
    ("transcription", "transcribe"),
)


@contextmanager
def worker_roles(settings: Settings, logs: Path, nice: int = 0):
    """Run one `screenline worker` per role in ROLES with `settings`, at CPU priority
    `nice` (0: the same as the web server; up to 19: the lowest); stop them after.

    Yields {role: log path}. Each pool passes SIGTERM on to its processes, which
    finish the job in hand first (up to 60 s).
    """
    procs, paths = [], {}
    try:
        for name, queues in ROLES:
            paths[name] = logs / f"{name}.log"
            args = [sys.executable, "-m", "dashboard.cli", "worker", "--queues", queues]
            procs.append(start_niced(["nice", "-n", str(nice), *args], settings, paths[name]))
        yield paths
    finally:
        for proc in procs:
            stop_process(proc, timeout=60)


def start_niced(argv: list[str], settings: Settings, log_path: Path) -> subprocess.Popen:
    """Start `argv` (a `nice` command line) from the repository root with the
    environment of `settings`, its output appended to `log_path`."""
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            argv, env=env_for(settings), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )


def transcription_processes(log: Path) -> str:
    """What the transcription pool's processes said as each loaded its model: "N
    processes x T thread(s)" (from its log)."""
    text = log.read_text(errors="replace") if log.exists() else ""
    loaded = re.findall(r"speech-to-text engine \S+ loaded, (\d+) CPU threads", text)
    threads = sorted(set(loaded))
    return f"{len(loaded)} processes x {'/'.join(threads) or '?'} thread(s)"


def count_transcribed(db, sids: set[str]) -> int:
    """How many answers of these recordings are transcribed now."""
    if not sids:
        return 0
    with db.connect() as conn:
        return conn.scalar(
            select(func.count(Answer.id)).where(
                Answer.recording_sid.in_(sids), Answer.status == AnswerStatus.TRANSCRIBED
            )
        )


def drain(db, sids: set[str], deadline: float, poll: float = 0.5) -> bool:
    """Wait until every answer of `sids` is transcribed or time.monotonic() passes
    `deadline`; return whether they all were."""
    while time.monotonic() < deadline:
        if count_transcribed(db, sids) == len(sids):
            return True
        time.sleep(poll)
    return count_transcribed(db, sids) == len(sids)


def measure_pipeline(
    url: str,
    settings: Settings,
    api: TwilioApiServer,
    audio: bytes,
    spoken: str,
    calls: int,
    logs: Path,
    drain_timeout: float,
    nice: int = 0,
) -> dict:
    """One burst of `calls` calls against the web server and workers on database `url`
    (fresh and migrated; seeded here), `settings` being what the processes run with.

    Returns the callers' figures (callers.webhook_figures) and the pipeline's: answers
    lost, the time from the burst's start to the first and the last transcript saved
    (from answers.transcribed_at, stamped by the worker as it saves the transcript),
    whether everything was transcribed within `drain_timeout` seconds of the start,
    and the transcripts' word error rate against `spoken`, the text `audio` says.
    """
    seed_callers(url, calls + WARMUP_CALLS)
    db = make_engine(url)
    try:
        with web_server(settings, logs / "web.log"), worker_roles(settings, logs, nice) as paths:
            warm = recorded(burst(settings, api, audio, calls, WARMUP_CALLS)[0])
            if not drain(db, warm, time.monotonic() + WARMUP_TIMEOUT):
                raise SystemExit(
                    f"the warm-up answers were not transcribed within {WARMUP_TIMEOUT:.0f} s; "
                    f"see the worker logs in {logs}"
                )
            TimedSender.take()
            began, clock = datetime.now(UTC), time.monotonic()
            call_logs, seconds = burst(settings, api, audio, 0, calls)
            samples = TimedSender.take()
            sids = recorded(call_logs)
            drained = drain(db, sids, clock + drain_timeout)
            waited = time.monotonic() - clock
        figures = pipeline_figures(db, sids, began, spoken)
    finally:
        db.dispose()
    return {
        "engine": "postgresql",
        "calls": calls,
        **webhook_figures(samples, call_logs),
        **figures,
        "all_transcribed": drained,
        "waited_s": round(waited, 1),
        "burst_seconds": round(seconds, 1),
        "transcription_workers": transcription_processes(paths["transcription"]),
        "worker_nice": nice,
    }


def pipeline_figures(db, sids: set[str], began: datetime, spoken: str) -> dict:
    """Read the answers of the recordings `sids` back after the run.

    Answers lost: recordings the callers made whose answer is not both stored (the
    original kept) and transcribed; of those, `still_queued` were still in the
    pipeline (or failed and waiting for the sweep's retry) when the run ended, so late
    rather than dropped. Times in seconds from `began`. The word error rate
    is over every transcript against `spoken`, the text the callers said.
    """
    if sids:
        with db.connect() as conn:
            rows = conn.execute(
                select(
                    Answer.status,
                    Answer.original_key,
                    Answer.transcript,
                    Answer.transcribed_at,
                    Answer.stt_engine,
                    Answer.attempts_failed,
                ).where(Answer.recording_sid.in_(sids))
            ).all()
    else:
        rows = []
    done = [
        r
        for r in rows
        if r.status == AnswerStatus.TRANSCRIBED and r.original_key and r.transcript is not None
    ]
    stamps = sorted((r.transcribed_at - began).total_seconds() for r in done)
    return {
        "recordings": len(sids),
        "answer_rows": len(rows),
        "transcribed": len(done),
        "answers_lost": len(sids) - len(done),
        "still_queued": sum(
            1 for r in rows if r.status in (*AnswerStatus.IN_PIPELINE, AnswerStatus.FAILED)
        ),
        "statuses": dict(sorted(Counter(r.status for r in rows).items())),
        "retried": sum(1 for r in rows if r.attempts_failed),
        "first_transcript_s": round(stamps[0], 1) if stamps else None,
        "median_transcript_s": round(statistics.median(stamps), 1) if stamps else None,
        "last_transcript_s": round(stamps[-1], 1) if stamps else None,
        "stt_engines": sorted({r.stt_engine for r in done if r.stt_engine}),
        "word_error_rate": (
            round(word_error_rate([spoken] * len(done), [r.transcript for r in done]), 3)
            if done
            else None
        ),
    }
