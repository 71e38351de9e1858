"""Dates on the dashboard as the reader reads them: in their organisation's time zone.

Every absolute date or time a person reads on a page (audit entries, webhook deliveries,
expiries, erasure and retention days, the exact time behind a relative "3 hours ago") is
written by the filters here, worded by voice/dates.py in the time zone and English of the
organisation whose page it is: the signed-in user's, or, on a shared link's page
(`read_for`), the organisation that shared it. "Jan 15, 2099, 5:00 PM CST" (`local_datetime`),
"Jan 15, 2099" (`local_date`).

Only the visible text changes: a `<time datetime="...">` attribute (the `isotime` filter),
CSV and JSON exports, the API and the command line's --json stay ISO 8601 in UTC.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask, g, has_request_context
from flask_login import current_user

from dashboard.presenters import ago
from ivr.services import db
from voice.dates import date_and_time, for_managers, short_date
from voice.models import Organization

_KEY = "reader_dates"  # flask.g: (time zone, language) of this request's reader


def read_for(organization: Organization | None) -> None:
    """Word this request's dates for `organization` (a shared link's page, read by someone
    signed out); None: UTC in en-US."""
    setattr(g, _KEY, for_managers(organization))


def reader_zone() -> tuple[str, str]:
    """(IANA time zone, language) this request's dates are written in: those `read_for`
    chose, else the signed-in user's organisation's, else UTC in en-US (no request, or
    nobody signed in). Looked up once per request."""
    if not has_request_context():
        return for_managers(None)
    chosen = g.get(_KEY)
    if chosen is None:
        organization = None
        if current_user and current_user.is_authenticated:
            organization = db().get(Organization, current_user.organization_id)
        chosen = for_managers(organization)
        setattr(g, _KEY, chosen)
    return chosen


def local_datetime(when: datetime | None) -> str:
    """An aware time as a day, a time and the zone in the reader's zone
    ("Jan 15, 2099, 5:00 PM CST"); '' for None."""
    return "" if when is None else date_and_time(when, *reader_zone(), year=True)


def local_date(when: datetime | None) -> str:
    """The day of an aware time in the reader's zone ("Jan 15, 2099"); '' for None."""
    return "" if when is None else short_date(when, *reader_zone())


def local_ago(when: datetime | None) -> str:
    """`presenters.ago`, with a time older than a week as its day in the reader's zone."""
    return ago(when, day=local_date)


def init_app(app: Flask) -> None:
    """Register the filters local_datetime, local_date and ago (the latter replacing
    presenters' UTC one) on `app`."""
    app.add_template_filter(local_datetime, "local_datetime")
    app.add_template_filter(local_date, "local_date")
    app.add_template_filter(local_ago, "ago")
