"""The audit page: an organisation's audit trail for its admins, newest first, filtered
by action, person, candidate and dates, a page at a time, with the chain's verification.

Entries are reached through dashboard.access (`select_visible(..., AuditEvent)`): an
admin sees their own organisation's chain and nothing else. The rules (what is
recorded, hashing, verifying) live in voice/audit.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import Blueprint, render_template, request
from flask_login import current_user

from dashboard.access import require_role, select_visible
from ivr.services import db
from voice import audit
from voice.models import MAX_ROW_ID, AuditEvent, Candidate, Role, User

audit_page = Blueprint("audit", __name__)

PER_PAGE = 50


@dataclass
class Query:
    """The page's filters as read from the query string, and what was wrong with them."""

    filters: audit.Filters
    page: int
    errors: list[str]
    values: dict[str, str]


def _day(raw: str, label: str, errors: list[str]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(f"The {label} date is a date such as 2026-11-30, not {raw!r}.")
        return None


def _id(raw: str, label: str, errors: list[str]) -> int | None:
    if not raw:
        return None
    if raw.isascii() and raw.isdigit() and 0 < int(raw) <= MAX_ROW_ID:
        return int(raw)
    errors.append(f"The {label} is a number such as 12, not {raw!r}.")
    return None


def read_query(args) -> Query:
    """Read ?action=&person=&candidate=&from=&to=&page= (dates are whole UTC days, `to`
    included); a bad value is reported and its filter left out."""
    errors: list[str] = []
    values = {
        k: (args.get(k) or "").strip()[:40] for k in ("action", "person", "candidate", "from", "to")
    }
    action = values["action"] or None
    if action and action not in audit.ACTIONS:
        errors.append(f"{action!r} is not an action the audit trail records.")
        action = None
    start = _day(values["from"], "from", errors)
    end = _day(values["to"], "to", errors)
    page = args.get("page", "1")
    page_number = int(page) if page.isascii() and page.isdigit() and 0 < len(page) < 7 else 1
    filters = audit.Filters(
        action=action,
        actor_id=_id(values["person"], "person", errors),
        candidate_id=_id(values["candidate"], "candidate", errors),
        since=datetime.combine(start, datetime.min.time(), UTC) if start else None,
        until=datetime.combine(end, datetime.min.time(), UTC) + timedelta(days=1) if end else None,
    )
    return Query(filters, max(page_number, 1), errors, values)


@audit_page.get("/audit")
@require_role(Role.ADMIN)
def trail():
    """Show the organisation's audit trail (admins only; 422 with the reason for a bad filter)."""
    session = db()
    query = read_query(request.args)
    stmt = audit.filter_entries(select_visible(current_user, AuditEvent), query.filters)
    total = audit.count_rows(session, stmt)
    pages = max(1, -(-total // PER_PAGE))
    page = min(query.page, pages)
    entries = list(session.scalars(stmt.limit(PER_PAGE).offset((page - 1) * PER_PAGE)))
    people = list(session.scalars(select_visible(current_user, User).order_by(User.email)))
    named = {e.candidate_id for e in entries if e.candidate_id}
    live_names = {
        c.id: c.name
        for c in session.scalars(
            select_visible(current_user, Candidate).where(Candidate.id.in_(named or [0]))
        )
    }
    verification = audit.verify(session, current_user.organization_id)
    return (
        render_template(
            "audit.html",
            rows=[(entry, audit.as_dict(entry)) for entry in entries],
            live_names=live_names,
            actions=audit.ACTIONS,
            people=people,
            query=query,
            total=total,
            page=page,
            pages=pages,
            verification=verification,
        ),
        422 if query.errors else 200,
    )


@audit_page.app_template_global("audit_page_args")
def page_args(query: Query, page: int) -> dict[str, str | int]:
    """The query string of another page of the same listing."""
    return {k: v for k, v in query.values.items() if v} | {"page": page}
