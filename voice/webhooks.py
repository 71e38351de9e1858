"""Outbound webhooks: endpoints, events, deliveries and their retry schedule.

An organisation subscribes URLs to events (EVENTS). When one happens, `emit` writes a
`WebhookDelivery` row per subscribed endpoint in the caller's transaction, so an event
is recorded with the change it reports or not at all. Workers send them (workers/
webhooks.py): a duty picks up every pending delivery that is due, and the send job
signs it as the Standard Webhooks specification says (`webhook-id`,
`webhook-timestamp`, `webhook-signature`: HMAC-SHA256 with the endpoint's `whsec_`
secret) and records the attempt here. Nothing lives only in Redis.

A failed attempt (no 2xx within SEND_TIMEOUT) is retried on RETRY_SCHEDULE, the
specification's suggested backoff: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h after
each failure (about 28 hours in all); then the delivery is marked failed. "Send again"
makes any delivery pending and due now.

Payloads are thin, Stripe-style: ids, statuses and times, no names or transcripts (the
receiver fetches those through the API with its key), so a delivery log holds no more
personal data than ids. Production never sends to a private, loopback or link-local
address (`url_problem`), checked on subscribing and again before every send.
"""

from __future__ import annotations

import ipaddress
import secrets
import socket
from base64 import b64encode
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from voice.models import (
    Answer,
    Call,
    Candidate,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)

CANDIDATE_COMPLETED = "candidate.completed"
CANDIDATE_SCREENED_OUT = "candidate.screened_out"
ANSWER_TRANSCRIBED = "answer.transcribed"
CANDIDATE_DECIDED = "candidate.decided"
CALL_ENDED = "call.ended"
EVENTS = (
    CANDIDATE_COMPLETED,
    CANDIDATE_SCREENED_OUT,
    ANSWER_TRANSCRIBED,
    CANDIDATE_DECIDED,
    CALL_ENDED,
)

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
# Seconds to wait after the 1st, 2nd, ... failed attempt (Standard Webhooks' schedule).
RETRY_SCHEDULE = (5, 300, 1800, 7200, 18000, 36000, 36000)
SEND_TIMEOUT = 15  # seconds an endpoint has to answer
LEASE_SECONDS = 60  # a send in progress holds its delivery this long (no double sends)
MAX_URL = 2000  # WebhookEndpoint.url String(2000)
MAX_DESCRIPTION = 200
MAX_ENDPOINTS = 20  # per organisation


class WebhookError(ValueError):
    """A webhook endpoint's settings are wrong: one sentence saying why.

    `field` names the setting at fault ("url", "events", "description"), or is "" when
    none is (the organisation has as many endpoints as it may).
    """

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def new_secret() -> str:
    """A signing secret in the specification's format: "whsec_" and 24 random bytes, base64."""
    return "whsec_" + b64encode(secrets.token_bytes(24)).decode()


