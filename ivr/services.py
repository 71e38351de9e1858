"""The web process's resources on the Flask app, and the request's database session.

The app factory builds one `Resources` (ivr/resources.py, shared with the workers) from
settings and keeps it on `app.extensions`; the database session belongs to one request
and is closed on teardown.
"""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from config.settings import Settings
from ivr.resources import Resources

EXTENSION = "screenline"


def init_services(app: Flask, settings: Settings) -> Resources:
    """Attach a Resources built from `settings` to `app` (the factory closes sessions)."""
    resources = Resources(settings)
    app.extensions[EXTENSION] = resources
    return resources


def services() -> Resources:
    """The current app's Resources (inside a request or app context)."""
    return current_app.extensions[EXTENSION]


def db() -> Session:
    """The request's database session, opened on first use."""
    if "db_session" not in g:
        g.db_session = services().session_factory()
    return g.db_session


def close_session(_exc: BaseException | None = None) -> None:
    """End the request's database session, if it opened one (registered on teardown)."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
