"""The API refuses to invite, call or decide on an erased candidate: 409
`candidate-erased` as problem details, and nothing stored, texted or called."""

from __future__ import annotations

import pytest
import requests
from rq import Queue
from sqlalchemy import func, select

from tests.api.conftest import problem
from voice import erasure
from voice.models import AuditEvent, Call, Candidate, Decision, Message

ACTIONS = {
    "invite": {},
    "call": {},
    "decision": {"decision": "advance", "notify": True, "feedback": "See you Monday."},
}


def standin_calls(server) -> int:
    """How many calls the Twilio stand-in behind the server was asked to place."""
    return len(
        requests.get(
            f"{server.twilio_api_url}/_standin/calls",
            auth=(server.twilio_account_sid, server.twilio_auth_token),
            timeout=10,
        ).json()["calls"]
    )


def stored(session_factory, redis_conn, server, candidate_id: int) -> dict:
    """What a refused request must leave as it was."""
    with session_factory() as s:

        def count(model, *where) -> int:
            return s.scalar(select(func.count()).select_from(model).where(*where))

        return {
            "decisions": count(Decision, Decision.candidate_id == candidate_id),
            "messages": count(Message, Message.candidate_id == candidate_id),
            "calls": count(Call, Call.candidate_id == candidate_id),
            "decision": s.get(Candidate, candidate_id).decision,
            "audit": sorted(
                s.scalars(select(AuditEvent.action).where(AuditEvent.action != "api_request"))
            ),
            "jobs": sum(q.count for q in Queue.all(connection=redis_conn)),
            "twilio_calls": standin_calls(server),
        }


@pytest.fixture
def erased(acme, db) -> Candidate:
    """Acme's candidate, with a phone, then erased (nothing is owed: they have no answers)."""
    acme.candidate.phone = "+15550104949"
    db.commit()
    erasure.erase_candidate(db, acme.candidate)
    db.commit()
    return acme.candidate


@pytest.mark.parametrize("action", ACTIONS)
def test_an_erased_candidate_is_409_and_nothing_is_stored(
    action, api, erased, server, session_factory, redis_conn
):
    """POST invite, call or decision on an erased candidate: 409 candidate-erased with the
    message, no decision, text, call, job or audit entry of a change; the request's own
    audit entry says 409 and names no candidate."""
    before = stored(session_factory, redis_conn, server, erased.id)
    path = f"/api/v1/candidates/{erased.id}/{action}"
    response = api.post(path, json=ACTIONS[action])
    body = problem(response, 409, "candidate-erased")
    assert body["detail"] == "This candidate's data is erased; nothing was changed."
    assert body["title"] == "Candidate erased" and body["instance"] == path
    assert stored(session_factory, redis_conn, server, erased.id) == before
    with session_factory() as s:
        entry = s.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "api_request")
            .order_by(AuditEvent.id.desc())
            .limit(1)
        ).one()
        assert entry.detail["status"] == 409 and entry.candidate_id is None


@pytest.mark.parametrize("action", ACTIONS)
def test_the_same_request_works_for_a_candidate_not_erased(
    action, api, acme, db, server, session_factory, redis_conn
):
    """The baseline: the same request on a candidate with a phone, not erased, succeeds
    and stores its text, call or decision."""
    acme.candidate.phone = "+15550104949"
    db.commit()
    before = stored(session_factory, redis_conn, server, acme.candidate.id)
    response = api.post(f"/api/v1/candidates/{acme.candidate.id}/{action}", json=ACTIONS[action])
    assert response.status_code in (200, 202), response.text
    assert stored(session_factory, redis_conn, server, acme.candidate.id) != before


def test_an_erased_candidate_can_still_be_read_and_erased_again(api, erased):
    """Reading stays open (the record and results, as erased) and a repeated DELETE still
    answers where the erasure stands: the erasure's own bookkeeping is not refused."""
    record = api.get(f"/api/v1/candidates/{erased.id}")
    assert record.status_code == 200 and record.json()["name"] == erasure.ERASED_NAME
    assert api.get(f"/api/v1/candidates/{erased.id}/results").status_code == 200
    assert api.request("DELETE", f"/api/v1/candidates/{erased.id}").status_code in (202, 204)


def test_the_refusal_is_documented(api):
    """OpenAPI lists 409 for invite, call and decision, and the reference page names the
    candidate-erased problem type."""
    spec = api.get("/api/v1/openapi.json").json()
    for action in ACTIONS:
        operation = spec["paths"]["/api/v1/candidates/{candidate_id}/" + action]["post"]
        assert "409" in operation["responses"]
    assert "candidate-erased" in api.get("/api/v1/reference").text
