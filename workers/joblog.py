"""Job logging: every line a job writes names the RQ job it belongs to."""

from __future__ import annotations

import logging

from rq import get_current_job


class JobLog(logging.LoggerAdapter):
    """Prefix messages with the current RQ job id (`-` outside a worker)."""

    def process(self, msg, kwargs):
        """Prefix one message with the job id."""
        found = get_current_job()
        return f"[job {found.id if found else '-'}] {msg}", kwargs


def job_log(logger: logging.Logger) -> JobLog:
    """`logger`, with every line naming the RQ job it was written in."""
    return JobLog(logger, {})
