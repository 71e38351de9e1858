"""Failure counters in Redis that slow guessing without denying service to the innocent.

Wrong PINs: three end a call (ivr.flow.MAX_PIN_TRIES, counted on the Call row). Across
calls, PIN_GUESSES counts failures per (interview, real caller ID): PIN_LIMIT of them
within an hour lock that number out of that interview only. A withheld or placeholder
caller ID (ivr.flow.is_withheld) is shared by many unrelated callers, so it is never a
key: its failures count per call only, and a lockout never reaches a caller who has not
failed (issue 9, item 7).

Sign-ins: SIGN_INS counts failures per (email typed, source address). After `free`
failures that pair waits 1, 2, 4... seconds (up to `max_delay`) before its next try is
even checked, so a guesser is slowed while the owner, signing in from another address,
is not stopped. Unknown emails are counted the same way, so the answers reveal nothing.

If Redis is unreachable nothing is counted and nothing is locked: a Redis outage must
not stop genuine candidates from interviewing or managers from signing in.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import time
from dataclasses import dataclass

import redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


def _digest(value: str) -> str:
    # Hashed so that Redis never holds phone numbers or email addresses in clear.
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Lockout:
    """A failure counter per key: `limit` failures within `window_seconds` lock the key."""

    name: str
    limit: int  # failures within the window that lock the key
    window_seconds: int

    def _key(self, value: str) -> str:
        return f"screenline:{self.name}:{_digest(value)}"

    def is_locked(self, conn: redis.Redis, value: str) -> bool:
        """True while `value` has `limit` or more recent failures; an empty value never is."""
        if not value:
            return False
        try:
            return int(conn.get(self._key(value)) or 0) >= self.limit
        except RedisError:
            log.warning("%s check skipped: Redis unavailable", self.name)
            return False

    def record_failure(self, conn: redis.Redis, value: str) -> int:
        """Count one failure for `value`; return the count in the current window (0 if empty)."""
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


def pin_key(interview_id: int, caller: str, withheld: bool) -> str:
    """The PIN_GUESSES key for a caller on one interview; empty (never counted) if withheld."""
    return "" if withheld else f"{interview_id}:{caller.strip()}"


def source_address(remote_addr: str | None) -> str:
    """The part of a client address one party controls: an IPv4 address, an IPv6 /64.

    One home or mobile connection is handed a whole IPv6 /64, so keying on the full
    address would give a guesser 2**64 fresh starts. Anything unparseable is kept as is.
    """
    raw = (remote_addr or "").strip()
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


@dataclass(frozen=True)
class Throttle:
    """Growing delays per (account, source address): `free` failures, then 1, 2, 4... s.

    Failures are forgotten `window_seconds` after the last one, or at a success.
    """

    name: str
    free: int  # failures answered at once before delays start
    max_delay: int  # seconds: the longest wait between two tries
    window_seconds: int

    def _key(self, account: str, address: str) -> str:
        return f"screenline:{self.name}:{_digest(account + '|' + address)}"

    def delay_for(self, failures: int) -> int:
        """Seconds to wait after `failures` failures: 0, then 1, 2, 4... up to max_delay."""
        if failures < self.free:
            return 0
        return min(2 ** (failures - self.free), self.max_delay)

    def wait_seconds(
        self, conn: redis.Redis, account: str, address: str, now: float | None = None
    ) -> int:
        """Whole seconds before this pair may try again (0: now); 0 when Redis is down."""
        try:
            until = conn.hget(self._key(account, address), "until")
        except RedisError:
            log.warning("%s check skipped: Redis unavailable", self.name)
            return 0
        left = float(until or 0) - (time.time() if now is None else now)
        return max(0, math.ceil(left))

    def record_failure(
        self, conn: redis.Redis, account: str, address: str, now: float | None = None
    ) -> int:
        """Count a failure; return the seconds this pair must now wait (0 if none)."""
        key = self._key(account, address)
        now = time.time() if now is None else now
        try:
            failures = int(conn.hincrby(key, "failures", 1))
            delay = self.delay_for(failures)
            with conn.pipeline() as pipe:
                pipe.hset(key, "until", now + delay)
                pipe.expire(key, self.window_seconds + self.max_delay)
                pipe.execute()
            return delay
        except RedisError:
            log.warning("%s failure not counted: Redis unavailable", self.name)
            return 0

    def clear(self, conn: redis.Redis, account: str, address: str) -> None:
        """Forget this pair's failures (after a successful sign-in)."""
        try:
            conn.delete(self._key(account, address))
        except RedisError:
            log.warning("%s not cleared: Redis unavailable", self.name)


PIN_GUESSES = Lockout("pin-failures", limit=6, window_seconds=3600)  # two calls' worth
# Five free tries for typos, then waits doubling to five minutes: about 300 guesses a day
# per account and address, while the owner elsewhere is never made to wait.
SIGN_INS = Throttle("sign-in-delays", free=5, max_delay=300, window_seconds=3600)
