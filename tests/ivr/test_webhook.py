"""The webhook guard: field rules, retried deliveries, one commit, never a 5xx (issue 7 item 5)."""

from __future__ import annotations

import logging
import threading
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select, text

from ivr.fields import FORM_RULES, QUERY_RULES
from tests.factories import make_candidate, make_interview, make_org
from tests.ivr.twilio_actions import TwilioActions, said, verbs
from voice.db import make_engine, make_session_factory
from voice.migrate import upgrade
from voice.models import Answer, Call

GARBAGE = {
    "30 digits": "9" * 30,
    "10 kB": "A" * 10_000,
    "junk": "-1\u00b2\u0661<Hangup/>",  # a sign, digits that are not ASCII, markup
}


def at_first_question(twilio) -> ET.Element:
    """Walk from the incoming call to the first question's TwiML."""
    root = twilio.twiml("/ivr/voice", CallStatus="ringing")
    after_consent = twilio.twiml(root.find("Gather").get("action"), Digits="1")
    return twilio.twiml(after_consent.find("Redirect").text)


def test_thirty_digit_call_duration_is_a_400_not_a_500(twilio, db, candidate):
    """A 30-digit CallDuration (integer out of range on PostgreSQL) is refused, naming the field."""
    at_first_question(twilio)
    response = twilio.post("/ivr/status", CallStatus="completed", CallDuration="9" * 30)
    assert response.status_code == 400
    assert response.get_data(as_text=True) == (
        "CallDuration must be a whole number from 0 to 86400, or -1 when unknown."
    )
    db.expire_all()
    assert db.scalar(select(Call)).duration_seconds is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("RecordingDuration", "9" * 30),  # the instance: integer out of range
        ("RecordingSid", "RE" + "a" * 10_000),  # the instance: value too long
    ],
    ids=["30-digit RecordingDuration", "10 kB RecordingSid"],
)
def test_an_oversized_recording_callback_field_is_a_400_not_a_500(
    twilio, db, candidate, field, value
):
    """An out-of-range or oversized field on the recording callback is refused by name."""
    fields = {"RecordingSid": "RE" + "1" * 32, "RecordingDuration": "5"} | {field: value}
    question = at_first_question(twilio)
    response = twilio.post(
        question.find("Record").get("recordingStatusCallback"),
        RecordingStatus="completed",
        **fields,
    )
    assert response.status_code == 400 and response.mimetype == "text/plain"
    assert response.get_data(as_text=True).startswith(f"{field} must be")
    assert db.scalar(select(func.count(Answer.id))) == 0


@pytest.mark.parametrize("path", ["/ivr/voice", "/ivr/status"])
def test_a_body_over_the_webhook_limit_is_refused_with_413_and_nothing_stored(
    client, settings, db, candidate, path
):
    """A 2 MB form (a new user's probe got 200) is refused before anything parses it;
    a webhook of ordinary size still works."""
    from ivr.fields import MAX_BODY_BYTES

    twilio = TwilioActions(client, settings)
    fields = twilio.fields(Padding="x" * (MAX_BODY_BYTES + 1))
    response = client.post(path, data=fields, headers={"X-Twilio-Signature": "x"})
    assert response.status_code == 413
    assert db.scalar(select(func.count()).select_from(Call)) == 0
    assert twilio.post("/ivr/voice", CallStatus="ringing").status_code == 200


def test_a_bad_field_on_a_call_flow_route_is_a_spoken_apology(twilio, candidate):
    """On a call-flow route a malformed field gets TwiML the caller can hear, status 200."""
    root = twilio.twiml("/ivr/voice", CallStatus="ringing", CallSid="CA" + "0" * 500)
    assert verbs(root) == ["Say", "Hangup"]
    assert "something went wrong on our side" in said(root)


def test_a_webhook_without_a_callsid_is_refused_on_every_route(app, twilio, db, candidate, caplog):
    """Twilio sends CallSid with every call's webhook; a signed one without it (a trial
    found /ivr/voice then said "this number is not set up for interviews" of a live
    interview's number, and logged nothing) is refused like any malformed field: the
    spoken apology on call-flow routes, a 400 naming the field on callbacks, a log line
    naming it, and no call row."""
    for route in routes(app):
        with caplog.at_level(logging.WARNING, logger="ivr.views.webhook"):
            caplog.clear()
            response = twilio.post(route, CallSid="", CallStatus="ringing")
        assert f"refused {route}: CallSid is missing" in caplog.text, route
        if response.status_code == 200:
            heard = said(ET.fromstring(response.data))
            assert "something went wrong on our side" in heard, route
            assert "not set up" not in heard, route
        else:
            assert response.status_code == 400, route
            assert b"CallSid is missing" in response.data, route
    assert db.scalar(select(func.count()).select_from(Call)) == 0


