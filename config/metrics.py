"""Screenline's Prometheus metrics, declared once for web and workers.

Web processes record webhook latency (dashboard/ops.py); workers record jobs, audio
transcribed and download retries. Queue depth, the oldest job's age and answers waiting
per status are read at scrape time (dashboard/ops.py), so any web process reports them
for the whole deployment. Samples of all processes on a machine meet in the folder of
config.multiprocess; `registry()` is what `/metrics` exposes.
"""

from __future__ import annotations

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, multiprocess

from config.multiprocess import shared_folder

WEBHOOK_SECONDS = Histogram(
    "screenline_webhook_seconds",
    "Time to answer a Twilio webhook, by route and HTTP status.",
    ["route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15),
)
FIRST_WEBHOOKS = Counter(
    "screenline_first_webhooks",
    "First webhooks of plain inbound calls, by how they were answered: one_statement (this "
    "process's copy of the interview's first reply, ivr/first_reply.py) or in_full (the call "
    "flow's views: the first call to a number in a process, an edited or closed interview, "
    "a CallSid already known, a finished candidate's caller ID).",
    ["answered"],
)
JOBS = Counter(
    "screenline_jobs",
    "Background jobs run, by queue, job and outcome (the job's own result word, or error).",
    ["queue", "job", "outcome"],
)
JOB_SECONDS = Histogram(
    "screenline_job_seconds",
    "Background job run time, by queue, job and outcome.",
    ["queue", "job", "outcome"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
)
AUDIO_SECONDS = Counter(
    "screenline_audio_transcribed_seconds",
    "Seconds of speech transcribed, by engine.",
    ["engine"],
)
STT_SECONDS = Counter(
    "screenline_transcription_seconds",
    "Wall-clock seconds spent in speech-to-text, by engine.",
    ["engine"],
)
REAL_TIME_FACTOR = Histogram(
    "screenline_transcription_real_time_factor",
    "Speech-to-text time divided by the audio's length, per answer (below 1: faster than "
    "real time).",
    ["engine"],
    buckets=(0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 4),
)
DOWNLOAD_RETRIES = Counter(
    "screenline_download_retries",
    "Recording downloads tried again after a failure that may pass (404, 5xx, timeouts).",
)


def record_transcription(engine: str, audio_seconds: float, stt_seconds: float) -> None:
    """Count one transcribed answer: its audio seconds, engine seconds and real-time factor."""
    AUDIO_SECONDS.labels(engine).inc(audio_seconds)
    STT_SECONDS.labels(engine).inc(stt_seconds)
    if audio_seconds > 0:
        REAL_TIME_FACTOR.labels(engine).observe(stt_seconds / audio_seconds)


def registry() -> CollectorRegistry:
    """The samples to expose: every process of this machine's in multiprocess mode, else
    this process's own."""
    folder = shared_folder()
    if folder is None:
        return REGISTRY
    combined = CollectorRegistry()
    multiprocess.MultiProcessCollector(combined, path=str(folder))
    return combined


def process_exited(pid: int) -> None:
    """Drop a dead process's live gauges (gunicorn's child_exit, a worker's exit)."""
    if shared_folder() is not None:
        multiprocess.mark_process_dead(pid)
