"""Deleting recordings at Twilio that Screenline must not keep."""

from __future__ import annotations

import logging

from sqlalchemy import update

from ivr.jobs import DELETE_TWILIO_RECORDING
from voice.db import unit_of_work
from voice.models import Answer
from workers.context import current
from workers.joblog import job_log
from workers.queues import job

log = logging.getLogger(__name__)


@job(DELETE_TWILIO_RECORDING)
def delete_twilio_recording(recording_sid: str) -> None:
    """Delete one recording at Twilio (a practice answer, or a transcribed one).

    One already gone counts as deleted. An answer holding this RecordingSid is marked
    deleted at Twilio. Raises TwilioError for RQ to retry (DELETE_TWILIO_RECORDING.retries).
    """
    ctx = current()
    ctx.twilio.delete_recording(recording_sid)
    with unit_of_work(ctx.session_factory) as session:
        session.execute(
            update(Answer)
            .where(Answer.recording_sid == recording_sid)
            .values(deleted_at_twilio=True)
        )
        session.commit()
    job_log(log).info("deleted recording %s at Twilio", recording_sid)
