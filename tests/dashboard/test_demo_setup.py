"""The demo's set-up (dashboard.demo.prepare) on a real database: what the audit trail says.

A new user opened the demo's audit page and found its first entry was their own sign-in:
the login and the interview the demo made were not in the trail, though the README lists
both actions. They are now recorded once, by "demo set-up", and a second run adds none.
"""

from __future__ import annotations

from sqlalchemy import select

from dashboard.demo import DEMO_EMAIL, DEMO_ORG, prepare, print_transcripts
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


def test_the_demo_prints_the_transcripts_of_the_two_callers_not_the_waiting_one(
    settings, db, capsys
):
    """`make demo` adds three candidates (two call, one waits for "call me now"); the
    transcripts printed are the two callers', in call order, never the third's."""
    interview_id, _, _, first = prepare(settings)
    _, _, _, second = prepare(settings)
    _, _, _, waiting = prepare(settings)
    print_transcripts(settings, interview_id, [first, second])
    out = capsys.readouterr().out
    headings = [line for line in out.splitlines() if line.startswith("Transcripts for")]
    assert headings == [
        "Transcripts for Jordan Rivera [invited]",
        "Transcripts for Sam Okafor [invited]",
    ]
    assert waiting not in out and "Priya Nair" not in out
