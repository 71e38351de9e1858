"""Per-key rate limits, on the API only: past the limit a key gets 429 problem details with
Retry-After; webhooks and dashboard pages never meet the limiter."""

from __future__ import annotations

import time

import pytest
import requests

from tests.api.conftest import ApiClient, problem
from tests.ivr.twilio_actions import TwilioActions

LIMIT = 5
RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


@pytest.fixture(scope="module")
def server_settings(settings):
    """A server allowing each key LIMIT requests a minute."""
    return settings.replace(api_rate_limit=LIMIT)


def test_a_key_past_its_limit_gets_429_with_retry_after(server, acme):
    """The sixth request in a minute is 429 rate-limited, with a Retry-After in seconds."""
    api = ApiClient(server.public_url, acme.key)
    statuses = [api.get("/api/v1/interviews").status_code for _ in range(LIMIT)]
    assert statuses == [200] * LIMIT
    response = api.get("/api/v1/interviews")
    problem(response, 429, "rate-limited")
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert response.headers["X-RateLimit-Remaining"] == "0"


def test_limits_are_counted_per_key(server, acme):
    """Another key of the same organisation has its own allowance."""
    first = ApiClient(server.public_url, acme.key)
    for _ in range(LIMIT + 1):
        first.get("/api/v1/interviews")
    other = ApiClient(server.public_url, acme.read_key)
    assert other.get("/api/v1/interviews").status_code == 200


def test_api_answers_carry_the_limit_and_retry_after_only_on_429(server, acme):
    """Below the limit: X-RateLimit-Limit, -Remaining (counting down) and -Reset (a Unix
    time within the minute), and no Retry-After, on successes and errors alike."""
    api = ApiClient(server.public_url, acme.key)
    ok = api.get("/api/v1/interviews")
    missing = api.get("/api/v1/candidates/999999")
    assert (ok.status_code, missing.status_code) == (200, 404)
    for response, remaining in ((ok, LIMIT - 1), (missing, LIMIT - 2)):
        assert response.headers["X-RateLimit-Limit"] == str(LIMIT)
        assert response.headers["X-RateLimit-Remaining"] == str(remaining)
        assert time.time() - 1 <= int(response.headers["X-RateLimit-Reset"]) <= time.time() + 61
        assert "Retry-After" not in response.headers


def test_pages_and_documents_have_no_rate_limit_headers(server, acme):
    """Dashboard pages and the public OpenAPI document are not limited, so they carry
    none of the headers, however often they are asked for."""
    for _ in range(LIMIT + 2):
        for url in ("/login", "/api/v1/openapi.json"):
            response = requests.get(server.public_url + url, timeout=30)
            assert response.status_code == 200, url
            assert not {*RATE_HEADERS, "Retry-After"} & set(response.headers), url


def test_webhooks_and_pages_skip_the_limiter_entirely(app, client, settings, acme, monkeypatch):
    """A webhook and a dashboard page never reach Flask-Limiter's limit lookup (the
    request filter stops them first); an API request does, and is counted."""
    [limiter] = app.extensions["limiter"]
    looked_up = []
    resolve = limiter.limit_manager.resolve_limits

    def counting(*args, **kwargs):
        looked_up.append(args[1])  # the endpoint
        return resolve(*args, **kwargs)

    monkeypatch.setattr(limiter.limit_manager, "resolve_limits", counting)
    twilio = TwilioActions(client, settings)
    assert twilio.post("/ivr/voice").status_code == 200
    assert client.get("/login").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert looked_up == []
    response = client.get("/api/v1/interviews", headers={"Authorization": f"Bearer {acme.key}"})
    assert response.status_code == 200
    assert looked_up == ["api_interviews.Interviews"]
    assert response.headers["X-RateLimit-Limit"] == str(settings.api_rate_limit)
