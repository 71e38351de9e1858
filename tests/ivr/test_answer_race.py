"""An answer whose row another request stored first: the webhook runs again and finds it.

ivr.flow.store_answer inserts a new attempt without a savepoint. When another transaction
commits the same RecordingSid between this one's read and its INSERT (on PostgreSQL one
call's webhooks take turns on the call's row lock, so this takes a request from outside
the call: here a second session), the INSERT fails on the unique RecordingSid; the
webhook guard rolls back and runs the view again, whose read finds the stored row. The
caller hears the next step, never the apology, and the recording is kept once.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import event, func, select

from ivr.services import EXTENSION
from tests.ivr.twilio_actions import said
from voice.models import Answer

RECORDING_SID = "RE" + "7" * 32


def test_an_answer_stored_first_by_another_request_is_found_on_the_rerun(
    app, twilio, candidate, db, session_factory, caplog
):
    """The record action loses the race to INSERT its recording: it runs again, finds the
    row, and answers with the next question; one answer row, kept, for the recording."""
    root = twilio.twiml("/ivr/voice", CallStatus="ringing")
    after = twilio.twiml(root.find("Gather").get("action"), Digits="1")
    question = twilio.twiml(after.find("Redirect").text)
    record = question.find("Record")
    question_id = int(record.get("action").rsplit("q=", 1)[1])
    engine = app.extensions[EXTENSION].session_factory.kw["bind"]
    raced = threading.Event()

    def store_it_first(conn, cursor, statement, parameters, context, executemany):
        # Just before the view's INSERT, another transaction commits the same recording.
        if statement.startswith("INSERT INTO answers") and not raced.is_set():
            raced.set()
            with session_factory() as other:
                other.add(
                    Answer(
                        candidate_id=candidate.id,
                        question_id=question_id,
                        call_id=None,  # the call's row is locked by the webhook
                        attempt=1,
                        recording_sid=RECORDING_SID,
                        recording_url="http://twilio.invalid/Recordings/" + RECORDING_SID,
                        duration_seconds=7,
                    )
                )
                other.commit()

    caplog.set_level(logging.INFO, logger="ivr.views.webhook")
    event.listen(engine, "before_cursor_execute", store_it_first)
    try:
        reply = twilio.twiml(
            record.get("action"),
            RecordingSid=RECORDING_SID,
            RecordingUrl="http://twilio.invalid/Recordings/" + RECORDING_SID,
            RecordingDuration=7,
            Digits="#",
        )
    finally:
        event.remove(engine, "before_cursor_execute", store_it_first)

    assert raced.is_set()
    assert "/ivr/answer raced another request; running it again" in caplog.text
    assert reply.find("Redirect") is not None, said(reply)  # on to the next question
    assert "Sorry, something went wrong" not in said(reply)
    db.expire_all()
    rows = db.scalars(select(Answer).where(Answer.recording_sid == RECORDING_SID)).all()
    assert len(rows) == 1 and rows[0].kept
    total = db.scalar(
        select(func.count()).select_from(Answer).where(Answer.candidate_id == candidate.id)
    )
    assert total == 1
