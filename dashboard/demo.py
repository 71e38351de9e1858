"""`screenline demo`: a whole interview on this machine, then the dashboard to review it.

Starts three processes (the Twilio stand-in API, the web server, a worker), places two
calls with spoken answers through the stand-in (one caller picks English, one Spanish),
waits for the transcripts, prints them, and keeps serving the dashboard until Ctrl-C.
The stand-in also answers the dashboard's "call me now" calls, as a candidate would.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import redis
import requests
from rq import Worker
from sqlalchemy import select

from config.settings import Settings
from dashboard.cli import gunicorn_args
from dashboard.presenters import candidate_words, result_answer
from voice import audit
from voice.accounts import create_user
from voice.candidates import add_candidate, phone_owner
from voice.db import make_engine, make_session_factory, unit_of_work
from voice.interviews import interview_from_spec, read_interview_file
from voice.migrate import upgrade
from voice.models import Interview, Organization, Role, User
from voice.results import interview_results, unsettled_answers

# Exit statuses of a child that a Ctrl-C stopped (see `interrupted`).
INTERRUPT_CODES = frozenset({0, -signal.SIGINT, -signal.SIGTERM, 128 + signal.SIGINT})
SHUTDOWN_GRACE = 15.0  # seconds the other children get to finish their shutdown
STANDIN_HOST = "127.0.0.1"  # the Twilio stand-in listens here, on --api-port
DEMO_FILE = Path(__file__).parent / "demo" / "interview.yaml"
DEMO_ORG = "Northwind Logistics"
DEMO_EMAIL = "demo@screenline.test"  # .test: reserved for trials (RFC 6761)
DEMO_PASSWORD = "screenline-demo"  # noqa: S105 - a local demo login, printed for the user
DEMO_ACTOR = audit.Actor.system("demo set-up")  # who the audit trail says made the demo
DEMO_ANSWERS = (
    # The first try at question 3, which the caller records again.
    "Sorry, I was not ready for that one. Can I please start my answer again?",
    "For the last two years I worked at a grocery warehouse. I picked orders, "
    "loaded trucks and drove a forklift on the night shift.",
    "I live fifteen minutes away and I have my own car. I have never missed a shift.",
    "A new teammate was slow on the scanner, so I showed him the shortcuts and we "
    "finished the truck together on time.",
)
# The keys the demo caller presses at each prompt, in order ("" presses nothing).
DEMO_KEYS = (
    "1",  # English, at the language menu
    "1",  # agree to recording
    "1",  # question 1, yes/no: yes, 18 or older
    "32#",  # question 2, number: 32 hours a week
    "",  # question 3 is read; nothing pressed, so recording starts
    "2",  # record question 3 again (a retake)
    "",  # question 3 again
    "",  # question 4
    "1",  # keep it
    "",  # question 5
    "1",  # keep it
)
# The second caller picks Spanish and answers in Spanish (spoken by espeak-ng).
DEMO_SPANISH_ANSWERS = (
    "Trabajé dos años en un almacén. Preparaba pedidos y cargaba camiones en el turno de noche.",
    "Vivo a quince minutos y tengo mi propio carro. Nunca he faltado a un turno.",
    "Un compañero nuevo era lento con el escáner, así que le enseñé los atajos y "
    "terminamos el camión a tiempo.",
)
DEMO_SPANISH_KEYS = (
    "2",  # para español, oprima 2
    "1",  # agree to recording
    "1",  # question 1: yes
    "40#",  # question 2: 40 hours a week
    "",  # question 3
    "1",  # keep it
    "",  # question 4
    "1",  # keep it
    "",  # question 5
    "1",  # keep it
)

# Who picks up a "call me now" call pressed on the demo's dashboard: the stand-in answers
# it as a person (`python -m ivr.standin.api --outbound-answer`), picks English, agrees to
# recording, answers the keypad questions and speaks the first caller's answers, keeping
# each. The flow skips the PIN (the call names its candidate), so the call runs through
# the interview and ends "completed", as a real candidate's would.
DEMO_OUTBOUND_ANSWERS = DEMO_ANSWERS[1:]
DEMO_OUTBOUND_KEYS = (
    "1",  # English
    "1",  # agree to recording
    "1",  # question 1: yes
    "32#",  # question 2: 32 hours a week
    "",  # question 3
    "1",  # keep it
    "",  # question 4
    "1",  # keep it
    "",  # question 5
    "1",  # keep it
)


def standin_args(api_port: int) -> list[str]:
    """The Twilio stand-in's command line (after `python`): its API on STANDIN_HOST:api_port,
    answering outbound calls with DEMO_OUTBOUND_ANSWERS and DEMO_OUTBOUND_KEYS."""
    args = ["-m", "ivr.standin.api", "--host", STANDIN_HOST, "--port", str(api_port)]
    for text in DEMO_OUTBOUND_ANSWERS:
        args += ["--outbound-answer", text]
    for keys in DEMO_OUTBOUND_KEYS:
        args += ["--outbound-digits", keys]
    return args


def demo_settings(settings: Settings, host: str, port: int, api_port: int) -> Settings:
    """The demo's own URLs: the server on `port`, the Twilio stand-in on `api_port`."""
    return settings.replace(
        public_url=f"http://{host}:{port}", twilio_api_url=f"http://{STANDIN_HOST}:{api_port}"
    )


