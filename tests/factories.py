"""Row factories for tests: small, explicit, and they flush so ids exist."""

from __future__ import annotations

import uuid

from sqlalchemy import column, insert, table
from sqlalchemy.orm import Session, defer

from voice.candidates import add_candidate
from voice.interviews import interview_from_spec
from voice.models import (
    Answer,
    Call,
    Candidate,
    Interview,
    Organization,
    Role,
    Score,
    User,
    UTCDateTime,
    utcnow,
)
from voice.passwords import hash_password

PASSWORD = "correct horse battery staple"


def make_org(db: Session, name: str = "Acme Warehousing") -> Organization:
    org = Organization(name=name)
    db.add(org)
    db.flush()
    return org


# Organization columns added by migrations after 0020: a migration test at an older
# revision must neither write nor read them (make_old_org).
NEWER_ORG_COLUMNS = (Organization.time_zone,)


def make_old_org(db: Session, name: str = "Acme Warehousing") -> Organization:
    """An organisation for a migration test whose database is at an older revision:
    inserted naming only the columns every revision has (name, created_at; the rest
    take their server defaults) and loaded without NEWER_ORG_COLUMNS, so the ORM never
    names a column the old schema lacks."""
    organizations = table(
        "organizations", column("id"), column("name"), column("created_at", UTCDateTime())
    )
    org_id = db.execute(
        insert(organizations).values(name=name, created_at=utcnow()).returning(organizations.c.id)
    ).scalar_one()
    return db.get(Organization, org_id, options=[defer(c) for c in NEWER_ORG_COLUMNS])


def make_user(
    db: Session, org: Organization, email: str = "manager@acme.test", role: str = Role.ADMIN
) -> User:
    user = User(organization=org, email=email, password_hash=hash_password(PASSWORD), role=role)
    db.add(user)
    db.flush()
    return user


def make_interview(
    db: Session,
    org: Organization,
    phone_number: str = "+15550100200",
    questions=("Tell us about your last job.", "Why do you want this job?"),
    **spec,
) -> Interview:
    spec = {
        "title": "Warehouse associate",
        "phone_number": phone_number,
        "intro": "Thanks for calling Acme.",
        "closing": "Thank you. We will be in touch.",
        "questions": [
            q if isinstance(q, dict) else {"prompt": q, "max_seconds": 60} for q in questions
        ],
    } | spec
    interview = interview_from_spec(db, org, spec)
    db.flush()
    return interview


def make_candidate(
    db: Session, interview: Interview, name: str = "Dana Diaz", phone: str | None = "+15557654321"
) -> Candidate:
    candidate = add_candidate(db, interview, name, phone)
    db.flush()
    return candidate


def make_call(
    db: Session,
    interview: Interview,
    candidate: Candidate | None,
    outcome: str,
    consented: bool = True,
) -> Call:
    """A finished call to the interview, by a candidate or by an unidentified caller."""
    call = Call(
        call_sid="CA" + uuid.uuid4().hex,
        interview_id=interview.id,
        candidate_id=candidate.id if candidate else None,
        outcome=outcome,
        consented=consented,
    )
    db.add(call)
    db.flush()
    return call


def make_every_menu_interview(db: Session, org: Organization) -> Interview:
    """An interview with every menu: languages, practice, job details, both keypad kinds,
    a spoken question with a minimum length, think time and a retake, and a plain one."""
    return make_interview(
        db,
        org,
        languages=["en-US", "es-MX"],
        practice=True,
        job_details="Pay is nineteen dollars an hour.",
        questions=[
            {"kind": "yes_no", "prompt": "Are you 18 or older?", "must_be": True},
            {"kind": "number", "prompt": "Hours a week?", "at_least": 20},
            {"prompt": "Tell us about you.", "min_seconds": 3, "retakes": 1, "think_seconds": 5},
            {"prompt": "Why this job?", "max_seconds": 60},
        ],
    )


def make_score(
    db: Session, reviewer: User, candidate: Candidate, value: int, answer: Answer | None = None
) -> Score:
    """A reviewer's 1-5 score of the candidate overall, or of one answer."""
    score = Score(
        reviewer=reviewer,
        candidate_id=candidate.id,
        answer_id=answer.id if answer else None,
        value=value,
    )
    db.add(score)
    return score
