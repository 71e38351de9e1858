"""Dates a person reads on the dashboard and the command line follow the organisation's
time zone (dashboard/local_dates.py); `datetime` attributes, --json and exports stay UTC."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from dashboard.cli import main
from tests.dashboard.conftest import submit
from tests.dashboard.html import parse
from tests.support import env_for
from voice.models import (
    ApiKey,
    AuditEvent,
    Call,
    Invitation,
    Message,
    Organization,
    ShareLink,
    WebhookDelivery,
    WebhookEndpoint,
)

# 03:30 UTC on Jan 16 is still Jan 15 in Chicago (CST, UTC-6): the day and the hour move.
PAST = datetime(2026, 1, 16, 3, 30, tzinfo=UTC)
FUTURE = datetime(2099, 1, 16, 3, 30, tzinfo=UTC)
CHICAGO = "America/Chicago"


def words(moment: datetime, zone: str = CHICAGO) -> str:
    """The expected wording, written independently of voice/dates.py."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%b %-d, %Y, %-I:%M %p %Z")


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


@pytest.fixture
def chicago(signed_in, db):
    """The signed-in manager's organisation on America/Chicago."""
    org = db.get(Organization, signed_in.user.organization_id)
    org.time_zone = CHICAGO
    db.commit()
    return signed_in


def test_the_expected_wording_is_the_deadline_style():
    """The oracle reads as deadline_words does: "Jan 15, 2026, 9:30 PM CST"."""
    assert words(PAST) == "Jan 15, 2026, 9:30 PM CST"
    assert words(PAST, "UTC") == "Jan 16, 2026, 3:30 AM UTC"


def test_candidate_page_words_consent_calls_messages_and_retention_in_the_zone(chicago, db, client):
    """Consent line, the Calls card's and the texts' tooltips, and the retention day read in
    Chicago time; every `datetime` attribute stays ISO 8601 UTC."""
    candidate = chicago.candidate
    db.add(
        Call(
            call_sid="CA" + "7" * 32,
            interview_id=chicago.interview.id,
            candidate_id=candidate.id,
            outcome="completed",
            started_at=PAST,
            consent_text="This call is recorded.",
            consent_language="en-US",
            consent_key="1",
            consent_at=PAST,
        )
    )
    db.add(
        Message(
            candidate_id=candidate.id,
            kind="invitation",
            to=candidate.phone,
            body="Hi",
            created_at=PAST,
            sent_at=PAST,
        )
    )
    candidate.completed_at = PAST
    chicago.interview.organization.retention_days = 40000
    db.commit()
    page = parse(client.get(f"/candidates/{candidate.id}").data)

    consent = page.one("section", id="consent").text()
    assert f"Agreed to recording on {words(PAST)} by pressing 1" in consent
    assert words(PAST).endswith("CST") and "UTC" not in consent
    stamps = [t for t in page.find_all("time") if t.attrs.get("datetime") == iso(PAST)]
    titles = {t.attrs.get("title") for t in stamps}
    assert titles == {words(PAST)}  # calls, texts queued and sent, completed
    assert len(stamps) >= 4
    due = PAST + timedelta(days=40000)
    retention = page.one(id="retention-date")
    assert retention.one("time").attrs["datetime"] == iso(due)
    assert f"Will be deleted on {due.astimezone(ZoneInfo(CHICAGO)):%b %-d, %Y} " in (
        retention.text()
    )


def test_a_time_older_than_a_week_is_its_day_in_the_zone(chicago, db, client):
    """ "Added" a long time ago reads as the Chicago day (Jan 15), not the UTC one (Jan 16)."""
    chicago.candidate.created_at = PAST
    db.commit()
    page = parse(client.get(f"/candidates/{chicago.candidate.id}").data)
    added = [t for t in page.find_all("time") if t.attrs.get("datetime") == iso(PAST)]
    assert [t.text() for t in added] == ["Jan 15, 2026"]


def test_audit_page_words_each_entry_in_the_zone(chicago, db, client):
    """The audit trail's "When" column is Chicago time; the attribute keeps UTC."""
    page = parse(client.get("/settings/time-zone").data)
    assert submit(client, page, "/settings/time-zone", time_zone=CHICAGO).status_code == 302
    (event,) = db.scalars(select(AuditEvent).where(AuditEvent.action == "time_zone_changed"))
    page = parse(client.get("/audit").data)
    row = page.one("tr", data_action="time_zone_changed")
    stamp = row.one("time")
    assert stamp.text() == words(event.created_at)
    assert datetime.fromisoformat(stamp.attrs["datetime"]).utcoffset() == timedelta(0)
    headers = [th.text() for th in page.find_all("th")]
    assert "When" in headers and "When (UTC)" not in headers


