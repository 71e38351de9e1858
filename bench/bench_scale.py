"""Benchmark Screenline's scale figures on this machine, each a ratio from one run.

Run from the repository root:  python bench/bench_scale.py [--seconds 10] [--out FILE]

1. Webhook throughput and latency: `wrk` posts pre-signed first webhooks (`/ivr/voice`,
   a new CallSid each request, Twilio's fields and a valid X-Twilio-Signature) to
   gunicorn serving Screenline as `screenline serve` does (2 processes x 4 threads,
   PostgreSQL, Redis), and the same requests to a bare Flask endpoint returning constant
   TwiML served by the same gunicorn with the same settings; at 20 and 100 connections.
   A third server, the floor, does the first webhook's own database work and nothing
   else (the signature, then SELECT the call FOR UPDATE, SELECT the interview answering
   the number, INSERT the call, COMMIT: raw psycopg, one connection per thread), so the
   report tells how much of Screenline's cost is the database work itself and how much
   is everything around it. Reported: requests/s, p50 and p99 latency, errors, and
   Screenline's and the floor's requests/s as shares of the bare figure.
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
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import NUMBER, machine, redis_database, scratch_database  # noqa: E402
from common import seed_callers as seed  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402

from config.settings import Settings  # noqa: E402
from dashboard.cli import gunicorn_args  # noqa: E402
from tests.support import (  # noqa: E402
    env_for,
    free_port,
    start_process,
    stop_process,
    wait_for_http,
)

CONNECTIONS = (20, 100)
WRK_THREADS = 2
PRESIGNED = 20_000  # distinct first webhooks per run (a new CallSid each)
ACCOUNT, TOKEN = "AC" + "3" * 32, "bench-auth-token"
LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")

BARE_APP = """
from flask import Flask, Response

app = Flask(__name__)
TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Hello.</Say></Response>'


@app.post("/ivr/voice")
def voice():
    return Response(TWIML, mimetype="text/xml")
"""

FLOOR_APP = """
import os
import threading
from datetime import UTC, datetime

import psycopg
from flask import Flask, Response, request
from twilio.request_validator import RequestValidator

from voice.models import Call

app = Flask(__name__)
DATABASE = os.environ["SCREENLINE_DATABASE_URL"].replace("postgresql+psycopg", "postgresql")
PUBLIC_URL = os.environ["SCREENLINE_PUBLIC_URL"]
validator = RequestValidator(os.environ["TWILIO_AUTH_TOKEN"])
connections = threading.local()
# Every column of the calls row, as the ORM would fill it for a new call.
DEFAULTS = {
    c.name: (c.default.arg if c.default is not None and c.default.is_scalar else None)
    for c in Call.__table__.columns
    if c.name != "id"
}
INSERT = "INSERT INTO calls (%s) VALUES (%s)" % (
    ", ".join(DEFAULTS), ", ".join(["%s"] * len(DEFAULTS))
)


def connection():
    if not hasattr(connections, "db"):
        connections.db = psycopg.connect(DATABASE)
    return connections.db


@app.get("/healthz")
def healthz():
    return "ok"


@app.post("/ivr/voice")
def voice():
    form = request.form
    signature = request.headers.get("X-Twilio-Signature", "")
    if not validator.validate(PUBLIC_URL + "/ivr/voice", form.to_dict(), signature):
        return Response(status=403)
    db = connection()
    with db.transaction():
        known = db.execute(
            "SELECT id FROM calls WHERE call_sid = %s FOR UPDATE", (form["CallSid"],)
        ).fetchone()
        interview_id, title = db.execute(
            "SELECT id, title FROM interviews WHERE phone_number = %s", (form["To"],)
        ).fetchone()
        if known is None:
            row = dict(DEFAULTS, call_sid=form["CallSid"], interview_id=interview_id,
                       from_number=form["From"], to_number=form["To"],
                       status=form["CallStatus"], direction=form["Direction"],
                       started_at=datetime.now(UTC).replace(tzinfo=None))
            db.execute(INSERT, list(row.values()))
    twiml = (
        '<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="%s/ivr/consent" '
        'numDigits="1"><Say>Welcome to your phone interview for %s.</Say></Gather></Response>'
    ) % (PUBLIC_URL, title)
    return Response(twiml, mimetype="text/xml")
"""

WRK_SCRIPT = """
local bodies = {%(bodies)s}
local signatures = {%(signatures)s}
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
function init(args)
  n = 0
end
function request()
  local i = (id + n * %(threads)d) %% #bodies + 1
  n = n + 1
  return wrk.format("POST", "/ivr/voice", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Twilio-Signature"] = signatures[i],
  }, bodies[i])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %%d, "duration_us": %%d, "socket_errors": %%d, "non_2xx": %%d, ' ..
    '"p50_us": %%d, "p99_us": %%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout,
    e.status, latency:percentile(50), latency:percentile(99)))
