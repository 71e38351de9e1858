"""calls.find_call reads a call once per transaction, and a race to create one still ends well.

A webhook asks for its call twice when Twilio sends an I-Twilio-Idempotency-Token (the
replay check, then the view): the second answer comes from the transaction's own read,
without a round trip. These tests pin what that may and may not remember, on PostgreSQL.
"""

from __future__ import annotations

import logging
import threading

import pytest
from sqlalchemy import event, func, select

from ivr import calls
from ivr.services import EXTENSION
from tests.ivr.twilio_actions import TwilioActions, said
from voice.models import Call


@pytest.fixture
def statements(engine):
    """The SQL statements the test's engine sends, as a list that grows."""
    seen: list[str] = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    yield seen
    event.remove(engine, "before_cursor_execute", listen)


def make_call(session_factory, call_sid: str, status: str = "ringing") -> None:
    with session_factory() as session:
        session.add(Call(call_sid=call_sid, status=status))
        session.commit()


def test_a_second_read_in_one_transaction_sends_no_statement(db, session_factory, statements):
    """The same Call object comes back, and nothing more is sent to the database."""
    make_call(session_factory, "CA" + "1" * 32)
    first = calls.find_call(db, "CA" + "1" * 32)
    sent = len(statements)
    again = calls.find_call(db, "CA" + "1" * 32)
    assert again is first is not None
    assert len(statements) == sent


def test_a_new_transaction_reads_the_row_again(db, session_factory, statements):
    """After commit, find_call goes back to the database: a call another session made
    since is found, though this session's previous transaction found none."""
    sid = "CA" + "2" * 32
    assert calls.find_call(db, sid) is None
    db.commit()
    make_call(session_factory, sid)
    sent = len(statements)
    assert calls.find_call(db, sid) is not None
    assert len(statements) == sent + 1


def test_not_found_stays_not_found_until_asked_fresh(db, session_factory):
    """A call made by another session meanwhile is found only by a fresh read (or the next
    transaction); a rolled-back transaction forgets what it read."""
    sid = "CA" + "3" * 32
    assert calls.find_call(db, sid) is None
    make_call(session_factory, sid)
    assert calls.find_call(db, sid) is None  # what this transaction found
    assert calls.find_call(db, sid, fresh=True) is not None
    db.rollback()
    assert calls.find_call(db, sid) is not None


def test_two_first_webhooks_racing_for_one_call_both_answer_and_make_one_row(
    app, settings, candidate, db, caplog
):
    """Both requests find no call and both INSERT it: one wins, the other's INSERT fails,
    the webhook runs again in a new transaction, finds the winner's row and answers."""
    engine = app.extensions[EXTENSION].session_factory.kw["bind"]
    both_found_nothing = threading.Barrier(2, timeout=20)
    waited = threading.local()

    def hold_insert(conn, cursor, statement, parameters, context, executemany):
        # Each request's first INSERT of the call waits for the other's: both have then
        # read the call as missing, in the same transaction they will INSERT from.
        if statement.startswith("INSERT INTO calls") and not getattr(waited, "done", False):
            waited.done = True
            both_found_nothing.wait()

    first = TwilioActions(app.test_client(), settings)
    second = TwilioActions(app.test_client(), settings)
    second.call_sid = first.call_sid
    replies: dict[str, str] = {}

    def place(name: str, twilio: TwilioActions) -> None:
        root = twilio.twiml("/ivr/voice", token=name, CallStatus="ringing")
        replies[name] = said(root)

    caplog.set_level(logging.INFO, logger="ivr.views.webhook")
    event.listen(engine, "before_cursor_execute", hold_insert)
    try:
        threads = [
            threading.Thread(target=place, args=(name, twilio))
            for name, twilio in (("first", first), ("second", second))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        event.remove(engine, "before_cursor_execute", hold_insert)

    assert set(replies) == {"first", "second"}
    assert all("record" in text.lower() for text in replies.values()), replies
    rows = db.scalar(select(func.count()).select_from(Call).where(Call.call_sid == first.call_sid))
    assert rows == 1
    assert "/ivr/voice raced another request; running it again" in caplog.text
