"""The API on the SQLite default (the demo's database): the writes its guards make in
sessions of their own (idempotency records, audit entries) never wait on the request's,
an erasure included."""

from __future__ import annotations

from dashboard.app import create_app
from voice.apikeys import create_key
from voice.db import make_engine, make_session_factory
from voice.migrate import upgrade
from voice.models import AuditEvent, Candidate, Organization


def test_idempotent_posts_and_audit_work_on_sqlite(settings, redis_conn, tmp_path):
    """On SQLite: a GET and an idempotent POST twice answer at once, the retry is a replay,
    one candidate exists, an erasure goes through, and every request is in the audit trail."""
    url = f"sqlite:///{tmp_path / 'screenline.db'}"
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as session:
        org = Organization(name="Corner Shop")
        session.add(org)
        session.flush()
        _, key = create_key(session, org, "ATS")
        session.commit()
    app = create_app(settings.replace(database_url=url))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    spec = {"title": "Till", "phone_number": "+15550100777", "questions": ["Why us?"]}
    assert client.get("/api/v1/interviews", headers=headers).status_code == 200
    interview = client.post("/api/v1/interviews", json=spec, headers=headers).get_json()
    body = {"interview_id": interview["id"], "name": "Ana Alvarez", "phone": "+15550104999"}
    retry = headers | {"Idempotency-Key": "add-ana"}
    first = client.post("/api/v1/candidates", json=body, headers=retry)
    second = client.post("/api/v1/candidates", json=body, headers=retry)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.headers["Idempotent-Replayed"] == "true"
    erased = client.delete(f"/api/v1/candidates/{first.get_json()['id']}", headers=headers)
    assert erased.status_code == 204  # nothing recorded or texted: erased in one step
    app.extensions["screenline"].session_factory.kw["bind"].dispose()
    with factory() as session:
        assert session.query(Candidate).one().erased_at is not None
        assert session.query(AuditEvent).filter_by(action="api_request").count() == 5
        assert session.query(AuditEvent).filter_by(action="erasure").count() == 1
    engine.dispose()