def routes(app) -> list[str]:
    """Every URL of the IVR blueprint (so a new route is covered without editing this test)."""
    return sorted(r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("ivr."))


def test_every_route_answers_every_garbage_field_without_a_5xx(app, twilio, candidate):
    """Oversized and garbage values in every field, posted to every route, never give a 5xx."""
    question = at_first_question(twilio)
    question_id = question.find("Record").get("action").split("q=")[1]
    fields = [*FORM_RULES, *QUERY_RULES]
    assert len(routes(app)) >= 15
    statuses = set()
    for route in routes(app):
        for name in fields:
            for label, value in GARBAGE.items():
                query = {"q": question_id, "candidate": str(candidate.id)}
                form = {}
                (query if name in QUERY_RULES else form)[name] = value
                url = route + "?" + urlencode(query)
                response = twilio.post(url, **form)
                where = f"{route} {name}={label}"
                statuses.add(response.status_code)
                assert response.status_code < 500, where
                if response.status_code == 200:
                    assert response.mimetype == "text/xml", where
                    assert ET.fromstring(response.data).tag == "Response", where
                else:
                    assert 200 <= response.status_code < 300 or response.status_code == 400, where
    assert statuses == {200, 204, 400}  # every request was signed: none refused with 403


def test_an_unexpected_error_in_a_callback_is_a_204_and_rolled_back(
    twilio, db, candidate, monkeypatch
):
    """A callback that fails inside answers 204 (Twilio ignores the body) and keeps nothing."""
    import ivr.flow

    question = at_first_question(twilio)

    def broken(answer):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(ivr.flow, "mark_announced", broken)
    response = twilio.post(
        question.find("Record").get("recordingStatusCallback"),
        RecordingSid="RE" + "2" * 32,
        RecordingStatus="completed",
        RecordingDuration="5",
    )
    assert response.status_code == 204
    assert db.scalar(select(func.count(Answer.id))) == 0


def test_a_retried_request_gets_the_same_reply_and_is_counted_once(twilio, db, candidate):
    """Twilio's retry (same I-Twilio-Idempotency-Token) is answered as before, not counted again."""
    twilio.twiml("/ivr/voice", CallStatus="ringing")
    first = twilio.post("/ivr/consent", token="retry-token-1", Digits="7")
    again = twilio.post("/ivr/consent", token="retry-token-1", Digits="7")
    assert first.data == again.data
    assert "not one of the choices" in said(ET.fromstring(again.data))
    db.expire_all()
    call = db.scalar(select(Call))
    assert call.misses == 1 and call.steps == 2
    # Two more different wrong keys reach the limit of three misses, not one more.
    twilio.post("/ivr/consent", token="retry-token-2", Digits="8")
    last = twilio.twiml("/ivr/consent", token="retry-token-3", Digits="9")
    assert verbs(last) == ["Say", "Hangup"]


def test_counters_live_on_the_call_not_in_the_url(twilio, db, candidate):
    """Misses count on the Call row, whatever (old) query string the request carries."""
    twilio.twiml("/ivr/voice", CallStatus="ringing")
    twilio.twiml("/ivr/consent?miss=0", Digits="7")
    twilio.twiml("/ivr/consent?miss=0", Digits="7")
    root = twilio.twiml("/ivr/consent?miss=0", Digits="7")
    assert verbs(root) == ["Say", "Hangup"] and "haven't heard from you" in said(root)


# --- SQLite: a busy embedded database is waited for, never heard as an apology ---------------


@pytest.fixture
def sqlite_app(tmp_path, settings):
    """The app on a migrated SQLite file whose busy timeout is 0.2 s (10 s in production)."""
    from dashboard.app import create_app

    url = f"sqlite:///{tmp_path}/screenline.db"
    upgrade(url)
    app = create_app(settings.replace(database_url=url))
    engine = make_engine(url, connect_args={"timeout": 0.2})
    app.extensions["screenline"].__dict__["session_factory"] = make_session_factory(engine)
    session = make_session_factory(engine)()
    interview = make_interview(session, make_org(session))
    make_candidate(session, interview)
    session.commit()
    session.close()
    yield app, engine
    engine.dispose()


