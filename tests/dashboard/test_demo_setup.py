"""The demo's set-up (dashboard.demo.prepare) on a real database: what the audit trail says.

A new user opened the demo's audit page and found its first entry was their own sign-in:
the login and the interview the demo made were not in the trail, though the README lists
both actions. They are now recorded once, by "demo set-up", and a second run adds none.
"""

from __future__ import annotations

from sqlalchemy import select

from dashboard.demo import DEMO_EMAIL, DEMO_ORG, prepare
from voice.models import AuditEvent, Organization


def test_the_demo_records_the_login_and_interview_it_makes_once(settings, db):
    prepare(settings)
    prepare(settings)  # a second `make demo` on the same database
    org = db.scalar(select(Organization).where(Organization.name == DEMO_ORG))
    entries = db.scalars(
        select(AuditEvent).where(AuditEvent.organization_id == org.id).order_by(AuditEvent.seq)
    ).all()
    assert [e.action for e in entries] == ["user_created", "interview_created"]
    assert {e.actor_label for e in entries} == {"demo set-up"}
    assert entries[0].subject_data["email"] == DEMO_EMAIL