end
"""


def lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_script(folder: Path, public_url: str) -> Path:
    """A wrk script cycling through PRESIGNED signed first webhooks, threads interleaved."""
    validator = RequestValidator(TOKEN)
    bodies, signatures = [], []
    for n in range(PRESIGNED):
        caller = f"+1555700{n % 10000:04d}"
        fields = {
            "CallSid": "CA" + uuid.uuid4().hex,
            "AccountSid": ACCOUNT,
            "From": caller,
            "To": NUMBER,
            "Caller": caller,
            "Called": NUMBER,
            "CallStatus": "ringing",
            "ApiVersion": "2010-04-01",
            "Direction": "inbound",
        }
        bodies.append(lua_string(urlencode(fields)))
        signatures.append(
            lua_string(validator.compute_signature(f"{public_url}/ivr/voice", fields))
        )
    script = folder / f"webhooks-{uuid.uuid4().hex[:6]}.lua"
    script.write_text(
        WRK_SCRIPT
        % {"bodies": ",".join(bodies), "signatures": ",".join(signatures), "threads": WRK_THREADS}
    )
    return script


def wrk(url: str, script: Path, connections: int, seconds: int) -> dict:
    """One wrk run; its summary as a dict with requests/s and latencies in ms."""
    out = subprocess.run(
        [
            "wrk",
            f"-t{WRK_THREADS}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "15s",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 120,
    )
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    return {
        "connections": connections,
        "requests": summary["requests"],
        "requests_per_s": round(summary["requests"] / (summary["duration_us"] / 1e6), 1),
        "p50_ms": round(summary["p50_us"] / 1000, 1),
        "p99_ms": round(summary["p99_us"] / 1000, 1),
        "errors": summary["socket_errors"] + summary["non_2xx"],
    }


def webhooks(seconds: int, folder: Path) -> list[dict]:
    """Screenline's first webhook against bare Flask, at each connection count."""
    (folder / "bare_twiml.py").write_text(BARE_APP)
    (folder / "floor_sql.py").write_text(FLOOR_APP)
    rows = []
    with redis_database() as redis_url, scratch_database("postgresql", folder) as url:
        seed(url, 0)
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
        screenline = gunicorn_args("127.0.0.1", port, 2)
        bare = [*screenline[:-1], "--pythonpath", str(folder), "bare_twiml:app"]
        floor = [*screenline[:-1], "--pythonpath", str(folder), "floor_sql:app"]
        servers = (("bare flask", bare), ("sql floor", floor), ("screenline", screenline))
        for connections in CONNECTIONS:
            for name, args in servers:
                server = start_process(args, env_for(settings), folder / f"{name}.log")
                try:
                    try:
                        wait_for_http(f"{settings.public_url}/healthz", timeout=60)
                    except TimeoutError:
                        log = (folder / f"{name}.log").read_text(errors="replace")
                        raise SystemExit(f"{name} did not start:\n{log[-3000:]}") from None
                    # Every run gets CallSids of its own: a CallSid posted again is a
                    # call already made, not a first webhook.
                    warm_up = write_script(folder, settings.public_url)
                    wrk(settings.public_url, warm_up, connections, 2)  # both processes
                    script = write_script(folder, settings.public_url)
                    row = wrk(settings.public_url, script, connections, seconds)
                finally:
                    stop_process(server)
                row["server"] = name
                rows.append(row)
                print(f"  {name:>10} at {connections:>3} connections: {row}", flush=True)
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
    print("\nWebhook /ivr/voice (first webhook, new CallSid each), gunicorn 2 x 4 threads")
    print(f"{'conns':>5} {'server':>10} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}")
    for r in hooks:
        print(
            f"{r['connections']:>5} {r['server']:>10} {r['requests_per_s']:>8} "
            f"{r['p50_ms']:>7} {r['p99_ms']:>7} {r['errors']:>6}"
        )
    floor = webhook_ratios(hooks, "sql floor")
    for connections, share in webhook_ratios(hooks).items():
        line = f"  at {connections} connections Screenline serves {share:.1%} of bare Flask"
        if connections in floor:
            line += f" (the SQL floor {floor[connections]:.1%}: Screenline does "
            line += f"{share / floor[connections]:.0%} of what the same statements allow)"
        print(line)
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


def webhook_ratios(hooks: list[dict], server: str = "screenline") -> dict[int, float]:
    """`server`'s requests/s over bare Flask's, per connection count."""
    by = {(r["server"], r["connections"]): r["requests_per_s"] for r in hooks}
    return {
        c: by[(server, c)] / by[("bare flask", c)]
        for c in CONNECTIONS
        if by.get(("bare flask", c)) and (server, c) in by
    }


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
        "webhook_share_of_bare": {str(k): round(v, 3) for k, v in webhook_ratios(hooks).items()},
        "sql_floor_share_of_bare": {
            str(k): round(v, 3) for k, v in webhook_ratios(hooks, "sql floor").items()
        },
        "transcription": stt,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
