"""`screenline db upgrade` and `screenline user create`."""

from __future__ import annotations

import shlex

import click
from sqlalchemy import select

from dashboard.cli.base import Context, emit, json_option, main, organisation, pass_context
from voice import audit
from voice.accounts import (
    AccountError,
    clean_user_name,
    create_user,
    normalise_email,
    password_problem,
)
from voice.migrate import upgrade
from voice.models import Organization, Role


@main.group()
def db():
    """Database schema."""


@db.command("upgrade")
@pass_context
def db_upgrade(ctx: Context):
    """Create or migrate the database schema to the latest version."""
    upgrade(ctx.settings.database_url)
    click.echo("database is up to date")


def _account_rule(rule):
    """A click callback applying one of voice.accounts' rules to an option or argument: its
    AccountError becomes a usage error (exit status 2) with the rule's sentence."""

    def check(_ctx, param, value):
        try:
            return rule(value)
        except AccountError as exc:
            raise click.BadParameter(str(exc), param=param) from None

    return check


def _password_rule(value: str) -> str:
    problem = password_problem(value)
    if problem:
        raise AccountError(problem)
    return value


@main.group()
def user():
    """Dashboard users."""


class _UserCreate(click.Command):
    """`user create`, whose --new-org is a flag: given a name ("--new-org 'Other Co'", which
    click reads as an extra argument, or "--new-org=Other Co") the usage error says how
    to write it instead of only "Got unexpected extra argument (Other Co)"."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Parse as click does; a usage error caused by a name after --new-org gets the hint."""
        given = list(args)  # click's parser consumes the list it is given
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            named = _new_org_name(given)
            # Only an error about that name (an extra argument, a value for the flag):
            # "--new-org ana@example.com" may be the flag before the EMAIL argument.
            if named is None or (named not in exc.message and "--new-org" not in exc.message):
                raise
            raise click.UsageError(
                f"{exc.message}: --new-org is a flag and takes no name; "
                f"use --org {shlex.quote(named)} --new-org",
                ctx,
            ) from None


def _new_org_name(args: list[str]) -> str | None:
    """The name given to --new-org in `args` ("--new-org NAME" or "--new-org=NAME"), if any."""
    options = args[: args.index("--")] if "--" in args else args
    for i, arg in enumerate(options):
        if arg.startswith("--new-org="):
            return arg.partition("=")[2]
        if arg == "--new-org" and i + 1 < len(options) and not options[i + 1].startswith("-"):
            return options[i + 1]
    return None


@user.command("create", cls=_UserCreate)
@click.argument("email", callback=_account_rule(normalise_email))
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    callback=_account_rule(_password_rule),
)
@click.option("--role", type=click.Choice(Role.ALL), default=Role.ADMIN, show_default=True)
@click.option(
    "--org",
    "org_name",
    help="Organisation name or id (created when there is none yet, else see --new-org).",
)
@click.option(
    "--new-org",
    is_flag=True,
    help="Create the organisation named by --org (it must not exist yet).",
)
@click.option(
    "--name", default="", help="The person's name.", callback=_account_rule(clean_user_name)
)
@json_option
@pass_context
def user_create(ctx: Context, email, password, role, org_name, new_org, name, as_json):
    """Create a dashboard user in an organisation.

    --org names an existing organisation; on a new installation (no organisation yet) it
    names the first one, which is created. Otherwise a new organisation takes --new-org,
    so that a mistyped name ("Northwind" for "Northwind Logistics") is refused with the
    names there are instead of quietly starting an empty organisation.

    A malformed email, a password that breaks the rule, an over-long name or --org, or
    --new-org without --org, or given a name (it is a flag: --org "Other Co" --new-org),
    is a usage error (exit status 2); an email already in use, an
    --org that matches none (without --new-org) or --new-org naming one that exists is
    refused (exit status 1).
    """
    if new_org and not org_name:
        raise click.UsageError("--new-org needs --org NAME, the new organisation's name")
    with ctx.session() as session:
        first = session.scalar(select(Organization.id).limit(1)) is None
        if new_org and session.scalar(select(Organization.id).where(Organization.name == org_name)):
            raise click.ClickException(
                f"an organisation named {org_name!r} exists already; "
                "leave out --new-org to add the user to it"
            )
        org = organisation(
            session,
            org_name,
            create=first or new_org,
            create_hint="add --new-org to create it",
        )
        try:
            user = create_user(session, org, email, password, role=role, name=name)
        except AccountError as exc:
            raise click.ClickException(str(exc)) from None
        session.flush()
        audit.record(
            session,
            org.id,
            "user_created",
            audit.Actor.system("command line"),
            detail={"user_id": user.id, "role": role},
            subject={"email": user.email},
        )
        session.commit()
        emit(
            as_json,
            {"id": user.id, "email": user.email, "role": role, "organization": org.name},
            f"created {role} {user.email} in {org.name} (user {user.id})",
        )
