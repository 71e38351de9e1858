"""`screenline demo` told a user's Ctrl-C from a crash: the first ends quietly, exit status 0."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import click
import pytest

from dashboard.demo import interrupted, start, supervise

REPO = Path(__file__).resolve().parents[2]
# Says "ready" once Python runs the code, its SIGINT handler installed, so that the
# signal reaches a running program and not an interpreter still starting.
SLEEPER = ["-c", "import time; print('ready', flush=True); time.sleep(300)"]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (0, True),  # gunicorn and the RQ worker shut down cleanly on SIGINT
        (-signal.SIGINT, True),  # Python ending itself on an uncaught KeyboardInterrupt
        (-signal.SIGTERM, True),
        (130, True),  # 128 + SIGINT, the shell's convention
        (1, False),  # a traceback
        (3, False),  # gunicorn's "worker failed to boot"
        (-signal.SIGKILL, False),  # the kernel's out-of-memory killer
        (None, False),  # still running
    ],
)
def test_which_exit_statuses_are_an_interrupt(code, expected):
    """Clean exits and deaths by SIGINT/SIGTERM are a Ctrl-C; anything else is a crash."""
    assert interrupted(code) is expected


def _children(tmp_path: Path, **more: list[str]) -> dict[str, subprocess.Popen]:
    procs = {"sleeper": start("sleeper", SLEEPER, dict(os.environ), tmp_path)}
    procs |= {name: start(name, args, dict(os.environ), tmp_path) for name, args in more.items()}
    return procs


def _wait_until_ready(procs: dict[str, subprocess.Popen], logs: Path) -> None:
    """Wait (up to 60 s) until every child has printed "ready" to its log (SLEEPER)."""
    deadline = time.monotonic() + 60
    for name in procs:
        log = logs / f"{name}.log"
        while not (log.exists() and "ready" in log.read_text()):
            assert time.monotonic() < deadline, f"{name} never started"
            time.sleep(0.05)


def _stop(procs: dict[str, subprocess.Popen]) -> None:
    for proc in procs.values():
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def test_children_stopped_by_sigint_are_no_error(tmp_path):
    """Real children ended by SIGINT (as when this process ignores it) end supervision quietly."""
    procs = _children(tmp_path, other=SLEEPER)
    try:
        _wait_until_ready(procs, tmp_path)
        for proc in procs.values():
            proc.send_signal(signal.SIGINT)
        supervise(procs, grace=60)  # returns: no ClickException
        # Every child stopped, with a status `interrupted` counts as Ctrl-C: -SIGINT in
        # one test process; inside pytest-xdist's worker processes the same children were
        # seen to exit 0, with no KeyboardInterrupt traceback (not explained yet).
        codes = {p.returncode for p in procs.values()}
        assert codes and all(interrupted(code) for code in codes), codes
    finally:
        _stop(procs)


def test_a_crashed_child_is_an_error_naming_it(tmp_path):
    """A child that exits 3 while the other runs is reported, with its exit status."""
    procs = _children(tmp_path, crasher=["-c", "raise SystemExit(3)"])
    try:
        with pytest.raises(click.ClickException) as raised:
            supervise(procs, grace=0.5)
        assert "the crasher (exit status 3)" in raised.value.message
        assert "sleeper" not in raised.value.message  # it was still running
    finally:
        _stop(procs)


SCRIPT = textwrap.dedent(
    """
    import os, sys
    GUNICORN_LIKE = (
        "import signal, sys, time; "
        "signal.signal(signal.SIGINT, lambda *_: sys.exit(0)); time.sleep(300)"
    )
    from pathlib import Path
    from dashboard.demo import serve_until_stopped, start, wait_for
    logs, port = Path(sys.argv[1]), sys.argv[2]
    procs = {
        "twilio stand-in": start(
            "standin", ["-m", "ivr.standin.api", "--port", port], dict(os.environ), logs
        ),
        # Stands for gunicorn and the RQ worker, which set their own SIGINT handlers and
        # exit 0 on it, whatever they inherited.
        "sleeper": start("sleeper", ["-c", GUNICORN_LIKE], dict(os.environ), logs),
    }
    try:
        # Serving before the Ctrl-C, so that it is the stand-in that stops, not its start.
        wait_for(f"http://127.0.0.1:{port}/_standin/health", procs["twilio stand-in"], "stand-in")
        serve_until_stopped(procs)
    finally:
        for proc in procs.values():
            proc.terminate()
            proc.wait(10)
    """
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize("started_as", ["foreground", "background job"])
def test_ctrl_c_to_the_process_group_ends_the_demo_with_status_0(tmp_path, started_as):
    """SIGINT to the whole group, as a terminal sends it: "Stopped.", exit 0, no error.

    Also when the demo was started with SIGINT ignored, as a shell's background job is
    (`make demo &`, or a script's `cmd &`): every process it starts inherits that, and
    the stand-in then stopped only when killed (seen by trying the demo as a new user).
    """
    runner = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(tmp_path), str(_free_port())],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own group, so the signal reaches nothing else
        preexec_fn=_ignore_sigint if started_as == "background job" else None,
    )
    try:
        assert runner.stdout.readline().strip() == "Press Ctrl-C to stop."
        os.killpg(runner.pid, signal.SIGINT)
        out, err = runner.communicate(timeout=60)
    finally:
        if runner.poll() is None:
            os.killpg(runner.pid, signal.SIGKILL)
            runner.wait()
    assert runner.returncode == 0, err + (tmp_path / "standin.log").read_text()
    assert out.strip() == "Stopped." and "Error" not in err
    # The Ctrl-C and then the demo's SIGTERM end the stand-in without a traceback.
    standin = (tmp_path / "standin.log").read_text()
    assert "Traceback" not in standin and "KeyboardInterrupt" not in standin, standin
    assert standin.strip().splitlines()[-1].endswith("Twilio stand-in API stopped")
