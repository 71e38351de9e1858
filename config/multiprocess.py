"""Where this machine's Screenline processes keep their Prometheus samples.

prometheus-client's multiprocess mode: every process (each gunicorn web process, each
RQ worker) writes its samples to files in one folder per machine, and `/metrics` adds
them up. The folder must be chosen before prometheus_client is first imported, so the
process entry points (dashboard/gunicorn_conf.py, workers/__main__.py) call
`share_metrics` first thing. This module imports nothing of prometheus_client.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "PROMETHEUS_MULTIPROC_DIR"


def share_metrics(directory: Path | str) -> Path:
    """Make this process (and its children) write samples into `directory`; return it."""
    folder = Path(directory).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    os.environ[ENV] = str(folder)
    return folder


def shared_folder() -> Path | None:
    """The folder this process writes samples to, or None in single-process mode."""
    value = os.environ.get(ENV)
    return Path(value) if value else None
