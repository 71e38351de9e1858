"""The worker entry point: `python -m workers [--burst] [--queues Q,...] [--processes N]`.

Without `--queues` a worker takes every queue, downloads and messages before transcription.
Roles: `--queues recordings,messages` (downloads and texts: I/O, many per machine) and
`--queues transcribe` (CPU: one process per machine using every core, or `--processes N`
processes with cores / N threads each).

Workers run jobs in their own process (RQ's SimpleWorker) rather than forking a child
per job: the speech model stays loaded between jobs, and CTranslate2's OpenMP thread
pool does not survive a fork (a forked child hangs on its first transcription).

What a worker survives, and how:
- Redis going away, or restarting empty: RQ's loop gives up on some Redis errors; this
  loop then starts a fresh RQ worker after a backoff (1 s doubling to 30 s), for ever.
  The job that was running when Redis went finishes its database work first.
- Redis losing its memory: the sweep and the reminder check are run by the workers'
  own loop (workers/duties.py), not scheduled in Redis, so they come back by
  themselves and the sweep rebuilds the queues from the database.
- A worker killed mid-job: its answer lock dies with it, and another worker's sweep
  queues the answer again within SCREENLINE_SWEEP_INTERVAL seconds (+ the grace).
- Nothing forks: delayed jobs and RQ retries are moved to their queues by the workers'
  own loop (see ScreenlineWorker), so there is no scheduler process to die or hang.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import subprocess
import sys
import time

import redis
from redis.exceptions import RedisError
from rq import Queue, SimpleWorker
from rq.exceptions import StopRequested
from rq.scheduler import RQScheduler

from config import metrics
from config.logging import bind, setup_logging, unbind
from config.settings import ConfigError, Settings, load_settings
from voice.stt import available_cores, preload, stt_threads
from workers import context
from workers.duties import Duty, default_duties, run_due
from workers.queues import ALL_QUEUES, TRANSCRIBE

log = logging.getLogger(__name__)

DUTY_CHECK_SECONDS = 2  # how often an idle worker checks for due duties and dead jobs
WORKER_TTL = 20  # RQ's idle wait is this less 15 s; the worker's key expires after +60 s
RECONNECT_BACKOFF = (1, 2, 4, 8, 16, 30)  # seconds between restarts after losing Redis
HEALTHY_SECONDS = 60  # a worker up this long starts its backoff afresh next time


class _RoutineAtDebug(logging.LoggerAdapter):
    """A logger that writes INFO records at DEBUG and every other level as it is.

    For RQ's registry cleaning: it logs "cleaning registries for queue ..." at INFO on
    every maintenance pass (every DUTY_CHECK_SECONDS here, not RQ's 10 minutes), which
    buried the worker's own lines; its warnings and errors stay as they are.
    """

    def log(self, level, msg, *args, **kwargs) -> None:
        super().log(logging.DEBUG if level == logging.INFO else level, msg, *args, **kwargs)


class ScreenlineWorker(SimpleWorker):
    """RQ's in-process worker that also, between jobs, moves due scheduled jobs to their
    queues and runs Screenline's periodic duties.

    RQ's own scheduler runs in a forked child, and a child forked from a process holding
    the speech model's threads can hang (seen: a worker that never exits on SIGTERM, its
    teardown waiting for a scheduler that cannot stop). Here nothing forks: the same
    RQScheduler bookkeeping (one lock per queue, held by one worker at a time) runs in
    the worker's own loop every DUTY_CHECK_SECONDS.
    """

    # RQ's idle loop retries a lost Redis with doubling waits; cap them so a worker is
    # back within seconds of Redis returning (RQ's own cap is 60 s).
    max_connection_wait_time = 8.0

    def __init__(self, *args, duties: tuple[Duty, ...] = (), schedule: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.duties = duties
        self.stop_signalled = False  # SIGTERM or SIGINT: leave for good, do not start again
        self.in_process_scheduler = (
            RQScheduler(self.queue_names(), connection=self.connection, name=f"{self.name}-s")
            if schedule
            else None
        )

    def perform_job(self, job, queue, execution) -> bool:
        """Run one job with its id, queue (and answer, bound by the job) on every log
        record, and count it with its duration by queue, job and outcome."""
        unbind()
        bind(job_id=job.id, queue=queue.name)
        started = time.perf_counter()
        try:
            ok = super().perform_job(job, queue, execution)
        finally:
            unbind()
        result = job.return_value() if ok else None
        outcome = result if isinstance(result, str) and len(result) <= 24 else "finished"
        labels = (queue.name, job.func_name.rsplit(".", 1)[-1], outcome if ok else "error")
        metrics.JOBS.labels(*labels).inc()
        metrics.JOB_SECONDS.labels(*labels).observe(time.perf_counter() - started)
        return ok

    def request_stop(self, signum, frame) -> None:
        """A warm shutdown (SIGTERM/SIGINT): finish the job in hand, then exit the process."""
        self.stop_signalled = True
        super().request_stop(signum, frame)

    def run_maintenance_tasks(self) -> None:
        """RQ's registry cleaning, due scheduled jobs, then any duty that is due.

        A stop signal that lands inside a duty is raised by RQ's handler as StopRequested
        there, where the duty's own error handling would swallow it: check it again here.
        """
        super().run_maintenance_tasks()
        if not self.stop_signalled:
            self.enqueue_due_scheduled_jobs()
            run_due(self.connection, self.duties, owner=self.name)
        if self.stop_signalled:
            raise StopRequested()

    def clean_registries(self) -> None:
        """RQ's cleaning of each queue's registries, its routine line at DEBUG."""
        with self._routine_log():
            super().clean_registries()

    def clean_group_registries(self) -> None:
        """RQ's cleaning of the group registries, its routine line at DEBUG."""
        with self._routine_log():
            super().clean_group_registries()

    @contextlib.contextmanager
    def _routine_log(self):
        """RQ's worker log (self.log) writes INFO at DEBUG inside the block."""
        rq_log = self.log
        self.log = _RoutineAtDebug(rq_log)
        try:
            yield
        finally:
            self.log = rq_log

    def enqueue_due_scheduled_jobs(self) -> None:
        """Move jobs whose time has come (delayed jobs, RQ retries) onto their queues."""
        scheduler = self.in_process_scheduler
        if scheduler is None:
            return
        try:
            if scheduler.acquire_locks():  # acquires or refreshes; another worker may hold them
                scheduler.enqueue_scheduled_jobs()
        except RedisError as exc:
            log.warning("scheduled jobs not moved, Redis unreachable: %s", exc)

    def release_scheduler(self) -> None:
        """Let another worker take over scheduling at once (best effort)."""
        if self.in_process_scheduler is not None:
            with contextlib.suppress(RedisError):
                self.in_process_scheduler.release_locks()


