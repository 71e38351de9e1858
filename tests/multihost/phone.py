"""The telephone side of the multi-host test, run inside its own network namespace.

`python -m tests.multihost.phone wait URL...` waits until each URL answers HTTP.
`python -m tests.multihost.phone call HOST PORT SPEC.json` serves the Twilio stand-in's
API on HOST:PORT, places the calls in SPEC (at once, one thread each), keeps serving
until Screenline has downloaded every recording, and prints one JSON line of results.
`python -m tests.multihost.phone bucket ENDPOINT NAME` makes a bucket on the S3 server;
`python -m tests.multihost.phone ready` prints the web server's /readyz;
`python -m tests.multihost.phone play SPEC.json` signs in to the dashboard and fetches
the first 100 bytes of each answer's audio; prints the HTTP statuses and lengths.
Settings come from the environment, as for every Screenline process.
"""

from __future__ import annotations

import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from config.settings import load_settings
from ivr.standin import TwilioApiServer, place_call
from tests.s3 import make_bucket
from tests.support import sign_in, wait_for_http


def wait(urls: list[str]) -> None:
    for url in urls:
        wait_for_http(url, timeout=90)
    print(json.dumps({"ready": urls}), flush=True)


def call(host: str, port: int, spec: dict) -> None:
    settings = load_settings()
    api = TwilioApiServer(settings.twilio_account_sid, settings.twilio_auth_token, host, port)
    api.start()
    try:
        with ThreadPoolExecutor(len(spec["calls"])) as pool:
            logs = list(
                pool.map(
                    lambda c: place_call(
                        settings, c["to"], c["from"], says=c["says"], digits=["1"], api=api
                    ),
                    spec["calls"],
                )
            )
        kept = [r.sid for log in logs for r in log.recordings if r.status == "completed"]
        deadline = time.monotonic() + 240
        while not all(api.store.done_with(sid) for sid in kept):
            if time.monotonic() > deadline:
                break
            time.sleep(0.5)
        fetched = [sid for sid in kept if api.store.done_with(sid)]
        time.sleep(1)  # a download's last bytes
    finally:
        api.stop()
    print(
        json.dumps(
            {
                "calls": [
                    {"sid": log.call_sid, "ok": log.ok, "errors": log.errors} for log in logs
                ],
                "recordings": kept,
                "fetched": fetched,
            },
            default=str,
        ),
        flush=True,
    )


def play(spec: dict) -> None:
    settings = load_settings()
    browser = requests.Session()
    sign_in(browser, settings.public_url, spec["email"], spec["password"])
    results = []
    for answer_id in spec["answers"]:
        reply = browser.get(
            f"{settings.public_url}/audio/answers/{answer_id}.mp3",
            headers={"Range": "bytes=0-99"},
            timeout=30,
        )
        results.append(
            {
                "answer": answer_id,
                "status": reply.status_code,
                "length": len(reply.content),
                "range": reply.headers.get("Content-Range", ""),
            }
        )
    print(json.dumps({"played": results}), flush=True)


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    if command == "wait":
        wait(rest)
    elif command == "bucket":
        make_bucket(rest[0], rest[1])
        print(json.dumps({"bucket": rest[1]}), flush=True)
    elif command == "ready":
        settings = load_settings()
        reply = requests.get(f"{settings.public_url}/readyz", timeout=30)
        print(json.dumps(reply.json()), flush=True)
    elif command == "call":
        call(rest[0], int(rest[1]), json.loads(Path(rest[2]).read_text()))
    elif command == "play":
        play(json.loads(Path(rest[0]).read_text()))
    else:
        raise SystemExit(f"unknown command {command!r}")