def url_problem(url: str, allow_private: bool) -> str | None:
    """Why `url` may not receive webhooks, or None if it may.

    It must be http(s) with a host (https only when private addresses are refused, as in
    production); with `allow_private` False, every address the host resolves to must be
    public: never loopback, private, link-local, multicast, reserved or unspecified.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "the URL could not be read"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "give an http:// or https:// URL with a host"
    if not allow_private and parts.scheme != "https":
        return "webhook URLs must use https"
    if parts.username or parts.password:
        return "put no user name or password in the URL; deliveries are signed instead"
    if allow_private:
        return None
    try:
        infos = socket.getaddrinfo(parts.hostname, port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return f"{parts.hostname} does not resolve"
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global or address.is_multicast:
            return f"{parts.hostname} is a private or local address ({address})"
    return None


def check_events(events: list[str] | tuple[str, ...]) -> list[str]:
    """The events, each once in EVENTS order; raises WebhookError for none or an unknown one."""
    unknown = [e for e in events if e not in EVENTS]
    if unknown:
        raise WebhookError(
            f"{unknown[0]!r} is not an event; choose from {', '.join(EVENTS)}", "events"
        )
    if not events:
        raise WebhookError(f"subscribe to at least one event: {', '.join(EVENTS)}", "events")
    return [e for e in EVENTS if e in events]


def create_endpoint(
    session: Session,
    organization_id: int,
    url: str,
    events: list[str],
    *,
    description: str = "",
    allow_private: bool = False,
) -> WebhookEndpoint:
    """Subscribe `url` to `events` for an organisation (added, not committed).

    Raises WebhookError for a bad URL (see `url_problem`), unknown events, an over-long
    description, or more than MAX_ENDPOINTS endpoints.
    """
    url = (url or "").strip()
    if len(url) > MAX_URL:
        raise WebhookError(f"a webhook URL has at most {MAX_URL} characters", "url")
    problem = url_problem(url, allow_private)
    if problem:
        raise WebhookError(problem, "url")
    events = check_events(events)
    description = (description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise WebhookError(f"a description has at most {MAX_DESCRIPTION} characters", "description")
    count = len(
        session.scalars(
            select(WebhookEndpoint.id).where(
                WebhookEndpoint.organization_id == organization_id,
                WebhookEndpoint.disabled_at.is_(None),
            )
        ).all()
    )
    if count >= MAX_ENDPOINTS:
        raise WebhookError(f"an organisation has at most {MAX_ENDPOINTS} webhook endpoints")
    endpoint = WebhookEndpoint(
        organization_id=organization_id,
        url=url,
        events=events,
        description=description,
        secret=new_secret(),
    )
    session.add(endpoint)
    return endpoint


def audit_detail(endpoint: WebhookEndpoint) -> dict:
    """What the audit trail keeps of an endpoint: its id and events (not URL or secret)."""
    return {"endpoint_id": endpoint.id, "events": list(endpoint.events or [])}


def emit(
    session: Session, organization_id: int, event: str, data: dict[str, Any], now=None
) -> list[WebhookDelivery]:
    """Record `event` with `data` for every live endpoint of the organisation subscribed
    to it: one pending delivery each, due now (not committed)."""
    if event not in EVENTS:
        raise ValueError(f"{event!r} is not a webhook event")
    now = now or utcnow()
    endpoints = session.scalars(
        select(WebhookEndpoint).where(
            WebhookEndpoint.organization_id == organization_id,
            WebhookEndpoint.disabled_at.is_(None),
        )
    ).all()
    made = []
    for endpoint in endpoints:
        if event not in (endpoint.events or []):
            continue
        delivery = WebhookDelivery(
            endpoint_id=endpoint.id,
            message_id="msg_" + secrets.token_hex(16),
            event_type=event,
            payload={"type": event, "timestamp": _rfc3339(now), "data": data},
            status=PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        session.add(delivery)
        made.append(delivery)
    return made


def emit_for_candidate(candidate: Candidate, event: str) -> list[WebhookDelivery]:
    """`emit` a candidate event in the candidate's own session (not committed)."""
    session = object_session(candidate)
    if session is None or candidate.interview is None:
        return []
    return emit(session, candidate.interview.organization_id, event, candidate_data(candidate))


def due(now: datetime | None = None, limit: int = 500):
    """SELECT the ids of pending deliveries whose next attempt is due (oldest first)."""
    now = now or utcnow()
    return (
        select(WebhookDelivery.id)
        .where(WebhookDelivery.status == PENDING, WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(limit)
    )


def record_attempt(
    delivery: WebhookDelivery,
    status_code: int | None,
    elapsed_ms: int,
    error: str | None = None,
    now: datetime | None = None,
) -> None:
    """Record one attempt: a 2xx is delivered; anything else waits its turn on the
    schedule, or fails for good after the last retry."""
    now = now or utcnow()
    delivery.attempts += 1
    delivery.last_status_code = status_code
    delivery.last_response_ms = elapsed_ms
    ok = status_code is not None and 200 <= status_code < 300
    delivery.last_error = None if ok else (error or f"HTTP {status_code}")[:2000]
    if ok:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = DELIVERED, now, None
    elif delivery.attempts > len(RETRY_SCHEDULE):
        delivery.status, delivery.next_attempt_at = FAILED, None
    else:
        delivery.next_attempt_at = now + timedelta(seconds=RETRY_SCHEDULE[delivery.attempts - 1])


def send_again(delivery: WebhookDelivery, now: datetime | None = None) -> None:
    """ "Send again": pending and due now, with a fresh set of retries."""
    delivery.status = PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = now or utcnow()


def _rfc3339(value: datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------- what events say


def candidate_data(candidate: Candidate) -> dict[str, Any]:
    """A candidate event's data: ids, status, decision and times (nothing personal)."""
    return {
        "candidate": {
            "id": candidate.id,
            "interview_id": candidate.interview_id,
            "status": candidate.status,
            "decision": candidate.decision,
            "completed_at": _rfc3339(candidate.completed_at),
            "decided_at": _rfc3339(candidate.decided_at),
        }
    }


def answer_data(answer: Answer) -> dict[str, Any]:
    """An answer event's data: the answer's ids, question, attempt and status."""
    return {
        "answer": {
            "id": answer.id,
            "candidate_id": answer.candidate_id,
            "question_id": answer.question_id,
            "attempt": answer.attempt,
            "status": answer.status,
            "language": getattr(answer, "transcript_language", None),
        }
    }


def call_data(call: Call) -> dict[str, Any]:
    """A call.ended event's data: the call's ids, direction, status, outcome and length."""
    return {
        "call": {
            "call_sid": call.call_sid,
            "candidate_id": call.candidate_id,
            "interview_id": call.interview_id,
            "direction": call.direction,
            "status": call.status,
            "outcome": call.outcome,
            "duration_seconds": call.duration_seconds,
        }
    }