def call_while_locked(sqlite_app, settings, seconds: float) -> ET.Element:
    """Start a call while another connection holds SQLite's write lock for `seconds`."""
    app, engine = sqlite_app
    held = threading.Event()

    def run():
        with engine.connect() as conn:  # the engine's `begin` takes the lock (BEGIN IMMEDIATE)
            conn.execute(text("UPDATE interviews SET title = title"))
            held.set()
            threading.Event().wait(seconds)
            conn.commit()

    thread = threading.Thread(target=run)
    thread.start()
    held.wait(5)
    root = TwilioActions(app.test_client(), settings).twiml("/ivr/voice", CallStatus="ringing")
    thread.join()
    return root


def test_a_locked_sqlite_database_is_retried_and_the_caller_hears_the_menu(sqlite_app, settings):
    """A write lock held past the busy timeout: the webhook runs again and answers normally."""
    root = call_while_locked(sqlite_app, settings, 0.35)
    assert verbs(root) == ["Gather", "Redirect"]
    assert "press 1" in said(root)
    with sqlite_app[1].connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM calls")).scalar() == 1


def test_a_sqlite_lock_that_outlasts_every_retry_is_still_spoken_not_a_500(sqlite_app, settings):
    """When every retry finds the database locked, the caller hears an apology, status 200."""
    root = call_while_locked(sqlite_app, settings, 3.0)
    assert verbs(root) == ["Say", "Hangup"]
    assert "something went wrong on our side" in said(root)


def test_a_number_answer_too_long_for_a_number_is_asked_again(client, settings, db):
    """Thirty digits at a number question are explained and asked again, not an apology."""
    org = make_org(db)
    interview = make_interview(db, org, questions=[{"kind": "number", "prompt": "Hours?"}])
    make_candidate(db, interview)
    db.commit()
    twilio = TwilioActions(client, settings)
    root = twilio.twiml("/ivr/voice", CallStatus="ringing")
    root = twilio.twiml(root.find("Gather").get("action"), Digits="1")
    question = twilio.twiml(root.find("Redirect").text)
    again = twilio.twiml(question.find("Gather").get("action"), Digits="9" * 30)
    assert verbs(again) == ["Gather", "Redirect"]
    assert "please enter a whole number" in said(again)
    assert db.scalar(select(func.count(Answer.id))) == 0


def test_empty_fields_are_left_to_the_view(twilio, db, candidate):
    """An empty RecordingUrl or RecordingDuration is not a broken field: the view decides."""
    question = at_first_question(twilio)
    response = twilio.post(
        question.find("Record").get("recordingStatusCallback"),
        RecordingSid="RE" + "3" * 32,
        RecordingStatus="absent",
        RecordingUrl="",
        RecordingDuration="",
        ErrorCode="16102",
    )
    assert response.status_code == 204
    answer = db.scalar(select(Answer))
    assert answer.recording_url is None and answer.duration_seconds is None


@pytest.mark.parametrize("known", [True, False], ids=["known call", "unknown call"])
@pytest.mark.parametrize(
    ("field", "value", "sentence"),
    [
        ("CallDuration", "9" * 30, "CallDuration must be a whole number from 0 to 86400"),
        ("CallStatus", "bogus", "CallStatus must be one of busy, canceled, completed"),
        ("CallSid", "CA123", "CallSid must be CA followed by 32 hex digits."),
        ("AnsweredBy", "robot", "AnsweredBy must be one of fax, human"),
    ],
)
def test_a_malformed_status_callback_is_400_for_known_and_unknown_calls_alike(
    twilio, db, candidate, known, field, value, sentence
):
    """The field rules run before the call is looked up or made: a malformed field is a
    400 naming it whether or not the CallSid names a call we know, and nothing is written."""
    if known:
        at_first_question(twilio)
    before = db.scalar(select(func.count(Call.id)))
    fields = {"CallStatus": "completed", "CallDuration": "60"} | {field: value}
    response = twilio.post("/ivr/status", **fields)
    assert response.status_code == 400 and response.mimetype == "text/plain"
    assert response.get_data(as_text=True).startswith(sentence)
    db.expire_all()
    assert db.scalar(select(func.count(Call.id))) == before
    assert all(c.duration_seconds is None for c in db.scalars(select(Call)))


@pytest.mark.parametrize("known", [True, False], ids=["known call", "unknown call"])
def test_a_call_duration_that_is_not_a_number_is_unknown_for_known_and_unknown_calls(
    twilio, db, candidate, known
):
    """CallDuration=abc is read as unknown, as the README documents ("-1, missing or not a
    number is unknown"), the same for a call we know and one we do not: 204, no length."""
    if known:
        at_first_question(twilio)
    response = twilio.post("/ivr/status", CallStatus="completed", CallDuration="abc")
    assert response.status_code == 204
    db.expire_all()
    call = db.scalar(select(Call).where(Call.call_sid == twilio.call_sid))
    assert call is not None and call.duration_seconds is None
