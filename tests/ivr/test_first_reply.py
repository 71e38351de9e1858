"""The first webhook in one statement (ivr/first_reply.py) answers and writes exactly what
the call flow's views do, and hands every case it cannot answer back to them.

Each comparison places the same first webhook twice against one database: once through
this process's opening, once with the openings switched off (as on SQLite), and compares
the replies and the calls rows they left.
"""

from __future__ import annotations

import re
import time
import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from ivr import first_reply
from ivr.first_reply import Openings
from ivr.services import EXTENSION
from tests.factories import make_candidate, make_interview, make_org
from tests.ivr.twilio_actions import TwilioActions, said
from voice.db import make_engine
from voice.models import Call, CandidateStatus, Interview, Question

NUMBER = "+15550100200"
# Columns that differ between two calls whatever answered them.
OWN = {"id", "call_sid", "started_at"}


def first_webhook(app, client, caller: str, token: str | None = None, call_sid=None):
    """POST /ivr/voice for a new call from `caller`: (reply text, the call's row as a dict)."""
    twilio = TwilioActions(client, app.extensions[EXTENSION].settings, from_=caller)
    if call_sid:
        twilio.call_sid = call_sid
    response = twilio.post("/ivr/voice", token=token, CallStatus="ringing")
    assert response.status_code == 200
    with app.extensions[EXTENSION].session_factory() as session:
        call = session.scalars(select(Call).where(Call.call_sid == twilio.call_sid)).one()
        row = {c.key: getattr(call, c.key) for c in Call.__table__.columns}
    return response.get_data(as_text=True), row


def both_ways(app, client, caller: str, token: bool = False):
    """The same first webhook through the opening (rendered beforehand) and the usual way."""
    resources = app.extensions[EXTENSION]
    first_webhook(app, client, "+15557000999")  # renders the opening (a stranger's call)
    assert resources.openings.get(NUMBER) is not None
    fast = first_webhook(app, client, caller, token=uuid.uuid4().hex if token else None)
    kept = resources.openings
    resources.openings = None
    try:
        usual = first_webhook(app, client, caller, token=uuid.uuid4().hex if token else None)
    finally:
        resources.openings = kept
    return fast, usual


def same_call(fast, usual) -> None:
    """The replies are the same document and the rows the same but for their own columns."""
    (fast_reply, fast_row), (usual_reply, usual_row) = fast, usual
    assert fast_reply == usual_reply
    mine = {k: v for k, v in fast_row.items() if k not in OWN}
    theirs = {k: v for k, v in usual_row.items() if k not in OWN}
    if mine.get("request_token"):  # each request had its own token: both set, digests differ
        assert theirs.get("request_token")
        mine["request_token"] = theirs["request_token"] = "digest"
    assert mine == theirs


def test_a_greeting_is_the_usual_reply_and_row(app, client, db):
    """One language: the greeting and consent question, the consent record, prompt and
    step counted, as the views leave them; a stranger's caller ID finds no one."""
    make_interview(db, make_org(db))
    db.commit()
    fast, usual = both_ways(app, client, "+15557654321")
    same_call(fast, usual)
    reply, row = fast
    assert "Warehouse associate" in reply and "press 1" in reply
    assert row["prompt"] == "consent" and row["steps"] == 1
    assert row["consent_text"] and row["consent_language"] == "en-US"


def test_a_language_menu_is_the_usual_reply_and_row(app, client, db):
    """Two languages: the menu, no language chosen yet, no consent record."""
    make_interview(db, make_org(db), languages=["en-US", "es-MX"])
    db.commit()
    fast, usual = both_ways(app, client, "+15557654321")
    same_call(fast, usual)
    assert fast[1]["prompt"] == "language" and fast[1]["language"] is None
    assert "Para español, oprima 2." in fast[0] and "For English, press 1." in fast[0]


