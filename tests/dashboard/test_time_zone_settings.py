"""/settings/time-zone and `screenline org time-zone`: the organisation's time zone, set
at each front door, and the dates that follow it (deadline words, the builder's field)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from dashboard.cli import main
from tests.dashboard.conftest import flashes, submit
from tests.dashboard.html import parse
from tests.factories import make_interview, make_org, make_user
from tests.support import env_for
from voice.models import AuditEvent, Interview, Organization, Role

URL = "/settings/time-zone"


def _org(db, signed_in) -> Organization:
    db.expire_all()
    return db.get(Organization, signed_in.user.organization_id)


def test_an_admin_sets_the_zone_and_it_is_audited(signed_in, db, client):
    """Saving America/Chicago is stored, flashed, and recorded in the audit trail."""
    page = parse(client.get(URL).data)
    options = page.one("select", id="time_zone").find_all("option")
    assert [o.attrs["value"] for o in options if "selected" in o.attrs] == ["UTC"]
    response = submit(client, page, URL, time_zone="America/Chicago")
    assert response.status_code == 302
    page = parse(client.get(URL).data)
    assert "Dates are now shown in America/Chicago time" in " ".join(flashes(page))
    assert _org(db, signed_in).time_zone == "America/Chicago"
    (event,) = db.scalars(select(AuditEvent).where(AuditEvent.action == "time_zone_changed"))
    assert event.detail == {"time_zone": "America/Chicago"}
    assert (event.actor_kind, event.actor_id) == ("user", signed_in.user.id)


def test_the_picker_offers_canonical_zones_by_region_with_utc_first(signed_in, db, client):
    """UTC is the first option, outside any group; the rest sit in <optgroup>s by region
    (Africa, America, ..., Europe); obsolete aliases are not offered."""
    select_ = parse(client.get(URL).data).one("select", id="time_zone")
    first = next(child for child in select_.children if not isinstance(child, str))
    assert (first.tag, first.attrs["value"]) == ("option", "UTC")
    groups = {
        group.attrs["label"]: [o.attrs["value"] for o in group.find_all("option")]
        for group in select_.find_all("optgroup")
    }
    assert list(groups)[:2] == ["Africa", "America"] and "Europe" in groups
    assert "America/Chicago" in groups["America"] and "Europe/Madrid" in groups["Europe"]
    offered = [o.attrs["value"] for o in select_.find_all("option")]
    for alias in ("Africa/Asmera", "Africa/Timbuktu", "America/Argentina/ComodRivadavia"):
        assert alias not in offered


def test_a_zone_not_offered_is_saved_and_stays_shown(signed_in, db, client):
    """An alias (Asia/Calcutta) is still a valid zone: it is saved, and the page shows it
    selected at the top, once, though the list offers Asia/Kolkata."""
    page = parse(client.get(URL).data)
    assert submit(client, page, URL, time_zone="asia/calcutta").status_code == 302
    assert _org(db, signed_in).time_zone == "Asia/Calcutta"
    options = parse(client.get(URL).data).one("select", id="time_zone").find_all("option")
    values = [o.attrs["value"] for o in options]
    assert values[0] == "Asia/Calcutta" and values.count("Asia/Calcutta") == 1
    assert [o.attrs["value"] for o in options if "selected" in o.attrs] == ["Asia/Calcutta"]


def test_an_unknown_zone_is_explained_and_nothing_changes(signed_in, db, client):
    """A name zoneinfo does not know is a 422 with the rule's sentence by the field."""
    page = parse(client.get(URL).data)
    response = submit(client, page, URL, time_zone="Mars/Base")
    assert response.status_code == 422
    error = parse(response.data).one("p", id="time_zone-error").text()
    assert error == "'Mars/Base' is not a time zone such as America/Chicago or Europe/Madrid"
    assert _org(db, signed_in).time_zone == "UTC"
    assert not db.scalars(select(AuditEvent).where(AuditEvent.action == "time_zone_changed")).all()


def test_a_post_without_the_csrf_token_is_refused(signed_in, db, client):
    """The form's CSRF token is required: without it, 400 and nothing saved."""
    response = client.post(URL, data={"time_zone": "America/Chicago"})
    assert response.status_code == 400
    assert _org(db, signed_in).time_zone == "UTC"