def test_integrations_pages_word_key_use_and_deliveries_in_the_zone(chicago, db, client):
    """API key "Last used" and a webhook delivery's created and next-try times."""
    org_id = chicago.user.organization_id
    db.add(
        ApiKey(
            organization_id=org_id,
            name="ATS",
            prefix="sk_test",
            key_hash="a" * 64,
            last_used_at=PAST,
        )
    )
    endpoint = WebhookEndpoint(
        organization_id=org_id,
        url="https://hooks.example/x",
        events=["call.ended"],
        secret="whsec_x",
    )
    db.add(endpoint)
    db.flush()
    delivery = WebhookDelivery(
        endpoint_id=endpoint.id,
        message_id="msg_1",
        event_type="call.ended",
        payload={},
        status="pending",
        created_at=PAST,
        next_attempt_at=FUTURE,
    )
    db.add(delivery)
    db.commit()
    keys = parse(client.get("/settings/api").data)
    used = keys.one("td", data_label="Last used")
    assert used.text() == words(PAST)
    assert used.one("time").attrs["datetime"] == iso(PAST)
    log = parse(client.get(f"/settings/api/webhooks/{endpoint.id}").data)
    row = log.one("tr", data_delivery_id=str(delivery.id))
    stamps = {t.attrs["datetime"]: t.text() for t in row.find_all("time")}
    assert stamps == {iso(PAST): words(PAST), iso(FUTURE): words(FUTURE)}
    assert "UTC" not in row.text()


def test_share_links_and_invitations_expire_in_the_zone(chicago, db, client, app):
    """The share links page, the shared page a signed-out visitor sees (the sharing
    organisation's zone), and the team page's invitation expiry."""
    org_id = chicago.user.organization_id
    token = "t" * 43
    link = ShareLink(
        organization_id=org_id,
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        candidate_ids=[chicago.candidate.id],
        expires_at=FUTURE,
    )
    db.add(link)
    db.add(
        Invitation(
            organization_id=org_id, email="new@acme.test", token_hash="b" * 64, expires_at=FUTURE
        )
    )
    db.commit()
    links = parse(client.get("/share/links").data)
    expires = links.one("td", data_label="Expires")
    assert expires.text() == words(FUTURE)
    assert expires.one("time").attrs["datetime"] == iso(FUTURE)
    team = parse(client.get("/team").data)
    (stamp,) = [t for t in team.find_all("time") if t.attrs["datetime"] == iso(FUTURE)]
    assert stamp.text() == words(FUTURE)

    visitor = app.test_client()
    form = parse(visitor.get(f"/s/{token}").data).one("form", action=f"/s/{token}")
    visitor.post(f"/s/{token}", data=form.form_fields() | {"viewer": "Pat"})
    shared = parse(visitor.get(f"/s/{token}").data)
    (until,) = [t for t in shared.find_all("time") if t.attrs["datetime"] == iso(FUTURE)]
    assert until.text() == words(FUTURE) == "Jan 15, 2099, 9:30 PM CST"


def test_an_organisation_on_utc_reads_utc_with_its_name(signed_in, db, client):
    """Without a chosen zone the same times read in UTC, naming it."""
    org_id = signed_in.user.organization_id
    db.add(
        ApiKey(
            organization_id=org_id,
            name="ATS",
            prefix="sk_test",
            key_hash="c" * 64,
            last_used_at=PAST,
        )
    )
    db.commit()
    used = parse(client.get("/settings/api").data).one("td", data_label="Last used")
    assert used.text() == "Jan 16, 2026, 3:30 AM UTC"


def test_cli_candidate_list_words_completion_in_the_zone_and_json_stays_utc(chicago, db, settings):
    """`candidate list` text says the Chicago time; --json keeps ISO 8601 UTC."""
    chicago.candidate.completed_at = PAST
    db.commit()
    runner = CliRunner()
    args = ["candidate", "list", "--interview", str(chicago.interview.id)]
    text = runner.invoke(main, args, env=env_for(settings))
    assert text.exit_code == 0, text.output
    assert f"completed {words(PAST)}" in text.output
    data = runner.invoke(main, [*args, "--json"], env=env_for(settings))
    (row,) = [r for r in json.loads(data.output) if r["id"] == chicago.candidate.id]
    assert datetime.fromisoformat(row["completed_at"]) == PAST
    assert row["completed_at"].endswith("+00:00")


def test_cli_audit_scrub_words_before_in_the_organisations_zone(chicago, db, settings):
    """`audit scrub --org` says --before in the organisation's zone; without --org, UTC."""
    org = db.get(Organization, chicago.user.organization_id)
    runner = CliRunner()
    args = ["audit", "scrub", "--before", "2026-01-16T03:30:00Z"]
    result = runner.invoke(main, [*args, "--org", org.name], env=env_for(settings))
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(f"older than {words(PAST)}")
    result = runner.invoke(main, args, env=env_for(settings))
    assert result.output.strip().endswith(f"older than {words(PAST, 'UTC')}")
    result = runner.invoke(main, [*args, "--json"], env=env_for(settings))
    assert json.loads(result.output)["before"] == "2026-01-16T03:30:00+00:00"
