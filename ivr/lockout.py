"""Failure counters in Redis that lock a key out for a while: wrong PINs, failed sign-ins.

Three wrong PINs end a call; PIN_LIMIT wrong PINs from one number within an hour lock
that number out until the hour passes. Sign-ins work the same way per email address.
If Redis is unreachable nothing is counted and nothing is locked: a Redis outage must
not stop genuine candidates from interviewing or managers from signing in.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

import redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Lockout:
    """A failure counter per key: `limit` failures within `window_seconds` lock the key."""

    name: str
    limit: int  # failures within the window that lock the key
    window_seconds: int

    def _key(self, value: str) -> str:
        # Hashed so that Redis never holds phone numbers or email addresses in clear.
        digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
        return f"screenline:{self.name}:{digest}"

    def is_locked(self, conn: redis.Redis, value: str) -> bool:
        """True while `value` has `limit` or more recent failures."""
        if not value:
            return False
        try:
            return int(conn.get(self._key(value)) or 0) >= self.limit
        except RedisError:
            log.warning("%s check skipped: Redis unavailable", self.name)
            return False

    def record_failure(self, conn: redis.Redis, value: str) -> int:
        """Count one failure for `value`; return the count in the current window."""
        if not value:
            return 0
        key = self._key(value)
        try:
            with conn.pipeline() as pipe:
                pipe.incr(key)
                pipe.expire(key, self.window_seconds, nx=True)
                count, _ = pipe.execute()
            return int(count)
        except RedisError:
            log.warning("%s failure not counted: Redis unavailable", self.name)
            return 0


PIN_GUESSES = Lockout("pin-failures", limit=6, window_seconds=3600)  # two calls' worth
SIGN_INS = Lockout("sign-in-failures", limit=10, window_seconds=900)
