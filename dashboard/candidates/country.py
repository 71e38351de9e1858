"""The organisation's default country for phone numbers (admins): /settings/phones.

Numbers written without a country code, in imported lists and when a candidate is added
(from the command line or the API), are read in this country (voice/phones.py).
`screenline org country` sets the same value.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from dashboard.access import require_role
from dashboard.auditing import record
from ivr.services import db
from voice.models import Organization, Role
from voice.phones import PhoneError, check_region, region_name, regions


@require_role(Role.ADMIN)
def phone_settings():
    """Show or save the default country (an ISO code libphonenumber knows); 422 if unknown."""
    session = db()
    org = session.get(Organization, current_user.organization_id)
    if org is None:
        abort(404)
    error = None
    chosen = org.default_country
    if request.method == "POST":
        chosen = request.form.get("country", "")
        try:
            org.default_country = check_region(chosen)
        except PhoneError as exc:
            error = str(exc)
        else:
            record("country_changed", detail={"default_country": org.default_country})
            session.commit()
            flash(
                "Numbers without a country code are now read as "
                f"{region_name(org.default_country)} ({org.default_country}).",
                "success",
            )
            return redirect(url_for(".phone_settings"))
    return (
        render_template(
            "phone_settings.html", org=org, chosen=chosen, error=error, regions=regions()
        ),
        422 if error else 200,
    )
