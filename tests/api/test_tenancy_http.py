"""The tenancy walk over HTTP: every API route, on the running server, with another
organisation's key, names nothing of the first organisation and shows none of its data."""

from __future__ import annotations

import re

from dashboard.api import API_BLUEPRINTS
from tests.api.conftest import ApiClient
from tests.dashboard.conftest import add_answer
from voice import webhooks
from voice.models import AnswerStatus

SECRETS = ("Dana Diaz", "I drove a forklift", "Acme Warehousing", "manager@acme.test")


def test_another_organisations_key_gets_404_from_every_api_route(server, app, acme, globex, db):
    """Globex's key, on every method of every API route naming an Acme row: 404 problem
    details; on every list: none of Acme's data."""
    answer = add_answer(
        db, acme.candidate, 1, status=AnswerStatus.TRANSCRIBED, transcript="I drove a forklift."
    )
    endpoint = webhooks.create_endpoint(
        db, acme.org.id, "http://127.0.0.1:9/acme", ["candidate.completed"], allow_private=True
    )
    db.flush()
    (delivery,) = webhooks.emit_for_candidate(acme.candidate, webhooks.CANDIDATE_COMPLETED)
    db.commit()
    values = {
        "interview_id": acme.interview.id,
        "candidate_id": acme.candidate.id,
        "answer_id": answer.id,
        "endpoint_id": endpoint.id,
        "delivery_id": delivery.id,
        "token": "not-a-real-token",
    }
    stranger = ApiClient(server.public_url, globex.key)
    body = {"interview_id": acme.interview.id, "name": "Dana Diaz", "decision": "advance"}
    walked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in API_BLUEPRINTS:
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: str(values[m.group(1)]), rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = stranger.request(
                method, path, json=body, params={"interview": acme.interview.id}
            )
            shown = [s for s in SECRETS if s in response.text]
            assert not shown, f"{method} {rule.rule} shows {shown}"
            assert response.status_code < 500, f"{method} {rule.rule}: {response.status_code}"
            if rule.arguments:
                assert response.status_code == 404, f"{method} {rule.rule}: {response.status_code}"
            walked += 1
    assert walked >= 15
    db.expire_all()
    assert acme.candidate.decision is None  # nothing was done to Acme's rows
