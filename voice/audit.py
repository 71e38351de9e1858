"""The audit trail: who did what, to which candidate or interview, when, from where.

Issue 9 item 5. Append-only and per organisation; tampering is evident; personal data
can be removed later without breaking the evidence.

The design:

- Each organisation has one chain of entries (`AuditEvent` rows), numbered 1, 2, 3...
  by `seq`. Events with no organisation (a failed sign-in for an e-mail that matches
  no account) form one more chain, organisation NULL.
- Each entry stores `prev_hash`, the `entry_hash` of the entry before it in its chain
  (GENESIS for the first), and its own `entry_hash`: the SHA-256 of the canonical JSON
  (sorted keys, no spaces) of its non-personal fields, `prev_hash` included (see
  `_hashed_fields`). Changing, inserting or deleting a row in the middle of a chain
  breaks a link there; `verify` walks a chain and names the first broken entry. (The
  newest entries could be removed without a broken link: keep `verify`'s head hash
  somewhere else to detect that.)
- Personal data lives apart, in two JSON parts: `actor_data` (the actor's e-mail at
  the time, the e-mail typed at a failed sign-in, a share link visitor's name, the
  source address) and `subject_data` (what names the candidate: their name, a share
  link's label). Each part carries a random salt, and only its SHA-256 digest
  (`actor_digest`, `subject_digest`) enters the entry's hash. So `scrub` can blank a
  part (the salt goes with it, so the digest cannot be reversed by guessing, as an IP
  address could be) and every hash still verifies; while a part is present, `verify`
  checks it against its digest. A scrubbed entry keeps its action, time, ids and
  place in the chain, and says when it was scrubbed (`scrubbed_at`).
- Appends never fork a chain: `record` takes a per-chain lock first, a PostgreSQL
  advisory lock held to the end of the transaction (`pg_advisory_xact_lock`); SQLite
  transactions are serialised already (BEGIN IMMEDIATE, voice/db.py). The entry is
  written in the caller's transaction, with the action it records, and committed by
  the caller. A unique index on (organisation, seq) backs the lock up.
- Entries are never updated except by `scrub`, and nothing deletes them.

Actions are a fixed vocabulary (ACTIONS); `record` refuses any other word.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, select, text
from sqlalchemy.orm import Session

from voice.models import AuditEvent, Organization, utcnow

GENESIS = "0" * 64  # the prev_hash of a chain's first entry
HASH_VERSION = 1  # enters every hash, so the hashed fields can change one day
# pg_advisory_xact_lock(namespace, chain): the namespace keeps our locks apart from others'.
LOCK_NAMESPACE = 0x5C1E  # "SCreenLinE"
NO_ORGANIZATION = 0  # the lock key of the chain of events without an organisation

# The vocabulary: action word -> how a page says it.
ACTIONS: dict[str, str] = {
    "sign_in": "signed in",
    "sign_in_failed": "failed to sign in",
    "sign_out": "signed out",
    "password_changed": "changed their password",
    "candidate_viewed": "viewed a candidate",
    "candidate_added": "added a candidate",
    "candidates_imported": "imported candidates",
    "comment_added": "commented on a candidate",
    "call_placed": "had Screenline call a candidate",
    "answer_played": "played an answer",
    "answer_downloaded": "downloaded an answer",
    "export": "exported",
    "share_link_created": "created a share link",
    "share_link_opened": "opened a share link",
    "share_link_revoked": "revoked a share link",
    "score": "scored",
    "transcript_checked": "marked a transcript checked",
    "transcript_edited": "corrected a transcript",
    "decision": "decided",
    "interview_created": "created an interview",
    "interview_changed": "changed an interview",
    "user_invited": "invited a user",
    "invitation_revoked": "withdrew an invitation",
    "user_joined": "joined the team",
    "user_created": "added a user",
    "user_removed": "removed a user",
    "user_restored": "restored a user",
    "role_changed": "changed a role",
    "legal_hold": "set or lifted a legal hold",
    "retention_changed": "changed the retention period",
    "country_changed": "changed the default country for phone numbers",
    "time_zone_changed": "changed the time zone dates are shown in",
    "purge": "purged a candidate's data",
    "erasure": "erased a candidate",
    "api_request": "called the API",
    "api_key_created": "created an API key",
    "api_key_revoked": "revoked an API key",
    "webhook_added": "added a webhook endpoint",
    "webhook_removed": "removed a webhook endpoint",
}


class ActorKind:
    """Who acted: a signed-in user, Screenline itself, an API key, a share link's
    visitor, or someone not signed in (a failed sign-in)."""

    USER = "user"
    SYSTEM = "system"
    API_KEY = "api key"
    SHARE_LINK = "share link"
    ANONYMOUS = "anonymous"
    ALL = (USER, SYSTEM, API_KEY, SHARE_LINK, ANONYMOUS)


@dataclass(frozen=True)
class Actor:
    """Who acted. `ident` is a user, API key or share link id; `label` names a system
    actor or an API key (not personal); `email`, `name` and `address` are personal and
    kept in the entry's removable actor part."""

    kind: str
    ident: int | None = None
    label: str = ""
    email: str = ""
    name: str = ""
    address: str = ""

    @classmethod
    def user(cls, user_id: int, email: str, address: str = "") -> Actor:
        """A signed-in user, with their e-mail at the time and source address."""
        return cls(ActorKind.USER, user_id, email=email, address=address)

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        """Screenline itself: a scheduled job ("retention"), or "command line"."""
        return cls(ActorKind.SYSTEM, label=label)

    @classmethod
    def api_key(cls, key_id: int, key_name: str, address: str = "") -> Actor:
        """A request made with an API key."""
        return cls(ActorKind.API_KEY, key_id, label=f"api key {key_name}", address=address)

    @classmethod
    def share_link(cls, link_id: int, viewer: str = "", address: str = "") -> Actor:
        """A share link's visitor, by the name they gave."""
        return cls(ActorKind.SHARE_LINK, link_id, label="share link", name=viewer, address=address)

    @classmethod
    def anonymous(cls, email: str = "", address: str = "") -> Actor:
        """Someone not signed in (the e-mail they typed, where from)."""
        return cls(ActorKind.ANONYMOUS, email=email, address=address)

    def personal(self) -> dict[str, str]:
        """The actor's personal fields that are set."""
        fields = {"email": self.email, "name": self.name, "address": self.address}
        return {key: value for key, value in fields.items() if value}