def prepare(settings: Settings) -> tuple[int, str, str, str]:
    """Migrate, and make the demo organisation, login, interview and a fresh candidate."""
    upgrade(settings.database_url)
    factory = make_session_factory(make_engine(settings.database_url))
    spec = read_interview_file(DEMO_FILE.read_bytes(), name=str(DEMO_FILE))
    with unit_of_work(factory) as session:
        org = session.scalar(select(Organization).where(Organization.name == DEMO_ORG))
        if org is None:
            org = Organization(name=DEMO_ORG)
            session.add(org)
            session.flush()
        if session.scalar(select(User).where(User.email == DEMO_EMAIL)) is None:
            user = create_user(session, org, DEMO_EMAIL, DEMO_PASSWORD, Role.ADMIN, "Demo Manager")
            session.flush()
            audit.record(
                session,
                org.id,
                "user_created",
                DEMO_ACTOR,
                detail={"user_id": user.id, "role": Role.ADMIN},
                subject={"email": user.email},
            )
        interview = session.scalar(
            select(Interview).where(Interview.phone_number == spec["phone_number"])
        )
        if interview is None:
            interview = interview_from_spec(session, org, spec)
            session.flush()
            audit.record(
                session,
                org.id,
                "interview_created",
                DEMO_ACTOR,
                interview_id=interview.id,
                detail={"source": "file", "file": DEMO_FILE.name, "title": interview.title},
            )
        session.flush()
        # A fresh caller ID each run, so caller ID finds this run's candidate (one phone
        # is one candidate of an interview: skip numbers already taken).
        count = len(interview.candidates)
        caller = next(
            number
            for n in range(count, count + 10000)
            if phone_owner(session, interview.id, number := f"+1555765{n % 10000:04d}") is None
        )
        candidate = add_candidate(session, interview, _next_name(interview), caller)
        session.commit()
        return interview.id, interview.phone_number, candidate.pin, caller


# The demo's candidates, in the order runs add them (three a run: an English caller, a
# Spanish caller, one waiting for "call me now").
DEMO_NAMES = (
    "Jordan Rivera",
    "Sam Okafor",
    "Priya Nair",
    "Lee Chen",
    "Maria Lopez",
    "Alex Kim",
    "Taylor Brooks",
    "Diego Ramirez",
    "Jamie Patel",
    "Chris Morgan",
    "Ana Torres",
    "Robin Hayes",
)


def _next_name(interview: Interview) -> str:
    """The first of DEMO_NAMES the interview has no candidate by, so that a second or later
    `make demo` on the same database adds people with names of their own (it cycled five
    names, and a second run showed two "Jordan Rivera"s); past them, "Demo caller N"."""
    taken = {candidate.name for candidate in interview.candidates}
    for name in DEMO_NAMES:
        if name not in taken:
            return name
    return f"Demo caller {len(interview.candidates) + 1}"


def child_env(settings: Settings) -> dict[str, str]:
    """The environment for the demo's server and worker: this process's, with the demo's URLs."""
    env = dict(os.environ)
    env.update(
        SCREENLINE_DATABASE_URL=settings.database_url,
        SCREENLINE_REDIS_URL=settings.redis_url,
        SCREENLINE_MEDIA_DIR=str(settings.media_dir),
        SCREENLINE_PUBLIC_URL=settings.public_url,
        SCREENLINE_TWILIO_API_URL=settings.twilio_api_url,
        PYTHONUNBUFFERED="1",
    )
    return env


