"""Webhooks end to end: a receiver on loopback, a call through the stand-in, signed deliveries.

Real processes: the web server, an RQ worker (which sends the deliveries), PostgreSQL,
Redis and the Twilio stand-in. Each delivery is checked with the Standard Webhooks
library's own verification, as a receiver would.
"""

from __future__ import annotations

import json

import pytest
import requests
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from ivr.standin import CallScript, place_call
from tests.api.receiver import Receiver
from tests.factories import make_candidate, make_interview, make_org, make_user
from tests.support import wait_until
from voice.apikeys import create_key
from voice.models import WebhookDelivery

pytestmark = pytest.mark.slow


def subscribe(live, key: str, url: str, events: list[str]) -> dict:
    response = requests.post(
        f"{live.public_url}/api/v1/webhook-endpoints",
        json={"url": url, "events": events},
        headers={"Authorization": f"Bearer {key}"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_a_completed_interview_sends_signed_deliveries_retrying_a_500(live, db, session_factory):
    """A candidate finishes a call: the receiver gets candidate.completed and
    answer.transcribed, each verified with the endpoint's secret; the first delivery met
    a 500 and was retried until it succeeded."""
    live, _ = live
    org = make_org(db)
    make_user(db, org)
    interview = make_interview(db, org, questions=("Tell us about your last job.",))
    candidate = make_candidate(db, interview)
    _, key = create_key(db, org, "ATS")
    db.commit()
    with Receiver(fail_first=1) as receiver:
        endpoint = subscribe(
            live, key, receiver.url, ["candidate.completed", "answer.transcribed", "call.ended"]
        )
        log = place_call(
            live,
            interview.phone_number,
            candidate.phone,
            script=CallScript(answers=["I drove a forklift for three years."], digits=["1"]),
        )
        assert log.ok, log.transcript()
        wait_until(
            lambda: (
                len({r.headers["webhook-id"] for r in receiver.received if r.answered == 204}) >= 3
            ),
            timeout=240,
            what="three delivered webhooks",
        )
        verifier = Webhook(endpoint["secret"])
        for got in receiver.received:
            verifier.verify(got.body, got.headers)  # raises if the signature is wrong
        completed = json.loads(receiver.of_type("candidate.completed")[-1].body)
        assert completed["data"]["candidate"]["id"] == candidate.id
        assert completed["data"]["candidate"]["status"] == "completed"
        transcribed = json.loads(receiver.of_type("answer.transcribed")[-1].body)
        assert transcribed["data"]["answer"]["candidate_id"] == candidate.id
        ended = json.loads(receiver.of_type("call.ended")[-1].body)
        assert ended["data"]["call"]["outcome"] == "completed"
        first = receiver.received[0]
        assert first.answered == 500
        retried = [
            r for r in receiver.received if r.headers["webhook-id"] == first.headers["webhook-id"]
        ]
        assert [r.answered for r in retried] == [500, 204]
        with pytest.raises(Exception):  # noqa: B017 - a tampered body fails verification
            verifier.verify(first.body.replace(b"completed", b"rejected"), first.headers)
    with session_factory() as session:
        delivery = session.scalar(
            select(WebhookDelivery).where(WebhookDelivery.message_id == first.headers["webhook-id"])
        )
        assert delivery.status == "delivered"
        assert delivery.attempts == 2
        assert delivery.last_status_code == 204
        assert delivery.last_response_ms is not None


def test_a_decision_made_through_the_api_is_delivered(live, db):
    """candidate.decided reaches the receiver with the decision, signed."""
    live, _ = live
    org = make_org(db)
    interview = make_interview(db, org)
    candidate = make_candidate(db, interview)
    _, key = create_key(db, org, "ATS")
    db.commit()
    with Receiver() as receiver:
        endpoint = subscribe(live, key, receiver.url, ["candidate.decided"])
        response = requests.post(
            f"{live.public_url}/api/v1/candidates/{candidate.id}/decision",
            json={"decision": "advance"},
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        wait_until(lambda: receiver.received, timeout=60, what="a delivery")
        (got,) = receiver.received
        payload = json.loads(Webhook(endpoint["secret"]).verify(got.body, got.headers) and got.body)
        assert payload["type"] == "candidate.decided"
        assert payload["data"]["candidate"]["decision"] == "advance"
