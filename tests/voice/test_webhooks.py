"""voice/webhooks.py: where deliveries may go, the retry schedule, and who is told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import make_candidate, make_interview, make_org
from voice import webhooks
from voice.models import WebhookDelivery


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.9/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://0.0.0.0/hook",
    ],
)
def test_production_never_sends_to_private_or_loopback_addresses(url):
    """Loopback, private, link-local (cloud metadata) and unspecified addresses are refused."""
    assert "private or local" in webhooks.url_problem(url, allow_private=False)


def test_production_wants_https_and_no_credentials():
    """Plain http and user:password URLs are refused in production."""
    assert "https" in webhooks.url_problem("http://93.184.216.34/hook", allow_private=False)
    assert "password" in webhooks.url_problem("https://u:p@93.184.216.34/", allow_private=False)
    assert webhooks.url_problem("https://93.184.216.34/hook", allow_private=False) is None


def test_tests_and_development_may_use_loopback():
    """With private addresses allowed (not production), a loopback receiver is fine."""
    assert webhooks.url_problem("http://127.0.0.1:8080/hooks", allow_private=True) is None
    assert webhooks.url_problem("ftp://example.com/", allow_private=True)


def test_events_must_be_known():
    """An unknown event is refused by name; events come back in a fixed order, once each."""
    with pytest.raises(webhooks.WebhookError, match=r"'candidate\.hired' is not an event"):
        webhooks.check_events(["candidate.hired"])
    assert webhooks.check_events(["call.ended", "candidate.completed", "call.ended"]) == [
        "candidate.completed",
        "call.ended",
    ]


def test_failures_back_off_for_about_a_day_then_stop():
    """Each failure waits the next step of the schedule; after the last it is failed."""
    now = datetime(2026, 11, 30, tzinfo=UTC)
    delivery = WebhookDelivery(attempts=0, status=webhooks.PENDING)
    waits = []
    while delivery.status == webhooks.PENDING:
        webhooks.record_attempt(delivery, 500, 12, now=now)
        if delivery.next_attempt_at:
            waits.append((delivery.next_attempt_at - now).total_seconds())
    assert waits == list(webhooks.RETRY_SCHEDULE)
    assert timedelta(hours=24) < timedelta(seconds=sum(waits)) < timedelta(hours=30)
    assert delivery.status == webhooks.FAILED
    assert delivery.attempts == len(webhooks.RETRY_SCHEDULE) + 1
    webhooks.send_again(delivery, now=now)
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("pending", 0, now)


def test_emit_reaches_only_subscribed_live_endpoints_of_the_organisation(db):
    """One delivery per live endpoint subscribed to the event, in the candidate's organisation."""
    org, other = make_org(db), make_org(db, "Globex")
    candidate = make_candidate(db, make_interview(db, org))
    wanted = webhooks.create_endpoint(
        db, org.id, "http://127.0.0.1:1/a", ["candidate.completed"], allow_private=True
    )
    webhooks.create_endpoint(db, org.id, "http://127.0.0.1:1/b", ["call.ended"], allow_private=True)
    gone = webhooks.create_endpoint(
        db, org.id, "http://127.0.0.1:1/c", ["candidate.completed"], allow_private=True
    )
    gone.disabled_at = datetime.now(UTC)
    webhooks.create_endpoint(
        db, other.id, "http://127.0.0.1:1/d", ["candidate.completed"], allow_private=True
    )
    db.flush()
    made = webhooks.emit_for_candidate(candidate, webhooks.CANDIDATE_COMPLETED)
    assert [d.endpoint_id for d in made] == [wanted.id]
    assert made[0].payload["data"]["candidate"]["id"] == candidate.id
    assert "name" not in made[0].payload["data"]["candidate"]
    assert wanted.secret.startswith("whsec_")
