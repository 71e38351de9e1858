"""Send Twilio-shaped webhooks: form-encoded, signed, optionally sent twice like a retry."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode

import requests
from twilio.request_validator import RequestValidator

log = logging.getLogger(__name__)

# Twilio gives a webhook 5 s to connect and 15 s in all.
DEFAULT_TIMEOUT = (5.0, 15.0)


@dataclass
class Exchange:
    """One webhook request and what came back."""

    kind: str  # voice, gather, record, redirect, recording-status, call-status
    url: str  # as requested, query string included
    method: str
    params: dict[str, str]
    status: int | None = None
    body: bytes = field(default=b"", repr=False)
    content_type: str = ""
    error: str | None = None  # the connection failed

    @property
    def text(self) -> str:
        """The reply body as text (UTF-8, undecodable bytes replaced)."""
        return self.body.decode("utf-8", "replace")


class WebhookSender:
    """Sign and send webhooks with an account's auth token."""

    def __init__(
        self,
        auth_token: str,
        *,
        duplicate: bool = False,
        tamper: bool = False,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> None:
        self._validator = RequestValidator(auth_token)
        # A wrong token yields a well-formed signature that must not validate.
        self._tampered = RequestValidator(auth_token + "-tampered")
        self.duplicate = duplicate
        self.tamper = tamper
        self.timeout = timeout
        self._session = requests.Session()

    def sign(self, url: str, params: dict[str, str]) -> str:
        """Compute X-Twilio-Signature for a request to `url` with form `params`."""
        validator = self._tampered if self.tamper else self._validator
        return validator.compute_signature(url, params)

    def send(self, kind: str, url: str, params: dict[str, str], method: str = "POST") -> Exchange:
        """Send one webhook (twice when duplicating); return the last exchange."""
        method = (method or "POST").upper()
        if method == "GET":
            # A GET carries the parameters in the query string, and the signature covers it.
            url = url + ("&" if "?" in url else "?") + urlencode(params)
            body: dict[str, str] = {}
        else:
            method, body = "POST", params
        headers = {
            "X-Twilio-Signature": self.sign(url, body),
            # The same token on a retry lets the receiver spot the duplicate.
            "I-Twilio-Idempotency-Token": uuid.uuid4().hex,
            "User-Agent": "TwilioProxy/1.1 (Screenline stand-in)",
        }
        exchange = self._attempt(kind, url, method, params, body, headers)
        # Twilio retries once when the connection fails; `duplicate` forces that retry.
        if exchange.error or self.duplicate:
            exchange = self._attempt(kind, url, method, params, body, headers)
        return exchange

    def _attempt(
        self,
        kind: str,
        url: str,
        method: str,
        params: dict[str, str],
        body: dict[str, str],
        headers: dict[str, str],
    ) -> Exchange:
        exchange = Exchange(kind, url, method, dict(params))
        try:
            response = self._session.request(
                method, url, data=body or None, headers=headers, timeout=self.timeout
            )
        except requests.RequestException as exc:
            exchange.error = str(exc)
            log.warning("%s webhook to %s failed: %s", kind, url, exc)
            return exchange
        exchange.status = response.status_code
        exchange.body = response.content
        exchange.content_type = response.headers.get("Content-Type", "")
        return exchange

    def close(self) -> None:
        """Close the HTTP session."""
        self._session.close()
