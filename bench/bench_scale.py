"""Benchmark Screenline's scale figures on this machine, each a ratio from one run.

Run from the repository root:  python bench/bench_scale.py [--seconds 10] [--out FILE]

1. Webhook throughput and latency (bench/webhook_load.py): `wrk` posts pre-signed
   webhooks (Twilio's fields and a valid X-Twilio-Signature) to gunicorn serving
   Screenline as `screenline serve` does (2 processes x 4 threads, PostgreSQL, Redis),
   and the same requests to bare Flask answering constant TwiML under the same gunicorn
   settings; at 20 and 100 connections. Two loads: first webhooks (`/ivr/voice`, a new
   CallSid each request) and whole calls (each connection one caller placing calls to a
   3-question interview, every webhook in Twilio's order: voice, consent, per question
   the question, the record action and the recording status callback, then the status
   callback; each call a different candidate). First webhooks are also sent to two floors
   that do only the first webhook's database work in raw psycopg: the same statements
   Screenline sends, and all of it in one statement, so the report tells how much of
   Screenline's cost is the database work itself. Reported: requests/s, p50 and p99
   latency, errors, and each server's requests/s as a share of bare Flask's.
2. Transcription throughput: audio minutes transcribed per wall-clock minute by 1 and by
   2 speech-to-text processes side by side (each with cores / processes CPU threads, as
   `screenline worker --queues transcribe --processes N` runs them), and per core.
   Audio: Debian's LibriVox clips through the telephone channel, normalised as the
   worker does; the model is loaded before the clock starts.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import webhook_load  # noqa: E402
from common import NUMBER, caller_phone, machine, redis_database, scratch_database  # noqa: E402
from common import seed_callers as seed  # noqa: E402

from config.settings import Settings  # noqa: E402
from dashboard.app import create_app  # noqa: E402
from dashboard.cli import gunicorn_args  # noqa: E402
from tests.support import (  # noqa: E402
    env_for,
    free_port,
    start_process,
    stop_process,
    wait_for_http,
)

CONNECTIONS = (20, 100)
ACCOUNT, TOKEN = "AC" + "3" * 32, "bench-auth-token"
LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")
QUESTIONS = 3  # whole calls: voice, consent, 3 x (question, answer, recording), status
CALLS_PER_RUN = 1_000  # whole calls per measured run (each a different candidate)
WARM_UP_CALLS = 200
FIRST_WEBHOOK_SERVERS = ("bare flask", "sql floor", "one-statement floor", "screenline")
WHOLE_CALL_SERVERS = ("bare flask", "screenline")


def webhooks(seconds: int, folder: Path) -> list[dict]:
    """Screenline's first webhook and whole calls against bare Flask, at each connection
    count; first webhooks also against the two SQL floors (bench/webhook_load.py)."""
    (folder / "bare_twiml.py").write_text(webhook_load.BARE_APP)
    (folder / "floor_sql.py").write_text(webhook_load.FLOOR_APP)
    rows = []
    callers_per_count = WARM_UP_CALLS + CALLS_PER_RUN
    with redis_database() as redis_url, scratch_database("postgresql", folder) as url:
        seed(url, 1 + callers_per_count * len(CONNECTIONS), questions=QUESTIONS)
        port = free_port()
        settings = Settings(
            env="development",
            database_url=url,
            redis_url=redis_url,
            media_dir=folder / "media",
            metrics_dir=folder / "metrics",
            secret_key="bench-secret-key-0123456789abcdef0123456789",  # noqa: S106
            public_url=f"http://127.0.0.1:{port}",
            twilio_account_sid=ACCOUNT,
            twilio_auth_token=TOKEN,
        )
        # The whole call's webhooks, found by placing one call (the last caller's) in process.
        app = create_app(settings)
        steps = webhook_load.call_steps(
            app, settings, caller_phone(callers_per_count * len(CONNECTIONS)), NUMBER
        )
        app.extensions["screenline"].close()
        screenline = gunicorn_args("127.0.0.1", port, 2)
        commands = {
            "screenline": (screenline, {}),
            "bare flask": ([*screenline[:-1], "--pythonpath", str(folder), "bare_twiml:app"], {}),
            "sql floor": ([*screenline[:-1], "--pythonpath", str(folder), "floor_sql:app"], {}),
            "one-statement floor": (
                [*screenline[:-1], "--pythonpath", str(folder), "floor_sql:app"],
                {"FLOOR_ONE_STATEMENT": "1"},
            ),
        }
        threads = webhook_load.FIRST_WEBHOOK_THREADS

        def first(name: str, connections: int, secs: int) -> dict:
            script, extra = webhook_load.first_webhooks_script(
                folder, settings.public_url, ACCOUNT, TOKEN, NUMBER
            )  # a new CallSid each: a CallSid posted again is a call already made
            return webhook_load.wrk_run(
                settings.public_url, script, extra, connections, threads, secs
            )

        for index, connections in enumerate(CONNECTIONS):
            first_caller = callers_per_count * index
            callers = [caller_phone(first_caller + n) for n in range(callers_per_count)]
            warm_up = webhook_load.whole_calls_script(
                folder, settings, steps, callers[:WARM_UP_CALLS], NUMBER
            )
            measured = webhook_load.whole_calls_script(
                folder, settings, steps, callers[WARM_UP_CALLS:], NUMBER
            )

            def whole(name: str, connections: int, secs: int, script=measured) -> dict:
                return webhook_load.wrk_run(
                    settings.public_url, *script, connections, connections, secs
                )

            plans = [("first webhook", name, first) for name in FIRST_WEBHOOK_SERVERS]
            plans += [("whole call", name, whole) for name in WHOLE_CALL_SERVERS]
            for load, name, run in plans:
                command, extra_env = commands[name]
                env = {**env_for(settings), **extra_env}
                server = start_process(command, env, folder / f"{name}.log")
                try:
                    try:
                        wait_for_http(f"{settings.public_url}/healthz", timeout=60)
                    except TimeoutError:
                        log = (folder / f"{name}.log").read_text(errors="replace")
                        raise SystemExit(f"{name} did not start:\n{log[-3000:]}") from None
                    if load == "whole call":  # its own calls: each warms both processes
                        webhook_load.wrk_run(
                            settings.public_url, *warm_up, connections, connections, 2
                        )
                    else:
                        run(name, connections, 2)
                    row = run(name, connections, seconds)
                finally:
                    stop_process(server)
                row.update(server=name, load=load)
                if name == "screenline":
                    # An apology is a 200 to wrk: count the webhooks Screenline could not
                    # serve (refused fields, or a step that failed) from its log.
                    log = (folder / f"{name}.log").read_text(errors="replace")
                    row["apologies"] = log.count(" failed for call ") + log.count("refused /ivr")
                else:
                    row.pop("ran_out_of_calls")  # only Screenline's calls are used up
                rows.append(row)
                print(f"  {load}, {name} at {connections:>3} connections: {row}", flush=True)
    return rows


def clips() -> list[tuple[bytes, float]]:
    """LibriVox clips as the worker's speech copies: (16 kHz mono WAV bytes, seconds)."""
    from voice.audio import normalise, telephone_channel

    out = []
    for path in sorted(LIBRIVOX.glob("*.wav")):
        processed = normalise(telephone_channel(path.read_bytes()))
        out.append((processed.speech_wav, processed.seconds))
    return out


