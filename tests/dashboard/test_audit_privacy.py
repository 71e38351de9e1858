"""Erasure, purge and a candidate's own copy in the audit trail: recorded with who did it,
and an erasure or purge removes the candidate's name from earlier entries while every
entry stays and the chain still verifies."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from dashboard.cli import main
from ivr.standin import TwilioApiServer
from tests.candidate_data import make_everything
from tests.dashboard.conftest import submit
from tests.dashboard.html import parse
from tests.privacy_support import NAME, make_person
from tests.support import env_for
from voice import audit, retention
from voice.audit import Actor
from voice.models import AuditEvent
from voice.store import AudioStore


@pytest.fixture
def run(settings, db):
    """Invoke the CLI with the test settings in its environment; (exit code, output)."""
    runner = CliRunner()
    env = {k: v for k, v in env_for(settings).items() if k.startswith(("SCREENLINE_", "TWILIO_"))}

    def invoke(*args: str) -> tuple[int, str]:
        result = runner.invoke(main, list(args), env=env, catch_exceptions=False)
        return result.exit_code, result.output

    return invoke


@pytest.fixture
def person(db, settings):
    """A candidate with every kind of personal data, already in two audit entries that
    name them (a page view and a share link)."""
    with TwilioApiServer(settings.twilio_account_sid, settings.twilio_auth_token) as api:
        made = make_person(db, AudioStore(settings.media_dir), api, completed_days_ago=200)
    org_id = made.interview.organization_id
    reviewer = Actor.user(1, "ana@acme.test", "203.0.113.5")
    audit.record(
        db,
        org_id,
        "candidate_viewed",
        reviewer,
        candidate_id=made.candidate.id,
        subject={"name": NAME},
    )
    audit.record(
        db,
        org_id,
        "share_link_created",
        reviewer,
        detail={"link_id": 1, "candidate_ids": [made.candidate.id, 999]},
        subject={"label": f"{NAME} and another"},
    )
    db.commit()
    return made


def trail(db) -> list[AuditEvent]:
    db.expire_all()
    return list(db.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_erasure_is_recorded_and_scrubs_the_trail(run, db, person):
    """`candidate erase` is recorded as done from the command line; earlier entries keep
    their place but lose the name, and `audit verify` still passes."""
    code, _ = run("candidate", "erase", str(person.candidate.id))
    assert code == 0
    viewed, shared, erased = trail(db)
    assert erased.action == "erasure" and erased.candidate_id == person.candidate.id
    assert (erased.actor_kind, erased.actor_label) == ("system", "command line")
    assert erased.detail == {"reason": "erasure request"}
    for entry in (viewed, shared):
        assert entry.subject_data is None and entry.scrubbed_at is not None
        assert entry.actor_data["email"] == "ana@acme.test"
    code, out = run("audit", "verify", "--json")
    assert code == 0 and json.loads(out)["ok"] is True
    code, out = run("audit", "--json")
    assert [e["action"] for e in json.loads(out)] == [
        "candidate_viewed",
        "share_link_created",
        "erasure",
    ]
    assert NAME not in out


def test_purge_is_recorded_by_whoever_ran_it(run, db, person, session_factory):
    """A purge from the command line, and the workers' daily one, are recorded with the
    retention period as the reason, and scrub the trail too."""
    person.interview.retention_days = 100
    db.commit()
    code, _ = run("retention", "purge")
    assert code == 0
    *earlier, purged = trail(db)
    assert purged.action == "purge" and purged.candidate_id == person.candidate.id
    assert purged.actor_label == "command line"
    assert purged.detail["reason"].startswith("retention: 100 days")
    assert all(entry.subject_data is None for entry in earlier)
    assert audit.verify(db, person.interview.organization_id).ok


def test_the_daily_purge_is_recorded_as_retention(db, settings):
    """voice.retention.purge_due, as the workers' duty calls it, acts as "retention"."""
    with TwilioApiServer(settings.twilio_account_sid, settings.twilio_auth_token) as api:
        made = make_person(db, AudioStore(settings.media_dir), api, completed_days_ago=200)
    made.interview.retention_days = 100
    db.commit()
    retention.purge_due(db)
    db.commit()
    [purged] = trail(db)
    assert (purged.action, purged.actor_label) == ("purge", "retention")


def test_legal_holds_and_the_retention_default_are_recorded(db, settings, auth, client):
    """Holds on a candidate and an interview, and the organisation's default period,
    are recorded with the admin who set them."""
    everything = make_everything(db, AudioStore(settings.media_dir))
    assert auth.login("manager@acme.test").status_code == 302
    cid, iid = everything.candidate.id, everything.candidate.interview_id
    page = parse(client.get(f"/candidates/{cid}").data)
    assert submit(client, page, f"/candidates/{cid}/legal-hold").status_code == 302
    page = parse(client.get(f"/interviews/{iid}").data)
    assert submit(client, page, f"/interviews/{iid}/legal-hold").status_code == 302
    page = parse(client.get("/settings/retention").data)
    assert submit(client, page, "/settings/retention", retention_days="400").status_code == 302
    on_candidate, on_interview = [e for e in trail(db) if e.action == "legal_hold"]
    assert (on_candidate.candidate_id, on_candidate.detail) == (cid, {"legal_hold": True})
    assert (on_interview.interview_id, on_interview.detail) == (iid, {"legal_hold": True})
    [period] = [e for e in trail(db) if e.action == "retention_changed"]
    assert period.detail == {"retention_days": 400}
    for entry in (on_candidate, on_interview, period):
        assert entry.actor_kind == "user" and entry.actor_data["email"] == "manager@acme.test"


def test_a_candidates_own_copy_is_recorded_as_an_export(db, settings, auth, client, run, tmp_path):
    """The candidate page's "Export candidate data" and `candidate export` are exports."""
    everything = make_everything(db, AudioStore(settings.media_dir))
    assert auth.login("manager@acme.test").status_code == 302
    cid = everything.candidate.id
    page = parse(client.get(f"/candidates/{cid}").data)
    assert submit(client, page, f"/candidates/{cid}/export").status_code == 200
    code, _ = run("candidate", "export", str(cid), "--out", str(tmp_path / "copy.zip"))
    assert code == 0
    by_page, by_cli = [e for e in trail(db) if e.action == "export"]
    assert by_page.actor_kind == "user" and by_page.actor_data["email"] == "manager@acme.test"
    assert by_cli.actor_label == "command line"
    for entry in (by_page, by_cli):
        assert entry.candidate_id == cid and entry.detail == {"kind": "candidate data"}