def test_with_an_idempotency_token_the_reply_is_kept_for_a_retry(app, client, db):
    """With I-Twilio-Idempotency-Token the row keeps the token's digest and the reply, as
    the webhook guard does; Twilio's retry of that request gets the same document back
    from the usual way, and no second call."""
    make_interview(db, make_org(db))
    db.commit()
    fast, usual = both_ways(app, client, "+15557654321", token=True)
    same_call(fast, usual)
    assert fast[1]["last_reply"] == fast[0]
    token, sid = uuid.uuid4().hex, "CA" + uuid.uuid4().hex
    reply, _ = first_webhook(app, client, "+15557000123", token=token, call_sid=sid)
    again, row = first_webhook(app, client, "+15557000123", token=token, call_sid=sid)
    assert again == reply and row["steps"] == 1
    assert db.scalar(select(Call).where(Call.call_sid == sid).with_only_columns(Call.id))


def test_a_known_candidate_still_waiting_is_asked_for_consent(app, client, db):
    interview = make_interview(db, make_org(db))
    make_candidate(db, interview)
    db.commit()
    fast, usual = both_ways(app, client, "+15557654321")
    same_call(fast, usual)
    assert fast[1]["candidate_id"] is None  # tied to the call only after consent


@pytest.mark.parametrize("status", CandidateStatus.FINISHED)
def test_a_finished_candidate_is_told_so_before_consent(app, client, db, status):
    """The caller ID finds a candidate who has finished: the opening cannot say that, so
    the usual way does (the statement inserted nothing), with the call theirs."""
    interview = make_interview(db, make_org(db))
    candidate = make_candidate(db, interview)
    candidate.status = status
    db.commit()
    fast, usual = both_ways(app, client, "+15557654321")
    same_call(fast, usual)
    assert fast[1]["outcome"] == "already done" and fast[1]["candidate_id"] == candidate.id
    assert "press 1" not in fast[0]


@pytest.mark.parametrize("case", ["erased", "withheld", "not a number"])
def test_callers_who_name_no_one_are_asked_for_consent(app, client, db, case):
    """A finished candidate being erased, a withheld or malformed caller ID: no one is
    found, the greeting is asked, as the usual way does. (Two candidates never share a
    phone in one interview: uq_candidates_interview_phone.)"""
    interview = make_interview(db, make_org(db))
    candidate = make_candidate(db, interview)
    candidate.status = CandidateStatus.COMPLETED
    caller = candidate.phone
    if case == "erased":
        candidate.erasure_requested_at = datetime.now(UTC)
    elif case == "withheld":
        caller = "anonymous"
    else:
        caller = "555-0100"
    db.commit()
    fast, usual = both_ways(app, client, caller)
    same_call(fast, usual)
    assert fast[1]["prompt"] == "consent" and fast[1]["candidate_id"] is None


def test_an_edited_interview_is_rendered_again(app, client, db):
    """The opening is checked against the interview's row and questions at every call: a
    new title, and then a new question (which lengthens the greeting's estimate), are
    said on the very next call."""
    interview = make_interview(db, make_org(db))
    db.commit()
    openings = app.extensions[EXTENSION].openings
    first_webhook(app, client, "+15557000001")
    kept = openings.get(NUMBER)
    assert kept is not None
    assert "Warehouse associate" in first_webhook(app, client, "+15557000002")[0]
    interview.title = "Forklift driver"
    db.commit()
    reply, row = first_webhook(app, client, "+15557000003")
    assert "Forklift driver" in reply and row["consent_text"].count("Forklift driver") == 1
    assert openings.get(NUMBER) is not kept  # the stale copy was dropped and made again
    minutes = said_minutes(reply)
    for n in range(3):
        db.add(Question(interview_id=interview.id, position=10 + n, prompt=f"Extra {n}?"))
    db.commit()
    first_webhook(app, client, "+15557000004")  # finds the copy stale, renders it again
    assert said_minutes(first_webhook(app, client, "+15557000005")[0]) > minutes


def said_minutes(reply: str) -> int:
    """The minutes the greeting says the call takes ("It takes about 7 minutes.")."""
    found = re.search(r"takes about (\d+) minutes", said_text(reply))
    assert found, reply
    return int(found.group(1))


def said_text(reply: str) -> str:
    """What the reply's TwiML says, as one line."""
    return said(ET.fromstring(reply))


