"""Recordings held in memory by the stand-in, shared safely between threads.

A recording is stored when the caller finishes speaking but stays unavailable (404)
until it is released, just before its status callback: Twilio only promises the file
once `RecordingStatus=completed` has been sent.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime


@dataclass
class StoredRecording:
    """A recording held by the stand-in: its SIDs, WAV audio, length and creation time."""

    sid: str
    account_sid: str
    call_sid: str
    wav: bytes = field(repr=False)
    seconds: int
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    released: bool = False
    fetches: int = 0  # successful media downloads


@dataclass
class _Failures:
    remaining: int
    status: int


class RecordingStore:
    """Thread-safe recordings by SID, with a knob to make released media fail a while."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, StoredRecording] = {}
        self._deleted: set[str] = set()
        # Keyed by recording SID, or None for "any recording".
        self._failures: dict[str | None, _Failures] = {}

    def add(self, recording: StoredRecording) -> None:
        """Store a recording, unreleased."""
        with self._lock:
            self._items[recording.sid] = recording

    def release(self, sid: str) -> bool:
        """Make a recording downloadable; return False if there is no such recording."""
        with self._lock:
            item = self._items.get(sid)
            if item is None:
                return False
            item.released = True
            return True

    def delete(self, sid: str) -> bool:
        """Forget a recording; return False if there was none."""
        with self._lock:
            if self._items.pop(sid, None) is None:
                return False
            self._deleted.add(sid)
            return True

    def fail_next_fetches(self, count: int, status: int = 404, sid: str | None = None) -> None:
        """Answer `status` to the next `count` downloads of released media (one SID or any)."""
        with self._lock:
            self._failures[sid] = _Failures(count, status)

    def fetch(self, sid: str) -> tuple[int, StoredRecording | None]:
        """Return (HTTP status, recording) for one media download, counting successes."""
        with self._lock:
            item = self._items.get(sid)
            if item is None or not item.released:
                return 404, None
            for key in (sid, None):
                failures = self._failures.get(key)
                if failures and failures.remaining > 0:
                    failures.remaining -= 1
                    return failures.status, None
            item.fetches += 1
            return 200, replace(item)

    def get(self, sid: str) -> StoredRecording | None:
        """Return a copy of a recording, released or not."""
        with self._lock:
            item = self._items.get(sid)
            return replace(item) if item else None

    def was_deleted(self, sid: str) -> bool:
        """Whether Screenline deleted this recording through the REST API."""
        with self._lock:
            return sid in self._deleted

    def done_with(self, sid: str) -> bool:
        """Whether Screenline has downloaded (or deleted) this recording."""
        with self._lock:
            item = self._items.get(sid)
            return sid in self._deleted or (item is not None and item.fetches > 0)

    def all(self) -> list[StoredRecording]:
        """Copies of every recording held, in the order made."""
        with self._lock:
            return [replace(item) for item in self._items.values()]
