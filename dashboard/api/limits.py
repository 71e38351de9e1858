"""Per-key rate limits (Flask-Limiter, counted in Redis): 429 with Retry-After past the limit.

The limit is SCREENLINE_API_RATE_LIMIT requests per minute for each key (requests
without a key count by address). Counting is in Redis with a moving window; if Redis is
unreachable the limit is skipped rather than failing the request.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Blueprint, Flask
from flask_limiter import Limiter

from config.settings import Settings
from dashboard.api.auth import rate_limit_key


def init_limits(app: Flask, settings: Settings, blueprints: Iterable[Blueprint]) -> Limiter:
    """A limiter on `app` limiting each of `blueprints` per key."""
    limiter = Limiter(
        rate_limit_key,
        app=app,
        storage_uri=settings.redis_url,
        strategy="moving-window",
        headers_enabled=True,
        swallow_errors=True,
        key_prefix="screenline:api-limit",
    )
    for blueprint in blueprints:
        limiter.limit(f"{settings.api_rate_limit}/minute", key_func=rate_limit_key)(blueprint)
    return limiter
