"""`screenline audit` and `screenline audit verify`, run as an operator would."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from dashboard.cli import main
from tests.factories import make_org
from tests.support import env_for
from voice import audit
from voice.audit import Actor


@pytest.fixture
def run(settings, db):
    """Invoke the CLI with the test settings; returns (exit code, output)."""
    runner = CliRunner()
    env = {k: v for k, v in env_for(settings).items() if k.startswith(("SCREENLINE_", "TWILIO_"))}

    def invoke(*args: str):
        result = runner.invoke(main, list(args), env=env, catch_exceptions=False)
        return result.exit_code, result.output

    return invoke


@pytest.fixture
def trail(db):
    """Two organisations with entries, and a failed sign-in for no account."""
    acme, globex = make_org(db), make_org(db, "Globex")
    for action in ("sign_in", "candidate_viewed", "export"):
        audit.record(
            db,
            acme.id,
            action,
            Actor.user(1, "ana@acme.test", "203.0.113.5"),
            candidate_id=4 if action != "sign_in" else None,
        )
    audit.record(db, globex.id, "sign_in", Actor.user(2, "bo@globex.test"))
    audit.record(db, None, "sign_in_failed", Actor.anonymous("who@x.test", "198.51.100.1"))
    db.commit()
    return acme, globex


def test_audit_prints_entries_as_json_and_text(run, trail):
    """`audit --json` lists entries with actor, target and address; --org narrows it."""
    code, out = run("audit", "--json")
    assert code == 0
    listed = json.loads(out)
    assert len(listed) == 5
    viewed = next(e for e in listed if e["action"] == "candidate_viewed")
    assert viewed["organization"] == "Acme Warehousing"
    assert viewed["actor"]["email"] == "ana@acme.test" and viewed["address"] == "203.0.113.5"
    assert viewed["candidate_id"] == 4
    code, out = run("audit", "--org", "Globex", "--json")
    assert [e["actor"]["email"] for e in json.loads(out)] == ["bo@globex.test"]
    code, out = run("audit", "--org", "Acme Warehousing", "--action", "export")
    lines = out.strip().splitlines()
    assert code == 0 and len(lines) == 1
    assert "ana@acme.test" in lines[0] and "export" in lines[0] and "candidate 4" in lines[0]


def test_text_times_are_in_each_organisations_time_zone(run, trail, db):
    """The text lines give each entry's time to the second in its organisation's zone,
    with the offset (as the Audit page shows local times); --json stays UTC."""
    acme, _ = trail
    acme.time_zone = "America/Chicago"
    db.commit()
    code, out = run("audit")
    assert code == 0
    lines = out.strip().splitlines()
    acme_lines = [line for line in lines if "Acme Warehousing #" in line]
    globex_lines = [line for line in lines if "Globex #" in line]
    assert acme_lines and all(
        re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-0[56]:00 ", x) for x in acme_lines
    )
    assert globex_lines and all(re.match(r"\S+T\d\d:\d\d:\d\d\+00:00 ", x) for x in globex_lines)
    listed = json.loads(run("audit", "--org", "Acme Warehousing", "--json")[1])
    assert all(e["at"].endswith(("+00:00", "Z")) for e in listed)


def test_since_filters_and_a_bad_since_is_a_clear_error(run, trail):
    """--since takes ISO-8601 (a future time lists nothing); anything else is refused."""
    code, out = run("audit", "--since", "2999-01-01T00:00:00Z", "--json")
    assert code == 0 and json.loads(out) == []
    code, out = run("audit", "--since", "2000-01-01", "--json")
    assert code == 0 and len(json.loads(out)) == 5
    code, out = run("audit", "--since", "last tuesday")
    assert code == 2
    assert "'last tuesday' is not an ISO-8601 date or time" in out
    assert "Traceback" not in out
    code, out = run("audit", "--since", "0001-01-01T00:00:00+05:00")
    assert code == 2 and "outside the years 1 to 9999" in out


def test_an_unknown_org_is_a_clear_error(run, trail):
    """--org naming no organisation says so."""
    code, out = run("audit", "--org", "Initech")
    assert code == 1 and "no organisation named 'Initech'" in out


def test_verify_passes_then_fails_after_an_edit_in_sql(run, trail, db):
    """`audit verify` checks every chain; one edited row makes it exit 1 and name it."""
    code, out = run("audit", "verify", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["ok"] is True
    assert [(c["organization"], c["checked"]) for c in report["chains"]] == [
        ("Acme Warehousing", 3),
        ("Globex", 1),
        ("(no organisation)", 1),
    ]
    acme, _ = trail
    db.execute(
        text("UPDATE audit_events SET action = 'sign_in' WHERE organization_id = :o AND seq = 2"),
        {"o": acme.id},
    )
    db.commit()
    code, out = run("audit", "verify", "--json")
    assert code == 1
    report = json.loads(out)
    assert report["ok"] is False
    broken = report["chains"][0]["broken"]
    assert broken["seq"] == 2 and "changed" in broken["reason"]
    code, out = run("audit", "verify")
    assert code == 1
    assert "Acme Warehousing: BROKEN at entry #2" in out
    assert "Globex: chain verified, 1 entry (head" in out  # one entry, not "1 entries"
    assert "(no organisation): chain verified, 1 entry (head" in out
    assert "1 entry before it verified" in out


def test_scrub_removes_old_personal_data_and_the_chain_still_verifies(run, trail, db):
    """`audit scrub --before` blanks e-mails and addresses of older entries, keeps them."""
    code, out = run("audit", "scrub", "--before", "2999-01-01", "--json")
    assert code == 0 and json.loads(out) == {"before": "2999-01-01T00:00:00+00:00", "scrubbed": 5}
    code, out = run("audit", "--json")
    listed = json.loads(out)
    assert len(listed) == 5
    assert all(e["actor"]["email"] is None and e["address"] is None for e in listed)
    assert all(e["scrubbed_at"] for e in listed)
    assert "ana@acme.test" not in out and "who@x.test" not in out
    code, out = run("audit", "verify", "--json")
    assert code == 0 and json.loads(out)["ok"] is True
    code, out = run("audit", "scrub", "--before", "soon")
    assert code == 2 and "is not an ISO-8601 date or time" in out


def test_user_create_is_recorded(run, db):
    """`screenline user create` is recorded in the organisation, from the command line."""
    code, _ = run(
        "user", "create", "ana@acme.test", "--password", "long enough pw", "--org", "Acme"
    )
    assert code == 0
    code, out = run("audit", "--org", "Acme", "--json")
    [entry] = json.loads(out)
    assert entry["action"] == "user_created" and entry["actor"]["label"] == "command line"
    assert entry["detail"]["role"] == "admin" and entry["subject"] == {"email": "ana@acme.test"}
