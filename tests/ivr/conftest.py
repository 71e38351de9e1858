"""Fixtures shared by the IVR tests: an interview, its candidate, Twilio's part, the stand-in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ivr.standin import TwilioApiServer
from tests.factories import make_candidate, make_interview, make_org
from tests.ivr.standin_app import ACCOUNT, TOKEN
from tests.ivr.twilio_actions import TwilioActions


@pytest.fixture
def interview(db):
    """A two-question interview on +15550100200."""
    org = make_org(db)
    interview = make_interview(db, org)
    db.commit()
    return interview


@pytest.fixture
def candidate(db, interview):
    """A candidate whose caller ID is the test caller's."""
    candidate = make_candidate(db, interview)
    db.commit()
    return candidate


@pytest.fixture
def twilio(client, settings):
    """Twilio's part for one call against the app."""
    return TwilioActions(client, settings)


@pytest.fixture
def api() -> Iterator[TwilioApiServer]:
    """A running stand-in REST API server (tests/ivr/standin_app.py's account)."""
    with TwilioApiServer(ACCOUNT, TOKEN) as server:
        yield server
