"""Waiting for an invitation's send holds no transaction open between reads.

On SQLite every transaction takes the write lock at its start (voice/db.py: BEGIN
IMMEDIATE). `screenline candidate add --invite` waits for the worker to text the
invitation (dashboard.candidates.invitations.wait_for_send); it used to hold its read's
transaction open while it waited, so the worker could not record the send: "database is
locked" for the whole wait, and the text went out on the job's retry, 20 s late (seen
in `make demo` by a new user).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlalchemy import event, update

from dashboard.candidates.invitations import wait_for_send
from tests.factories import make_candidate, make_interview, make_org
from voice.db import make_engine, make_session_factory
from voice.migrate import upgrade
from voice.models import Message


def test_a_worker_can_record_the_send_while_the_command_waits_for_it(tmp_path):
    """With the waiter polling on SQLite, another connection marks the message sent at
    once (no "database is locked"), and the waiter returns the sent row."""
    url = f"sqlite:///{tmp_path / 'screenline.db'}"
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as session:
        interview = make_interview(session, make_org(session))
        candidate = make_candidate(session, interview)
        message = Message(candidate_id=candidate.id, kind="invitation", to="+1", body="Hi")
        session.add(message)
        session.commit()
        message_id = message.id

    waited: dict[str, Message | None] = {}
    waiter_session = factory()
    reads = threading.Semaphore(0)

    @event.listens_for(engine, "after_cursor_execute")
    def count_reads(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "messages" in statement:
            reads.release()

    def wait() -> None:
        waited["row"] = wait_for_send(waiter_session, message_id, timeout=30, poll=0.05)

    waiter = threading.Thread(target=wait)
    waiter.start()
    try:
        # The worker's write, once the waiter has read the unsent row and is waiting; it
        # must get the lock within SQLite's busy timeout (a held read kept it out for the
        # waiter's whole timeout).
        assert reads.acquire(timeout=30)
        with factory() as worker:
            worker.execute(
                update(Message)
                .where(Message.id == message_id)
                .values(sent_at=datetime.now(UTC), message_sid="SM" + "1" * 32)
            )
            worker.commit()
        waiter.join(30)
        assert not waiter.is_alive()
        assert waited["row"] is not None and waited["row"].message_sid == "SM" + "1" * 32
    finally:
        waiter.join(30)
        waiter_session.close()
        engine.dispose()
