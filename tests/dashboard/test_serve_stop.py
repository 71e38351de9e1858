"""`screenline serve` starts and answers, stops on SIGTERM with status 0, and stops on
Ctrl-C: every process ends, and the port is free again.

A terminal's Ctrl-C sends SIGINT to the whole foreground process group: gunicorn's master
and each web process get it, and the master then tells each web process to quit as well
(SIGQUIT). gunicorn 27's threaded worker shut its thread pool down inside that signal's
handler; when the signal landed while the process was handing a new connection to the
pool (under the pool's lock), the handler waited for that lock for ever, and the process
kept its port and answered nothing (seen with gdb; dashboard/gunicorn_conf.py's
post_worker_init is the fix). A new user met it after Ctrl-C on `make demo`: the demo
killed the master after 10 s and left that web process running. Without the fix, 6 of
10 rounds of this test hung; with it, none.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests

from dashboard.cli import gunicorn_args
from tests.dashboard.html import parse
from tests.support import (
    ROOT,
    env_for,
    free_port,
    start_process,
    stop_process,
    wait_for_http,
    wait_until,
)

ROUNDS = 5  # each a fresh server and one Ctrl-C; without the fix about 6 rounds in 10 hung


def _nothing_listens(port: int) -> bool:
    """Whether 127.0.0.1:`port` is free to listen on (SO_REUSEADDR, as a server binds:
    connections left in TIME_WAIT do not count, a listener does)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
            sock.listen()
        except OSError:
            return False
    return True


def test_serve_starts_answers_and_stops_on_sigterm_with_status_0(settings, tmp_path):
    """`screenline serve --host 127.0.0.1 --port P` (the CLI, not gunicorn directly):
    /healthz answers, /readyz says ready, /login shows the sign-in form by its labels;
    SIGTERM (what a service manager sends) ends it with status 0 and frees the port."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "serve.log"
    server = start_process(
        ["-m", "dashboard.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env_for(settings),
        log_path,
    )
    try:
        wait_for_http(f"{base}/healthz", timeout=60)
        assert requests.get(f"{base}/healthz", timeout=10).json() == {"status": "ok"}
        ready = requests.get(f"{base}/readyz", timeout=30)
        assert ready.status_code == 200, ready.text
        assert ready.json() == {
            "status": "ready",
            "checks": {"database": "ok", "redis": "ok", "store": "ok"},
        }
        login = requests.get(f"{base}/login", timeout=30)
        assert login.status_code == 200
        page = parse(login.content)
        form = page.one("form", method="post")
        assert [label.text() for label in form.find_all("label")] == ["Email", "Password"]
        assert form.one("button", type="submit").text() == "Sign in"
        assert server.poll() is None  # `serve` is the server (exec), not a launcher that left

        server.send_signal(signal.SIGTERM)
        status = server.wait(timeout=30)
    finally:
        stop_process(server)
    log = log_path.read_text(errors="replace")[-2000:]
    assert status == 0, log
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{base}/healthz", timeout=2)
    assert _nothing_listens(port), log


def _group_alive(server: subprocess.Popen) -> bool:
    """Whether any process of the server's group runs (the master reaped first: a
    zombie still counts as a member of its group)."""
    server.poll()
    pgid = server.pid
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@contextmanager
def _callers(url: str, threads: int = 8) -> Iterator[list[int]]:
    """Clients opening a new connection per request to `url` until the block ends (the
    server's main thread is then often handing a connection to its pool); yields a
    one-item list counting the requests answered."""
    served, stop = [0], threading.Event()

    def call() -> None:
        while not stop.is_set():
            try:
                requests.get(url, timeout=2)
                served[0] += 1
            except requests.RequestException:
                time.sleep(0.01)  # refused once the server stops listening

    pool = [threading.Thread(target=call, daemon=True) for _ in range(threads)]
    for thread in pool:
        thread.start()
    try:
        yield served
    finally:
        stop.set()
        for thread in pool:
            thread.join(5)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_ctrl_c_to_the_process_group_stops_every_web_process(settings, tmp_path, round_):
    """SIGINT to the server's whole group, as a terminal sends it, while requests keep
    arriving: master and web processes all exit within 15 s, and nothing listens on the
    port afterwards."""
    port = free_port()
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [sys.executable, *gunicorn_args("127.0.0.1", port, 2)],
        env=env_for(settings),
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own group, like a terminal's foreground job
    )
    try:
        with _callers(f"http://127.0.0.1:{port}/healthz") as served:
            # The first answer: the web processes are now starting the threads of their
            # pools for the connections arriving, each start under the pool's lock.
            wait_until(lambda: served[0], timeout=60, interval=0.001, what="a request served")
            os.killpg(server.pid, signal.SIGINT)
        deadline = time.monotonic() + 15
        while _group_alive(server) and time.monotonic() < deadline:
            time.sleep(0.1)
        stuck = _group_alive(server)
    finally:
        if _group_alive(server):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait()
        log.close()
    assert not stuck, (tmp_path / "serve.log").read_text(errors="replace")[-2000:]
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
