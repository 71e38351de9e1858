"""Fixtures for dashboard tests whose app places calls: the Twilio stand-in on loopback
and the web app talking to it (a module imports both names to use them)."""

from __future__ import annotations

import pytest

from dashboard.app import create_app
from ivr.standin import TwilioApiServer


@pytest.fixture
def twilio(settings):
    """The Twilio stand-in: "Call … now" reaches it, so a call placed can be seen."""
    with TwilioApiServer(settings.twilio_account_sid, settings.twilio_auth_token) as standin:
        yield standin


@pytest.fixture
def app(settings, db, twilio):
    """The web app, talking to the Twilio stand-in."""
    app = create_app(settings.replace(twilio_api_url=twilio.url))
    yield app
    services = app.extensions["screenline"]
    if "session_factory" in services.__dict__:
        services.session_factory.kw["bind"].dispose()
