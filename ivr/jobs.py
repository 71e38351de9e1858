"""Every background job, declared once: its dotted name, queue, timeout, retries and job id.

Web code enqueues these by name (it never imports workers/); each job function in
workers/ is decorated with its declaration (`workers.queues.job(FETCH_RECORDING)`), which
refuses a declaration whose name is not the function's own, so a rename fails at import.
tests/test_jobs.py imports every name here.

The answer pipeline's jobs (fetch, transcribe) have no RQ retries: a failure is written
to the database and the sweep retries it on the schedule in voice/pipeline.py, which
survives Redis losing its memory. The others retry through RQ.
"""

from __future__ import annotations

from dataclasses import dataclass

from rq import Retry

RECORDINGS = "recordings"  # downloads and housekeeping: quick, mostly waiting on the network
TRANSCRIBE = "transcribe"  # speech-to-text: minutes of CPU per hour of audio
MESSAGES = "messages"  # SMS to candidates
ALL_QUEUES = (RECORDINGS, MESSAGES, TRANSCRIBE)  # a worker's default order: quick work first


@dataclass(frozen=True)
class JobRef:
    """One job's declaration.

    `timeout` is seconds before RQ stops it; `retries` the seconds RQ waits before each
    retry (empty: none); with `id_prefix`, the job for argument x has the id
    `{id_prefix}-{x}`, so at most one copy per argument waits in the queue.
    """

    name: str
    queue: str
    timeout: int
    retries: tuple[int, ...] = ()
    id_prefix: str | None = None

    def job_id(self, *args) -> str | None:
        """The de-duplicating job id for these arguments, or None for a job without one."""
        if self.id_prefix is None:
            return None
        return "-".join([self.id_prefix, *map(str, args)])

    def retry(self) -> Retry | None:
        """RQ's retry policy for this job (None: not retried by RQ)."""
        return Retry(max=len(self.retries), interval=list(self.retries)) if self.retries else None


RQ_RETRIES = (10, 60, 300)  # seconds before each RQ retry of a job that is not the pipeline's

# name, queue, timeout in seconds, RQ retries, job id prefix
FETCH_RECORDING = JobRef("workers.recordings.fetch_recording", RECORDINGS, 300, (), "fetch-answer")
TRANSCRIBE_ANSWER = JobRef(
    "workers.recordings.transcribe_answer", TRANSCRIBE, 900, (), "transcribe-answer"
)
SEND_MESSAGE = JobRef("workers.messages.send_message", MESSAGES, 60, RQ_RETRIES, "message")
DELETE_TWILIO_RECORDING = JobRef(
    "workers.cleanup.delete_twilio_recording", RECORDINGS, 60, RQ_RETRIES, "delete"
)
# A candidate's erasure or purge: audio files, then recordings and SMS at Twilio
# (voice/erasure.py); the sweep queues it again while any is still owed.
ERASE_CANDIDATE = JobRef("workers.privacy.finish_erasure", RECORDINGS, 300, RQ_RETRIES, "erase")

# No RQ retries: voice/webhooks.py keeps each delivery's schedule in the database, and the
# workers' webhooks duty queues it again when it is due.
DELIVER_WEBHOOK = JobRef("workers.webhooks.deliver_webhook", MESSAGES, 60, (), "webhook")

ALL = (
    FETCH_RECORDING,
    TRANSCRIBE_ANSWER,
    SEND_MESSAGE,
    DELETE_TWILIO_RECORDING,
    DELIVER_WEBHOOK,
    ERASE_CANDIDATE,
)


def fetch_job_id(answer_id: int) -> str:
    """One fetch job per answer at a time: the web, the worker and the sweep share this id."""
    return FETCH_RECORDING.job_id(answer_id)
