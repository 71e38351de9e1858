"""What every API resource blueprint runs around its views, registered by `guard`."""

from __future__ import annotations

from flask import Blueprint, request

from dashboard.access import get_visible
from dashboard.api import idempotency
from dashboard.api.auth import authenticate, caller
from ivr.services import db
from voice.models import Answer, Candidate, Interview

# Path arguments that name a row, and its model: checked before the body is read.
PATH_ROWS = {"interview_id": Interview, "candidate_id": Candidate, "answer_id": Answer}


def guard(blueprint: Blueprint) -> Blueprint:
    """Check the key (dashboard/api/auth.py), the rows the path names, then honour
    Idempotency-Key on POSTs."""
    blueprint.before_request(authenticate)
    blueprint.before_request(rows_in_path)
    blueprint.before_request(idempotency.begin)
    blueprint.after_request(idempotency.finish)
    return blueprint


def rows_in_path() -> None:
    """404 for a row in the path the key may not see, before its body is even validated,
    so that no answer differs between another organisation's row and no row at all."""
    for name, value in (request.view_args or {}).items():
        model = PATH_ROWS.get(name)
        if model is not None:
            get_visible(db(), caller(), model, value, options=())
