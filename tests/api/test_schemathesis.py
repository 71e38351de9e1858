"""Schemathesis against the live server: no response breaks the OpenAPI document, no 500."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from tests.factories import make_candidate
from voice.models import AuditEvent

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 15  # per operation


def existing_rows(db, acme) -> dict[str, int]:
    """A row of Acme's for every path argument: generated cases also reach real rows."""
    from tests.dashboard.conftest import add_answer
    from voice import webhooks
    from voice.models import AnswerStatus

    answer = add_answer(
        db, acme.candidate, 1, status=AnswerStatus.TRANSCRIBED, transcript="I drove a forklift."
    )
    endpoint = webhooks.create_endpoint(
        db, acme.org.id, "http://127.0.0.1:9/hooks", ["candidate.decided"], allow_private=True
    )
    db.flush()
    (delivery,) = webhooks.emit_for_candidate(acme.candidate, webhooks.CANDIDATE_DECIDED)
    db.commit()
    return {
        "interview_id": acme.interview.id,
        "candidate_id": acme.candidate.id,
        "answer_id": answer.id,
        "endpoint_id": endpoint.id,
        "delivery_id": delivery.id,
    }


def test_the_live_server_keeps_to_its_document(server, acme, db):
    """Every operation, with generated parameters and bodies and a real key, answers as
    documented (status, content type, headers, schema) and never with a server error."""
    schema = schemathesis.openapi.from_url(f"{server.public_url}/api/v1/openapi.json")
    headers = {"Authorization": f"Bearer {acme.key}"}
    rows = existing_rows(db, acme)
    spare = make_candidate(db, acme.interview, name="Erin Erased", phone=None)
    db.commit()
    tried, broken = [], {}
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy(), real=st.booleans())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def keeps_to_the_document(case, real):
            if real and case.path_parameters:  # half the time, rows that exist
                for name in case.path_parameters:
                    if name in rows:
                        case.path_parameters[name] = rows[name]
                if case.method.upper() == "DELETE" and "candidate_id" in case.path_parameters:
                    # Erase a candidate of its own, so the other operations keep Dana's data.
                    case.path_parameters["candidate_id"] = spare.id
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            keeps_to_the_document()
        except Exception as exc:  # a failed check: collect it, go on to the next operation
            broken[operation.label] = str(exc)[:2000]
        tried.append(operation.label)
    assert len(tried) >= 12, tried
    # The server really was exercised: its audit trail has the requests, of every kind.
    seen = db.scalars(
        select(AuditEvent.detail).where(
            AuditEvent.organization_id == acme.org.id, AuditEvent.action == "api_request"
        )
    ).all()
    assert len(seen) >= len(tried) * 3
    assert {d["method"] for d in seen} == {"GET", "POST", "PUT", "DELETE"}
    print(len(seen), sorted({d["status"] for d in seen}))
    assert not broken, "\n\n".join(f"{label}:\n{why}" for label, why in broken.items())
