"""The webhook endpoints API's JSON shapes (`/api/v1/webhook-endpoints`), as marshmallow
schemas: endpoints, their signing secret, and deliveries. The events and statuses are
voice/webhooks.py's; the other resources' shapes are in dashboard/api/schemas.py.
"""

from __future__ import annotations

import marshmallow as ma

from dashboard.api.fields import Timestamp, page_schema
from dashboard.api.inputs import Choice, ListOf, Text, WebhookUrl
from ivr.services import services
from voice import webhooks
from voice.webhooks import EVENTS as WEBHOOK_EVENTS

F = ma.fields


def _private_allowed() -> bool:
    """Whether a webhook URL may be private, loopback or plain http: outside production."""
    return not services().settings.is_production


class WebhookEndpointCreateSchema(ma.Schema):
    """A URL to receive events at."""

    url = WebhookUrl(
        webhooks.MAX_URL,
        _private_allowed,
        required=True,
        metadata={"example": WebhookUrl.EXAMPLE},
    )
    events = ListOf(
        Choice(WEBHOOK_EVENTS, what="an event"),
        1,
        len(WEBHOOK_EVENTS),
        what="events",
        example='["candidate.completed"]',
        required=True,
        metadata={"description": "Events to receive."},
    )
    description = Text(webhooks.MAX_DESCRIPTION, example="Greenhouse sync", load_default="")


class WebhookEndpointSchema(ma.Schema):
    """A webhook endpoint (its secret is shown once, when it is created)."""

    id = F.Integer(required=True)
    url = F.String(required=True)
    events = F.List(F.String(validate=ma.validate.OneOf(WEBHOOK_EVENTS)), required=True)
    description = F.String()
    created_at = Timestamp(required=True)
    disabled_at = Timestamp(allow_none=True)


class CreatedWebhookEndpointSchema(WebhookEndpointSchema):
    """A webhook endpoint just made, with its signing secret (shown this once)."""

    secret = F.String(
        required=True, metadata={"description": "whsec_...: verifies webhook-signature."}
    )


WebhookEndpointPageSchema = page_schema(WebhookEndpointSchema, "WebhookEndpointPage")


class WebhookDeliverySchema(ma.Schema):
    """One event sent (or to be sent) to an endpoint, and its attempts."""

    id = F.Integer(required=True)
    endpoint_id = F.Integer(required=True)
    message_id = F.String(required=True, metadata={"description": "The webhook-id header."})
    event_type = F.String(required=True, validate=ma.validate.OneOf(WEBHOOK_EVENTS))
    payload = F.Dict(
        keys=F.String(),
        required=True,
        metadata={"description": 'The event\'s JSON body, as sent (README, "Webhooks").'},
    )
    status = F.String(
        required=True,
        validate=ma.validate.OneOf((webhooks.PENDING, webhooks.DELIVERED, webhooks.FAILED)),
        metadata={"description": "pending until delivered or given up on (failed)."},
    )
    attempts = F.Integer(required=True)
    next_attempt_at = Timestamp(allow_none=True)
    last_status_code = F.Integer(allow_none=True)
    last_response_ms = F.Integer(allow_none=True)
    last_error = F.String(allow_none=True)
    created_at = Timestamp(required=True)
    delivered_at = Timestamp(allow_none=True)


WebhookDeliveryPageSchema = page_schema(WebhookDeliverySchema, "WebhookDeliveryPage")
