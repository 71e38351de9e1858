"""Fixtures for the dashboard: the app, a browser-like client that signs in, and data."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from dashboard.app import create_app
from tests.dashboard.html import Node, parse
from tests.factories import PASSWORD, make_candidate, make_interview, make_org, make_user
from voice.db import make_engine, make_session_factory
from voice.migrate import upgrade
from voice.models import (
    Answer,
    AnswerStatus,
    Candidate,
    CandidateStatus,
    Interview,
    Organization,
    User,
)
from voice.store import AudioStore, answer_key

AUDIO_BYTES = bytes(range(256)) * 16  # stands in for an MP3: the route serves bytes as stored


@pytest.fixture
def app(settings, db):
    """The web app; its connection pools are closed before the tables are emptied."""
    app = create_app(settings)
    yield app
    app.extensions["screenline"].close()


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


class AuthActions:
    """Sign in and out the way a browser does: read the form, send its CSRF token back."""

    def __init__(self, client: FlaskClient):
        self.client = client

    def login(self, email: str = "manager@acme.test", password: str = PASSWORD, next=None):
        url = "/login" if next is None else f"/login?next={next}"
        form = parse(self.client.get(url).data).one("form", action=True)
        data = form.form_fields() | {"email": email, "password": password}
        return self.client.post(form.attrs["action"], data=data)

    def logout(self):
        page = parse(self.client.get("/").data)
        form = page.one("form", action="/logout")
        return self.client.post("/logout", data=form.form_fields())


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


def submit(client: FlaskClient, page: Node, action: str, **values):
    """Post the form with this action from a parsed page, with some fields changed."""
    form = page.one("form", action=action)
    return client.post(action, data=form.form_fields() | values)


@dataclass
class World:
    """Two organisations; the first has an interview, a candidate and answers."""

    user: User
    interview: Interview
    candidate: Candidate
    transcribed: Answer
    failed: Answer
    stranger: User
    stranger_interview: Interview
    stranger_candidate: Candidate
    stranger_answer: Answer


def add_answer(db, candidate: Candidate, position: int, **fields) -> Answer:
    question = candidate.interview.questions[position - 1]
    answer = Answer(candidate=candidate, question=question, **fields)
    db.add(answer)
    db.flush()
    return answer


def store_audio(settings, answer: Answer, data: bytes = AUDIO_BYTES) -> None:
    answer.playback_key = AudioStore(settings.media_dir).put(
        answer_key(answer.id, "playback.mp3"), data
    )


@pytest.fixture
def world(db, settings) -> World:
    org = make_org(db)
    user = make_user(db, org)
    interview = make_interview(db, org)
    candidate = make_candidate(db, interview)
    candidate.status = CandidateStatus.COMPLETED
    transcribed = add_answer(
        db,
        candidate,
        1,
        status=AnswerStatus.TRANSCRIBED,
        recording_sid="RE" + "1" * 32,
        transcript="I drove a forklift for three years.",
        segments=[
            {"start": 0.0, "end": 1.5, "text": "I drove a forklift"},
            {"start": 1.5, "end": 3.2, "text": "for three years."},
        ],
        playback_seconds=3.2,
    )
    store_audio(settings, transcribed)
    failed = add_answer(
        db,
        candidate,
        2,
        status=AnswerStatus.FAILED,
        recording_sid="RE" + "2" * 32,
        error="Download failed: HTTP 404 from Twilio",
        attempts_failed=3,
    )

    other = make_org(db, "Globex Logistics")
    stranger = make_user(db, other, email="boss@globex.test")
    stranger_interview = make_interview(db, other, phone_number="+15550100999")
    stranger_candidate = make_candidate(db, stranger_interview, name="Sam Secret")
    stranger_answer = add_answer(
        db, stranger_candidate, 1, status=AnswerStatus.FAILED, recording_sid="RE" + "3" * 32
    )
    store_audio(settings, stranger_answer)
    db.commit()
    return World(
        user,
        interview,
        candidate,
        transcribed,
        failed,
        stranger,
        stranger_interview,
        stranger_candidate,
        stranger_answer,
    )


@pytest.fixture
def signed_in(world, auth) -> World:
    """The world, with the first organisation's manager signed in."""
    response = auth.login()
    assert response.status_code == 302
    return world


def flashes(page: Node) -> list[str]:
    return [node.text() for node in page.find_all("p", cls="flash")]


def app_engine(app: Flask):
    return app.extensions["screenline"].session_factory.kw["bind"]


@contextmanager
def count_queries(app: Flask) -> Iterator[list[str]]:
    """Collect every SQL statement the app's engine runs inside the block."""
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    engine = app_engine(app)
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


@dataclass
class SqliteDashboard:
    """The dashboard on a SQLite file, its admin signed in, and a session on that file."""

    client: FlaskClient
    session: Session
    organization: Organization
    user: User


@pytest.fixture
def sqlite_dashboard(settings, tmp_path, redis_conn) -> Iterator[SqliteDashboard]:
    """The dashboard on a migrated SQLite file (the demo's database), with one organisation
    whose admin (manager@acme.test) is signed in."""
    url = f"sqlite:///{tmp_path / 'screenline.db'}"
    upgrade(url)
    engine = make_engine(url)
    session = make_session_factory(engine)()
    app = create_app(settings.replace(database_url=url))
    try:
        org = make_org(session)
        user = make_user(session, org)
        session.commit()
        client = app.test_client()
        assert AuthActions(client).login().status_code == 302
        yield SqliteDashboard(client, session, org, user)
    finally:
        session.close()
        services = app.extensions["screenline"]
        if "session_factory" in services.__dict__:
            services.session_factory.kw["bind"].dispose()
        engine.dispose()
