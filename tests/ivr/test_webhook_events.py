"""The call flow's webhook events: said once each, in the call's own transaction."""

from __future__ import annotations

from ivr import flow
from tests.factories import make_call, make_candidate, make_interview, make_org
from voice import webhooks
from voice.models import CandidateStatus, WebhookDelivery


def _subscribe(db, org, *events):
    webhooks.create_endpoint(db, org.id, "http://127.0.0.1:9/h", list(events), allow_private=True)
    db.flush()


def _sent(db) -> list[str]:
    return [d.event_type for d in db.query(WebhookDelivery).order_by(WebhookDelivery.id)]


def test_screening_out_and_finishing_are_each_told_once(db):
    """A knockout emits candidate.screened_out once; finishing emits candidate.completed once."""
    org = make_org(db)
    _subscribe(db, org, *webhooks.EVENTS)
    interview = make_interview(db, org)
    out, done = make_candidate(db, interview), make_candidate(db, interview, "Bo", "+15550104000")
    call = make_call(db, interview, out, outcome="")
    flow.screen_out(out, call, "Answered no to: Are you 18?")
    flow.screen_out(out, call, "Answered no to: Are you 18?")  # a retried webhook
    flow.finish_interview(done, None)
    flow.finish_interview(done, None)
    db.flush()
    assert _sent(db) == ["candidate.screened_out", "candidate.completed"]
    assert out.status == CandidateStatus.SCREENED_OUT


def test_a_call_ending_is_told_once_with_its_outcome(db):
    """call.ended carries the outcome; a retried status callback does not repeat it."""
    org = make_org(db)
    _subscribe(db, org, webhooks.CALL_ENDED)
    interview = make_interview(db, org)
    call = make_call(db, interview, None, outcome="", consented=False)
    flow.call_ended(db, call, "completed", "12")
    flow.call_ended(db, call, "completed", "12")
    db.flush()
    (delivery,) = db.query(WebhookDelivery).all()
    assert delivery.payload["data"]["call"]["outcome"] == "ended before consent"
    assert delivery.payload["data"]["call"]["duration_seconds"] == 12
