"""The background jobs web code may enqueue, by dotted name (web never imports workers/).

Each entry mirrors the job's own declaration in workers/; tests/test_jobs.py imports
every name here and checks queue, timeout and retries agree, so a rename fails loudly.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class JobRef:
    name: str
    queue: str
    timeout: int
    retries: tuple[int, ...]  # seconds to wait before each retry


FETCH_RECORDING = JobRef(
    "workers.recordings.fetch_recording", "recordings", timeout=300, retries=(10, 30, 60)
)

SEND_MESSAGE = JobRef(
    "workers.messages.send_message", "messages", timeout=60, retries=(10, 60, 300)
)
DELETE_TWILIO_RECORDING = JobRef(
    "workers.cleanup.delete_twilio_recording", "recordings", timeout=60, retries=(10, 60, 300)
)

ALL = (FETCH_RECORDING, SEND_MESSAGE, DELETE_TWILIO_RECORDING)


def fetch_job_id(answer_id: int) -> str:
    """One fetch job per answer at a time: the web, the worker and the sweep share this id."""
    return f"fetch-answer-{answer_id}"
