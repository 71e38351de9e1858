"""Schemathesis against the live server: no response breaks the OpenAPI document, no 500."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from voice.models import AuditEvent

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 15  # per operation


def test_the_live_server_keeps_to_its_document(server, acme, db):
    """Every operation, with generated parameters and bodies and a real key, answers as
    documented (status, content type, headers, schema) and never with a server error."""
    schema = schemathesis.openapi.from_url(f"{server.public_url}/api/v1/openapi.json")
    headers = {"Authorization": f"Bearer {acme.key}"}
    tried, broken = [], {}
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def keeps_to_the_document(case):
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
