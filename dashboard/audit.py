"""The audit page: an organisation's audit trail for its admins, newest first, filtered
by action, person, candidate and dates, a page at a time, with the chain's verification.

Entries are reached through dashboard.access (`select_visible(..., AuditEvent)`): an
admin sees their own organisation's chain and nothing else. The rules (what is
recorded, hashing, verifying) live in voice/audit.py.

Walking a whole chain costs about 0.1 ms an entry, too slow for every visit to a busy
organisation's page. So the page walks the whole chain at most every
FULL_CHECK_SECONDS (or when asked: "Check every entry now"), keeps in Redis the last
entry it verified, and on other visits re-checks that entry and walks only the newer
ones. An old row edited in between is found at the next full walk; `screenline audit
verify` always walks everything.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import Blueprint, render_template, request
from flask_login import current_user
from redis.exceptions import RedisError
from sqlalchemy.orm import Session

from dashboard.access import require_role, select_visible
from ivr.services import db, services
from voice import audit, audit_reading
from voice.models import MAX_ROW_ID, AuditEvent, Candidate, Role, User

audit_page = Blueprint("audit", __name__)

log = logging.getLogger(__name__)

PER_PAGE = 50
FULL_CHECK_SECONDS = 600  # the page walks the whole chain at least this often


@dataclass
class Query:
    """The page's filters as read from the query string, and what was wrong with them."""

    filters: audit_reading.Filters
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
    until = None
    if end is not None and end < date.max:  # the last day there is: no end at all
        until = datetime.combine(end, datetime.min.time(), UTC) + timedelta(days=1)
    filters = audit_reading.Filters(
        action=action,
        actor_id=_id(values["person"], "person", errors),
        candidate_id=_id(values["candidate"], "candidate", errors),
        since=datetime.combine(start, datetime.min.time(), UTC) if start else None,
        until=until,
    )
    return Query(filters, max(page_number, 1), errors, values)


def _checkpoint_key(organization_id: int) -> str:
    return f"screenline:audit-verified:{organization_id}"


def chain_status(
    session: Session, organization_id: int, full: bool = False
) -> tuple[audit.Verification, datetime | None]:
    """The chain's verification, and when it was last walked from its first entry.

    Resumes after the entry the last walk verified (kept in Redis), unless `full`, that
    checkpoint is older than FULL_CHECK_SECONDS or Redis is unavailable.
    """
    key, conn = _checkpoint_key(organization_id), services().redis
    after, walked_at = None, None
    if not full:
        try:
            saved = conn.hgetall(key)
        except RedisError:
            log.warning("audit checkpoint unavailable: walking the whole chain")
            saved = {}
        if saved.keys() >= {b"seq", b"hash", b"at"}:
            after = (int(saved[b"seq"]), saved[b"hash"].decode())
            walked_at = float(saved[b"at"])
    result = audit.verify(session, organization_id, after)
    if result.resumed_after == 0:
        walked_at = time.time()
    try:
        if not result.ok or not result.checked:
            conn.delete(key)
        elif result.resumed_after == 0:
            conn.hset(key, mapping={"seq": result.checked, "hash": result.head, "at": walked_at})
            conn.expire(key, FULL_CHECK_SECONDS)
        else:
            conn.hset(key, mapping={"seq": result.checked, "hash": result.head})  # TTL kept
    except RedisError:
        log.warning("audit checkpoint not saved: Redis unavailable")
    return result, datetime.fromtimestamp(walked_at, UTC) if walked_at else None


@audit_page.get("/audit")
@require_role(Role.ADMIN)
def trail():
    """Show the organisation's audit trail (admins only; 422 with the reason for a bad
    filter); ?full=1 walks the whole chain now."""
    session = db()
    query = read_query(request.args)
    stmt = audit_reading.filter_entries(select_visible(current_user, AuditEvent), query.filters)
    total = audit_reading.count_rows(session, stmt)
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
    verification, walked_at = chain_status(
        session, current_user.organization_id, full=request.args.get("full") == "1"
    )
    return (
        render_template(
            "audit.html",
            rows=[(entry, audit_reading.as_dict(entry)) for entry in entries],
            live_names=live_names,
            actions=audit.ACTIONS,
            people=people,
            query=query,
            total=total,
            page=page,
            pages=pages,
            verification=verification,
            walked_at=walked_at,
        ),
        422 if query.errors else 200,
    )


@audit_page.app_template_global("audit_page_args")
def page_args(query: Query, page: int) -> dict[str, str | int]:
    """The query string of another page of the same listing."""
    return {k: v for k, v in query.values.items() if v} | {"page": page}
