"""Sending webhook deliveries, signed as Standard Webhooks says, and queueing those due.

`deliver_webhook` takes one delivery (voice/webhooks.py), leases it so that no other
worker sends it at the same time, posts its JSON with the `webhook-id`,
`webhook-timestamp` and `webhook-signature` headers (the `standardwebhooks` library's
HMAC-SHA256 with the endpoint's secret), never following redirects, and records the
status, response time and error; the retry schedule is voice/webhooks.py's.
`queue_due_webhooks` is a duty of every worker (workers/duties.py): it queues each
pending delivery whose time has come, so deliveries survive Redis losing its memory.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta

import redis
import requests
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from ivr.jobs import DELIVER_WEBHOOK
from voice import webhooks
from voice.db import unit_of_work
from voice.models import WebhookDelivery, WebhookEndpoint, utcnow
from workers.context import current
from workers.joblog import job_log
from workers.queues import job

log = logging.getLogger(__name__)

WEBHOOK_POLL_SECONDS = 2  # how often the duty looks for due deliveries
USER_AGENT = "Screenline-Webhooks/1"
RESPONSE_KEPT = 200  # bytes of a failed delivery's response body kept in the log


def signed_request(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> tuple[bytes, dict]:
    """The body and headers of a delivery, signed with the endpoint's secret."""
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True)
    sent_at = utcnow()
    signature = Webhook(endpoint.secret).sign(delivery.message_id, sent_at, body)
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": signature,
    }
    return body.encode(), headers


@job(DELIVER_WEBHOOK)
def deliver_webhook(delivery_id: int) -> str | None:
    """Send one due delivery and record the attempt; returns its status afterwards."""
    ctx, jlog = current(), job_log(log)
    with unit_of_work(ctx.session_factory) as session:
        now = utcnow()
        delivery = session.scalar(
            select(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id)
            .with_for_update(skip_locked=True)
        )
        if delivery is None or delivery.status != webhooks.PENDING:
            return None
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
            return delivery.status  # not due (another worker holds its lease, or a retry waits)
        endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
        delivery.next_attempt_at = now + timedelta(seconds=webhooks.LEASE_SECONDS)
        session.commit()  # the lease: a duty pass meanwhile finds it not due
        if endpoint is None or endpoint.disabled_at is not None:
            webhooks.record_attempt(delivery, None, 0, "the endpoint was removed")
            delivery.status, delivery.next_attempt_at = webhooks.FAILED, None
            session.commit()
            return delivery.status
        problem = webhooks.url_problem(endpoint.url, not ctx.settings.is_production)
        status, error, started = None, problem, time.monotonic()
        if problem is None:
            body, headers = signed_request(endpoint, delivery)
            try:
                with requests.post(
                    endpoint.url,
                    data=body,
                    headers=headers,
                    timeout=webhooks.SEND_TIMEOUT,
                    allow_redirects=False,
                    stream=True,  # read at most RESPONSE_KEPT bytes of whatever comes back
                ) as response:
                    status = response.status_code
                    if not 200 <= status < 300:
                        start = response.raw.read(RESPONSE_KEPT, decode_content=True)
                        error = f"HTTP {status}: {start.decode('utf-8', 'replace')}"
            except requests.RequestException as exc:
                error = f"{type(exc).__name__}: {exc}"[:500]
        elapsed = int((time.monotonic() - started) * 1000)
        webhooks.record_attempt(delivery, status, elapsed, error)
        session.commit()
        jlog.info(
            "webhook %s %s to endpoint %s: %s in %d ms (attempt %d, now %s)",
            delivery.event_type,
            delivery.message_id,
            endpoint.id,
            status or error,
            elapsed,
            delivery.attempts,
            delivery.status,
        )
        return delivery.status


def queue_due_webhooks() -> int:
    """Queue the send job of every pending delivery that is due; return how many."""
    ctx = current()
    with unit_of_work(ctx.session_factory) as session:
        ids = session.scalars(webhooks.due()).all()
    queued = 0
    for delivery_id in ids:
        try:
            ctx.enqueue(DELIVER_WEBHOOK, delivery_id)
            queued += 1
        except redis.RedisError:
            log.exception("could not queue webhook delivery %s", delivery_id)
            break
    return queued
