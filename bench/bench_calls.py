"""Benchmark concurrent calls at the telephone edge, and the whole pipeline behind a burst.

1. Webhooks, the embedded SQLite default against PostgreSQL (--calls, --engines): for
   each number of simultaneous calls N and each engine, makes a fresh database (a SQLite
   file, or a scratch PostgreSQL database dropped afterwards), starts gunicorn as
   `screenline serve` runs it (2 processes x 4 threads) and no worker, and has the
   Twilio stand-in place N calls of a one-question interview at the same instant from N
   candidates' phones, each answering with the same telephone-quality flite recording.
   Reported per engine and N: calls completed, webhooks that failed or answered >= 400,
   callers who heard the spoken apology, answer rows against recordings made, and the
   median / p95 / p99 / max webhook latency (each request timed in the stand-in's
   sender), with the SQLite/PostgreSQL ratio of the median and p95 from the same run.
   Without a worker the answers stay `announced`.
2. The pipeline (--pipeline N, default 200; 0 skips it): one burst of N calls on
   PostgreSQL with the workers running as the README's roles run them (calls_pipeline.py),
   at a lower CPU priority than the web server (nice 10, --worker-nice), each caller
   giving a short answer. Reported from the moment the burst starts: webhook
   errors, apologies, answers lost (recordings made whose answer is not stored and
   transcribed when the run ends), p50 and p99 webhook latency at the client, and the
   time until the last transcript was saved.

Run:  .venv/bin/python bench/bench_calls.py [--calls 25,50,100,200]
          [--engines sqlite,postgresql] [--pipeline 200] [--model tiny.en]
          [--worker-nice 10] [--drain-timeout 600] [--out bench/results/calls.json]
          [--logs var/bench/pipeline-logs]
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import tempfile
import wave
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from callers import TWILIO_LIMIT, TimedSender, burst, recorded, timed_webhooks, webhook_figures
from calls_pipeline import WARMUP_CALLS, measure_pipeline
from common import (
    ENGINES,
    ROOT,
    bench_settings,
    describe,
    machine,
    redis_database,
    scratch_database,
    seed_callers,
)
from sqlalchemy import func, select

from ivr.standin import TwilioApiServer, synthesise
from tests.support import free_port, web_server
from voice.audio import telephone_channel
from voice.db import make_engine
from voice.models import Answer

ANSWER_TEXT = "I worked at a grocery store for three years, mostly on the night shift."
PIPELINE_ANSWER = "Yes, three years on nights."  # short: 200 transcripts on 2 cores
PIPELINE_MODEL = "tiny.en"  # the fastest installed model (README: speech models)
ACCOUNT, TOKEN = "AC" + "2" * 32, "bench-auth-token"
# The workers share two cores with the web server here: at a lower CPU priority the
# webhooks come first, as with workers on machines of their own (README: Scaling out).
# Measured (30 November 2026, load average 8 to 12 from other work), 200 calls with the
# workers at 0: 33 calls completed, 578 webhook requests unanswered within 15 s; at 10,
# three runs: all 200 completed, 150, 0 and 0 unanswered (each answered on retry).
WORKER_NICE = 10


@contextmanager
def call_settings(url: str, folder: Path, redis_url: str, **fields):
    """Start the Twilio stand-in's API; yield (settings the web server and workers run
    with, the API server), and stop the API afterwards."""
    api = TwilioApiServer(ACCOUNT, TOKEN).start()
    try:
        yield (
            bench_settings(
                url,
                folder,
                env="development",
                redis_url=redis_url,
                public_url=f"http://127.0.0.1:{free_port()}",
                twilio_account_sid=ACCOUNT,
                twilio_auth_token=TOKEN,
                twilio_api_url=api.url,
                **fields,
            ),
            api,
        )
    finally:
        api.stop()


def locked_reruns(web_log: Path) -> int:
    """How many times a webhook found SQLite locked and was run again (ivr.views.webhook)."""
    if not web_log.exists():
        return 0
    return web_log.read_text(errors="replace").count("database locked at")


def measure(engine: str, calls: int, folder: Path, redis_url: str, audio: bytes) -> dict:
    """Run one burst of `calls` calls on a fresh `engine` database, no worker; its figures."""
    logs = folder / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with scratch_database(engine, folder) as url:
        seed_callers(url, calls + WARMUP_CALLS)
        with (
            call_settings(url, folder, redis_url) as (settings, api),
            web_server(settings, logs / "web.log"),
        ):
            burst(settings, api, audio, calls, WARMUP_CALLS)
            TimedSender.take()
            reruns_before = locked_reruns(logs / "web.log")
            load_before = os.getloadavg()[0]
            call_logs, seconds = burst(settings, api, audio, 0, calls)
            samples = TimedSender.take()
            load_after = os.getloadavg()[0]
            reruns = locked_reruns(logs / "web.log") - reruns_before
        sids = recorded(call_logs)
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
    figures = webhook_figures(samples, call_logs)
    return {
        "engine": engine,
        "calls": calls,
        **figures,
        "locked_reruns": reruns,
        "recordings": len(sids),
        "answer_rows": rows,
        "burst_seconds": round(seconds, 1),
        "load_before": round(load_before, 2),
        "load_after": round(load_after, 2),
    }


def pipeline(args: argparse.Namespace, redis_url: str) -> dict:
    """The pipeline run (calls_pipeline.py) of `args.pipeline` calls on a fresh
    PostgreSQL database, with whisper model `args.model` and the workers at
    `args.worker_nice`, the web server's and workers' logs written to `args.logs`
    (emptied first); its figures, with the answer audio and the model asked for."""
    audio = telephone_channel(synthesise(PIPELINE_ANSWER))
    logs = args.logs
    logs.mkdir(parents=True, exist_ok=True)
    for old in logs.glob("*.log"):
        old.unlink()
    with (
        tempfile.TemporaryDirectory(prefix="screenline-bench-pipeline-") as folder,
        scratch_database("postgresql") as url,
        call_settings(url, Path(folder), redis_url, whisper_model=args.model) as (settings, api),
    ):
        load_before = os.getloadavg()[0]
        result = measure_pipeline(
            url,
            settings,
            api,
            audio,
            PIPELINE_ANSWER,
            args.pipeline,
            logs,
            args.drain_timeout,
            args.worker_nice,
        )
    return {
        **result,
        "model": args.model,
        "answer": {"text": PIPELINE_ANSWER, "seconds": audio_seconds(audio)},
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
    }


def audio_seconds(wav: bytes) -> float:
    """Length of a PCM WAV recording in seconds, to 0.1 s."""
    with wave.open(io.BytesIO(wav)) as w:
        return round(w.getnframes() / w.getframerate(), 1)


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


def print_pipeline(r: dict) -> None:
    """Print the pipeline run: what ran, then its figures on one line."""
    print(
        f"\npipeline: {r['calls']} calls at once on PostgreSQL, gunicorn 2 x 4 threads, "
        f"workers (nice {r['worker_nice']}): downloads 1 process, transcription "
        f"{r['transcription_workers']}; "
        f"model {r['model']} (ran: {', '.join(r['stt_engines']) or 'none'}); answer: flite "
        f'"{r["answer"]["text"]}" ({r["answer"]["seconds"]} s) through the telephone line'
    )
    print(
        f"{'done':>6}{'hooks':>7}{'errors':>7}{'sorry':>6}{'recs':>6}{'transcribed':>12}"
        f"{'lost':>6}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'last transcript s':>19}"
        f"{'WER':>6}{'load':>6}"
    )
    last = r["last_transcript_s"]
    wer = r["word_error_rate"]
    print(
        f"{r['completed']:>6}{r['webhooks']:>7}{r['webhook_errors']:>7}{r['apologies']:>6}"
        f"{r['recordings']:>6}{r['transcribed']:>12}{r['answers_lost']:>6}"
        f"{r['median_ms']:>9.0f}{r['p99_ms']:>9.0f}{r['max_ms']:>9.0f}"
        f"{'-' if last is None else f'{last:.1f}':>19}{'-' if wer is None else f'{wer:.0%}':>6}"
        f"{r['load_after']:>6.1f}"
    )
    if r["error_kinds"]:
        print(f"errors: {', '.join(r['error_kinds'])}")
    if not r["all_transcribed"]:
        print(
            f"not every answer was transcribed within {r['waited_s']} s of the start: "
            f"{r['still_queued']} still queued; answers by status {r['statuses']}"
        )


def parse_args() -> argparse.Namespace:
    """The command line; exits with a usage message on bad values."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--calls", default="25,50,100,200", help="comma-separated N, or none (webhooks)"
    )
    parser.add_argument("--engines", default=",".join(ENGINES), help="sqlite,postgresql")
    parser.add_argument(
        "--pipeline", type=int, default=200, help="calls in the run with workers (0: none)"
    )
    parser.add_argument("--model", default=PIPELINE_MODEL, help="whisper model of that run")
    parser.add_argument(
        "--worker-nice",
        type=int,
        default=WORKER_NICE,
        help="CPU priority of that run's workers (0: the web server's; 19: the lowest)",
    )
    parser.add_argument(
        "--drain-timeout",
        type=float,
        default=600.0,
        help="seconds from the burst's start to wait for its transcripts",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "calls.json")
    parser.add_argument(
        "--logs",
        type=Path,
        default=ROOT / "var" / "bench" / "pipeline-logs",
        help="where the pipeline run's web and worker logs are kept",
    )
    args = parser.parse_args()
    try:
        args.counts = [
            int(n) for n in args.calls.split(",") if n.strip() and n.strip().lower() != "none"
        ]
    except ValueError:
        parser.error(f"--calls takes whole numbers separated by commas, not {args.calls!r}")
    args.engine_list = [e.strip().lower() for e in args.engines.split(",") if e.strip()]
    if any(n < 1 or n > 1000 for n in args.counts) or not 0 <= args.pipeline <= 1000:
        parser.error("--calls and --pipeline take numbers from 1 to 1000 (--pipeline 0: none)")
    if not args.counts and not args.pipeline:
        parser.error("nothing to run: give --calls or --pipeline")
    if args.counts and (not args.engine_list or any(e not in ENGINES for e in args.engine_list)):
        parser.error(f"--engines takes {' and/or '.join(ENGINES)}, not {args.engines!r}")
    if not 0 <= args.worker_nice <= 19:
        parser.error("--worker-nice takes 0 (the web server's priority) to 19 (the lowest)")
    if args.drain_timeout <= 0:
        parser.error("--drain-timeout takes a positive number of seconds")
    return args


