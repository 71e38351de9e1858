"""The organisation's time zone (admins): /settings/time-zone.

Every date its candidates and users read (SMS, the call, the dashboard) is written in
this zone (voice/dates.py), and the builder's deadline is typed in it; stored times stay
UTC. `screenline org time-zone` sets the same value; voice/time_zones.py is the rule.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from dashboard.access import require_role
from dashboard.auditing import record
from ivr.services import db
from voice.dates import date_and_time, for_managers
from voice.models import Organization, Role
from voice.time_zones import (
    DEFAULT_TIME_ZONE,
    TimeZoneError,
    check_time_zone,
    time_zone_groups,
    time_zone_names,
)

time_zone = Blueprint("time_zone", __name__)


@time_zone.route("/settings/time-zone", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def time_zone_settings():
    """Show or save the time zone (an IANA name zoneinfo knows); 422 with the field's
    error for anything else."""
    session = db()
    org = session.get(Organization, current_user.organization_id)
    if org is None:
        abort(404)
    error = None
    chosen = org.time_zone
    if request.method == "POST":
        chosen = request.form.get("time_zone", "")
        try:
            org.time_zone = check_time_zone(chosen)
        except TimeZoneError as exc:
            error = str(exc)
        else:
            record("time_zone_changed", detail={"time_zone": org.time_zone})
            session.commit()
            now = date_and_time(datetime.now(UTC), *for_managers(org), year=True)
            flash(f"Dates are now shown in {org.time_zone} time (now: {now}).", "success")
            return redirect(url_for(".time_zone_settings"))
    return (
        render_template(
            "time_zone_settings.html",
            org=org,
            chosen=chosen,
            error=error,
            zones=time_zone_names(),
            first=DEFAULT_TIME_ZONE,
            regions=time_zone_groups(),
        ),
        422 if error else 200,
    )
