"""Row factories for tests: small, explicit, and they flush so ids exist."""

from __future__ import annotations

from sqlalchemy.orm import Session

from voice.candidates import add_candidate
from voice.interviews import interview_from_spec
from voice.models import Candidate, Interview, Organization, Role, User
from voice.passwords import hash_password

PASSWORD = "correct horse battery staple"


def make_org(db: Session, name: str = "Acme Warehousing") -> Organization:
    org = Organization(name=name)
    db.add(org)
    db.flush()
    return org


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
