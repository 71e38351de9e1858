"""`/api/v1/webhook-endpoints`: subscribe URLs to events, remove them, read and resend deliveries.

The rules (URLs, events, secrets, the retry schedule) are voice/webhooks.py's, as for
the settings page and `screenline webhook`; rows are reached through dashboard/access.py.
"""

from __future__ import annotations

from flask import request
from flask.views import MethodView

from dashboard.access import get_visible, select_visible
from dashboard.api.auth import caller
from dashboard.api.body import ApiBlueprint
from dashboard.api.fields import IDEMPOTENCY_KEY, PageArgs, paginate
from dashboard.api.hooks import guard
from dashboard.api.problems import Problem
from dashboard.api.webhook_schemas import (
    CreatedWebhookEndpointSchema,
    WebhookDeliveryPageSchema,
    WebhookDeliverySchema,
    WebhookEndpointCreateSchema,
    WebhookEndpointPageSchema,
    WebhookEndpointSchema,
)
from ivr.services import db, services
from voice import audit, webhooks
from voice.models import WebhookDelivery, WebhookEndpoint, utcnow

blp = ApiBlueprint(
    "api_webhooks",
    __name__,
    url_prefix="/api/v1/webhook-endpoints",
    description="Webhook endpoints: where events are sent, signed (Standard Webhooks).",
)
guard(blp)


def _audit(session, action: str, endpoint: WebhookEndpoint) -> None:
    who = caller()
    audit.record(
        session,
        who.organization_id,
        action,
        audit.Actor.api_key(who.key_id, who.key_name, (request.remote_addr or "")[:64]),
        detail=webhooks.audit_detail(endpoint),
    )


@blp.route("")
class Endpoints(MethodView):
    """The organisation's webhook endpoints."""

    @blp.arguments(PageArgs, location="query")
    @blp.response(200, WebhookEndpointPageSchema)
    def get(self, args):
        """List live webhook endpoints."""
        stmt = select_visible(caller(), WebhookEndpoint).where(
            WebhookEndpoint.disabled_at.is_(None)
        )
        return paginate(db(), stmt, WebhookEndpoint.id, args["limit"], args.get("cursor"))

    @blp.arguments(WebhookEndpointCreateSchema)
    @blp.response(201, CreatedWebhookEndpointSchema)
    @blp.doc(parameters=[IDEMPOTENCY_KEY])
    def post(self, args):
        """Subscribe a URL to events; the answer holds its signing secret, shown this once."""
        session = db()
        try:
            endpoint = webhooks.create_endpoint(
                session,
                caller().organization_id,
                args["url"],
                args["events"],
                description=args["description"],
                allow_private=not services().settings.is_production,
            )
        except webhooks.WebhookError as exc:
            raise Problem("validation-error", str(exc), errors={exc.field: str(exc)}) from None
        session.flush()
        _audit(session, "webhook_added", endpoint)
        session.commit()
        return endpoint


@blp.route("/<int:endpoint_id>")
class EndpointById(MethodView):
    """One webhook endpoint."""

    @blp.response(200, WebhookEndpointSchema)
    def get(self, endpoint_id: int):
        """Get a webhook endpoint."""
        return get_visible(db(), caller(), WebhookEndpoint, endpoint_id)

    @blp.response(204)
    def delete(self, endpoint_id: int):
        """Remove a webhook endpoint: nothing more is sent to it (its delivery log stays)."""
        endpoint = get_visible(db(), caller(), WebhookEndpoint, endpoint_id)
        if endpoint.disabled_at is None:
            endpoint.disabled_at = utcnow()
            _audit(db(), "webhook_removed", endpoint)
        db().commit()


@blp.route("/<int:endpoint_id>/deliveries")
class Deliveries(MethodView):
    """An endpoint's delivery log."""

    @blp.arguments(PageArgs, location="query")
    @blp.response(200, WebhookDeliveryPageSchema)
    def get(self, args, endpoint_id: int):
        """List an endpoint's deliveries, oldest first, with status, attempts and timing."""
        stmt = select_visible(caller(), WebhookDelivery).where(
            WebhookDelivery.endpoint_id == endpoint_id
        )
        return paginate(db(), stmt, WebhookDelivery.id, args["limit"], args.get("cursor"))


@blp.route("/<int:endpoint_id>/deliveries/<int:delivery_id>/resend")
class Resend(MethodView):
    """Send a delivery again."""

    @blp.response(202, WebhookDeliverySchema)
    @blp.doc(parameters=[IDEMPOTENCY_KEY])
    def post(self, endpoint_id: int, delivery_id: int):
        """Send a delivery again now (with a fresh set of retries)."""
        delivery = get_visible(db(), caller(), WebhookDelivery, delivery_id)
        if delivery.endpoint_id != endpoint_id:
            raise Problem("not-found")
        webhooks.send_again(delivery)
        db().commit()
        return delivery
