"""API keys over HTTP: bearer auth, scopes, revocation, the CLI, and per-key rate limits."""

from __future__ import annotations

import pytest

from dashboard.cli import main
from tests.api.conftest import ApiClient, problem
from tests.support import screenline_json
from voice.apikeys import hash_secret
from voice.models import ApiKey, AuditEvent


def test_a_request_without_a_key_is_401_problem_details(server, acme):
    """No Authorization header: 401 problem details with a Bearer challenge."""
    response = ApiClient(server.public_url, None).get("/api/v1/interviews")
    body = problem(response, 401, "unauthenticated")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert body["instance"] == "/api/v1/interviews"


@pytest.mark.parametrize("key", ["sl_not-a-real-key", "not even ours", "x" * 5000])
def test_an_unknown_key_is_401(server, acme, key):
    """A key that does not exist (or is not one of ours at all) is 401, never a redirect."""
    response = ApiClient(server.public_url, key).get("/api/v1/candidates", allow_redirects=False)
    problem(response, 401, "unauthenticated")


def test_a_revoked_key_stops_working(server, acme, db):
    """After revocation the same key is 401."""
    api = ApiClient(server.public_url, acme.key)
    assert api.get("/api/v1/interviews").status_code == 200
    key = db.query(ApiKey).filter_by(key_hash=hash_secret(acme.key)).one()
    from voice.apikeys import revoke_key

    revoke_key(key)
    db.commit()
    problem(api.get("/api/v1/interviews"), 401, "unauthenticated")


def test_a_read_only_key_reads_but_cannot_write(server, acme):
    """A read-only key lists interviews, and a POST with it is 403 read-only-key."""
    api = ApiClient(server.public_url, acme.read_key)
    assert api.get("/api/v1/interviews").status_code == 200
    response = api.post("/api/v1/interviews", json={"title": "x"})
    problem(response, 403, "read-only-key")


def test_keys_are_stored_hashed(acme, db):
    """Only the SHA-256 of a secret is stored; the secret itself is nowhere in the row."""
    key = db.query(ApiKey).filter_by(key_hash=hash_secret(acme.key)).one()
    assert acme.key not in (key.key_hash, key.prefix, key.name)
    assert acme.key.startswith(key.prefix)


def test_the_cli_creates_a_key_that_works_then_revokes_it(server, acme):
    """`api-key create --json` prints the secret once; the key works; `revoke` ends it."""
    made = screenline_json(
        server, "api-key", "create", "--org", "Acme Warehousing", "--name", "Lever"
    )
    assert made["read_only"] is False and made["organization"] == "Acme Warehousing"
    api = ApiClient(server.public_url, made["secret"])
    listing = api.get("/api/v1/interviews").json()
    assert [i["title"] for i in listing["data"]] == ["Warehouse associate"]
    keys = screenline_json(server, "api-key", "list", "--org", "Acme Warehousing")
    assert "Lever" in [k["name"] for k in keys]
    assert all("secret" not in k for k in keys)
    screenline_json(server, "api-key", "revoke", str(made["id"]), "--org", "Acme Warehousing")
    problem(api.get("/api/v1/interviews"), 401, "unauthenticated")


def test_the_cli_refuses_a_key_without_a_name(settings, acme):
    """A blank name is a one-line error, not a traceback."""
    from click.testing import CliRunner

    from tests.support import env_for

    result = CliRunner().invoke(
        main,
        ["api-key", "create", "--org", "Acme Warehousing", "--name", "  "],
        env=env_for(settings),
    )
    assert result.exit_code == 2  # a bad option value
    assert "Invalid value for '--name': an API key needs a name" in result.output
    assert "Traceback" not in result.output


def test_every_request_with_a_key_is_in_the_audit_trail(server, acme, db):
    """Each request made with a key is an api_request entry naming the key, method, path
    and status in its organisation's chain; a decision is audited as the dashboard does."""
    from voice.audit import verify
    from voice.models import AuditEvent

    api = ApiClient(server.public_url, acme.key)
    api.get(f"/api/v1/candidates/{acme.candidate.id}")
    api.get("/api/v1/candidates/999999")
    api.post(f"/api/v1/candidates/{acme.candidate.id}/decision", json={"decision": "hold"})
    db.expire_all()
    entries = (
        db.query(AuditEvent).filter_by(organization_id=acme.org.id).order_by(AuditEvent.seq).all()
    )
    requests_seen = [
        (e.detail["method"], e.detail["path"], e.detail["status"])
        for e in entries
        if e.action == "api_request"
    ]
    assert requests_seen == [
        ("GET", f"/api/v1/candidates/{acme.candidate.id}", 200),
        ("GET", "/api/v1/candidates/999999", 404),
        ("POST", f"/api/v1/candidates/{acme.candidate.id}/decision", 200),
    ]
    assert {e.actor_kind for e in entries} == {"api key"}
    decision = [e for e in entries if e.action == "decision"]
    assert decision[0].candidate_id == acme.candidate.id
    assert decision[0].detail == {"decision": "hold", "texted": False}
    assert verify(db, acme.org.id).ok


def test_the_cli_adds_lists_and_removes_a_webhook_endpoint(server, acme, db):
    """`webhook add URL --events ... --json` prints the secret once; list and remove work."""
    made = screenline_json(
        server,
        "webhook",
        "add",
        "http://127.0.0.1:9/hooks",
        "--events",
        "answer.transcribed,candidate.completed",
        "--org",
        "Acme Warehousing",
    )
    assert made["secret"].startswith("whsec_")
    assert made["events"] == ["candidate.completed", "answer.transcribed"]
    listed = screenline_json(server, "webhook", "list", "--org", "Acme Warehousing")
    assert [e["url"] for e in listed] == ["http://127.0.0.1:9/hooks"]
    assert all("secret" not in e for e in listed)
    api = ApiClient(server.public_url, acme.key)
    assert [e["id"] for e in api.get("/api/v1/webhook-endpoints").json()["data"]] == [made["id"]]
    screenline_json(server, "webhook", "remove", str(made["id"]), "--org", "Acme Warehousing")
    assert api.get("/api/v1/webhook-endpoints").json()["data"] == []
    trail = db.query(AuditEvent).filter(AuditEvent.action.like("webhook_%")).all()
    assert [(e.action, e.actor_kind, e.detail["endpoint_id"]) for e in trail] == [
        ("webhook_added", "system", made["id"]),
        ("webhook_removed", "system", made["id"]),
    ]


def test_the_cli_refuses_an_unknown_event(settings, acme):
    """A misspelt event is a one-line error naming it."""
    from click.testing import CliRunner

    from tests.support import env_for

    result = CliRunner().invoke(
        main,
        [
            "webhook",
            "add",
            "http://127.0.0.1:9/",
            "--events",
            "candidate.hired",
            "--org",
            "Acme Warehousing",
        ],
        env=env_for(settings),
    )
    assert result.exit_code == 2  # a bad option value
    assert "Invalid value for '--events': 'candidate.hired' is not an event" in result.output
