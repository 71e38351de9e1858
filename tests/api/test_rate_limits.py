"""Per-key rate limits: past the limit a key gets 429 problem details with Retry-After."""

from __future__ import annotations

import pytest

from tests.api.conftest import ApiClient, problem

LIMIT = 5


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


def test_limits_are_counted_per_key(server, acme):
    """Another key of the same organisation has its own allowance."""
    first = ApiClient(server.public_url, acme.key)
    for _ in range(LIMIT + 1):
        first.get("/api/v1/interviews")
    other = ApiClient(server.public_url, acme.read_key)
    assert other.get("/api/v1/interviews").status_code == 200
