"""Moving every stored file from one audio store to another, without losing one.

Resumable: a key already at the destination with the same size and checksum is left
alone, so running it again after an interruption copies only what is missing or
damaged. Verified: each copy is read back and compared by size and MD5 before it counts.
The source is never changed; point SCREENLINE_STORAGE_URL at the destination afterwards.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from voice.store import Store


@dataclass
class Migration:
    """What a run did: keys copied, keys already there, and keys that failed (with why)."""

    source: str
    destination: str
    copied: int = 0
    already_there: int = 0
    bytes_copied: int = 0
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """Every source key is at the destination, verified."""
        return not self.failed

    def as_dict(self) -> dict:
        """The report as `storage migrate --json` prints it (counts, bytes, failures by key)."""
        return {
            "source": self.source,
            "destination": self.destination,
            "copied": self.copied,
            "already_there": self.already_there,
            "bytes_copied": self.bytes_copied,
            "failed": self.failed,
            "complete": self.complete,
        }


def md5(data: bytes) -> str:
    """Hex MD5 of bytes (an integrity check, as S3's ETag of a single PUT)."""
    return hashlib.md5(data).hexdigest()  # noqa: S324 - a checksum, not security


def _same(destination: Store, key: str, size: int, checksum: str) -> bool:
    try:
        stat = destination.stat(key)
    except FileNotFoundError:
        return False
    if stat.size != size:
        return False
    if len(stat.etag) == 32 and all(c in "0123456789abcdef" for c in stat.etag):
        return stat.etag == checksum  # S3's ETag of a single PUT is the MD5: no read
    return md5(destination.get(key)) == checksum


def migrate(
    source: Store, destination: Store, progress: Callable[[str, str], None] | None = None
) -> Migration:
    """Copy every key of `source` to `destination`, verified; skip keys already there.

    `progress(key, what)` is told "copied", "already there" or "failed: ..." per key.
    A key that fails (unreadable, refused, or different when read back) is reported and
    the run goes on; run it again to retry those.
    """
    if source.url == destination.url:
        raise ValueError("the source and the destination are the same store")
    report = Migration(source.url, destination.url)
    for key in source.keys():  # noqa: SIM118 - a store, not a dict
        try:
            data = source.get(key)
            checksum = md5(data)
            if _same(destination, key, len(data), checksum):
                report.already_there += 1
                what = "already there"
            else:
                destination.put(key, data)
                back = destination.get(key)
                if len(back) != len(data) or md5(back) != checksum:
                    raise OSError("the copy read back differs from the original")
                report.copied += 1
                report.bytes_copied += len(data)
                what = "copied"
        except (OSError, ValueError) as exc:
            report.failed[key] = str(exc) or type(exc).__name__
            what = f"failed: {report.failed[key]}"
        if progress is not None:
            progress(key, what)
    return report
