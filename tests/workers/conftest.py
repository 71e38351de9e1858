"""Worker test fixtures: the recordings server, worker settings, jobs run in this process."""

from __future__ import annotations

import threading
from http.server import ThreadingHTTPServer

import pytest

from tests.workers.helpers import RecordingServer, handler_for
from workers import context


@pytest.fixture
def recordings(settings):
    """A threaded local server for recording media and deletions, stopped afterwards."""
    server = RecordingServer(settings.twilio_account_sid, settings.twilio_auth_token)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(server))
    httpd.daemon_threads = True
    server.url = f"http://127.0.0.1:{httpd.server_port}"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield server
    server.release.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def worker_settings(settings, recordings, tmp_path):
    """Settings pointing Twilio at the local server, with a media folder of the test's own."""
    return settings.replace(twilio_api_url=recordings.url, media_dir=tmp_path / "media")


@pytest.fixture
def in_process(worker_settings, db):
    """Make jobs called in this process use the worker settings (as a worker would)."""
    ctx = context.use(worker_settings)
    yield ctx
    context.reset()
