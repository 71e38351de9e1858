"""Deleting recordings at Twilio that Screenline must not keep (practice answers)."""

from __future__ import annotations

import logging

from workers.context import current
from workers.joblog import job_log
from workers.queues import RECORDINGS, job

log = logging.getLogger(__name__)


@job(queue=RECORDINGS, timeout=60, retries=(10, 60, 300))
def delete_twilio_recording(recording_sid: str) -> None:
    """Delete one recording at Twilio; one already gone counts as deleted."""
    current().twilio.delete_recording(recording_sid)
    job_log(log).info("deleted recording %s at Twilio", recording_sid)
