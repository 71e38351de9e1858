"""The webhook endpoints API's JSON shapes (`/api/v1/webhook-endpoints`), as marshmallow
schemas: endpoints, their signing secret, and deliveries. The events and statuses are
voice/webhooks.py's; the other resources' shapes are in dashboard/api/schemas.py.
"""

from __future__ import annotations

import marshmallow as ma

from dashboard.api.fields import Timestamp, page_schema
from voice import webhooks
from voice.webhooks import EVENTS as WEBHOOK_EVENTS

F = ma.fields


class WebhookEndpointCreateSchema(ma.Schema):
    """A URL to receive events at."""

    url = F.String(required=True, metadata={"example": "https://ats.example.com/hooks/screenline"})
    events = F.List(
        F.String(validate=ma.validate.OneOf(WEBHOOK_EVENTS)),
        required=True,
        metadata={"description": "Events to receive."},
    )
    description = F.String(load_default="", validate=ma.validate.Length(max=200))


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
