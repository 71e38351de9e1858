"""`screenline org country`: an organisation's default country for phone numbers."""

from __future__ import annotations

import click

from dashboard.cli.base import Context, Country, emit, json_option, main, organisation, pass_context


@main.group()
def org():
    """Organisations."""


@org.command("country")
@click.argument("code", required=False, type=Country())
@click.option("--org", "org_name", help="Organisation name or id (needed when there are several).")
@json_option
@pass_context
def org_country(ctx: Context, code, org_name, as_json):
    """Show, or set to CODE (US, GB, DE...), the country of numbers without a country code."""
    with ctx.session() as session:
        found = organisation(session, org_name)
        if code:
            found.default_country = code
            session.commit()
        emit(
            as_json,
            {"organization": found.name, "default_country": found.default_country},
            f"{found.name}: numbers without a country code are read as {found.default_country}",
        )