def test_only_admins_change_it(signed_in, db, client, auth):
    """A recruiter gets 403 for the page and the form, even with a valid token."""
    make_user(db, signed_in.user.organization, email="rec@acme.test", role=Role.RECRUITER)
    db.commit()
    auth.logout()
    auth.login("rec@acme.test")
    assert client.get(URL).status_code == 403
    token = parse(client.get("/settings/review").data).find("input", name="csrf_token")
    data = {"time_zone": "America/Chicago", "csrf_token": token.attrs["value"]}
    assert client.post(URL, data=data).status_code == 403
    assert _org(db, signed_in).time_zone == "UTC"


def test_the_builder_reads_and_shows_the_deadline_in_the_zone(signed_in, db, client):
    """Madrid in winter: 17:00 typed is stored as 16:00 UTC and shown back as 17:00, under
    "Deadline (Europe/Madrid time)"; the page words it "closes Jan 15, 2099, 5:00 PM CET"."""
    org = _org(db, signed_in)
    org.time_zone = "Europe/Madrid"
    db.commit()
    url = f"/interviews/{signed_in.interview.id}/edit"
    page = parse(client.get(url).data)
    label = page.one("label", **{"for": "deadline"}).text()
    assert label == "Deadline (Europe/Madrid time)"
    response = submit(client, page, url, deadline="2099-01-15T17:00")
    assert response.status_code == 302, response.data[-2000:]
    db.expire_all()
    stored = db.get(Interview, signed_in.interview.id).deadline
    assert stored == datetime(2099, 1, 15, 16, 0, tzinfo=UTC)
    page = parse(client.get(url).data)
    assert page.one("input", id="deadline").attrs["value"] == "2099-01-15T17:00"
    head = parse(client.get(f"/interviews/{signed_in.interview.id}").data)
    assert "closes Jan 15, 2099, 5:00 PM CET" in head.one("p", cls="muted").text()


@pytest.fixture
def run(settings, db):
    """Invoke the CLI with the test settings; return (exit code, output)."""
    env = {k: v for k, v in env_for(settings).items() if k.startswith(("SCREENLINE_", "TWILIO_"))}

    def invoke(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
        return result.exit_code, result.output

    return invoke


def test_the_cli_shows_and_sets_the_zone_and_audits_it(run, db):
    """`org time-zone` shows UTC; `org time-zone america/chicago --json` sets it, audited."""
    org = make_org(db, name="Northwind")
    db.commit()
    code, out = run("org", "time-zone")
    assert code == 0 and out.startswith("Northwind: dates are shown in UTC time (now ")
    code, out = run("org", "time-zone", "america/chicago", "--json")
    assert code == 0, out
    assert json.loads(out) == {"organization": "Northwind", "time_zone": "America/Chicago"}
    db.expire_all()
    assert db.get(Organization, org.id).time_zone == "America/Chicago"
    (event,) = db.scalars(select(AuditEvent).where(AuditEvent.action == "time_zone_changed"))
    assert event.detail == {"time_zone": "America/Chicago"} and event.organization_id == org.id
    code, out = run("org", "time-zone")
    assert code == 0 and "America/Chicago time" in out and ("CST" in out or "CDT" in out)


def test_the_cli_refuses_an_unknown_zone_as_bad_usage(run, db):
    """A bad zone exits 2 with the rule's sentence (as JSON with --json); nothing changes."""
    org = make_org(db, name="Northwind")
    db.commit()
    code, out = run("org", "time-zone", "Mars/Base")
    assert code == 2
    assert "'Mars/Base' is not a time zone such as America/Chicago or Europe/Madrid" in out
    code, out = run("org", "time-zone", "Mars/Base", "--json")
    assert code == 2 and "is not a time zone" in json.loads(out)["error"]
    db.expire_all()
    assert db.get(Organization, org.id).time_zone == "UTC"


def test_a_closed_interview_is_worded_in_the_zone_on_the_command_line(run, db):
    """`candidate add --invite` to a closed interview names its closing day in the zone."""
    org = make_org(db, name="Northwind")
    org.time_zone = "Asia/Tokyo"
    interview = make_interview(db, org, deadline="2026-03-03T20:00:00Z")  # Mar 4 in Tokyo
    db.commit()
    code, out = run(
        "candidate", "add", "--interview", str(interview.id), "--name", "Lee Park",
        "--phone", "+15557000001", "--invite", "--json",
    )  # fmt: skip
    assert code == 1
    assert json.loads(out)["error"].startswith("the interview closed on March 4, 2026,")
