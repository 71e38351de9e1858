"""`screenline org country` and `screenline org time-zone`: an organisation's settings."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from dashboard.cli.base import (
    Context,
    Country,
    OptionalArgument,
    TimeZone,
    emit,
    json_option,
    main,
    organisation,
    pass_context,
)
from voice import audit
from voice.dates import date_and_time, for_managers


@main.group()
def org():
    """Organisations."""


@org.command("country")
@click.argument("code", cls=OptionalArgument, required=False, type=Country())
@click.option("--org", "org_name", help="Organisation name or id (needed when there are several).")
@json_option
@pass_context
def org_country(ctx: Context, code, org_name, as_json):
    """Show, or set to CODE (US, GB, DE...), the country of numbers without a country code."""
    with ctx.session() as session:
        found = organisation(session, org_name)
        if code and code != found.default_country:
            found.default_country = code
            audit.record(  # as the dashboard's Phone numbers page records it
                session,
                found.id,
                "country_changed",
                audit.Actor.system("command line"),
                detail={"default_country": code},
            )
            session.commit()
        emit(
            as_json,
            {"organization": found.name, "default_country": found.default_country},
            f"{found.name}: numbers without a country code are read as {found.default_country}",
        )


@org.command("time-zone")
@click.argument("zone", cls=OptionalArgument, required=False, type=TimeZone())
@click.option("--org", "org_name", help="Organisation name or id (needed when there are several).")
@json_option
@pass_context
def org_time_zone(ctx: Context, zone, org_name, as_json):
    """Show, or set to ZONE (an IANA name: America/Chicago, Europe/Madrid, UTC...), the
    time zone dates are shown in: texts to candidates, the call, the dashboard."""
    with ctx.session() as session:
        found = organisation(session, org_name)
        if zone and zone != found.time_zone:
            found.time_zone = zone
            audit.record(
                session,
                found.id,
                "time_zone_changed",
                audit.Actor.system("command line"),
                detail={"time_zone": zone},
            )
            session.commit()
        now = date_and_time(datetime.now(UTC), *for_managers(found), year=True)
        emit(
            as_json,
            {"organization": found.name, "time_zone": found.time_zone},
            f"{found.name}: dates are shown in {found.time_zone} time (now {now})",
        )
