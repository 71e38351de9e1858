"""Screenline across hosts: web, two workers, the S3 server and the telephone network each
on a network namespace of its own, with no shared folder.

The namespaces, their veth pairs and link-local addresses are made by this test and
removed after it (tests/multihost/netns.py); PostgreSQL and Redis stay where they run,
reached through Unix-socket relays (tests/multihost/relay.py). The download worker and
the transcription worker run as separate roles, so each must do its part over the
network. Skipped, saying why, where namespaces cannot be made.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from dashboard.cli import gunicorn_args
from tests.factories import PASSWORD, make_candidate, make_interview, make_org, make_user
from tests.multihost.netns import hosts, log_tail, namespaces_left, unavailable
from tests.multihost.relay import RelayThread
from tests.s3 import S3_ENV, moto_server_command
from tests.support import ROOT, env_for, stop_process, wait_until
from voice.models import Answer, AnswerStatus

pytestmark = pytest.mark.slow

SAID = [
    "I stocked shelves at a grocery store for three years.",
    "I drove a forklift in a warehouse on the night shift.",
    "I worked the register and helped customers every day.",
]
PHONES = ["+15557654301", "+15557654302", "+15557654303"]
HOSTS = ["web", "w1", "w2", "s3", "phone"]
PORTS = {"web": 8000, "s3": 9000, "phone": 8765}


@pytest.fixture(scope="module")
def namespaces_permitted():
    """Skip with the reason when this machine does not let the test make namespaces."""
    reason = unavailable()
    if reason:
        pytest.skip(f"the multi-host test needs network namespaces: {reason}")


def answers_of(session_factory, candidate_ids: list[int]):
    def check():
        with session_factory() as session:
            rows = session.scalars(
                select(Answer).where(Answer.candidate_id.in_(candidate_ids)).order_by(Answer.id)
            ).all()
            finished = [
                a for a in rows if a.status in (AnswerStatus.TRANSCRIBED, AnswerStatus.FAILED)
            ]
            return rows if len(finished) >= len(candidate_ids) else None

    return check


def test_calls_are_transcribed_and_playable_across_hosts(
    namespaces_permitted, settings, db, session_factory, tmp_path
):
    """Three simultaneous calls end transcribed and playable with every part on its own host."""
    org = make_org(db)
    make_user(db, org)
    interview = make_interview(db, org, questions=("Tell us about your last job.",))
    candidates = [
        make_candidate(db, interview, name=f"Caller {i}", phone=phone)
        for i, phone in enumerate(PHONES)
    ]
    db.commit()

    # PostgreSQL and Redis as every namespace sees them: its own 127.0.0.1, relayed.
    database, queue_url = make_url(settings.database_url), urlsplit(settings.redis_url)
    sockets = Path(tempfile.mkdtemp(prefix="sl-", dir="/tmp"))  # short: socket paths are short
    root_relay = RelayThread(
        [
            (f"unix:{sockets}/pg.sock", f"tcp:{database.host}:{database.port or 5432}"),
            (f"unix:{sockets}/redis.sock", f"tcp:{queue_url.hostname}:{queue_url.port or 6379}"),
        ]
    ).start()
    inner_relay = [
        "-m",
        "tests.multihost.relay",
        f"tcp:127.0.0.1:5432=unix:{sockets}/pg.sock",
        f"tcp:127.0.0.1:6379=unix:{sockets}/redis.sock",
    ]
    processes: list[tuple[str, subprocess.Popen, Path]] = []
    bucket = "screenline-multihost"
    try:
        with hosts(HOSTS) as net:
            at = net.addresses
            running = settings.replace(
                database_url=database.set(host="127.0.0.1", port=5432).render_as_string(
                    hide_password=False
                ),
                redis_url=f"redis://127.0.0.1:6379{queue_url.path}",
                public_url=f"http://{at['web']}:{PORTS['web']}",
                twilio_api_url=f"http://{at['phone']}:{PORTS['phone']}",
                storage_url=f"s3://{bucket}/audio",
                s3_endpoint_url=f"http://{at['s3']}:{PORTS['s3']}",
                media_dir=tmp_path / "no-shared-folder",
            )

            def start(host: str, argv: list[str], name: str) -> None:
                env = env_for(running, **S3_ENV, SCREENLINE_METRICS_DIR=str(tmp_path / host))
                log = tmp_path / f"{name}.log"
                proc = subprocess.Popen(
                    net.command(host, argv),
                    env=env,
                    cwd=ROOT,
                    stdout=log.open("wb"),
                    stderr=subprocess.STDOUT,
                )
                processes.append((name, proc, log))

            def on_phone(*args: str, timeout: float = 300) -> dict:
                env = env_for(running, **S3_ENV)
                out = subprocess.run(
                    net.command("phone", [sys.executable, *args]),
                    env=env,
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    timeout=timeout,
                )
                assert out.returncode == 0, out.stderr[-3000:]
                return json.loads(out.stdout.strip().splitlines()[-1])

            for host in ("web", "w1", "w2", "phone"):
                start(host, [sys.executable, *inner_relay], f"relay-{host}")
            start("s3", moto_server_command(at["s3"], PORTS["s3"]), "s3")
            start("web", [sys.executable, *gunicorn_args(at["web"], PORTS["web"], 2)], "web")
            start("w1", [sys.executable, "-m", "workers", "--queues", "recordings,messages"], "w1")
            start("w2", [sys.executable, "-m", "workers", "--queues", "transcribe"], "w2")

            on_phone(
                "-m",
                "tests.multihost.phone",
                "wait",
                running.s3_endpoint_url,
                f"{running.public_url}/healthz",
            )
            on_phone("-m", "tests.multihost.phone", "bucket", running.s3_endpoint_url, bucket)
            ready = on_phone("-m", "tests.multihost.phone", "ready")
            assert ready["status"] == "ready", ready

            spec = tmp_path / "calls.json"
            spec.write_text(
                json.dumps(
                    {
                        "calls": [
                            {"to": interview.phone_number, "from": phone, "says": [said]}
                            for phone, said in zip(PHONES, SAID, strict=True)
                        ]
                    }
                )
            )
            placed = on_phone(
                "-m", "tests.multihost.phone", "call", at["phone"], str(PORTS["phone"]), str(spec)
            )
            assert all(call["ok"] for call in placed["calls"]), placed
            assert len(placed["recordings"]) == 3 and placed["fetched"] == placed["recordings"]

            answers = wait_until(
                answers_of(session_factory, [c.id for c in candidates]),
                timeout=240,
                what="three transcripts",
            )
            assert [a.status for a in answers] == [AnswerStatus.TRANSCRIBED] * 3, [
                a.error for a in answers
            ]
            assert all(a.transcript for a in answers)

            listen = tmp_path / "play.json"
            listen.write_text(
                json.dumps(
                    {
                        "email": "manager@acme.test",
                        "password": PASSWORD,
                        "answers": [a.id for a in answers],
                    }
                )
            )
            played = on_phone("-m", "tests.multihost.phone", "play", str(listen))["played"]
            assert [(p["status"], p["length"]) for p in played] == [(206, 100)] * 3, played

            logs = {name: log for name, _, log in processes}
            assert (
                "stored" in logs["w1"].read_text() and "transcribed" not in logs["w1"].read_text()
            )
            assert "transcribed" in logs["w2"].read_text()
            assert not running.media_dir.exists()  # no process kept audio in a folder
            prefix = net.prefix
    except BaseException:
        for name, _, log in processes:
            sys.stderr.write(f"--- {name} ---\n{log_tail(log)}\n")
        raise
    finally:
        for _, proc, _ in reversed(processes):
            stop_process(proc)
        root_relay.stop()
        shutil.rmtree(sockets, ignore_errors=True)
    assert namespaces_left(prefix) == []
