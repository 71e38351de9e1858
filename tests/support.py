"""Helpers for tests that start real processes (web server, RQ worker)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import requests

from config.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def env_for(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment that makes a child process load exactly these settings."""
    env = dict(os.environ)
    env.update(
        SCREENLINE_ENV=settings.env,
        SCREENLINE_DATABASE_URL=settings.database_url,
        SCREENLINE_REDIS_URL=settings.redis_url,
        SCREENLINE_MEDIA_DIR=str(settings.media_dir),
        SCREENLINE_STORAGE_URL=settings.storage_url,
        SCREENLINE_S3_ENDPOINT_URL=settings.s3_endpoint_url,
        SCREENLINE_METRICS_DIR=str(settings.metrics_dir),
        SCREENLINE_METRICS_TOKEN=settings.metrics_token,
        SCREENLINE_LOG_FORMAT=settings.log_format,
        SCREENLINE_STT_THREADS=str(settings.stt_threads),
        SCREENLINE_SECRET_KEY=settings.secret_key,
        SCREENLINE_PUBLIC_URL=settings.public_url,
        TWILIO_ACCOUNT_SID=settings.twilio_account_sid,
        TWILIO_AUTH_TOKEN=settings.twilio_auth_token,
        SCREENLINE_TWILIO_API_URL=settings.twilio_api_url,
        SCREENLINE_STT_ENGINE=settings.stt_engine,
        SCREENLINE_WHISPER_MODEL=settings.whisper_model,
        SCREENLINE_SWEEP_INTERVAL=str(settings.sweep_interval_seconds),
        SCREENLINE_PRACTICE_DELETE_DELAY=str(settings.practice_delete_delay),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_process(args: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen:
    """Start `python -m ...` style children with output captured to a log file."""
    log = open(log_path, "wb")  # noqa: SIM115 - closed by the caller via stop_process
    return subprocess.Popen(
        [sys.executable, *args], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
    )


def stop_process(proc: subprocess.Popen, timeout: float = 10) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_for_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=5)
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.1)
    raise TimeoutError(f"nothing answered at {url} within {timeout}s")


def wait_until(predicate, timeout: float, interval: float = 0.25, what: str = "condition"):
    """Poll `predicate` until it returns something truthy; fail with `what` otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


@contextmanager
def web_server(settings: Settings, log_path: Path, workers: int = 2) -> Iterator[subprocess.Popen]:
    """gunicorn serving the app as `screenline serve` does, bound to settings.public_url."""
    from dashboard.cli import gunicorn_args

    bound = urlsplit(settings.public_url)
    server = start_process(
        gunicorn_args(bound.hostname, bound.port, workers), env_for(settings), log_path
    )
    try:
        wait_for_http(f"{settings.public_url}/login", timeout=60)
        yield server
    finally:
        stop_process(server)


@contextmanager
def postgres_database(admin_url: str, prefix: str = "screenline_test") -> Iterator[str]:
    """The URL of a fresh PostgreSQL database, migrated to head; dropped afterwards."""
    from sqlalchemy import text

    from voice.db import make_engine
    from voice.migrate import upgrade

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = admin_url.rsplit("/", 1)[0] + "/" + name
        upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def screenline_json(settings: Settings, *args: str) -> dict:
    """Run `screenline ARGS --json` as a separate process with these settings; its output."""
    import json

    out = subprocess.run(
        [sys.executable, "-m", "dashboard.cli", *args, "--json"],
        env=env_for(settings),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def sign_in(browser: requests.Session, base_url: str, email: str, password: str) -> None:
    """Sign a requests session in to a running dashboard, as a browser does (CSRF token)."""
    import re

    page = browser.get(f"{base_url}/login", timeout=30)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    reply = browser.post(
        f"{base_url}/login",
        data={"email": email, "password": password, "csrf_token": token},
        allow_redirects=False,
        timeout=30,
    )
    assert reply.status_code == 302, f"sign-in failed: HTTP {reply.status_code}"
