"""Fixtures for the REST API: a real server (gunicorn), keys, and a client that speaks HTTP."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import requests

from tests.factories import make_candidate, make_interview, make_org, make_user
from voice.apikeys import create_key
from voice.models import Candidate, Interview, Organization


class ApiClient:
    """requests against the running server with one key (or none)."""

    def __init__(self, base: str, key: str | None):
        self.base = base
        self.http = requests.Session()
        if key:
            self.http.headers["Authorization"] = f"Bearer {key}"

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        return self.http.request(method, self.base + path, **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs) -> requests.Response:
        return self.request("PUT", path, **kwargs)


@pytest.fixture(scope="module")
def server_settings(settings):
    """The settings the module's server runs with (a module may override this fixture)."""
    return settings


@pytest.fixture(scope="module")
def server(server_settings, tmp_path_factory):
    """gunicorn serving the app on a free port; yields its settings (public_url is its URL)."""
    settings = server_settings
    from ivr.standin import TwilioApiServer
    from tests.support import env_for, free_port, start_process, stop_process, wait_for_http

    logs = tmp_path_factory.mktemp("api-server")
    twilio = TwilioApiServer(settings.twilio_account_sid, settings.twilio_auth_token).start()
    running = settings.replace(
        public_url=f"http://127.0.0.1:{free_port()}", twilio_api_url=twilio.url
    )
    from dashboard.cli import gunicorn_args

    env = env_for(running, SCREENLINE_API_RATE_LIMIT=str(running.api_rate_limit))
    proc = start_process(
        gunicorn_args("127.0.0.1", int(running.public_url.rsplit(":", 1)[1]), 2),
        env,
        logs / "web.log",
    )
    try:
        wait_for_http(f"{running.public_url}/login", timeout=60)
        yield running
    finally:
        stop_process(proc)
        twilio.stop()
        text = (logs / "web.log").read_text()
        if "Traceback" in text:
            print(text[-4000:])


@dataclass
class Org:
    """An organisation with an interview, a candidate, and live keys."""

    org: Organization
    interview: Interview
    candidate: Candidate
    key: str  # read-write
    read_key: str  # read-only


def make_keyed_org(db, name: str, email: str, number: str, person: str) -> Org:
    org = make_org(db, name)
    user = make_user(db, org, email=email)
    interview = make_interview(db, org, phone_number=number)
    candidate = make_candidate(db, interview, name=person, phone=None)
    _, key = create_key(db, org, "ATS sync", created_by_id=user.id)
    _, read_key = create_key(db, org, "Reports", read_only=True, created_by_id=user.id)
    db.commit()
    return Org(org, interview, candidate, key, read_key)


@pytest.fixture
def acme(db) -> Org:
    return make_keyed_org(db, "Acme Warehousing", "manager@acme.test", "+15550100200", "Dana Diaz")


@pytest.fixture
def globex(db) -> Org:
    return make_keyed_org(db, "Globex Logistics", "boss@globex.test", "+15550100999", "Sam Secret")


@pytest.fixture
def api(server, acme) -> ApiClient:
    """A client with Acme's read-write key."""
    return ApiClient(server.public_url, acme.key)


def problem(response: requests.Response, status: int, slug: str) -> dict:
    """Assert the response is problem details of this status and type; return its body."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["type"] == f"/api/v1/reference#problem-{slug}"
    assert body["title"] and body["detail"]
    return body