# ---------------------------------------------------------------- hashing


def canonical(value: Any) -> bytes:
    """The canonical JSON of `value`: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256(value: Any) -> str:
    """The SHA-256 hex digest of `value`'s canonical JSON."""
    return hashlib.sha256(canonical(value)).hexdigest()


def _personal_part(fields: dict[str, Any] | None) -> tuple[dict[str, Any] | None, str]:
    """(the stored part with its salt, its digest), or (None, "") when nothing is personal."""
    if not fields:
        return None, ""
    part = {**fields, "salt": secrets.token_hex(16)}
    return part, sha256(part)


def timestamp(moment: datetime) -> str:
    """`moment` as RFC 3339 UTC with microseconds, as hashed and as printed."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _hashed_fields(entry: AuditEvent | Row) -> dict[str, Any]:
    """Every field an entry's hash covers: all but its personal parts, its own hash,
    its row id and scrubbed_at."""
    return {
        "v": HASH_VERSION,
        "organization_id": entry.organization_id,
        "seq": entry.seq,
        "created_at": timestamp(entry.created_at),
        "action": entry.action,
        "actor_kind": entry.actor_kind,
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "candidate_id": entry.candidate_id,
        "interview_id": entry.interview_id,
        "answer_id": entry.answer_id,
        "detail": entry.detail or {},
        "actor_digest": entry.actor_digest,
        "subject_digest": entry.subject_digest,
        "prev_hash": entry.prev_hash,
    }


def entry_hash(entry: AuditEvent | Row) -> str:
    """The SHA-256 an entry must carry, computed from its fields (see the module doc)."""
    return sha256(_hashed_fields(entry))


# ---------------------------------------------------------------- appending


def chain(organization_id: int | None) -> ColumnElement[bool]:
    """The WHERE clause of one chain: an organisation's, or (None) the one without."""
    if organization_id is None:
        return AuditEvent.organization_id.is_(None)
    return AuditEvent.organization_id == organization_id


