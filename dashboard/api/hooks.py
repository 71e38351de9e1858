"""What every API resource blueprint runs around its views, registered by `guard`."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, g, request
from sqlalchemy.exc import SQLAlchemyError

from dashboard.access import get_visible
from dashboard.api import idempotency
from dashboard.api.auth import authenticate, caller
from ivr.services import db, services
from voice import audit
from voice.models import Answer, Candidate, Interview, WebhookDelivery, WebhookEndpoint

log = logging.getLogger(__name__)

# Path arguments that name a row, and its model: checked before the body is read.
PATH_ROWS = {
    "interview_id": Interview,
    "candidate_id": Candidate,
    "answer_id": Answer,
    "endpoint_id": WebhookEndpoint,
    "delivery_id": WebhookDelivery,
}


def guard(blueprint: Blueprint) -> Blueprint:
    """Check the key (dashboard/api/auth.py), the rows the path names, then honour
    Idempotency-Key on POSTs."""
    blueprint.before_request(authenticate)
    blueprint.before_request(rows_in_path)
    blueprint.before_request(idempotency.begin)
    blueprint.after_request(idempotency.finish)
    blueprint.after_request(audit_request)
    return blueprint


def rows_in_path() -> None:
    """404 for a row in the path the key may not see, before its body is even validated,
    so that no answer differs between another organisation's row and no row at all."""
    for name, value in (request.view_args or {}).items():
        model = PATH_ROWS.get(name)
        if model is not None:
            get_visible(db(), caller(), model, value, options=())


def audit_request(response: Response) -> Response:
    """After every request made with a valid key: an "api_request" entry in the
    organisation's audit trail (voice/audit.py) with the method, path and status, and the
    rows named in the path when the request succeeded. Written in its own transaction, so
    requests that failed are recorded too."""
    who = g.get("api_caller")
    if who is None:
        return response
    named = request.view_args or {}
    ok = response.status_code < 400
    idempotency.end_request_transaction()
    try:
        with services().session_factory() as session:
            audit.record(
                session,
                who.organization_id,
                "api_request",
                audit.Actor.api_key(who.key_id, who.key_name, (request.remote_addr or "")[:64]),
                candidate_id=named.get("candidate_id") if ok else None,
                interview_id=named.get("interview_id") if ok else None,
                answer_id=named.get("answer_id") if ok else None,
                detail={
                    "method": request.method,
                    "path": request.path[:300],
                    "status": response.status_code,
                },
            )
            session.commit()
    except SQLAlchemyError:
        log.exception("could not audit API request %s %s", request.method, request.path)
    return response