def test_a_deadline_passing_closes_the_interview_without_an_edit(app, client, db):
    """The opening knows the deadline: once it has passed the usual way answers, closed."""
    deadline = datetime.now(UTC) + timedelta(seconds=2)
    make_interview(db, make_org(db), deadline=deadline.isoformat())
    db.commit()
    first_webhook(app, client, "+15557000001")
    assert "press 1" in first_webhook(app, client, "+15557000002")[0]
    time.sleep(max(0.0, (deadline - datetime.now(UTC)).total_seconds()) + 0.1)
    reply, row = first_webhook(app, client, "+15557000003")
    assert "closed" in said_text(reply) and row["outcome"] == "closed"


def test_an_unknown_number_keeps_no_opening(app, client, db):
    _reply, row = first_webhook_to(app, client, "+15550109999")
    assert app.extensions[EXTENSION].openings.get("+15550109999") is None
    assert row["interview_id"] is None and row["outcome"] == "unknown number"


def first_webhook_to(app, client, number: str):
    twilio = TwilioActions(client, app.extensions[EXTENSION].settings, to=number)
    response = twilio.post("/ivr/voice", CallStatus="ringing")
    assert response.status_code == 200
    with app.extensions[EXTENSION].session_factory() as session:
        call = session.scalars(select(Call).where(Call.call_sid == twilio.call_sid)).one()
        return response.get_data(as_text=True), {
            c.key: getattr(call, c.key) for c in Call.__table__.columns
        }


def test_postgresql_refusing_the_statement_leaves_the_call_to_the_usual_way(
    app, client, db, caplog
):
    """The openings' own pool cannot reach PostgreSQL (a port nothing listens on): the
    statement fails, the guard logs it, and the usual way answers the caller in full;
    one call row, the greeting, no apology."""
    make_interview(db, make_org(db))
    db.commit()
    resources = app.extensions[EXTENSION]
    first_webhook(app, client, "+15557000001")
    opening = resources.openings.get(NUMBER)
    broken = Openings(make_engine("postgresql+psycopg://postgres@127.0.0.1:9/none"))
    broken.keep(NUMBER, opening)
    working, resources.openings = resources.openings, broken
    try:
        reply, row = first_webhook(app, client, "+15557000002")
    finally:
        resources.openings = working
        broken.engine.dispose()
    assert "press 1" in reply and row["prompt"] == "consent" and row["steps"] == 1
    assert "answering it in full" in caplog.text


def test_openings_are_bounded(monkeypatch):
    """Past MAX_OPENINGS a process starts its copies again rather than grow."""
    monkeypatch.setattr(first_reply, "MAX_OPENINGS", 2)
    openings = Openings(engine=None)
    opening = object()
    openings.keep("+1", opening)
    openings.keep("+2", opening)
    assert openings.get("+1") is opening
    openings.keep("+3", opening)
    assert openings.get("+1") is None and openings.get("+3") is opening


def test_sqlite_has_no_openings(tmp_path):
    """The embedded database has no row versions: every first webhook goes the usual way."""
    from config.settings import Settings
    from ivr.resources import Resources

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert Resources(settings).openings is None


def test_every_interview_answering_a_number_is_read_fresh(app, client, db):
    """A number moved to another interview: the copy of the first is not used for it."""
    org = make_org(db)
    first = make_interview(db, org)
    db.commit()
    first_webhook(app, client, "+15557000001")
    first.phone_number = "+15550100299"
    db.flush()
    make_interview(db, org, phone_number=NUMBER, title="Night shift picker")
    db.commit()
    reply, row = first_webhook(app, client, "+15557000002")
    assert "Night shift picker" in reply
    assert row["interview_id"] == db.scalar(
        select(Interview.id).where(Interview.phone_number == NUMBER)
    )


def test_each_first_webhook_is_counted_by_how_it_was_answered(app, client, db):
    """screenline_first_webhooks_total: the first call to a number in a process goes in
    full (rendering the opening), the next in one statement; an operator reads the share."""
    from prometheus_client import REGISTRY

    def counted(answered: str) -> float:
        labels = {"answered": answered}
        return REGISTRY.get_sample_value("screenline_first_webhooks_total", labels) or 0.0

    make_interview(db, make_org(db))
    db.commit()
    before = counted("in_full"), counted("one_statement")
    first_webhook(app, client, "+15557000001")
    first_webhook(app, client, "+15557000002")
    first_webhook(app, client, "+15557000003")
    assert counted("in_full") - before[0] == 1
    assert counted("one_statement") - before[1] == 2
