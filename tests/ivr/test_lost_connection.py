"""A PostgreSQL connection that drops (a restart, a proxy's idle timeout) costs a caller nothing.

voice/db.py pings a pooled connection before use only when it has been idle for
IDLE_BEFORE_PING seconds; a connection used a moment ago is not pinged (a round trip per
webhook saved). One that died anyway is found by the first statement on it: the pool
discards it, and the webhook guard (ivr/views/webhook.py) runs the webhook again on a new
connection. Connections are dropped here as a restart drops them: pg_terminate_backend.
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text

from ivr.phrases import say
from ivr.services import EXTENSION
from tests.ivr.twilio_actions import said
from voice import db as voice_db


def app_engine(app):
    return app.extensions[EXTENSION].session_factory.kw["bind"]


def drop_pooled_connection(app, db) -> int:
    """End the backend of the app's pooled connection (the one the next request takes)."""
    with app_engine(app).connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    db.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    db.commit()
    return pid


@pytest.fixture
def pings(app, monkeypatch) -> list[int]:
    """Count the pings the app's engine sends before handing out a connection."""
    dialect = app_engine(app).dialect
    sent: list[int] = []
    real = dialect.do_ping

    def counted(dbapi_connection):
        sent.append(1)
        return real(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", counted)
    return sent


def test_a_connection_dropped_between_webhooks_is_replaced_and_the_webhook_run_again(
    app, db, twilio, candidate, caplog, pings
):
    """The next webhook takes the dead connection (used a moment ago, so not pinged): its
    first statement fails, and the guard runs it again on a new connection. The caller
    hears the consent prompt, not the apology."""
    root = twilio.twiml("/ivr/voice", CallStatus="ringing")
    drop_pooled_connection(app, db)
    with caplog.at_level(logging.WARNING, logger="ivr.views.webhook"):
        after = twilio.twiml(root.find("Gather").get("action"), Digits="1")
    assert say(None, "internal_error") not in said(after)
    assert after.find("Redirect") is not None  # on to the first question
    assert "database connection lost at /ivr/consent; running it again" in caplog.text
    assert pings == []  # a connection back from a request a moment ago is not pinged


def test_a_connection_idle_past_the_limit_is_pinged_and_replaced_before_use(
    app, db, twilio, candidate, caplog, pings, monkeypatch
):
    """Idle past IDLE_BEFORE_PING, the dead connection is pinged and replaced before the
    webhook uses it: no statement fails, nothing is run twice."""
    root = twilio.twiml("/ivr/voice", CallStatus="ringing")
    drop_pooled_connection(app, db)
    monkeypatch.setattr(voice_db, "IDLE_BEFORE_PING", 0.0)  # every pooled connection is "idle"
    with caplog.at_level(logging.WARNING, logger="ivr.views.webhook"):
        after = twilio.twiml(root.find("Gather").get("action"), Digits="1")
    assert after.find("Redirect") is not None
    assert "connection lost" not in caplog.text
    assert pings  # the ping found the dead connection


def test_webhooks_in_a_row_send_no_ping(app, twilio, candidate, pings):
    """Under load a connection goes back to the pool and out again within milliseconds:
    none of a call's webhooks pays a ping's round trip."""
    root = twilio.twiml("/ivr/voice", CallStatus="ringing")
    after = twilio.twiml(root.find("Gather").get("action"), Digits="1")
    twilio.twiml(after.find("Redirect").text)
    assert pings == []
