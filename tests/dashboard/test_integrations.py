"""The "API & webhooks" settings page: keys made and revoked, endpoints and their delivery log."""

from __future__ import annotations

from sqlalchemy import select

from tests.dashboard.conftest import submit
from tests.dashboard.html import parse
from tests.factories import make_user
from voice import webhooks
from voice.apikeys import find_key
from voice.models import ApiKey, AuditEvent, Role, WebhookDelivery, WebhookEndpoint


def test_an_admin_makes_a_read_only_key_seen_once(signed_in, client, db):
    """The new key's secret is on the answering page only; it is live and read-only."""
    page = parse(client.get("/settings/api").data)
    response = submit(client, page, "/settings/api/keys", name="Lever sync", read_only="1")
    assert response.status_code == 200
    secret = parse(response.data).one("input", id="new-key").attrs["value"]
    key = find_key(db, secret)
    assert key is not None and key.read_only and key.name == "Lever sync"
    again = parse(client.get("/settings/api").data)
    assert again.find("input", id="new-key") is None
    assert secret not in client.get("/settings/api").get_data(as_text=True)
    rows = [row.text() for row in again.find_all("tr", data_key_id=str(key.id))]
    assert "Read-only" in rows[0] and "Live" in rows[0]


def test_a_key_without_a_name_is_refused_with_the_reason(signed_in, client):
    """An empty name: 422 and the sentence beside the field."""
    page = parse(client.get("/settings/api").data)
    response = submit(client, page, "/settings/api/keys", name=" ")
    assert response.status_code == 422
    assert "needs a name" in parse(response.data).one("p", id="key-error").text()


def test_revoking_a_key_ends_it(signed_in, client, db):
    """Revoke: the key no longer authenticates, and the list says revoked."""
    page = parse(client.get("/settings/api").data)
    response = submit(client, page, "/settings/api/keys", name="Old")
    secret = parse(response.data).one("input", id="new-key").attrs["value"]
    key_id = find_key(db, secret).id
    page = parse(client.get("/settings/api").data)
    submit(client, page, f"/settings/api/keys/{key_id}/revoke")
    db.expire_all()
    assert find_key(db, secret) is None
    assert db.get(ApiKey, key_id).revoked_at is not None
    trail = db.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    made = [e for e in trail if e.action in ("api_key_created", "api_key_revoked")]
    assert [(e.action, e.actor_id, e.detail["key_id"]) for e in made] == [
        ("api_key_created", signed_in.user.id, key_id),
        ("api_key_revoked", signed_in.user.id, key_id),
    ]
    assert all(secret not in str(e.detail) for e in trail)


def test_an_endpoint_is_added_and_its_log_can_send_again(signed_in, client, db):
    """Add an endpoint (its secret shown once), see a failed delivery, send it again."""
    page = parse(client.get("/settings/api").data)
    form = page.one("form", action="/settings/api/webhooks").form_fields()
    response = client.post(
        "/settings/api/webhooks",
        data=form
        | {"url": "http://127.0.0.1:9/hooks", "events": ["candidate.completed", "call.ended"]},
    )
    assert response.status_code == 200
    assert parse(response.data).one("input", id="new-secret").attrs["value"].startswith("whsec_")
    endpoint = db.scalar(select(WebhookEndpoint))
    assert endpoint.events == ["candidate.completed", "call.ended"]
    (delivery,) = webhooks.emit_for_candidate(signed_in.candidate, webhooks.CANDIDATE_COMPLETED)
    for _ in range(len(webhooks.RETRY_SCHEDULE) + 1):
        webhooks.record_attempt(delivery, 500, 40, "HTTP 500: oops")
    db.commit()
    log = parse(client.get(f"/settings/api/webhooks/{endpoint.id}").data)
    row = log.one("tr", data_delivery_id=str(delivery.id)).text()
    assert "Failed" in row and "HTTP 500" in row and "40 ms" in row
    submit(client, log, f"/settings/api/webhooks/{endpoint.id}/deliveries/{delivery.id}/resend")
    db.expire_all()
    again = db.get(WebhookDelivery, delivery.id)
    assert (again.status, again.attempts) == ("pending", 0)


def test_an_endpoint_with_a_bad_url_is_refused(signed_in, client):
    """A URL that is not http(s) is 422 with the reason."""
    page = parse(client.get("/settings/api").data)
    form = page.one("form", action="/settings/api/webhooks").form_fields()
    response = client.post(
        "/settings/api/webhooks", data=form | {"url": "ftp://x", "events": ["call.ended"]}
    )
    assert response.status_code == 422
    assert "http" in parse(response.data).one("p", id="hook-error").text()


def test_only_admins_may_manage_integrations(signed_in, client, auth, db):
    """A recruiter gets 403 from the page."""
    make_user(db, signed_in.user.organization, email="rec@acme.test", role=Role.RECRUITER)
    db.commit()
    auth.logout()
    auth.login("rec@acme.test")
    assert client.get("/settings/api").status_code == 403
