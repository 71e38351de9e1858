"""Recording audit events from a dashboard request (the rules live in voice/audit.py).

`record` names the signed-in user and the request's source address as the actor and
appends to their organisation's chain in the request's session; the route commits, so
the entry is saved with the action or not at all.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_login import current_user

from ivr.services import db
from voice.audit import Actor
from voice.audit import record as append
from voice.models import AuditEvent, Candidate


def address() -> str:
    """The request's source address (the proxy's client address when it is trusted)."""
    return (request.remote_addr or "")[:64]


def user_actor() -> Actor:
    """The signed-in user, with their e-mail now and the source address."""
    return Actor.user(current_user.id, current_user.email, address())


def record(
    action: str,
    *,
    candidate: Candidate | None = None,
    candidate_id: int | None = None,
    interview_id: int | None = None,
    answer_id: int | None = None,
    detail: dict[str, Any] | None = None,
    subject: dict[str, Any] | None = None,
    actor: Actor | None = None,
    organization_id: int | None = None,
) -> AuditEvent:
    """Append `action` (a voice.audit.ACTIONS word) by the signed-in user (or `actor`) to
    their organisation's chain (or `organization_id`'s); not committed.

    A `candidate` fills in its id, its interview and its name (as removable subject data);
    `candidate_id` names one without its name.
    """
    if candidate is not None:
        candidate_id = candidate.id
        interview_id = interview_id or candidate.interview_id
        subject = {"name": candidate.name, **(subject or {})}
    if organization_id is None and actor is None:
        organization_id = current_user.organization_id
    return append(
        db(),
        organization_id,
        action,
        actor or user_actor(),
        candidate_id=candidate_id,
        interview_id=interview_id,
        answer_id=answer_id,
        detail=detail,
        subject=subject,
    )