def _transcriber(model, threads, share, barrier, results):
    from voice.stt import WhisperEngine

    engine = WhisperEngine(model, cpu_threads=threads)
    engine.load()
    barrier.wait()
    began = time.time()
    for wav, _ in share:
        engine.transcribe(wav, "en-US")
    results.put((began, time.time(), engine.name))


def transcription(models: list[str], repeats: int) -> list[dict]:
    """Throughput rows for each model in turn."""
    rows = []
    for model in models:
        for row in throughput(model, repeats):
            rows.append({"model": model, **row})
    return rows


def throughput(model: str, repeats: int) -> list[dict]:
    """Audio minutes per wall minute with 1 and 2 processes, cores split between them."""
    audio = clips() * repeats
    audio_seconds = sum(seconds for _, seconds in audio)
    cores = len(os.sched_getaffinity(0))
    spawn = multiprocessing.get_context("spawn")
    rows = []
    for processes in (1, 2):
        threads = max(1, cores // processes)
        barrier, results = spawn.Barrier(processes), spawn.Queue()
        shares = [audio[i::processes] for i in range(processes)]
        workers = [
            spawn.Process(target=_transcriber, args=(model, threads, s, barrier, results))
            for s in shares
        ]
        for w in workers:
            w.start()
        spans = [results.get(timeout=1800) for _ in workers]
        for w in workers:
            w.join()
        wall = max(end for _, end, _ in spans) - min(start for start, _, _ in spans)
        per_minute = (audio_seconds / 60) / (wall / 60)
        row = {
            "engine": spans[0][2],  # what actually ran (base falls back to tiny.en if absent)
            "processes": processes,
            "threads_each": threads,
            "audio_minutes": round(audio_seconds / 60, 2),
            "wall_seconds": round(wall, 1),
            "audio_minutes_per_minute": round(per_minute, 2),
            "per_core": round(per_minute / cores, 2),
        }
        rows.append(row)
        print(f"  {model}: {processes} process(es) x {threads} threads: {row}", flush=True)
    return rows


def print_table(hooks: list[dict], stt: list[dict]) -> None:
    for load in dict.fromkeys(r["load"] for r in hooks):
        print(f"\nWebhooks, {load}, gunicorn 2 x 4 threads")
        print(f"{'conns':>5} {'server':>19} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}")
        for r in (r for r in hooks if r["load"] == load):
            print(
                f"{r['connections']:>5} {r['server']:>19} {r['requests_per_s']:>8} "
                f"{r['p50_ms']:>7} {r['p99_ms']:>7} {r['errors']:>6}"
                + (f"  ({r['apologies']} apologies)" if r.get("apologies") else "")
                + ("  (ran out of calls)" if r.get("ran_out_of_calls") else "")
            )
        for connections, shares in webhook_ratios(hooks, load).items():
            said = ", ".join(f"{name} {share:.1%}" for name, share in shares.items())
            print(f"  at {connections} connections, share of bare Flask: {said}")
    print("\nTranscription (whisper int8, cores split between processes)")
    print(f"{'engine':>16} {'procs':>5} {'threads':>7} {'audio min/min':>13} {'per core':>8}")
    for r in stt:
        print(
            f"{r['engine']:>16} {r['processes']:>5} {r['threads_each']:>7} "
            f"{r['audio_minutes_per_minute']:>13} {r['per_core']:>8}"
        )
    for model in dict.fromkeys(r["model"] for r in stt):
        one, two = (r for r in stt if r["model"] == model)
        gain = two["audio_minutes_per_minute"] / one["audio_minutes_per_minute"]
        print(f"  {one['engine']}: 2 processes / 1 process: {gain:.2f}x")


def webhook_ratios(hooks: list[dict], load: str) -> dict[int, dict[str, float]]:
    """Each server's requests/s over bare Flask's under `load`: {connections: {server: share}}."""
    by = {(r["server"], r["connections"]): r["requests_per_s"] for r in hooks if r["load"] == load}
    shares: dict[int, dict[str, float]] = {}
    for (server, connections), rate in by.items():
        bare = by.get(("bare flask", connections))
        if server != "bare flask" and bare:
            shares.setdefault(connections, {})[server] = round(rate / bare, 3)
    return shares


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="per wrk run (default 10)")
    parser.add_argument("--repeats", type=int, default=2, help="passes over the clips")
    parser.add_argument(
        "--models", default="base,tiny.en", help="whisper models for throughput (comma-separated)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "scale.json")
    parser.add_argument(
        "--webhooks-only", action="store_true", help="skip transcription throughput"
    )
    args = parser.parse_args()
    info = machine()
    print(f"{info['cpu']}, {info['cores']} cores, load average {info['load_average'][0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="screenline-bench-scale-") as folder:
        print("webhooks ...", flush=True)
        hooks = webhooks(args.seconds, Path(folder))
    print("transcription ...", flush=True)
    models = [] if args.webhooks_only else [m for m in args.models.split(",") if m.strip()]
    stt = transcription([m.strip() for m in models], args.repeats)
    print_table(hooks, stt)
    report = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": info,
        "webhooks": hooks,
        "share_of_bare_flask": {
            load: {str(c): shares for c, shares in webhook_ratios(hooks, load).items()}
            for load in ("first webhook", "whole call")
        },
        "transcription": stt,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