def start(name: str, args: list[str], env: dict[str, str], logs: Path) -> subprocess.Popen:
    """Start `python *args` as a child process logging to `logs/<name>.log`."""
    logs.mkdir(parents=True, exist_ok=True)
    log = open(logs / f"{name}.log", "ab")  # noqa: SIM115 - lives as long as the child
    return subprocess.Popen([sys.executable, *args], env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_for(url: str, proc: subprocess.Popen, name: str, timeout: float = 60) -> None:
    """Wait until `url` answers; raise ClickException if `proc` dies or `timeout` s pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise click.ClickException(f"the {name} stopped; see var/log/{name}.log")
        try:
            requests.get(url, timeout=5)
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    raise click.ClickException(f"the {name} did not answer at {url}; see var/log/{name}.log")


def interrupted(code: int | None) -> bool:
    """Whether a child's exit status is how a Ctrl-C ends it, not a crash.

    `code` is a Popen returncode: None (still running), 0 (a clean shutdown: gunicorn and
    the RQ worker exit 0 on SIGINT), -SIGINT / -SIGTERM (killed by the signal, as Python
    ends itself on an uncaught KeyboardInterrupt) or 128 + SIGINT (the shell convention).
    Anything else (1, 3, -SIGKILL, ...) is a crash.
    """
    return code in INTERRUPT_CODES


def supervise(procs: dict[str, subprocess.Popen], grace: float = SHUTDOWN_GRACE) -> None:
    """Wait while every child runs; return once they stop as a Ctrl-C stops them.

    A terminal's Ctrl-C reaches the children as well as this process, and a child may end
    before this process sees its own KeyboardInterrupt (or never sees one, where SIGINT is
    ignored, as for a background job). So when a child stops, wait up to `grace` seconds
    for the others to stop too, then judge by exit statuses (`interrupted`).

    Raises ClickException naming the stopped processes and their exit statuses when one
    crashed, or when one stopped while the rest kept running (no Ctrl-C ends one alone).
    """
    while all(p.poll() is None for p in procs.values()):
        time.sleep(0.2)
    deadline = time.monotonic() + grace
    while any(p.poll() is None for p in procs.values()) and time.monotonic() < deadline:
        time.sleep(0.1)
    codes = {name: p.poll() for name, p in procs.items()}
    if all(interrupted(code) for code in codes.values()):
        return
    failed = ", ".join(
        f"the {name} (exit status {code})" for name, code in codes.items() if code is not None
    )
    raise click.ClickException(f"a demo process stopped: {failed}; see var/log/")


def serve_until_stopped(procs: dict[str, subprocess.Popen]) -> None:
    """Keep the demo's processes serving until Ctrl-C, then say "Stopped." and return.

    Raises ClickException (exit status 1) only when a process crashed (see `supervise`).
    """
    from ivr.standin.api import stop_on_interrupt

    stop_on_interrupt()  # even when started as a background job, with SIGINT ignored
    try:
        click.echo("Press Ctrl-C to stop.")
        supervise(procs)
    except KeyboardInterrupt:
        pass
    click.echo("\nStopped.")


def transcripts_done(settings: Settings, caller: str, since: datetime):
    """A check that every answer of the demo's calls since `since` has been processed."""
    factory = make_session_factory(make_engine(settings.database_url))

    def done() -> bool:
        with unit_of_work(factory) as session:
            return unsettled_answers(session, caller, since) == 0

    return done


def live_workers(redis_url: str) -> list[str]:
    """RQ workers registered on `redis_url` whose process is alive, as "host pid N".

    Another demo's (or deployment's) worker on the same Redis database would take this
    demo's jobs and fail them: job ids such as `message-4` name rows of its own
    database. A worker registered from this host whose process is gone (killed without
    stopping: its registration outlives it until RQ's worker TTL, 7 minutes) is not
    counted; one on another host is. Returns [] when Redis cannot be reached (the demo's
    own worker then says so).
    """
    here = socket.gethostname()
    try:
        workers = Worker.all(connection=redis.Redis.from_url(redis_url))
    except redis.RedisError:
        return []
    found = []
    for worker in workers:
        if worker.hostname == here and worker.pid and not _alive(worker.pid):
            continue
        found.append(f"{worker.hostname} pid {worker.pid}")
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def run_demo(settings: Settings, host: str, port: int, api_port: int, stay: bool) -> None:
    """Serve, place the demo call through the stand-in, wait for transcripts, print results.

    With `stay`, keep serving the dashboard until interrupted; otherwise stop and return.
    """
    from ivr.standin import place_call, synthesise

    if busy := live_workers(settings.redis_url):
        raise click.ClickException(
            f"another Screenline worker ({', '.join(busy)}) is using {settings.redis_url} "
            "and would take this demo's jobs; stop it, or give this demo a Redis database "
            "of its own, e.g. SCREENLINE_REDIS_URL=redis://127.0.0.1:6379/1 make demo"
        )
    settings = demo_settings(settings, host, port, api_port)
    interview_id, number, _pin, caller = prepare(settings)
    _, _, _, spanish_caller = prepare(settings)
    # A third candidate who has not called yet: "call me now" has something to ask them.
    _, _, _, waiting_phone = prepare(settings)
    env = child_env(settings)
    logs = Path("var/log")
    procs = {
        "twilio stand-in": start("standin", standin_args(api_port), env, logs),
        "web server": start(
            "web",
            gunicorn_args(host, port, workers=2),
            env,
            logs,
        ),
        "worker": start("worker", ["-m", "workers"], env, logs),
    }
    try:
        wait_for(
            f"http://{STANDIN_HOST}:{api_port}/_standin/health",
            procs["twilio stand-in"],
            "twilio stand-in",
        )
        wait_for(f"http://{host}:{port}/login", procs["web server"], "web server")
        click.secho(f"\nCalling {number} from {caller} through the Twilio stand-in…\n", bold=True)
        started = datetime.now(UTC) - timedelta(seconds=1)
        log = place_call(settings, number, caller, says=DEMO_ANSWERS, digits=DEMO_KEYS)
        click.echo(log.transcript())
        if not log.ok:
            raise click.ClickException(f"the call failed: {log.errors}")
        click.secho(f"\nA second caller, {spanish_caller}, picks Spanish…\n", bold=True)
        spanish = [synthesise(text, "es-MX") for text in DEMO_SPANISH_ANSWERS]
        log = place_call(settings, number, spanish_caller, spanish, digits=DEMO_SPANISH_KEYS)
        click.echo(log.transcript())
        if not log.ok:
            raise click.ClickException(f"the Spanish call failed: {log.errors}")
        click.secho("\nWaiting for the worker to transcribe the answers…", bold=True)
        checks = [transcripts_done(settings, c, started) for c in (caller, spanish_caller)]
        deadline = time.monotonic() + 600
        while not all(done() for done in checks):
            if procs["worker"].poll() is not None:
                raise click.ClickException("the worker stopped; see var/log/worker.log")
            if time.monotonic() > deadline:
                raise click.ClickException("transcription took too long; see var/log/worker.log")
            time.sleep(0.5)
        print_transcripts(settings, interview_id, [caller, spanish_caller])
        url = f"http://{host}:{port}"
        click.secho(f"\nDashboard: {url}/interviews/{interview_id}", bold=True)
        click.echo(f"Log in as {DEMO_EMAIL} with password {DEMO_PASSWORD}")
        click.echo(
            f"A third candidate ({waiting_phone}) has not called yet: on their Manage page, "
            f'"Call {waiting_phone} now" has the stand-in answer as them.'
        )
        if stay:
            serve_until_stopped(procs)
    except KeyboardInterrupt:
        click.echo("\nStopped.")
    finally:
        for proc in procs.values():
            proc.terminate()
        for proc in procs.values():
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def print_transcripts(settings: Settings, interview_id: int, phones: list[str]) -> None:
    """Print the kept answers of the candidates holding `phones` (E.164), in that order."""
    factory = make_session_factory(make_engine(settings.database_url))
    with unit_of_work(factory) as session:
        data = interview_results(session, session.get(Interview, interview_id))
    by_phone = {c["phone"]: c for c in data["candidates"]}
    for latest in (by_phone[phone] for phone in phones if phone in by_phone):
        click.secho(f"\nTranscripts for {latest['name']} [{candidate_words(latest)}]", bold=True)
        for answer in latest["answers"]:
            if answer["kept"]:
                language = answer.get("transcript_language")
                click.echo(f"  Q{answer['position']}. {answer['question']}")
                click.echo(
                    f"      {result_answer(answer)}" + (f" ({language})" if language else "")
                )
