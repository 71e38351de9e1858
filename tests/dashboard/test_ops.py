"""Health, readiness and Prometheus metrics: open to probes, closed to everything else."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from dashboard.app import create_app
from ivr.jobs import FETCH_RECORDING
from tests.ivr.twilio_actions import TwilioActions
from voice.models import AnswerStatus


def samples(response) -> dict[tuple[str, tuple], float]:
    """Parse a /metrics body into {(sample name, sorted labels): value}."""
    assert response.status_code == 200, response.data
    assert response.mimetype == "text/plain"
    parsed = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            parsed[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return parsed


@pytest.fixture
def built(db):
    """Build apps on other settings; their connections are closed afterwards."""
    apps = []

    def build(settings):
        apps.append(create_app(settings))
        return apps[-1]

    yield build
    for app in apps:
        app.extensions["screenline"].close()


def test_healthz_answers_without_sign_in(client):
    """/healthz is 200 {"status": "ok"} for an anonymous probe (no redirect to sign-in)."""
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz_checks_database_redis_and_store(client):
    """/readyz is 200 when the database, Redis and the audio store all answer."""
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ready",
        "checks": {"database": "ok", "redis": "ok", "store": "ok"},
    }


def test_readyz_names_what_is_down_without_details(settings, built):
    """With Redis unreachable /readyz is 503 naming redis, and says nothing more."""
    app = built(settings.replace(redis_url="redis://127.0.0.1:1/0"))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "not ready",
        "checks": {"database": "ok", "redis": "unreachable", "store": "ok"},
    }


def test_readyz_sees_a_missing_bucket(settings, s3_endpoint, built):
    """An S3 store whose bucket does not exist makes the process not ready."""
    app = built(settings.replace(storage_url="s3://no-such-bucket/x", s3_endpoint_url=s3_endpoint))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503 and response.get_json()["checks"]["store"] == "unreachable"


def test_metrics_time_webhooks_by_route_and_status(client, settings):
    """A webhook's latency lands in the histogram under its route pattern and status."""
    before = samples(client.get("/metrics"))
    key = (
        "screenline_webhook_seconds_count",
        (("route", "/ivr/voice"), ("status", "200")),
    )
    TwilioActions(client, settings).post("/ivr/voice", CallStatus="ringing")
    TwilioActions(client, settings).post("/ivr/voice", signature="forged")
    after = samples(client.get("/metrics"))
    assert after[key] == before.get(key, 0) + 1
    forged = ("screenline_webhook_seconds_count", (("route", "/ivr/voice"), ("status", "403")))
    assert after[forged] >= 1


def test_metrics_report_queues_and_waiting_answers(client, app, db, signed_in):
    """Queue depth, the oldest job's age and answers per waiting status are read live."""
    signed_in.failed.status = AnswerStatus.ANNOUNCED  # the other organisation's stays failed
    db.commit()
    app.extensions["screenline"].enqueue(FETCH_RECORDING, signed_in.transcribed.id)
    found = samples(client.get("/metrics"))
    assert found[("screenline_queue_jobs", (("queue", "recordings"),))] == 1
    assert found[("screenline_queue_jobs", (("queue", "transcribe"),))] == 0
    assert found[("screenline_queue_oldest_job_age_seconds", (("queue", "recordings"),))] >= 0
    assert found[("screenline_answers_waiting", (("status", "announced"),))] == 1
    assert found[("screenline_answers_waiting", (("status", "failed"),))] == 1
    assert found[("screenline_answers_waiting", (("status", "stored"),))] == 0


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", "Basic c2VjcmV0LXRva2Vu"])
def test_metrics_token_is_required_when_set(settings, built, header):
    """With SCREENLINE_METRICS_TOKEN set, a missing or wrong bearer token gets 401."""
    app = built(settings.replace(metrics_token="metrics-secret-token"))
    headers = {"Authorization": header} if header else {}
    response = app.test_client().get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_metrics_with_the_right_token(settings, built):
    """The right bearer token gets the samples."""
    app = built(settings.replace(metrics_token="metrics-secret-token"))
    response = app.test_client().get(
        "/metrics", headers={"Authorization": "Bearer metrics-secret-token"}
    )
    assert any(name == "screenline_queue_jobs" for name, _ in samples(response))


def test_probe_routes_show_no_organisations_data(client, signed_in):
    """Signed in or not, the probe routes name no candidate, user or organisation."""
    for path in ("/healthz", "/readyz", "/metrics"):
        body = client.get(path).get_data(as_text=True)
        for secret in ("Dana Diaz", "+15557654321", "manager@acme.test", "Acme Warehousing"):
            assert secret not in body, (path, secret)
