"""How many SQL statements each webhook of a whole call sends: pinned, so it cannot creep back.

Each statement is a round trip to PostgreSQL, and round trips are most of a webhook's
cost (bench/bench_scale.py). The counts are the SQL the request's session executes,
counted with a SQLAlchemy `before_cursor_execute` listener on the app's engine
(SAVEPOINTs included; the COMMIT and ROLLBACK the driver sends are not cursor calls).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from ivr import first_reply
from ivr.services import EXTENSION
from tests.ivr.twilio_actions import TwilioActions, said

# The most statements each webhook may send: today's counts (before this test: voice 7,
# consent 11, question 6, the last answer 21, recording 5, status 4). Lower them when
# you cut more; never raise one without saying why in the commit.
BUDGET = {
    # One statement from this process's opening (ivr/first_reply.py): the copy checked,
    # the caller looked up, the call inserted. Before: the call with its interview and
    # questions; the candidate by caller ID (3 before a finished candidate was told so
    # before consent); INSERT at commit; 4 in all, and the first call to a number still
    # makes them (test_first_reply.py), after the 2 reads that render its opening.
    "voice": 1,
    # 8 before the welcome read the answered questions once; 7 before the reads of the
    # candidate and the answered questions stopped flushing the call's changes first
    # (three UPDATEs of the call, now one at commit)
    "consent": 5,
    "question": 2,  # the call with everything it reads; one UPDATE
    # An answer before the last: the call; the candidate's attempts (which also tell the
    # questions answered); the INSERT; the call's UPDATE. 7 before the INSERT lost its
    # SAVEPOINT (a lost race reruns the webhook) and the answered questions were read
    # from the attempts in hand; 10 before one read found the recording's row and the
    # earlier attempts, and retakes were counted only where the question allows some.
    "answer": 4,
    # The last one also completes the candidate, emits the webhook and SMS (13 before the
    # cuts above, 16 before the one read).
    "last answer": 10,
    "recording": 3,
    "status": 3,
}
# With an idempotency token on every request, before the replay check shared the view's
# read of the call: voice 4, consent 9, question 3, the last answer 18. The token costs one
# statement only where the view has already flushed the call (the last answer): the reply
# it is given back on a retry is written by a second UPDATE.
TOKEN_EXTRA = {"last answer": 1}


@contextmanager
def counting(app) -> Iterator[list[str]]:
    """Collect the SQL the app's engine executes inside the block, and the first
    webhooks' own statements (ivr/first_reply.py runs them on a DBAPI connection of its
    engine's pool, which no SQLAlchemy event sees: counted by wrapping open_call)."""
    resources = app.extensions[EXTENSION]
    engine = resources.session_factory.kw["bind"]
    seen: list[str] = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    def counted_open_call(*args, **kwargs):
        seen.append(first_reply.OPEN_CALL)
        return open_call(*args, **kwargs)

    open_call = first_reply.open_call
    event.listen(engine, "before_cursor_execute", listen)
    first_reply.open_call = counted_open_call
    try:
        yield seen
    finally:
        first_reply.open_call = open_call
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


@pytest.mark.parametrize("tokens", [False, True], ids=["plain", "idempotency-tokens"])
def test_each_webhook_of_a_whole_call_stays_within_its_statement_budget(
    app, twilio, candidate, statements, tokens
):
    """Voice, consent, each question, record action and both callbacks keep their SQL count,
    with or without an I-Twilio-Idempotency-Token on every request (the stand-in sends
    one each time): the replay check reads the call the view then uses (calls.find_call),
    so the token costs no statement of its own."""
    count, counts = statements

    def token() -> str | None:
        return uuid.uuid4().hex if tokens else None

    # An earlier call to the number (from another phone) has rendered its opening.
    TwilioActions(twilio.client, twilio.settings, from_="+15557000001").post("/ivr/voice")
    with count("voice"):
        root = twilio.twiml("/ivr/voice", token=token(), CallStatus="ringing")
    with count("consent"):
        after = twilio.twiml(root.find("Gather").get("action"), token=token(), Digits="1")
    question = after
    for n, sid in enumerate(("RE" + "1" * 32, "RE" + "2" * 32), start=1):
        with count("question"):
            question = twilio.twiml(question.find("Redirect").text, token=token())
        assert f"Question {n} of 2" in said(question)
        rec = question.find("Record")
        url = f"http://twilio.invalid/2010-04-01/Accounts/AC/Recordings/{sid}"
        with count("answer" if n < 2 else "last answer"):
            reply = twilio.twiml(
                rec.get("action"),
                token=token(),
                RecordingSid=sid,
                RecordingUrl=url,
                RecordingDuration=7,
                Digits="#",
            )
        with count("recording"):
            callback = twilio.post(
                rec.get("recordingStatusCallback"),
                token=token(),
                RecordingSid=sid,
                RecordingUrl=url,
                RecordingStatus="completed",
                RecordingDuration=7,
            )
        assert callback.status_code == 204
        question = reply
    assert "end of the interview" in said(question)
    with count("status"):
        status = twilio.post(
            "/ivr/status", token=token(), CallStatus="completed", CallDuration="40"
        )
    assert status.status_code in (200, 204)
    budget = {name: n + (TOKEN_EXTRA.get(name, 0) if tokens else 0) for name, n in BUDGET.items()}
    over = {
        name: (max(seen), budget[name]) for name, seen in counts.items() if max(seen) > budget[name]
    }
    assert not over, f"statements per webhook (sent, budget): {over}"
