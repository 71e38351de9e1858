"""Logging set-up that keeps secrets out of every log line, as text or JSON lines.

With SCREENLINE_LOG_FORMAT=json each record is one JSON object (python-json-logger)
carrying the fields bound to the work in hand: `call_sid` on webhooks, `job_id` and
`queue` in jobs, `answer_id` in the answer pipeline's jobs.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from contextvars import ContextVar

REDACTED = "[redacted]"
CONTEXT_FIELDS = ("call_sid", "answer_id", "job_id", "queue")
_bound: ContextVar[dict[str, object] | None] = ContextVar("screenline_log_fields", default=None)


def bind(**fields: object) -> None:
    """Attach fields (call_sid, answer_id, job_id, queue) to every record logged from now
    on in this thread or task, until `unbind`."""
    _bound.set({**(_bound.get() or {}), **{k: v for k, v in fields.items() if v is not None}})


def unbind() -> None:
    """Forget the bound fields (at the end of a request or job)."""
    _bound.set(None)


class ContextFields(logging.Filter):
    """Copy the bound fields onto each record (JSON lines show them as keys)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add the bound fields; never drops a record."""
        for name, value in (_bound.get() or {}).items():
            setattr(record, name, value)
        return True


class RedactSecrets(logging.Filter):
    """Replace any configured secret in a formatted record with a marker."""

    def __init__(self, secrets: Iterable[str]):
        super().__init__()
        self.secrets = tuple(s for s in secrets if s and len(s) >= 6)

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace any secret in the record's message; never drops a record."""
        message = record.getMessage()
        cleaned = message
        for secret in self.secrets:
            cleaned = cleaned.replace(secret, REDACTED)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def setup_logging(level: str = "INFO", secrets: Iterable[str] = (), fmt: str = "text") -> None:
    """Log to stderr, one line per record (`fmt` text or json), with secrets redacted."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                timestamp=False,
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")
        )
    handler.addFilter(RedactSecrets(secrets))
    handler.addFilter(ContextFields())
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_screenline", False):
            root.removeHandler(old)
    handler._screenline = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
