"""Post signed, Twilio-shaped webhooks to the app, and read TwiML replies as XML."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

from twilio.request_validator import RequestValidator


class TwilioActions:
    """Plays Twilio's part for one call against the Flask test client."""

    def __init__(self, client, settings, to="+15550100200", from_="+15557654321"):
        self.client = client
        self.settings = settings
        self.validator = RequestValidator(settings.twilio_auth_token)
        self.call_sid = "CA" + uuid.uuid4().hex
        self.to = to
        self.from_ = from_

    def fields(self, **extra) -> dict[str, str]:
        """The fields Twilio sends with every webhook of this call, plus `extra`."""
        base = {
            "CallSid": self.call_sid,
            "AccountSid": self.settings.twilio_account_sid,
            "From": self.from_,
            "To": self.to,
            "Caller": self.from_,
            "Called": self.to,
            "CallStatus": "in-progress",
            "ApiVersion": "2010-04-01",
            "Direction": "inbound",
        }
        base.update({k: str(v) for k, v in extra.items()})
        return base

    def post(self, url: str, signature: str | None = None, token: str | None = None, **extra):
        """POST to an absolute public URL (as found in TwiML) or a path, signed.

        `token` is sent as I-Twilio-Idempotency-Token, as Twilio does on a retry.
        """
        if url.startswith("/"):
            url = self.settings.public_url + url
        data = self.fields(**extra)
        if signature is None:
            signature = self.validator.compute_signature(url, data)
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {"X-Twilio-Signature": signature}
        if token is not None:
            headers["I-Twilio-Idempotency-Token"] = token
        return self.client.post(path, data=data, headers=headers)

    def twiml(self, url: str, token: str | None = None, **extra) -> ET.Element:
        """POST and parse the reply, which must be a TwiML <Response> document."""
        response = self.post(url, token=token, **extra)
        assert response.status_code == 200, response.data
        assert response.mimetype == "text/xml"
        root = ET.fromstring(response.data)
        assert root.tag == "Response"
        return root


def said(root: ET.Element) -> str:
    """Everything <Say>ed in a document, in order, as one string."""
    return " ".join(el.text or "" for el in root.iter("Say"))


def verbs(root: ET.Element) -> list[str]:
    """The verbs of a document, in order."""
    return [child.tag for child in root]
