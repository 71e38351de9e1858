"""JSON log lines: one object per record, with the call, answer and job in hand."""

from __future__ import annotations

import io
import json
import logging

import pytest

from config.logging import bind, setup_logging, unbind
from tests.ivr.twilio_actions import TwilioActions


@pytest.fixture
def json_logs():
    """Log JSON lines into a buffer; yields a reader of the parsed records."""
    setup_logging("INFO", ["secret-value-123"], "json")
    root = logging.getLogger()
    [handler] = [h for h in root.handlers if getattr(h, "_screenline", False)]
    buffer = io.StringIO()
    handler.setStream(buffer)

    def records() -> list[dict]:
        return [json.loads(line) for line in buffer.getvalue().splitlines() if line]

    yield records
    unbind()
    root.removeHandler(handler)


def test_records_are_json_with_bound_fields_and_no_secrets(json_logs):
    """Each record is a JSON object with time, level, logger, message and the bound ids."""
    log = logging.getLogger("screenline.test")
    bind(call_sid="CA" + "1" * 32, answer_id=7)
    bind(job_id="fetch-7", queue="recordings")
    log.warning("token is %s", "secret-value-123")
    unbind()
    log.info("after the job")
    first, second = json_logs()
    assert first["message"] == "token is [redacted]"
    assert (first["level"], first["logger"]) == ("WARNING", "screenline.test")
    assert (first["call_sid"], first["answer_id"], first["job_id"], first["queue"]) == (
        "CA" + "1" * 32,
        7,
        "fetch-7",
        "recordings",
    )
    assert "time" in first
    assert second["message"] == "after the job" and "job_id" not in second


def test_a_webhook_logs_its_call_sid(client, settings, json_logs):
    """A webhook's records name the call (here: a refused signature's warning)."""
    twilio = TwilioActions(client, settings)
    assert twilio.post("/ivr/voice", signature="forged").status_code == 403
    signature = "missing or wrong X-Twilio-Signature"
    [refused] = [r for r in json_logs() if signature in r["message"]]
    assert refused["call_sid"] == twilio.call_sid
