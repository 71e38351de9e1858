"""PIN guessing: wrong PINs per calling number, counted in Redis for an hour.

Three wrong PINs end a call; LOCK_AFTER wrong PINs from one number within WINDOW
seconds lock that number out until the window passes. If Redis is unreachable the
count is skipped (the three-per-call limit still holds): a Redis outage must not stop
genuine candidates from interviewing.
"""

from __future__ import annotations

import hashlib
import logging

import redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

WINDOW_SECONDS = 3600
LOCK_AFTER = 6  # two calls' worth of wrong PINs


def _key(number: str) -> str:
    # Hashed so that Redis never holds callers' phone numbers in clear.
    return "screenline:pin-failures:" + hashlib.sha256(number.encode()).hexdigest()[:32]


def is_locked(conn: redis.Redis, number: str) -> bool:
    """True while `number` has too many recent wrong PINs."""
    if not number:
        return False
    try:
        return int(conn.get(_key(number)) or 0) >= LOCK_AFTER
    except RedisError:
        log.warning("PIN lockout check skipped: Redis unavailable")
        return False


def record_failure(conn: redis.Redis, number: str) -> int:
    """Count one wrong PIN from `number`; return the count in the current window."""
    if not number:
        return 0
    key = _key(number)
    try:
        with conn.pipeline() as pipe:
            pipe.incr(key)
            pipe.expire(key, WINDOW_SECONDS, nx=True)
            count, _ = pipe.execute()
        return int(count)
    except RedisError:
        log.warning("PIN failure not counted: Redis unavailable")
        return 0
