"""How many SQL statements each webhook of a whole call sends: pinned, so it cannot creep back.

Each statement is a round trip to PostgreSQL, and round trips are most of a webhook's
cost (bench/bench_scale.py). The counts are the SQL the request's session executes,
counted with a SQLAlchemy `before_cursor_execute` listener on the app's engine
(SAVEPOINTs included; the COMMIT and ROLLBACK the driver sends are not cursor calls).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from ivr.services import EXTENSION
from tests.ivr.twilio_actions import said

# The most statements each webhook may send: today's counts (before this test: voice 7,
# consent 11, question 6, the last answer 21, recording 5, status 4). Lower them when
# you cut more; never raise one without saying why in the commit.
BUDGET = {
    "voice": 3,  # the call with its interview and questions; INSERT at commit
    "consent": 8,
    "question": 2,  # the call with everything it reads; one UPDATE
    "answer": 16,  # the last one: completes the candidate, emits the webhook and SMS
    "recording": 3,
    "status": 3,
}


@contextmanager
def counting(app) -> Iterator[list[str]]:
    """Collect the SQL the app's engine executes inside the block."""
    engine = app.extensions[EXTENSION].session_factory.kw["bind"]
    seen: list[str] = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listen)


@pytest.fixture
def statements(app):
    """A counter of the statements each request sends, keyed by the webhook's name."""
    counts: dict[str, list[int]] = {}

    @contextmanager
    def count(name: str) -> Iterator[None]:
        with counting(app) as seen:
            yield
        counts.setdefault(name, []).append(len(seen))

    return count, counts


def test_each_webhook_of_a_whole_call_stays_within_its_statement_budget(
    app, twilio, candidate, statements
):
    """Voice, consent, each question, record action and both callbacks keep their SQL count."""
    count, counts = statements
    with count("voice"):
        root = twilio.twiml("/ivr/voice", CallStatus="ringing")
    with count("consent"):
        after = twilio.twiml(root.find("Gather").get("action"), Digits="1")
    question = after
    for n, sid in enumerate(("RE" + "1" * 32, "RE" + "2" * 32), start=1):
        with count("question"):
            question = twilio.twiml(question.find("Redirect").text)
        assert f"Question {n} of 2" in said(question)
        rec = question.find("Record")
        url = f"http://twilio.invalid/2010-04-01/Accounts/AC/Recordings/{sid}"
        with count("answer"):
            reply = twilio.twiml(
                rec.get("action"),
                RecordingSid=sid,
                RecordingUrl=url,
                RecordingDuration=7,
                Digits="#",
            )
        with count("recording"):
            callback = twilio.post(
                rec.get("recordingStatusCallback"),
                RecordingSid=sid,
                RecordingUrl=url,
                RecordingStatus="completed",
                RecordingDuration=7,
            )
        assert callback.status_code == 204
        question = reply
    assert "end of the interview" in said(question)
    with count("status"):
        status = twilio.post("/ivr/status", CallStatus="completed", CallDuration="40")
    assert status.status_code in (200, 204)
    over = {
        name: (max(seen), BUDGET[name]) for name, seen in counts.items() if max(seen) > BUDGET[name]
    }
    assert not over, f"statements per webhook (sent, budget): {over}"