def _lock_chain(session: Session, organization_id: int | None) -> None:
    """Hold the chain's lock until the transaction ends (PostgreSQL; SQLite needs none)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(:namespace, :chain)"),
            {"namespace": LOCK_NAMESPACE, "chain": organization_id or NO_ORGANIZATION},
        )


def record(
    session: Session,
    organization_id: int | None,
    action: str,
    actor: Actor,
    *,
    candidate_id: int | None = None,
    interview_id: int | None = None,
    answer_id: int | None = None,
    detail: dict[str, Any] | None = None,
    subject: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Append one entry to the organisation's chain, in the caller's transaction.

    `detail` is a small JSON object of non-personal facts (ids, a score, a decision,
    counts: str, int, bool or None values, or lists of them); `subject` holds what names
    the candidate (e.g. {"name": ...}), kept apart so that `scrub` can remove it. Flushes
    the entry (its chain lock is held until the caller commits or rolls back); the caller
    commits. Raises ValueError for an action or actor kind outside the vocabulary.
    """
    if action not in ACTIONS:
        raise ValueError(f"{action!r} is not an audit action (voice.audit.ACTIONS)")
    if actor.kind not in ActorKind.ALL:
        raise ValueError(f"{actor.kind!r} is not an audit actor kind")
    _lock_chain(session, organization_id)
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.entry_hash)
        .where(chain(organization_id))
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).first()
    actor_data, actor_digest = _personal_part(actor.personal())
    subject_data, subject_digest = _personal_part(subject)
    entry = AuditEvent(
        organization_id=organization_id,
        seq=(last.seq + 1) if last else 1,
        created_at=now or utcnow(),
        action=action,
        actor_kind=actor.kind,
        actor_id=actor.ident,
        actor_label=actor.label[:200],
        candidate_id=candidate_id,
        interview_id=interview_id,
        answer_id=answer_id,
        detail=json.loads(canonical(detail or {})),  # as it will read back
        actor_data=actor_data,
        actor_digest=actor_digest,
        subject_data=subject_data,
        subject_digest=subject_digest,
        prev_hash=last.entry_hash if last else GENESIS,
    )
    entry.entry_hash = entry_hash(entry)
    session.add(entry)
    session.flush()
    return entry


# ---------------------------------------------------------------- verifying


@dataclass(frozen=True)
class Verification:
    """The outcome of walking one chain: entries checked, the head hash (the newest
    entry's, GENESIS when empty), the first broken entry with why, if any, and where the
    walk began."""

    organization_id: int | None
    checked: int
    head: str
    broken: AuditEvent | None = None
    reason: str = ""
    resumed_after: int = 0  # the seq the walk resumed after (`verify`'s after); 0: all

    @property
    def ok(self) -> bool:
        """Whether the whole chain verified."""
        return self.broken is None

    def as_dict(self) -> dict[str, Any]:
        """For --json: organisation, ok, checked, head, and the broken entry's id and seq."""
        return {
            "organization_id": self.organization_id,
            "ok": self.ok,
            "checked": self.checked,
            "head": self.head,
            "broken": None
            if self.broken is None
            else {"id": self.broken.id, "seq": self.broken.seq, "reason": self.reason},
        }


def _problem(entry: AuditEvent | Row, expected_seq: int, prev_hash: str) -> str:
    """Why `entry` breaks the chain, or "" if it does not."""
    if entry.seq != expected_seq:
        return f"sequence number {entry.seq} where {expected_seq} was due (an entry is missing)"
    if entry.prev_hash != prev_hash:
        return "it does not carry the previous entry's hash (an entry was removed or inserted)"
    if entry.entry_hash != entry_hash(entry):
        return "its contents do not match its hash (it was changed)"
    parts = ((entry.actor_data, entry.actor_digest), (entry.subject_data, entry.subject_digest))
    for part, digest in parts:
        if part is not None and sha256(part) != digest:
            return "its personal data does not match its digest (it was changed)"
    return ""


