"""The audit page: an organisation's audit trail for its admins, newest first, filtered
by action, person, candidate and dates, a page at a time, with the chain's verification.

Pages are reached by keyset: "Older" carries the last entry shown (?older_than=SEQ),
"Newer" the first (?newer_than=SEQ), and the page is read from the chain's index on its
numbering, so a deep page costs what the first costs (voice.audit_reading.entries_page).
A page number without either (an old link) still works, by OFFSET. The matching entries
are counted only up to COUNT_CAP, so that a long trail's page need not count it all.

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
from datetime import UTC, date, datetime
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user
from redis.exceptions import RedisError
from sqlalchemy.orm import Session

from dashboard.access import require_role, select_visible
from dashboard.local_dates import reader_zone
from dashboard.page_links import read_cursor, read_flag, read_page, row_id
from ivr.services import db, services
from voice import audit, audit_reading
from voice.dates import local_days
from voice.models import Answer, AuditEvent, Candidate, Question, Role, User

audit_page = Blueprint("audit", __name__)

log = logging.getLogger(__name__)

PER_PAGE = 50
FULL_CHECK_SECONDS = 600  # the page walks the whole chain at least this often
# The page counts matching entries up to this many (a full count of a long trail took
# about 200 ms at 200,000 entries); past it, it says "more than" and numbers no last page.
COUNT_CAP = 10_000


@dataclass
class Query:
    """The page's filters as read from the query string, and what was wrong with them."""

    filters: audit_reading.Filters
    page: int
    errors: list[str]
    values: dict[str, str]
    older_than: int | None = None  # the cursor: an entry number (seq)
    newer_than: int | None = None
    cursor_error: str | None = None  # a damaged page link: the first page is shown


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
    found = row_id(raw)
    if found is None:
        errors.append(f"The {label} is a number such as 12, not {raw!r}.")
    return found


def _cursor(args) -> tuple[int | None, int | None, str | None]:
    """?older_than= or ?newer_than= (an entry number), or what is wrong with them (a blank
    one counts as absent)."""
    return read_cursor(
        args,
        ("older_than", "newer_than"),
        both="it names both older and newer entries",
        noun="an entry number",
    )


