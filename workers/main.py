"""The worker entry point: `python -m workers [--burst] [--queues recordings,transcribe]`.

Without `--queues` a worker takes every queue, downloads and messages before transcription.

Workers run jobs in their own process (RQ's SimpleWorker) rather than forking a child
per job: the speech model stays loaded between jobs, and CTranslate2's OpenMP thread
pool does not survive a fork (a forked child hangs on its first transcription).
"""

from __future__ import annotations

import argparse
import ctypes
import logging
import os
import signal
import sys

import redis
from rq import Queue, SimpleWorker

from config.logging import setup_logging
from config.settings import ConfigError, Settings, load_settings
from voice.stt import preload
from workers import context
from workers.messages import send_due_reminders
from workers.queues import ALL_QUEUES, TRANSCRIBE
from workers.sweep import sweep_unfinished

log = logging.getLogger(__name__)


def run_worker(
    settings: Settings, burst: bool = False, queues: tuple[str, ...] = ALL_QUEUES
) -> bool:
    """Load the model, sweep once, then work the queues (until empty with `burst`)."""
    setup_logging(settings.log_level, settings.secrets())
    os.register_at_fork(after_in_child=_die_with_parent)
    context.use(settings)
    if TRANSCRIBE in queues:
        engine = preload(settings)
        log.info("speech-to-text engine %s loaded", engine.name)
    # A scheduled sweep is pointless for a burst worker, which will not be there to run it.
    sweep_unfinished(reschedule=not burst)
    send_due_reminders(reschedule=not burst)
    connection = redis.Redis.from_url(settings.redis_url)
    worker = SimpleWorker(
        [Queue(name, connection=connection) for name in queues], connection=connection
    )
    return worker.work(burst=burst, with_scheduler=not burst, logging_level=settings.log_level)


def _die_with_parent() -> None:
    """In a forked child (RQ's scheduler), ask Linux to stop us when the worker dies.

    Otherwise a worker killed by SIGKILL or the OOM killer leaves its scheduler running
    unsupervised, holding the scheduler lock that its restarted worker needs.
    """
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m workers", description=__doc__.splitlines()[0])
    parser.add_argument("--burst", action="store_true", help="quit when the queues are empty")
    parser.add_argument(
        "--queues",
        default=",".join(ALL_QUEUES),
        type=lambda text: tuple(q.strip() for q in text.split(",") if q.strip()),
        help="comma-separated queues, highest priority first (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    if not args.queues:
        parser.error("--queues needs at least one queue name")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run a worker from the command line; return the process exit status."""
    args = parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    run_worker(settings, burst=args.burst, queues=args.queues)
    return 0
