"""Twilio request signatures: every webhook must prove it came from Twilio.

The IVR's webhook decorator (ivr/views/webhook.py) calls this for every route.
"""

from __future__ import annotations

from flask import request
from twilio.request_validator import RequestValidator


def expected_urls(public_url: str, trust_proxy: bool) -> list[str]:
    """The URLs Twilio may have signed: the configured public one, and the proxied one."""
    path = request.full_path if request.query_string else request.path
    urls = [public_url.rstrip("/") + path]
    if trust_proxy:
        # ProxyFix has already applied X-Forwarded-Proto/Host to request.url.
        urls.append(request.url)
    return urls


def is_valid_twilio_request(auth_token: str, public_url: str, trust_proxy: bool) -> bool:
    """Check X-Twilio-Signature (HMAC-SHA1 of URL + sorted form fields) in constant time."""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    validator = RequestValidator(auth_token)
    params = request.form.to_dict() if request.method == "POST" else {}
    return any(
        validator.validate(url, params, signature) for url in expected_urls(public_url, trust_proxy)
    )
