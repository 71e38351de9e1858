"""A real S3-compatible HTTP server for tests: moto's standalone server, as a process."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3
from botocore.config import Config

from tests.support import free_port, start_process, stop_process, wait_for_http

# Test credentials for the standard AWS chain (environment variables); moto accepts any.
S3_ENV = {
    "AWS_ACCESS_KEY_ID": "screenline-test",
    "AWS_SECRET_ACCESS_KEY": "screenline-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def moto_server_command(host: str, port: int) -> list[str]:
    """The argv that starts moto's standalone server on host:port."""
    return [sys.executable, "-m", "moto.server", "-H", host, "-p", str(port)]


@contextmanager
def s3_server(log_path: Path, host: str = "127.0.0.1") -> Iterator[str]:
    """Run moto_server on a free loopback port; yield its endpoint URL; stop it after."""
    port = free_port()
    env = dict(os.environ, **S3_ENV)
    proc = start_process(moto_server_command(host, port)[1:], env, log_path)
    try:
        endpoint = f"http://{host}:{port}"
        wait_for_http(endpoint, timeout=60)
        yield endpoint
    finally:
        stop_process(proc)


def make_bucket(endpoint: str, name: str | None = None) -> str:
    """Create a bucket on the server and return its name."""
    name = name or f"screenline-{uuid.uuid4().hex[:12]}"
    client(endpoint).create_bucket(Bucket=name)
    return name


def client(endpoint: str):
    """A plain boto3 client on the test server (for looking behind the store's back)."""
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=S3_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=S3_ENV["AWS_SECRET_ACCESS_KEY"],
        region_name=S3_ENV["AWS_DEFAULT_REGION"],
        config=Config(s3={"addressing_style": "path"}),
    )