def verify(
    session: Session, organization_id: int | None, after: tuple[int, str] | None = None
) -> Verification:
    """Walk one organisation's chain (None: the chain without one) from its first entry;
    stop at the first broken entry and name it.

    `after` = (seq, entry hash) of an entry a previous walk verified: if that entry is
    still there, unchanged, with that hash, only the entries after it are walked (what
    the audit page does between full walks); otherwise the whole chain is. Reads plain
    rows a batch at a time (about 10,000 entries a second on a small busy machine); only
    a broken entry is loaded as an AuditEvent, to be named.
    """
    checked, prev_hash = 0, GENESIS
    if after is not None:
        seq, known = after
        row = session.execute(
            select(AuditEvent.__table__).where(chain(organization_id), AuditEvent.seq == seq)
        ).first()
        if row is not None and row.entry_hash == known and entry_hash(row) == known:
            checked, prev_hash = seq, known
    stmt = select(AuditEvent.__table__).where(chain(organization_id))
    if checked:
        stmt = stmt.where(AuditEvent.seq > checked)
    stmt = stmt.order_by(AuditEvent.seq, AuditEvent.id).execution_options(yield_per=1000)
    resumed = checked
    for row in session.execute(stmt):
        reason = _problem(row, checked + 1, prev_hash)
        if reason:
            broken = session.get(AuditEvent, row.id)
            return Verification(organization_id, checked, prev_hash, broken, reason, resumed)
        checked, prev_hash = checked + 1, row.entry_hash
    return Verification(organization_id, checked, prev_hash, resumed_after=resumed)


def chains(session: Session) -> list[int | None]:
    """Every chain there is: each organisation's id, then None if events without one exist."""
    found: list[int | None] = list(
        session.scalars(select(Organization.id).order_by(Organization.id))
    )
    if session.scalar(select(AuditEvent.id).where(AuditEvent.organization_id.is_(None)).limit(1)):
        found.append(None)
    return found


def verify_all(session: Session) -> list[Verification]:
    """`verify` every chain (see `chains`)."""
    return [verify(session, organization_id) for organization_id in chains(session)]


# ---------------------------------------------------------------- scrubbing

SHARE_ACTIONS = ("share_link_created", "share_link_opened", "share_link_revoked")


def scrub(entries: Iterable[AuditEvent], *, actor: bool = False, subject: bool = True) -> int:
    """Blank the personal parts of `entries` (the subject part; the actor part too if
    asked), keeping each entry and its hash; return how many changed. Not committed."""
    changed = 0
    for entry in entries:
        touched = False
        if subject and entry.subject_data is not None:
            entry.subject_data, touched = None, True
        if actor and entry.actor_data is not None:
            entry.actor_data, touched = None, True
        if touched:
            entry.scrubbed_at = utcnow()
            changed += 1
    return changed


def scrub_before(session: Session, before: datetime, organization_id: int | None = None) -> int:
    """Remove every personal part (actor and subject) of entries older than `before`, in
    every chain (or one organisation's); entries and chains stay valid. Returns how many
    changed; not committed."""
    stmt = select(AuditEvent).where(
        AuditEvent.created_at < before,
        (AuditEvent.actor_data.is_not(None)) | (AuditEvent.subject_data.is_not(None)),
    )
    if organization_id is not None:
        stmt = stmt.where(AuditEvent.organization_id == organization_id)
    return scrub(session.scalars(stmt.execution_options(yield_per=500)), actor=True)


def scrub_candidate(session: Session, candidate_id: int) -> int:
    """Remove what names candidate `candidate_id` from every audit entry about them
    (their own entries, and share links that listed them); the entries and the chain
    stay valid. Returns how many entries changed; the caller commits."""
    about = session.scalars(select(AuditEvent).where(AuditEvent.candidate_id == candidate_id))
    shared = (
        entry
        for entry in session.scalars(
            select(AuditEvent).where(
                AuditEvent.action.in_(SHARE_ACTIONS), AuditEvent.subject_data.is_not(None)
            )
        )
        if candidate_id in ((entry.detail or {}).get("candidate_ids") or [])
    )
    return scrub([*about, *shared])
