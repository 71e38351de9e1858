"""Reading the audit trail: filters, one chain's entries newest first (a page at a time
by keyset), and each entry in the shape the page and `screenline audit --json` show
(personal parts without salts).

Writing, hashing, verifying and scrubbing the trail live in voice/audit.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from voice.audit import ActorKind, chain, timestamp
from voice.models import AuditEvent


@dataclass
class Filters:
    """What an audit listing is narrowed to; every field optional."""

    action: str | None = None
    actor_id: int | None = None  # a user id
    candidate_id: int | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive


def filter_entries(stmt: Select, filters: Filters | None = None) -> Select:
    """Narrow a SELECT of AuditEvent rows (one organisation's, chosen by the caller) to
    `filters`, newest first."""
    filters = filters or Filters()
    if filters.action:
        stmt = stmt.where(AuditEvent.action == filters.action)
    if filters.actor_id is not None:
        stmt = stmt.where(
            AuditEvent.actor_kind == ActorKind.USER, AuditEvent.actor_id == filters.actor_id
        )
    if filters.candidate_id is not None:
        stmt = stmt.where(AuditEvent.candidate_id == filters.candidate_id)
    if filters.since is not None:
        stmt = stmt.where(AuditEvent.created_at >= filters.since)
    if filters.until is not None:
        stmt = stmt.where(AuditEvent.created_at < filters.until)
    return stmt.order_by(AuditEvent.seq.desc())


def select_entries(organization_id: int | None, filters: Filters | None = None) -> Select:
    """SELECT one chain's entries matching `filters`, newest first."""
    return filter_entries(select(AuditEvent).where(chain(organization_id)), filters)


def entries_page(
    session: Session,
    stmt: Select,
    limit: int,
    *,
    older_than: int | None = None,
    newer_than: int | None = None,
    offset: int = 0,
) -> tuple[list[AuditEvent], bool]:
    """One page of `stmt` (one chain's entries, from `filter_entries`), newest first, and
    whether more entries lie past it in the direction it was read.

    Pages by keyset on `seq`: `older_than=N` gives the `limit` entries just older than
    entry #N, `newer_than=N` the `limit` just newer (more: newer ones remain); with
    neither, the page starts `offset` entries in (more: older ones remain). `seq` is unique
    within a chain (uq_audit_events_seq, on organisation then seq), so it orders entries
    totally with no tie to break, and that index serves each page straight from the
    cursor: a deep page costs what the first costs.
    """
    if newer_than is not None:
        stmt = stmt.where(AuditEvent.seq > newer_than).order_by(None)
        rows = list(session.scalars(stmt.order_by(AuditEvent.seq.asc()).limit(limit + 1)))
        return list(reversed(rows[:limit])), len(rows) > limit
    if older_than is not None:
        stmt = stmt.where(AuditEvent.seq < older_than)
    else:
        stmt = stmt.offset(offset)
    rows = list(session.scalars(stmt.limit(limit + 1)))
    return rows[:limit], len(rows) > limit


def count_up_to(session: Session, stmt: Select, cap: int) -> int | None:
    """How many entries `stmt` (from `filter_entries`) gives, or None when more than `cap`.

    Reads at most `cap` + 1 entry numbers, so a long trail costs what `cap` entries cost
    rather than a count of every entry (the page then says "more than `cap`").
    """
    inner = stmt.with_only_columns(AuditEvent.seq).order_by(None).limit(cap + 1).subquery()
    found = session.scalar(select(func.count()).select_from(inner)) or 0
    return found if found <= cap else None


def actor_text(entry: AuditEvent) -> str:
    """Who acted, as a page or a line of text says it."""
    data = entry.actor_data or {}
    if entry.actor_kind == ActorKind.USER:
        return data.get("email") or f"user {entry.actor_id} (e-mail removed)"
    if entry.actor_kind == ActorKind.SHARE_LINK:
        viewer = data.get("name") or ("(name removed)" if entry.actor_digest else "")
        return f"share link {entry.actor_id}" + (f": {viewer}" if viewer else "")
    if entry.actor_kind == ActorKind.ANONYMOUS:
        typed = data.get("email") or ("e-mail removed" if entry.actor_digest else "")
        return f"not signed in ({typed})" if typed else "not signed in"
    return entry.actor_label or entry.actor_kind


def as_dict(entry: AuditEvent) -> dict[str, Any]:
    """One entry for --json and the page: every field, personal parts without salts."""

    def shown(part: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if part is None else {k: v for k, v in part.items() if k != "salt"}

    actor = shown(entry.actor_data) or {}
    return {
        "id": entry.id,
        "organization_id": entry.organization_id,
        "seq": entry.seq,
        "at": timestamp(entry.created_at),
        "action": entry.action,
        "actor": {
            "kind": entry.actor_kind,
            "id": entry.actor_id,
            "label": entry.actor_label,
            "email": actor.get("email"),
            "name": actor.get("name"),
            "text": actor_text(entry),
        },
        "address": actor.get("address"),
        "candidate_id": entry.candidate_id,
        "interview_id": entry.interview_id,
        "answer_id": entry.answer_id,
        "detail": entry.detail or {},
        "subject": shown(entry.subject_data),
        "scrubbed_at": timestamp(entry.scrubbed_at) if entry.scrubbed_at else None,
        "prev_hash": entry.prev_hash,
        "hash": entry.entry_hash,
    }


def iter_entries(session: Session, stmt: Select) -> Iterator[AuditEvent]:
    """Stream the entries of `stmt` a batch at a time."""
    yield from session.scalars(stmt.execution_options(yield_per=500))
