"""Worker test helpers: a local recordings server, answers in the pipeline, worker runs."""

from __future__ import annotations

import base64
import contextlib
import os
import re
import signal
import subprocess
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from sqlalchemy.orm import Session

from tests.factories import make_candidate, make_interview, make_org
from tests.support import env_for, start_process, stop_process
from voice.models import Answer, AnswerStatus, Interview, utcnow

API_VERSION = "2010-04-01"


@dataclass
class Hit:
    method: str
    path: str
    authorised: bool
    status: int


@dataclass
class Recording:
    body: bytes
    fail_first: int = 0  # answer 404 to this many requests first, as Twilio does early on
    hang_first: bool = False  # hold the first request open until released (a slow download)
    requests: int = 0
    deleted: bool = False


@dataclass
class RecordingServer:
    """Serves Twilio-shaped recording URLs with HTTP Basic auth, and takes deletions."""

    account_sid: str
    auth_token: str
    recordings: dict[str, Recording] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    started_hanging: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    def add(self, sid: str, body: bytes, **options) -> str:
        """Offer a recording; return its RecordingUrl (no extension, like Twilio's)."""
        self.recordings[sid] = Recording(body, **options)
        return f"{self.url}/{API_VERSION}/Accounts/{self.account_sid}/Recordings/{sid}"

    def gets(self, sid: str) -> list[Hit]:
        return [h for h in self.hits if h.method == "GET" and sid in h.path]

    def deletes(self) -> list[Hit]:
        return [h for h in self.hits if h.method == "DELETE"]

    def authorised(self, header: str | None) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return header == f"Basic {expected}"


def handler_for(server: RecordingServer) -> type[BaseHTTPRequestHandler]:
    pattern = re.compile(
        rf"^/{API_VERSION}/Accounts/(?P<account>\w+)/Recordings/(?P<sid>\w+)(?P<ext>\.\w+)?$"
    )

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self._serve("GET")

        def do_DELETE(self):
            self._serve("DELETE")

        def _serve(self, method: str) -> None:
            match = pattern.match(self.path)
            recording = server.recordings.get(match["sid"]) if match else None
            authorised = server.authorised(self.headers.get("Authorization"))
            status, body = self._answer(method, recording, authorised)
            server.hits.append(Hit(method, self.path, authorised, status))
            self.send_response(status)
            self.send_header("Content-Type", "audio/x-wav" if status == 200 else "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _answer(self, method, recording, authorised) -> tuple[int, bytes]:
            if not authorised:
                return 401, b"authenticate"
            if recording is None or recording.deleted:
                return 404, b"no such recording"
            if method == "DELETE":
                recording.deleted = True
                return 204, b""
            recording.requests += 1
            if recording.hang_first and recording.requests == 1:
                server.started_hanging.set()
                server.release.wait(60)
            if recording.requests <= recording.fail_first:
                return 404, b"not ready"
            return 200, recording.body

        def log_message(self, *args):
            pass

    return Handler


def make_interview_for(db: Session, **spec) -> Interview:
    """An organisation's interview with one candidate, for answers to hang on."""
    interview = make_interview(db, make_org(db), **spec)
    make_candidate(db, interview)
    return interview


def make_answer(
    db: Session,
    recording_url: str | None,
    sid: str = "RE00000000000000000000000000000001",
    *,
    interview: Interview | None = None,
    attempt: int = 1,
    status: str = AnswerStatus.ANNOUNCED,
    age: timedelta = timedelta(0),
    **answer_fields,
) -> Answer:
    """An answer to the interview's first question, announced `age` ago; committed."""
    interview = interview or make_interview_for(db)
    answer = Answer(
        candidate=interview.candidates[0],
        question=interview.questions[0],
        attempt=attempt,
        recording_sid=sid,
        recording_url=recording_url,
        duration_seconds=5,
        status=status,
        announced_at=utcnow() - age,
        **answer_fields,
    )
    db.add(answer)
    db.commit()
    return answer


def run_worker(settings, log_path: Path, *args: str, timeout: float = 120) -> str:
    """Run `python -m workers --burst` to completion; return its log."""
    proc = start_process(["-m", "workers", "--burst", *args], env_for(settings), log_path)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        stop_process(proc)
        raise
    output = log_path.read_text()
    assert proc.returncode == 0, output
    return output


def descendants(pid: int) -> list[int]:
    """Process ids of a process's children and their children (from /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = (task / "children").read_text().split() if (task / "children").exists() else []
        for child in map(int, children):
            found += [child, *descendants(child)]
    return found


def kill_quietly(pid: int) -> None:
    """SIGKILL a process this test started, if it is still there."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def alive(pid: int) -> bool:
    """Whether a process is still running (a zombie waiting to be reaped is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in ("Z", "X")
