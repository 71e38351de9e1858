"""`screenline api-key create | list | revoke`: keys for the REST API (voice/apikeys.py)."""

from __future__ import annotations

import click
from sqlalchemy import select

from dashboard.api.fields import rfc3339
from dashboard.cli.base import (
    ROW_ID,
    Context,
    bad_value,
    emit,
    json_option,
    main,
    organisation,
    pass_context,
)
from voice import audit
from voice.apikeys import audit_detail, create_key, revoke_key
from voice.models import ApiKey

COMMAND_LINE = audit.Actor.system("command line")


@main.group("api-key")
def api_key():
    """API keys: each is scoped to one organisation, read-only or read-write."""


def _key_json(key: ApiKey, organization: str) -> dict:
    return {
        "id": key.id,
        "name": key.name,
        "prefix": key.prefix,
        "read_only": key.read_only,
        "organization": organization,
        "created_at": rfc3339(key.created_at),
        "last_used_at": rfc3339(key.last_used_at),
        "revoked_at": rfc3339(key.revoked_at),
    }


@api_key.command("create")
@click.option("--org", "org_name", help="Organisation name (or id).")
@click.option("--name", required=True, help="What uses the key, e.g. 'Greenhouse sync'.")
@click.option("--read-only", is_flag=True, help="The key may only read.")
@json_option
@pass_context
def api_key_create(ctx: Context, org_name, name, read_only, as_json):
    """Create an API key and print its secret: it is shown this once only."""
    with ctx.session() as session:
        org = organisation(session, org_name)
        try:
            key, secret = create_key(session, org, name, read_only=read_only)
        except ValueError as exc:  # create_key's rule for the name: empty or too long
            raise bad_value("--name", str(exc)) from None
        session.flush()
        audit.record(session, org.id, "api_key_created", COMMAND_LINE, detail=audit_detail(key))
        session.commit()
        scope = "read-only" if read_only else "read-write"
        emit(
            as_json,
            _key_json(key, org.name) | {"secret": secret},
            f"created {scope} API key {key.id} “{key.name}” for {org.name}\n"
            f"secret (shown once, keep it safe): {secret}",
        )


@api_key.command("list")
@click.option("--org", "org_name", help="Organisation name (or id).")
@json_option
@pass_context
def api_key_list(ctx: Context, org_name, as_json):
    """List an organisation's API keys (never their secrets)."""
    with ctx.session() as session:
        org = organisation(session, org_name)
        keys = session.scalars(
            select(ApiKey).where(ApiKey.organization_id == org.id).order_by(ApiKey.id)
        ).all()
        lines = [
            f"{k.id}\t{k.prefix}…\t{'read-only' if k.read_only else 'read-write'}\t"
            f"{'revoked' if k.revoked_at else 'live'}\t{k.name}"
            for k in keys
        ]
        emit(as_json, [_key_json(k, org.name) for k in keys], "\n".join(lines) or "no API keys")


@api_key.command("revoke")
@click.argument("key_id", type=ROW_ID)
@click.option("--org", "org_name", help="Organisation name (or id).")
@json_option
@pass_context
def api_key_revoke(ctx: Context, key_id, org_name, as_json):
    """Revoke an API key: requests with it are refused from now on."""
    with ctx.session() as session:
        org = organisation(session, org_name)
        key = session.scalar(
            select(ApiKey).where(ApiKey.id == key_id, ApiKey.organization_id == org.id)
        )
        if key is None:
            raise click.ClickException(f"{org.name} has no API key {key_id}")
        changed = revoke_key(key)
        if changed:
            audit.record(session, org.id, "api_key_revoked", COMMAND_LINE, detail=audit_detail(key))
        session.commit()
        emit(
            as_json,
            _key_json(key, org.name),
            f"revoked API key {key.id} “{key.name}”" if changed else "it was revoked already",
        )
