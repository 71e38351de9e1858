"""Retention: how long a candidate's personal data is kept, legal holds, and who is due.

The period is the interview's `retention_days`, else its organisation's default, else
none (kept until erased). It is counted from the candidate's completion, or from their
last activity (invited, started, last call) when they never finished. A legal hold on
the interview or on the candidate stops the purge; the purge says so.

The purge itself (voice/erasure.py's `purge_candidate`, run by the workers' daily duty
and `screenline retention purge`) removes what `plan` lists as due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voice import audit, erasure
from voice.models import Call, Candidate, Interview, Organization, utcnow
from voice.wording import plural

# EEOC's record-keeping rule, 29 CFR 1602.14: an employer keeps hiring records (an
# application, and records of a decision not to hire) for one year from the record's
# making or the personnel action, whichever is later.
EEOC_MIN_DAYS = 365
COMPLETION, LAST_ACTIVITY = "completion", "last activity"
HOLD_INTERVIEW, HOLD_CANDIDATE = "interview", "candidate"


def short_period_warning(days: int | None) -> str | None:
    """The warning for a retention period under a year (None for a year or more, or none)."""
    if days is None or days >= EEOC_MIN_DAYS:
        return None
    return (
        f"A retention period of {plural(days, 'day')} is shorter than one year. In the US, "
        "EEOC's rule 29 CFR 1602.14 requires employers to keep hiring records for at least "
        "one year; check that a shorter period is lawful for you."
    )


def effective_days(interview: Interview, organization: Organization | None) -> int | None:
    """The interview's retention period in days, else the organisation's default, else None."""
    if interview.retention_days is not None:
        return interview.retention_days
    return organization.retention_days if organization is not None else None


def hold_of(candidate: Candidate, interview: Interview) -> str | None:
    """What holds the candidate's data: "interview", "candidate", or None."""
    if interview.legal_hold:
        return HOLD_INTERVIEW
    if candidate.legal_hold:
        return HOLD_CANDIDATE
    return None


def hold_text(hold: str | None) -> str | None:
    """A hold in words, for the page and the command line."""
    if hold == HOLD_INTERVIEW:
        return "on legal hold (the interview is held)"
    if hold == HOLD_CANDIDATE:
        return "on legal hold"
    return None


@dataclass(frozen=True)
class Retention:
    """When one candidate's data is due for deletion.

    `days` is None when no period applies (kept until erased); `due` is then None too.
    `anchor` is "completion" or "last activity"; `hold` as `hold_of`.
    """

    candidate_id: int
    interview_id: int
    days: int | None
    anchor: str
    anchored_at: datetime
    due: datetime | None
    hold: str | None

    def passed(self, now: datetime | None = None) -> bool:
        """Whether the due date is past (`now`, default the current UTC time): the data is
        then removed by the next retention purge. False when nothing is due."""
        return self.due is not None and self.due <= (now or utcnow())

    @property
    def reason(self) -> str:
        """Why a purge of this candidate happens (kept on the tombstone)."""
        return erasure.retention_reason(self.days or 0, self.anchor)

    def to_json(self) -> dict:
        """As JSON for `retention purge --json`."""
        return {
            "id": self.candidate_id,
            "interview_id": self.interview_id,
            "retention_days": self.days,
            "counted_from": self.anchor,
            "due": self.due.isoformat() if self.due else None,
            "hold": self.hold,
        }


def _last_calls(session: Session, candidate_ids: list[int]) -> dict[int, datetime]:
    if not candidate_ids:
        return {}
    last = func.max(func.coalesce(Call.ended_at, Call.started_at))
    rows = session.execute(
        select(Call.candidate_id, last)
        .where(Call.candidate_id.in_(candidate_ids))
        .group_by(Call.candidate_id)
    )
    return {cid: when for cid, when in rows if when is not None}


def _retention(
    candidate: Candidate,
    interview: Interview,
    organization: Organization | None,
    last_call: datetime | None,
) -> Retention:
    if candidate.completed_at is not None:
        anchor, anchored_at = COMPLETION, candidate.completed_at
    else:
        moments = [candidate.created_at, candidate.started_at, last_call]
        anchor, anchored_at = LAST_ACTIVITY, max(m for m in moments if m is not None)
    days = effective_days(interview, organization)
    return Retention(
        candidate_id=candidate.id,
        interview_id=interview.id,
        days=days,
        anchor=anchor,
        anchored_at=anchored_at,
        due=anchored_at + timedelta(days=days) if days is not None else None,
        hold=hold_of(candidate, interview),
    )


def retention_of(session: Session, candidate: Candidate) -> Retention:
    """When this candidate's data is due for deletion (needs its interview loaded).

    Reads the organisation only when the interview sets no period, and the calls only
    when a period applies to someone who never finished: at most two queries.
    """
    interview = candidate.interview
    organization = None
    if interview.retention_days is None:
        organization = session.get(Organization, interview.organization_id)
    last_call = None
    if candidate.completed_at is None and effective_days(interview, organization) is not None:
        last_call = _last_calls(session, [candidate.id]).get(candidate.id)
    return _retention(candidate, interview, organization, last_call)


@dataclass
class Plan:
    """Who the purge takes at `as_of`: due and not held, due but held, erasures pending."""

    as_of: datetime
    due: list[Retention]
    held: list[Retention]
    pending: list[int]  # candidate ids whose erasure is not finished


def plan(session: Session, as_of: datetime | None = None, batch: int = 1000) -> Plan:
    """Every candidate whose retention period has ended by `as_of` (default now).

    Only candidates not yet erased, of interviews with a period of their own or of their
    organisation, are read, `batch` at a time.
    """
    as_of = as_of or utcnow()
    found = Plan(as_of, [], [], erasure.pending_ids(session))
    stmt = (
        select(Candidate, Interview, Organization)
        .join(Interview, Interview.id == Candidate.interview_id)
        .join(Organization, Organization.id == Interview.organization_id)
        .where(
            Candidate.erasure_requested_at.is_(None),
            func.coalesce(Interview.retention_days, Organization.retention_days).is_not(None),
        )
        .order_by(Candidate.id)
    )
    last_id = 0
    while True:
        rows = session.execute(stmt.where(Candidate.id > last_id).limit(batch)).all()
        if not rows:
            break
        last_id = rows[-1][0].id
        calls = _last_calls(session, [c.id for c, _, _ in rows])
        for candidate, interview, organization in rows:
            item = _retention(candidate, interview, organization, calls.get(candidate.id))
            if item.due is None or item.due > as_of:
                continue
            (found.held if item.hold else found.due).append(item)
    return found


def purge_due(
    session: Session, now: datetime | None = None, actor: audit.Actor | None = None
) -> Plan:
    """Purge every candidate due now and not held (voice.erasure.purge_candidate each,
    audited as done by `actor`, default Screenline's "retention").

    The caller commits, then queues the erasure job for each of `plan.due`. Returns the
    plan that was carried out.
    """
    now = now or utcnow()
    found = plan(session, now)
    for item in found.due:
        candidate = session.get(Candidate, item.candidate_id)
        erasure.purge_candidate(session, candidate, reason=item.reason, actor=actor, now=now)
    return found
