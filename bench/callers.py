"""The callers' side of bench_calls.py: bursts of simultaneous calls placed through the
Twilio stand-in, every webhook request timed at the client, and what the callers saw.

    with timed_webhooks():
        logs, seconds = burst(settings, api, audio, first=0, count=200)
        figures = webhook_figures(TimedSender.take(), logs)
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_all
from contextlib import contextmanager

from common import NUMBER, caller_phone, ms, percentile

import ivr.standin.caller
from config.settings import Settings
from ivr.phrases import say
from ivr.standin import CallLog, TwilioApiServer, place_call
from ivr.standin.webhooks import WebhookSender

APOLOGY = say(None, "internal_error")  # what a caller hears after an application error
TWILIO_LIMIT = 15.0  # seconds Twilio waits for a webhook's reply (its error 11205 after)
BURST_TIMEOUT = 600.0  # seconds for one burst of calls, whatever happens

Sample = tuple[str, float, int | None]  # (webhook kind, seconds, HTTP status or None)


class TimedSender(WebhookSender):
    """The stand-in's webhook sender, timing every request it makes (retries included).

    Samples from every call in the process collect in one class-wide list; take() hands
    them over and starts a fresh one.
    """

    lock = threading.Lock()
    samples: list[Sample] = []

    def _attempt(self, kind, url, method, params, body, headers):
        started = time.perf_counter()
        exchange = super()._attempt(kind, url, method, params, body, headers)
        elapsed = time.perf_counter() - started
        with self.lock:
            self.samples.append((kind, elapsed, exchange.status))
        return exchange

    @classmethod
    def take(cls) -> list[Sample]:
        """Return the samples so far and start a fresh list."""
        with cls.lock:
            samples, cls.samples = cls.samples, []
        return samples


@contextmanager
def timed_webhooks():
    """Make every stand-in call send its webhooks through TimedSender (ivr/ unchanged)."""
    original = ivr.standin.caller.WebhookSender
    ivr.standin.caller.WebhookSender = TimedSender
    try:
        yield
    finally:
        ivr.standin.caller.WebhookSender = original


def burst(
    settings: Settings, api: TwilioApiServer, audio: bytes, first: int, count: int
) -> tuple[list[CallLog], float]:
    """Place `count` calls at the same instant from candidates first..first+count-1 of
    common.seed_callers, each pressing 1 (consent) and answering with `audio`.

    Returns (call logs, wall-clock seconds from the start until the last call ended);
    a call that has not ended within BURST_TIMEOUT, or raised, is left out (each
    webhook is itself bounded by Twilio's 15 s).
    """
    start = threading.Barrier(count)

    def one_call(n: int):
        start.wait(60)
        return place_call(settings, NUMBER, caller_phone(n), answers=[audio], digits=["1"], api=api)

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


def recorded(logs: list[CallLog]) -> set[str]:
    """The RecordingSids of every recording the callers completed."""
    return {r.sid for log in logs for r in log.recordings if r.status == "completed"}


def webhook_figures(samples: list[Sample], logs: list[CallLog]) -> dict:
    """What the callers met: calls ended and completed, webhook errors, apologies, and
    webhook latency at the client (median = p50, p95, p99, max in ms; also per kind).

    An error is an attempt with no reply (within Twilio's 15 s) or HTTP >= 400; every
    attempt counts, so a webhook that timed out and then succeeded on the stand-in's one
    retry still failed once, as Twilio would log it (error 11205). A call is completed
    when it ran without a Twilio error or apology and its recording completed.
    """
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
        "calls_ended": len(logs),
        "completed": len(completed),
        "webhooks": len(samples),
        "webhook_errors": len(errors),
        "timeouts": sum(status is None for _, status in errors),
        "error_kinds": sorted({f"{kind} {status or 'no reply'}" for kind, status in errors}),
        "apologies": len(apologised),
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
    }


def by_kind(samples: list[Sample]) -> dict[str, list[float]]:
    """Latencies (s) grouped by webhook kind: voice, gather, record, recording-status..."""
    groups: dict[str, list[float]] = {}
    for kind, seconds, _ in samples:
        groups.setdefault(kind, []).append(seconds)
    return groups
