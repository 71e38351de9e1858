"""Operations endpoints for load balancers, orchestrators and Prometheus.

`/healthz` says the process is alive (no dependency is touched); `/readyz` says whether
the database, Redis and the audio store answer (503 and which one otherwise, details in
the log only); `/metrics` is the Prometheus text format (config/metrics.py, plus queue
depth, the oldest queued job's age and answers waiting per status, read at scrape time),
and with SCREENLINE_METRICS_TOKEN set only for `Authorization: Bearer <token>`.
None of these is a dashboard page: they are `@public` (no sign-in) and show no row of
any organisation.
"""

from __future__ import annotations

import hmac
import logging
from datetime import UTC, datetime

from flask import Blueprint, Response, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job
from sqlalchemy import text

from config import metrics as samples
from dashboard.access import public
from ivr.jobs import ALL_QUEUES
from ivr.resources import Resources
from ivr.services import services
from voice.backlog import answers_waiting

ops = Blueprint("ops", __name__)
log = logging.getLogger(__name__)


@ops.get("/healthz")
@public
def healthz():
    """Alive: the process answers requests."""
    return jsonify(status="ok")


@ops.get("/readyz")
@public
def readyz():
    """Ready: database, Redis and audio store each answer; 503 naming any that does not."""
    resources = services()
    probes = {
        "database": lambda: _ping_database(resources),
        "redis": resources.redis.ping,
        "store": resources.store.check,
    }
    checks = {}
    for name, probe in probes.items():
        try:
            probe()
            checks[name] = "ok"
        except Exception as exc:  # any failure means not ready; the reason goes to the log
            log.warning("readiness: %s not reachable: %s", name, exc)
            checks[name] = "unreachable"
    ready = all(state == "ok" for state in checks.values())
    return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503


@ops.get("/metrics")
@public
def metrics():
    """Prometheus samples of this machine's processes and of the shared queues and database."""
    token = services().settings.metrics_token
    if token:
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return Response(
                "a bearer token is required\n",
                401,
                {"WWW-Authenticate": 'Bearer realm="metrics"'},
                mimetype="text/plain",
            )
    scraped = CollectorRegistry()
    scraped.register(Backlog(services()))
    body = generate_latest(samples.registry()) + generate_latest(scraped)
    return Response(body, mimetype=None, headers={"Content-Type": CONTENT_TYPE_LATEST})


def _ping_database(resources: Resources) -> None:
    with resources.session_factory() as session:
        session.execute(text("SELECT 1"))


class Backlog:
    """Read at scrape time: jobs per queue, the oldest's age, answers waiting per status.

    A dependency that does not answer leaves its families out (readyz reports it).
    """

    def __init__(self, resources: Resources):
        self.resources = resources

    def collect(self):
        """Yield the gauge families (prometheus-client's custom collector protocol)."""
        try:
            yield from self._queues()
        except Exception as exc:  # Redis away: report what else we can
            log.warning("metrics: queues not read: %s", exc)
        try:
            with self.resources.session_factory() as session:
                waiting = answers_waiting(session)
        except Exception as exc:
            log.warning("metrics: answers not counted: %s", exc)
        else:
            family = GaugeMetricFamily(
                "screenline_answers_waiting", "Answers not yet done, by status.", labels=["status"]
            )
            for status, count in waiting.items():
                family.add_metric([status], count)
            yield family

    def _queues(self):
        depth = GaugeMetricFamily(
            "screenline_queue_jobs", "Jobs waiting in each queue.", labels=["queue"]
        )
        age = GaugeMetricFamily(
            "screenline_queue_oldest_job_age_seconds",
            "Seconds the oldest waiting job of each queue has waited (0 when empty).",
            labels=["queue"],
        )
        now = datetime.now(UTC)
        for name in ALL_QUEUES:
            queue = Queue(name, connection=self.resources.redis)
            depth.add_metric([name], queue.count)
            age.add_metric([name], _oldest_age(queue, now))
        yield depth
        yield age


def _oldest_age(queue: Queue, now: datetime) -> float:
    for job_id in queue.get_job_ids(0, 5):  # the head may be a job deleted meanwhile
        try:
            job = Job.fetch(job_id, connection=queue.connection)
        except NoSuchJobError:
            continue
        if job.enqueued_at is not None:
            enqueued = job.enqueued_at
            if enqueued.tzinfo is None:
                enqueued = enqueued.replace(tzinfo=UTC)
            return max(0.0, (now - enqueued).total_seconds())
    return 0.0