def main() -> int:
    args = parse_args()
    # The stand-in's API is a werkzeug server: keep its request lines (downloads, texts
    # sent by the workers) out of the table's way.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    audio = telephone_channel(synthesise(ANSWER_TEXT))
    info = machine()
    print(describe(info))
    results, piped = [], None
    with redis_database() as redis_url, timed_webhooks():
        # Engines alternate at each N, so both meet the same background load.
        for calls in args.counts:
            for engine in args.engine_list:
                with tempfile.TemporaryDirectory(prefix="screenline-bench-calls-") as folder:
                    print(f"{engine}: {calls} calls at once ...", flush=True)
                    results.append(measure(engine, calls, Path(folder), redis_url, audio))
        if args.pipeline:
            print(f"pipeline: {args.pipeline} calls at once with workers ...", flush=True)
            piped = pipeline(args, redis_url)
    ratio_rows = ratios(results)
    if results:
        print()
        print_table(results, ratio_rows)
    if piped:
        print_pipeline(piped)
    report = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": info,
        "server": "gunicorn, 2 processes x 4 threads; no worker but in the pipeline run",
        "twilio_limit_s": TWILIO_LIMIT,
        "results": results,
        "ratios": ratio_rows,
        "largest_clean_n": clean_limits(results),
        "pipeline": piped,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
