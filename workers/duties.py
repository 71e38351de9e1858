"""Periodic duties (sweep, reminders, erasures, retention purge), run by the workers' loop.

Nothing periodic lives only in Redis: Redis may lose its memory at any time, and with it
any scheduled job. Instead every worker, between jobs and while idle, asks whether a
duty is due, and runs it itself if so. "Due" is one Redis key per duty, set with NX and
an expiry of the duty's period: the worker that sets it runs the duty, the others skip
it until it expires. If Redis restarts empty the keys are gone too, so the duty runs at
once, which is what recovering from that needs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from redis import Redis
from redis.exceptions import RedisError

from config.settings import Settings
from workers.api_records import IDEMPOTENCY_PURGE_INTERVAL, purge_idempotency
from workers.messages import REMINDER_INTERVAL, send_due_reminders
from workers.privacy import RETENTION_INTERVAL, purge_expired, sweep_erasures
from workers.sweep import LEFTOVERS_INTERVAL, sweep_leftovers, sweep_lock_files, sweep_unfinished
from workers.webhooks import WEBHOOK_POLL_SECONDS, queue_due_webhooks

log = logging.getLogger(__name__)

KEY_PREFIX = "screenline:duty:"


@dataclass(frozen=True)
class Duty:
    """Something a worker does every `every_seconds`, whichever worker gets to it first."""

    name: str
    every_seconds: int
    run: Callable[[], object]


def default_duties(settings: Settings) -> tuple[Duty, ...]:
    """The sweep every SCREENLINE_SWEEP_INTERVAL seconds, its leftovers, reminders,
    unfinished erasures and leftover answer lock files (with the leftovers), the daily
    retention purge, due webhooks and expired Idempotency-Key records."""
    return (
        Duty("sweep", max(settings.sweep_interval_seconds, 1), sweep_unfinished),
        Duty("leftovers", LEFTOVERS_INTERVAL, sweep_leftovers),
        Duty("reminders", REMINDER_INTERVAL, send_due_reminders),
        Duty("erasures", LEFTOVERS_INTERVAL, sweep_erasures),
        Duty("lock files", LEFTOVERS_INTERVAL, sweep_lock_files),
        Duty("retention", RETENTION_INTERVAL, purge_expired),
        Duty("webhooks", WEBHOOK_POLL_SECONDS, queue_due_webhooks),
        Duty("idempotency", IDEMPOTENCY_PURGE_INTERVAL, purge_idempotency),
    )


def run_due(conn: Redis, duties: Iterable[Duty], owner: str) -> list[str]:
    """Run each duty whose period has passed; return the names of those this call ran.

    A duty that raises is logged and counted as run (it tries again next period);
    Redis being unreachable skips the check until the next call.
    """
    ran = []
    for duty in duties:
        try:
            if not conn.set(KEY_PREFIX + duty.name, owner, nx=True, ex=duty.every_seconds):
                continue
        except RedisError as exc:
            log.warning("periodic duties skipped, Redis unreachable: %s", exc)
            return ran
        try:
            duty.run()
        except Exception:
            log.exception(
                "periodic duty %s failed; it runs again in %d s", duty.name, duty.every_seconds
            )
        ran.append(duty.name)
    return ran
