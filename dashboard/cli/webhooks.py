"""`screenline webhook add | list | remove`: webhook endpoints (voice/webhooks.py's rules)."""

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
from voice import audit, webhooks
from voice.models import WebhookEndpoint, utcnow

COMMAND_LINE = audit.Actor.system("command line")
# The option (or argument) of `webhook add` that gives each of voice.webhooks' fields.
FIELD_OPTIONS = {"url": "URL", "events": "--events", "description": "--description"}


@main.group()
def webhook():
    """Webhook endpoints: URLs that receive signed events."""


def _endpoint_json(endpoint: WebhookEndpoint) -> dict:
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "events": endpoint.events,
        "description": endpoint.description,
        "created_at": rfc3339(endpoint.created_at),
        "disabled_at": rfc3339(endpoint.disabled_at),
    }


@webhook.command("add")
@click.argument("url")
@click.option(
    "--events",
    required=True,
    help=f"Comma-separated: {', '.join(webhooks.EVENTS)}.",
)
@click.option("--org", "org_name", help="Organisation name (or id).")
@click.option("--description", default="", help="What receives them.")
@json_option
@pass_context
def webhook_add(ctx: Context, url, events, org_name, description, as_json):
    """Subscribe URL to events; prints the endpoint's signing secret, shown this once.

    A URL, event or description that breaks voice.webhooks' rules is a usage error (exit
    status 2); an organisation with as many endpoints as it may have is refused (1).
    """
    names = [e.strip() for e in events.split(",") if e.strip()]
    with ctx.session() as session:
        org = organisation(session, org_name)
        try:
            endpoint = webhooks.create_endpoint(
                session,
                org.id,
                url,
                names,
                description=description,
                allow_private=not ctx.settings.is_production,
            )
        except webhooks.WebhookError as exc:
            if exc.field in FIELD_OPTIONS:
                raise bad_value(FIELD_OPTIONS[exc.field], str(exc)) from None
            raise click.ClickException(str(exc)) from None
        session.flush()
        audit.record(
            session, org.id, "webhook_added", COMMAND_LINE, detail=webhooks.audit_detail(endpoint)
        )
        session.commit()
        emit(
            as_json,
            _endpoint_json(endpoint) | {"secret": endpoint.secret},
            f"webhook endpoint {endpoint.id}: {endpoint.url} ({', '.join(endpoint.events)})\n"
            f"signing secret (shown once, keep it safe): {endpoint.secret}",
        )


@webhook.command("list")
@click.option("--org", "org_name", help="Organisation name (or id).")
@json_option
@pass_context
def webhook_list(ctx: Context, org_name, as_json):
    """List an organisation's live webhook endpoints (never their secrets)."""
    with ctx.session() as session:
        org = organisation(session, org_name)
        endpoints = session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.organization_id == org.id, WebhookEndpoint.disabled_at.is_(None))
            .order_by(WebhookEndpoint.id)
        ).all()
        lines = [f"{e.id}\t{e.url}\t{','.join(e.events)}" for e in endpoints]
        emit(as_json, [_endpoint_json(e) for e in endpoints], "\n".join(lines) or "none")


@webhook.command("remove")
@click.argument("endpoint_id", type=ROW_ID)
@click.option("--org", "org_name", help="Organisation name (or id).")
@json_option
@pass_context
def webhook_remove(ctx: Context, endpoint_id, org_name, as_json):
    """Stop sending to a webhook endpoint (its delivery log stays)."""
    with ctx.session() as session:
        org = organisation(session, org_name)
        endpoint = session.scalar(
            select(WebhookEndpoint).where(
                WebhookEndpoint.id == endpoint_id, WebhookEndpoint.organization_id == org.id
            )
        )
        if endpoint is None:
            raise click.ClickException(f"{org.name} has no webhook endpoint {endpoint_id}")
        if endpoint.disabled_at is None:
            endpoint.disabled_at = utcnow()
            audit.record(
                session,
                org.id,
                "webhook_removed",
                COMMAND_LINE,
                detail=webhooks.audit_detail(endpoint),
            )
        session.commit()
        emit(as_json, _endpoint_json(endpoint), f"removed webhook endpoint {endpoint.id}")
