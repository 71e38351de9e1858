"""Worker roles and pools: queues chosen per process, CPU threads chosen from the cores."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.support import ROOT, env_for
from voice.stt import available_cores, stt_threads
from workers.main import parse_args


def test_threads_default_to_the_cores_and_follow_the_setting(settings):
    """0 means every core this process may use; a positive setting is taken as is."""
    assert stt_threads(settings.replace(stt_threads=0)) == available_cores()
    assert stt_threads(settings.replace(stt_threads=3)) == 3


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--queues", "bogus"], "unknown queue 'bogus'"),
        (["--processes", "0"], "--processes must be between 1 and 64"),
    ],
)
def test_bad_roles_are_refused(capsys, argv, message):
    """An unknown queue or a process count out of range stops with a clear message."""
    with pytest.raises(SystemExit):
        parse_args(argv)
    assert message in capsys.readouterr().err


def test_the_cli_refuses_an_unknown_queue(settings):
    """`screenline worker --queues downloads` names the real queues instead of starting."""
    out = subprocess.run(
        [sys.executable, "-m", "dashboard.cli", "worker", "--queues", "downloads"],
        env=env_for(settings),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2  # a bad option value, as click's own
    expected = "unknown queue 'downloads'; the queues are recordings, messages, transcribe"
    assert expected in out.stderr


@pytest.mark.slow
def test_a_transcription_pool_splits_the_cores(settings):
    """`--processes 2 --queues transcribe` runs two processes, each with cores // 2 threads."""
    out = subprocess.run(
        [sys.executable, "-m", "workers", "--burst", "--queues", "transcribe", "--processes", "2"],
        env=env_for(settings),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    threads = [int(n) for n in re.findall(r"loaded, (\d+) CPU threads", out.stderr)]
    assert threads == [max(1, available_cores() // 2)] * 2, out.stderr[-3000:]