def read_query(args, zone: str | None = None) -> Query:
    """Read ?action=&person=&candidate=&from=&to=&page= (dates are whole days in `zone`,
    the organisation's IANA time zone, as the page shows times; `to` included;
    voice.dates.local_days) and the page cursor ?older_than= or ?newer_than=; a bad
    filter is reported and left out, a bad cursor reported and the first page shown."""
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
    page_number, page_error = read_page(args)
    since, until = local_days(start, end, zone)
    filters = audit_reading.Filters(
        action=action,
        actor_id=_id(values["person"], "person", errors),
        candidate_id=_id(values["candidate"], "candidate", errors),
        since=since,
        until=until,
    )
    older_than, newer_than, cursor_error = _cursor(args)
    cursor_error = cursor_error or page_error
    if cursor_error:
        older_than = newer_than = None
        page_number = 1
    return Query(filters, page_number, errors, values, older_than, newer_than, cursor_error)


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
    filter, 400 and the first page for a damaged page link); ?full=1 walks the whole
    chain now."""
    session = db()
    zone, _ = reader_zone()
    query = read_query(request.args, zone)
    full, full_error = read_flag(request.args, "full", "Check every entry now")
    if full_error:
        query.errors.append(full_error)
    stmt = audit_reading.filter_entries(select_visible(current_user, AuditEvent), query.filters)
    # Counted up to COUNT_CAP: "page N of M" below it, "more than COUNT_CAP" past it.
    total = audit_reading.count_up_to(session, stmt, COUNT_CAP)
    pages = None if total is None else max(1, -(-total // PER_PAGE))
    page = query.page if pages is None else min(query.page, pages)
    entries, more = audit_reading.entries_page(
        session,
        stmt,
        PER_PAGE,
        older_than=query.older_than,
        newer_than=query.newer_than,
        offset=(page - 1) * PER_PAGE,
    )
    if query.newer_than is not None:
        newer, older = more, True
    else:
        newer, older = query.older_than is not None or page > 1, more
    if not entries and (query.older_than or query.newer_than or page > 1):
        # Past either end of the trail (an edited or stale link): the first page.
        return redirect(url_for("audit.trail", **page_args(query)))
    page = max(page, 2) if newer else 1
    people = list(session.scalars(select_visible(current_user, User).order_by(User.email)))
    named = {e.candidate_id for e in entries if e.candidate_id}
    live_names = {
        c.id: c.name
        for c in session.scalars(
            select_visible(current_user, Candidate).where(Candidate.id.in_(named or [0]))
        )
    }
    answered = {e.answer_id for e in entries if e.answer_id}
    positions = dict(
        session.execute(
            select_visible(current_user, Answer)
            .join(Question, Question.id == Answer.question_id)
            .where(Answer.id.in_(answered or [0]))
            .with_only_columns(Answer.id, Question.position)
        ).all()
    )
    verification, walked_at = chain_status(session, current_user.organization_id, full=full)
    status = 400 if query.cursor_error else 422 if query.errors else 200
    return (
        render_template(
            "audit.html",
            rows=[(entry, audit_reading.as_dict(entry)) for entry in entries],
            live_names=live_names,
            positions=positions,
            actions=audit.ACTIONS,
            people=people,
            query=query,
            total=total,
            cap=COUNT_CAP,
            page=page if pages is None else min(page, pages),
            pages=pages,
            newer=newer,
            older=older,
            verification=verification,
            walked_at=walked_at,
        ),
        status,
    )


def _words(key: str) -> str:
    return key.replace("_", " ")


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value) or "none"
    if isinstance(value, dict):
        return ", ".join(f"{_words(str(k))} {_shown(v)}" for k, v in value.items()) or "none"
    return str(value)


@audit_page.app_template_global("audit_detail_text")
def detail_text(action: str, detail: dict[str, Any] | None) -> str:
    """An entry's detail as a person reads it: "overall score 5", "legal hold on",
    "user 12; role: admin", "3 added, 1 merged, 0 rejected; country: US", rather than
    its stored keys and values ("overall: True").

    A key naming a row ("user_id") reads as the row and its number; yes/no values read
    as yes or no; lists as comma-separated words. `screenline audit` and --json keep the
    stored form.
    """
    detail = dict(detail or {})
    parts = []
    if action == "score" and "value" in detail:
        kind = "overall score" if detail.pop("overall", False) else "score"
        parts.append(f"{kind} {detail.pop('value')}")
    if action == "legal_hold" and isinstance(detail.get("legal_hold"), bool):
        parts.append(f"legal hold {'on' if detail.pop('legal_hold') else 'off'}")
    if action == "decision" and "decision" in detail:
        texted = detail.pop("texted", None)
        note = {True: ", texted to the candidate", False: ", not texted"}.get(texted, "")
        parts.append(f"{detail.pop('decision')}{note}")
    if action == "candidates_imported" and all(
        isinstance(detail.get(key), int) for key in ("added", "merged", "rejected")
    ):
        counts = [f"{detail.pop(key)} {key}" for key in ("added", "merged", "rejected")]
        parts.append(", ".join(counts))
    if action.startswith("share_link_") and isinstance(detail.get("candidate_ids"), list):
        parts.append(_share_link_text(detail))
    for key, value in sorted(detail.items()):
        if key.endswith("_ids") and isinstance(value, list):
            parts.append(f"{_words(key[:-4])}s {_shown(value)}")
        elif key.endswith("_id") and not isinstance(value, bool):
            parts.append(f"{_words(key[:-3])} {value}")
        else:
            parts.append(f"{_words(key)}: {_shown(value)}")
    return "; ".join(parts)


def _share_link_text(detail: dict[str, Any]) -> str:
    """A share link's entry, taking its keys out of `detail`: "1 candidate (4), link 1,
    valid 7 days" (how many candidates it shows and which, the link, how long it opens)."""
    ids = detail.pop("candidate_ids")
    words = [f"{len(ids)} candidate{'' if len(ids) == 1 else 's'} ({_shown(ids)})"]
    if "link_id" in detail:
        words.append(f"link {detail.pop('link_id')}")
    if isinstance(detail.get("days"), int) and not isinstance(detail["days"], bool):
        days = detail.pop("days")
        words.append(f"valid {days} day{'' if days == 1 else 's'}")
    return ", ".join(words)


@audit_page.app_template_global("audit_page_args")
def page_args(query: Query, **cursor: int) -> dict[str, str | int]:
    """The query string of another page of the same listing: the filters, and `cursor`
    (page=, older_than= or newer_than=) when given."""
    return {k: v for k, v in query.values.items() if v} | cursor
