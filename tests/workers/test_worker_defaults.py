"""`screenline worker` without --processes: one transcription process per core."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.support import ROOT, env_for
from voice.stt import available_cores, default_worker_processes


def test_a_transcribing_worker_defaults_to_one_process_per_core():
    """Transcription gets a process per core; downloads and texts alone get one process."""
    assert default_worker_processes(True) == available_cores()
    assert default_worker_processes(False) == 1


@pytest.mark.slow
def test_screenline_worker_starts_a_process_per_core_with_one_thread_each(settings):
    """`screenline worker --queues transcribe` loads the model once per core, one thread each."""
    out = subprocess.run(
        [sys.executable, "-m", "dashboard.cli", "worker", "--burst", "--queues", "transcribe"],
        env=env_for(settings),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    threads = [int(n) for n in re.findall(r"loaded, (\d+) CPU threads", out.stderr)]
    assert threads == [1] * available_cores(), out.stderr[-3000:]
