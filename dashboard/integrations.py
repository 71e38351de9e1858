"""The "API & webhooks" settings page: admins make, name, scope and revoke API keys, and
subscribe URLs to webhook events, with each endpoint's delivery log and "Send again".

The rules are voice/apikeys.py's and voice/webhooks.py's, as for the API and the
command line. A new key's or endpoint's secret is shown once, in the page that answers
the form (never in a flash message, which travels in the session cookie).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from dashboard.access import get_visible, require_role, select_visible
from dashboard.auditing import record
from ivr.services import db, services
from voice import webhooks
from voice.apikeys import audit_detail, create_key, revoke_key
from voice.models import ApiKey, Organization, Role, WebhookDelivery, WebhookEndpoint, utcnow

integrations = Blueprint("integrations", __name__, url_prefix="/settings/api")

DELIVERIES_SHOWN = 100


def _page(status: int = 200, **fresh):
    session = db()
    keys = session.scalars(select_visible(current_user, ApiKey).order_by(ApiKey.id)).all()
    endpoints = session.scalars(
        select_visible(current_user, WebhookEndpoint)
        .where(WebhookEndpoint.disabled_at.is_(None))
        .order_by(WebhookEndpoint.id)
    ).all()
    return (
        render_template(
            "integrations.html",
            keys=keys,
            endpoints=endpoints,
            events=webhooks.EVENTS,
            **fresh,
        ),
        status,
    )


@integrations.get("")
@require_role(Role.ADMIN)
def page():
    """Show the organisation's API keys and webhook endpoints."""
    return _page()


@integrations.post("/keys")
@require_role(Role.ADMIN)
def new_key():
    """Make an API key and show its secret, this once."""
    session = db()
    try:
        key, secret = create_key(
            session,
            session.get(Organization, current_user.organization_id),
            request.form.get("name", ""),
            read_only=request.form.get("read_only") == "1",
            created_by_id=current_user.id,
        )
    except ValueError as exc:
        return _page(422, key_error=str(exc))
    session.flush()
    record("api_key_created", detail=audit_detail(key))
    session.commit()
    return _page(fresh_key=key, fresh_secret=secret)


@integrations.post("/keys/<int:key_id>/revoke")
@require_role(Role.ADMIN)
def revoke(key_id: int):
    """Revoke an API key: requests with it are refused from now on."""
    key = get_visible(db(), current_user, ApiKey, key_id)
    if revoke_key(key):
        record("api_key_revoked", detail=audit_detail(key))
        db().commit()
        flash(f"API key “{key.name}” is revoked.", "success")
    return redirect(url_for(".page"))


@integrations.post("/webhooks")
@require_role(Role.ADMIN)
def new_endpoint():
    """Subscribe a URL to events and show its signing secret, this once."""
    session = db()
    try:
        endpoint = webhooks.create_endpoint(
            session,
            current_user.organization_id,
            request.form.get("url", ""),
            request.form.getlist("events"),
            description=request.form.get("description", ""),
            allow_private=not services().settings.is_production,
        )
    except webhooks.WebhookError as exc:
        return _page(422, webhook_error=str(exc))
    session.flush()
    record("webhook_added", detail=webhooks.audit_detail(endpoint))
    session.commit()
    return _page(fresh_endpoint=endpoint)


@integrations.post("/webhooks/<int:endpoint_id>/remove")
@require_role(Role.ADMIN)
def remove(endpoint_id: int):
    """Stop sending to an endpoint (its delivery log stays)."""
    endpoint = get_visible(db(), current_user, WebhookEndpoint, endpoint_id)
    if endpoint.disabled_at is None:
        endpoint.disabled_at = utcnow()
        record("webhook_removed", detail=webhooks.audit_detail(endpoint))
    db().commit()
    flash(f"Webhooks to {endpoint.url} are stopped.", "success")
    return redirect(url_for(".page"))


@integrations.get("/webhooks/<int:endpoint_id>")
@require_role(Role.ADMIN)
def deliveries(endpoint_id: int):
    """An endpoint's delivery log, newest first: status, attempts, response time, error."""
    endpoint = get_visible(db(), current_user, WebhookEndpoint, endpoint_id)
    rows = (
        db()
        .scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id)
            .order_by(WebhookDelivery.id.desc())
            .limit(DELIVERIES_SHOWN)
        )
        .all()
    )
    return render_template("webhook_deliveries.html", endpoint=endpoint, deliveries=rows)


@integrations.post("/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/resend")
@require_role(Role.ADMIN)
def resend(endpoint_id: int, delivery_id: int):
    """ "Send again": the delivery is due now, with a fresh set of retries."""
    delivery = get_visible(db(), current_user, WebhookDelivery, delivery_id)
    if delivery.endpoint_id != endpoint_id:
        return redirect(url_for(".deliveries", endpoint_id=delivery.endpoint_id))
    webhooks.send_again(delivery)
    db().commit()
    flash(f"{delivery.event_type} ({delivery.message_id}) will be sent again now.", "success")
    return redirect(url_for(".deliveries", endpoint_id=endpoint_id))