def run_worker(
    settings: Settings, burst: bool = False, queues: tuple[str, ...] = ALL_QUEUES
) -> bool:
    """Load the model, run the duties once, then work the queues (until empty with `burst`).

    Returns whether any job ran (in burst mode); otherwise runs until SIGTERM/SIGINT.
    """
    setup_logging(settings.log_level, settings.secrets(), settings.log_format)
    context.use(settings)
    if TRANSCRIBE in queues:
        engine = preload(settings)
        log.info(
            "speech-to-text engine %s loaded, %d CPU threads", engine.name, stt_threads(settings)
        )
    duties = default_duties(settings)
    if burst:  # a burst worker's loop runs no duties: run each once before draining
        for duty in duties:
            try:
                duty.run()
            except Exception:
                log.exception("%s failed", duty.name)
    failures = 0
    while True:
        started = time.monotonic()
        worker = None
        try:
            # Building the worker already talks to Redis (it names its connection).
            worker = _build_worker(settings, queues, burst)
            worked = worker.work(burst=burst, logging_level=settings.log_level)
        except Exception as exc:  # raised outside RQ's own loop (connecting, registering)
            log.warning("worker stopped: %s", exc)
        else:
            if burst or worker.stop_signalled:
                return worked
        finally:
            if worker is not None:
                worker.release_scheduler()
        failures = 0 if time.monotonic() - started > HEALTHY_SECONDS else failures + 1
        wait = RECONNECT_BACKOFF[min(failures, len(RECONNECT_BACKOFF)) - 1] if failures else 1
        log.warning("worker lost Redis or stopped unexpectedly; starting again in %d s", wait)
        time.sleep(wait)


def _build_worker(settings: Settings, queues: tuple[str, ...], burst: bool) -> ScreenlineWorker:
    connection = redis.Redis.from_url(settings.redis_url, socket_connect_timeout=5)
    return ScreenlineWorker(
        [Queue(name, connection=connection) for name in queues],
        connection=connection,
        duties=() if burst else default_duties(settings),
        schedule=not burst,
        worker_ttl=WORKER_TTL,
        maintenance_interval=DUTY_CHECK_SECONDS,
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line: `--burst` and `--queues` (comma-separated, highest priority first)."""
    parser = argparse.ArgumentParser(prog="python -m workers", description=__doc__.splitlines()[0])
    parser.add_argument("--burst", action="store_true", help="quit when the queues are empty")
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="worker processes to run side by side (each its own model, CPU threads "
        "= cores / processes unless SCREENLINE_STT_THREADS is set)",
    )
    parser.add_argument(
        "--queues",
        default=",".join(ALL_QUEUES),
        type=lambda text: tuple(q.strip() for q in text.split(",") if q.strip()),
        help="comma-separated queues, highest priority first (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    if not args.queues:
        parser.error("--queues needs at least one queue name")
    unknown = [q for q in args.queues if q not in ALL_QUEUES]
    if unknown:
        parser.error(f"unknown queue {unknown[0]!r}; the queues are {', '.join(ALL_QUEUES)}")
    if not 1 <= args.processes <= 64:
        parser.error("--processes must be between 1 and 64")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run a worker from the command line; return the process exit status."""
    args = parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    if args.processes > 1:
        return run_pool(settings, args)
    try:
        run_worker(settings, burst=args.burst, queues=args.queues)
    finally:
        metrics.process_exited(os.getpid())
    return 0


def run_pool(settings: Settings, args: argparse.Namespace) -> int:
    """Run `args.processes` single workers as child processes; pass on SIGTERM/SIGINT.

    Each child is a fresh interpreter (nothing forked after a model loaded), sharing
    only Redis, the database and the store with its siblings. Unless
    SCREENLINE_STT_THREADS is set, each gets cores // processes CPU threads. Returns the
    first non-zero exit status of a child, else 0.
    """
    threads = settings.stt_threads or max(1, available_cores() // args.processes)
    env = dict(os.environ, SCREENLINE_STT_THREADS=str(threads))
    argv = [sys.executable, "-m", "workers", "--queues", ",".join(args.queues)]
    argv += ["--burst"] if args.burst else []
    children = [subprocess.Popen(argv, env=env) for _ in range(args.processes)]
    log.info(
        "started %d worker processes on %s, %d CPU threads each",
        len(children),
        ",".join(args.queues),
        threads,
    )

    def forward(signum, _frame):
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    codes = [child.wait() for child in children]
    return next((code for code in codes if code), 0)
