"""Per-key rate limits (Flask-Limiter, counted in Redis), on the API's resource URLs only.

The limit is SCREENLINE_API_RATE_LIMIT requests per minute for each key, all resources
together (requests without a key count by address). Counting is in Redis with a moving
window; if Redis is unreachable the limit is skipped rather than failing the request.

Every other request (IVR webhooks, dashboard pages, the API's documents) is filtered out
before Flask-Limiter looks up any limit or touches Redis: webhooks are latency-critical
(the caller hears silence while one runs), and no limit applies to them anyway.

Headers, on the limited URLs only: `X-RateLimit-Limit`, `X-RateLimit-Remaining` and
`X-RateLimit-Reset` (Unix time) on every response, and `Retry-After` (seconds) only on
the 429 that a breached limit answers. Retry-After belongs to 429 and 503 responses
(RFC 6585 section 4, RFC 9110 section 10.2.3), and on a success it reads to clients as
"slow down" when nothing asked them to; so Flask-Limiter's own headers, which put it on
every response, stay off.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable

from flask import Blueprint, Flask, Response, request
from flask_limiter import Limiter

from config.settings import Settings
from dashboard.api.auth import rate_limit_key

log = logging.getLogger(__name__)

LIMIT_HEADER = "X-RateLimit-Limit"
REMAINING_HEADER = "X-RateLimit-Remaining"
RESET_HEADER = "X-RateLimit-Reset"
SCOPE = "api"  # every limited blueprint counts against the same allowance per key


def init_limits(app: Flask, settings: Settings, blueprints: Iterable[Blueprint]) -> Limiter:
    """A limiter on `app` limiting each of `blueprints` per key, and skipping every
    request outside them; the rate-limit headers on those blueprints' responses."""
    limited = frozenset(blueprint.name for blueprint in blueprints)
    limiter = Limiter(
        rate_limit_key,
        app=app,
        storage_uri=settings.redis_url,
        strategy="moving-window",
        headers_enabled=False,  # rate_headers writes them, Retry-After on 429 only
        swallow_errors=True,
        key_prefix="screenline:api-limit",
    )

    @limiter.request_filter
    def not_limited() -> bool:
        """True (skip the limiter) for every request outside the limited blueprints."""
        return request.blueprint not in limited

    @app.after_request
    def rate_headers(response: Response) -> Response:
        """The limit's headers on a limited URL's response (a no-op anywhere else)."""
        if request.blueprint in limited:
            add_rate_headers(limiter, response)
        return response

    for blueprint in blueprints:  # one allowance per key across every resource (SCOPE)
        limiter.shared_limit(
            f"{settings.api_rate_limit}/minute", scope=SCOPE, key_func=rate_limit_key
        )(blueprint)
    return limiter


def add_rate_headers(limiter: Limiter, response: Response) -> None:
    """Add the X-RateLimit-* headers of the limit this request counted against, and
    Retry-After (whole seconds, at least 1) if it breached it; nothing if no limit was
    counted (the limiter skipped the request) or Redis could not say."""
    current = limiter.current_limit
    if current is None:
        return
    try:
        reset_time, remaining = current.window  # when the oldest hit leaves the window
    except Exception as exc:  # any storage failure: the request goes on, as swallow_errors does
        log.warning("rate limit headers left out: %s", exc)
        return
    response.headers[LIMIT_HEADER] = str(current.limit.amount)
    response.headers[REMAINING_HEADER] = str(remaining)
    response.headers[RESET_HEADER] = str(math.ceil(reset_time))
    if current.breached:
        response.headers["Retry-After"] = str(max(1, math.ceil(reset_time - time.time())))
