"""Sending SMS to candidates, and the reminders that go out before a deadline."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ivr.jobs import SEND_MESSAGE
from voice.db import unit_of_work
from voice.deadlines import reminder_offset_seconds
from voice.messages import deliver, queue_message, reminder_kind, reminder_text
from voice.models import Candidate, CandidateStatus, Interview, Message
from workers.context import current
from workers.joblog import job_log
from workers.queues import job

log = logging.getLogger(__name__)


@job(SEND_MESSAGE)
def send_message(message_id: int) -> str | None:
    """Send one queued SMS through Twilio; a message already sent is not sent again."""
    ctx, jlog = current(), job_log(log)
    with unit_of_work(ctx.session_factory) as session:
        message = session.get(Message, message_id)
        if message is None:
            jlog.warning("message %s does not exist; nothing to send", message_id)
            return None
        if message.sent_at is not None:
            return message.message_sid
        candidate = session.get(Candidate, message.candidate_id)
        try:
            deliver(message, ctx.twilio.send_sms, candidate.interview.phone_number)
        finally:
            session.commit()  # the MessageSid, or the error for the dashboard to show
        jlog.info("sent %s message %s to candidate %s", message.kind, message.id, candidate.id)
        return message.message_sid


def due_reminder(interview: Interview, now: datetime) -> str | None:
    """The reminder due now for this interview: the closest to the deadline already passed."""
    if interview.deadline is None or not interview.reminders:
        return None
    deadline = interview.deadline
    if now >= deadline:
        return None
    due = [
        label
        for label in interview.reminders
        if now >= deadline - timedelta(seconds=reminder_offset_seconds(label))
    ]
    # Only the latest due one: someone invited late gets one reminder, not a burst.
    return min(due, key=reminder_offset_seconds) if due else None


REMINDER_INTERVAL = 300  # seconds between checks for due reminders


def send_due_reminders() -> int:
    """Queue a reminder for each unfinished candidate whose interview has one due now.

    Run by the workers' periodic duties (workers/duties.py) every REMINDER_INTERVAL
    seconds; returns how many reminders were queued. A reminder is one Message row per
    candidate and kind, so running twice queues nothing twice.
    """
    ctx, jlog = current(), job_log(log)
    now = datetime.now(UTC)
    queued: list[int] = []
    with unit_of_work(ctx.session_factory) as session:
        interviews = session.scalars(
            select(Interview)
            .where(Interview.deadline > now)
            .options(selectinload(Interview.candidates), selectinload(Interview.organization))
        ).all()
        for interview in interviews:
            label = due_reminder(interview, now)
            if label is None:
                continue
            for candidate in interview.candidates:
                if candidate.status not in (CandidateStatus.INVITED, CandidateStatus.IN_PROGRESS):
                    continue
                message = queue_message(
                    session, candidate, reminder_kind(label), reminder_text(candidate)
                )
                if message is not None:
                    session.flush()
                    queued.append(message.id)
        session.commit()
    for message_id in queued:
        ctx.enqueue(SEND_MESSAGE, message_id)
    if queued:
        jlog.info("queued %d reminders", len(queued))
    return len(queued)
