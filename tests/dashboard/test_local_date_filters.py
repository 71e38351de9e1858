"""Date filters take a day in the organisation's time zone, as the rows show times: the
audit trail's "From"/"To", the candidate list's "Active from"/"Active until", and
`screenline audit --since` / `audit scrub --before` with --org (voice.dates.local_days)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from click.testing import CliRunner

from dashboard.cli import main
from tests.dashboard.html import parse
from tests.support import env_for
from voice import audit
from voice.audit import Actor
from voice.dates import local_days, local_moment
from voice.models import Organization

# 03:30 UTC on Jan 16 is 9:30 PM on Jan 15 in Chicago (CST, UTC-6).
LATE_EVENING = datetime(2026, 1, 16, 3, 30, tzinfo=UTC)
CHICAGO = "America/Chicago"


def _org(world) -> Organization:
    return world.user.organization


@pytest.fixture
def chicago(signed_in, db):
    """The signed-in manager's organisation on America/Chicago, with an export entry in
    its audit trail at LATE_EVENING and its candidate last active then."""
    org = _org(signed_in)
    org.time_zone = CHICAGO
    audit.record(
        db,
        org.id,
        "export",
        Actor.user(signed_in.user.id, signed_in.user.email, "203.0.113.5"),
        now=LATE_EVENING,
    )
    signed_in.candidate.completed_at = LATE_EVENING
    db.commit()
    return signed_in


def test_local_days_run_from_local_midnight_to_the_next():
    """A Chicago day is 06:00 UTC to 06:00 UTC in winter, 23 hours on the day clocks go
    forward; a bound past the years datetime holds is no bound."""
    day = date(2026, 1, 15)
    assert local_days(day, day, CHICAGO) == (
        datetime(2026, 1, 15, 6, tzinfo=UTC),
        datetime(2026, 1, 16, 6, tzinfo=UTC),
    )
    assert local_days(day, day, None) == (
        datetime(2026, 1, 15, tzinfo=UTC),
        datetime(2026, 1, 16, tzinfo=UTC),
    )
    since, until = local_days(date(2026, 3, 8), date(2026, 3, 8), CHICAGO)
    assert (until - since).total_seconds() == 23 * 3600
    assert local_days(date.min, date.max, "Asia/Tokyo") == (None, None)
    assert local_days(None, None, CHICAGO) == (None, None)


def test_a_typed_time_without_a_zone_is_read_in_the_zone():
    """`--since 2026-01-15` in Chicago starts at 06:00 UTC; a time with a zone is kept."""
    assert local_moment(datetime(2026, 1, 15), CHICAGO) == datetime(2026, 1, 15, 6, tzinfo=UTC)
    assert local_moment(datetime(2026, 1, 15), None) == datetime(2026, 1, 15, tzinfo=UTC)
    assert local_moment(LATE_EVENING, CHICAGO) == LATE_EVENING
    assert local_moment(datetime(1, 1, 1), "Asia/Tokyo") is None


def _audit_rows(client, **query) -> list[str]:
    page = parse(client.get("/audit", query_string=query).data)
    return [row.attrs["data-action"] for row in page.find_all("tr", data_seq=True)]


def test_audit_dates_are_days_in_the_organisations_zone(chicago, client):
    """An entry at 9:30 PM CST on Jan 15 (03:30 UTC on Jan 16) is within "From Jan 15 To
    Jan 15" and outside "From Jan 16"."""
    assert _audit_rows(client, **{"from": "2026-01-15", "to": "2026-01-15"}) == ["export"]
    assert "export" not in _audit_rows(client, **{"from": "2026-01-16"})
    assert _audit_rows(client, to="2026-01-14") == []
    assert _audit_rows(client, **{"from": "2026-01-16", "to": "2026-01-16"}) == []


def test_audit_dates_of_an_organisation_on_utc_are_utc_days(chicago, db, client):
    """The same entry is on Jan 16 for an organisation on UTC."""
    _org(chicago).time_zone = "UTC"
    db.commit()
    assert _audit_rows(client, **{"from": "2026-01-16", "to": "2026-01-16"}) == ["export"]
    assert _audit_rows(client, **{"from": "2026-01-15", "to": "2026-01-15"}) == []


def _listed(client, interview_id: int, query: str) -> list[str]:
    page = parse(client.get(f"/interviews/{interview_id}?{query}").data)
    tables = page.find_all("table")  # none when no candidate matches
    return [row.one("th").text() for t in tables for row in t.one("tbody").find_all("tr")]


def test_candidate_list_active_dates_are_days_in_the_organisations_zone(chicago, client):
    """A candidate who finished at 9:30 PM CST on Jan 15 is "active" on Jan 15, not Jan 16."""
    interview = chicago.interview.id
    assert _listed(client, interview, "since=2026-01-15&until=2026-01-15") == ["Dana Diaz"]
    assert _listed(client, interview, "since=2026-01-16") == []
    assert _listed(client, interview, "until=2026-01-14") == []


@pytest.fixture
def run(settings):
    runner = CliRunner()

    def invoke(*args: str):
        result = runner.invoke(main, list(args), env=env_for(settings))
        return result.exit_code, result.output

    return invoke


def test_cli_audit_since_with_org_is_read_in_its_zone(chicago, run):
    """`audit --since DAY --org` starts at the organisation's midnight; without --org, or
    with a zone written, the time is UTC / as written."""
    name = _org(chicago).name

    def actions(*args: str) -> list[str]:
        code, out = run("audit", "--json", *args)
        assert code == 0, out
        return [e["action"] for e in json.loads(out)]

    assert "export" in actions("--since", "2026-01-15", "--org", name)
    assert "export" not in actions("--since", "2026-01-16", "--org", name)
    assert "export" not in actions("--since", "2026-01-15T22:00", "--org", name)
    assert "export" in actions("--since", "2026-01-16")  # UTC without --org
    assert "export" in actions("--since", "2026-01-16T00:00Z", "--org", name)


def test_cli_audit_scrub_before_with_org_is_read_in_its_zone(chicago, run):
    """`audit scrub --before 2026-01-16 --org` is Chicago's midnight (06:00 UTC), so the
    entry at 03:30 UTC is older; without --org it is UTC midnight, and the entry is not."""
    name = _org(chicago).name
    code, out = run("audit", "scrub", "--before", "2026-01-16", "--json")
    assert code == 0, out
    assert json.loads(out) == {"before": "2026-01-16T00:00:00+00:00", "scrubbed": 0}
    code, out = run("audit", "scrub", "--before", "2026-01-16", "--org", name, "--json")
    assert code == 0, out
    assert json.loads(out) == {"before": "2026-01-16T06:00:00+00:00", "scrubbed": 1}


def test_cli_audit_before_out_of_range_in_the_zone_is_a_usage_error(chicago, db, run):
    """A day whose local midnight falls before year 1 in UTC exits 2 with the reason."""
    org = _org(chicago)
    org.time_zone = "Asia/Tokyo"
    db.commit()
    code, out = run("audit", "scrub", "--before", "0001-01-01", "--org", org.name)
    assert code == 2
    assert "outside the years 1 to 9999 in UTC" in out
