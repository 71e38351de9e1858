"""The audio store: whole files addressed by keys like `answers/12/original.wav`.

Two backends with the same meaning for every method: a local folder (`AudioStore`, the
embedded default) and any S3-compatible object store (`voice.s3store.S3Store`).
`open_store` picks one from SCREENLINE_STORAGE_URL (`file:///path` or
`s3://bucket/prefix`). Code outside this module never touches files directly: it uses
put/get/exists/size/delete, and `stat`/`open` for ranged playback.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

_KEY = re.compile(r"^[A-Za-z0-9_\-]+(/[A-Za-z0-9_\-.]+)*$")


def check_key(key: str) -> str:
    """Return `key` if it is safe; raise ValueError for one that could escape the root."""
    if not isinstance(key, str) or not _KEY.match(key) or ".." in key.split("/"):
        raise ValueError(f"bad audio key {key!r}")
    return key


class StoreError(OSError):
    """The store could not be reached or refused a request (not: the key is missing).

    An OSError, so callers that handle a failing disk handle a failing object store too.
    """


@dataclass(frozen=True)
class Stat:
    """What the store knows of one stored file: bytes, last write (epoch seconds), tag."""

    size: int
    modified: float
    etag: str


class Store:
    """What every audio store does; keys are checked by `check_key` on every call.

    Writes are whole or nothing: a reader sees the old bytes or the new, never a part.
    Reads of a missing key raise FileNotFoundError; a refused key raises ValueError; a
    store that cannot be reached raises an OSError (StoreError for object stores).
    """

    url: str = ""

    def put(self, key: str, data: bytes) -> str:
        """Store `data` under `key` (replacing what was there); return the key."""
        raise NotImplementedError

    def get(self, key: str) -> bytes:
        """The stored bytes; raises FileNotFoundError when nothing is stored there."""
        raise NotImplementedError

    def stat(self, key: str) -> Stat:
        """Size, modification time and tag; raises FileNotFoundError when missing."""
        raise NotImplementedError

    def open(self, key: str) -> BinaryIO:
        """A seekable binary reader of the stored bytes (read lazily where it can be)."""
        raise NotImplementedError

    def delete(self, key: str) -> None:
        """Remove what is stored under `key`; nothing stored there is not an error."""
        raise NotImplementedError

    def keys(self, prefix: str = "") -> Iterator[str]:
        """Every stored key starting with `prefix` (for migration and checks)."""
        raise NotImplementedError

    def check(self) -> None:
        """Raise OSError when the store cannot be reached or written."""
        raise NotImplementedError

    def exists(self, key: str | None) -> bool:
        """Whether something is stored under `key` (False for no key)."""
        if not key:
            return False
        try:
            self.stat(key)
        except FileNotFoundError:
            return False
        return True

    def size(self, key: str) -> int:
        """The stored file's size in bytes; raises FileNotFoundError when missing."""
        return self.stat(key).size

    def modified(self, key: str) -> float:
        """When the file was last written (epoch seconds); FileNotFoundError when missing."""
        return self.stat(key).modified


class AudioStore(Store):
    """Write-once files under one root folder; keys never escape the root."""

    def __init__(self, root: Path | str):
        self.root = Path(root)
        self.url = self.root.resolve().as_uri()

    def path(self, key: str) -> Path:
        """The file for `key`; raises ValueError for a key that could escape the root."""
        return self.root / check_key(key)

    def put(self, key: str, data: bytes) -> str:
        """Store `data` under `key` atomically (a crash never leaves half a file)."""
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return key

    def get(self, key: str) -> bytes:
        """The stored bytes; raises FileNotFoundError when nothing is stored there."""
        return self.path(key).read_bytes()

    def stat(self, key: str) -> Stat:
        """Size and modification time from the file system."""
        info = self.path(key).stat()
        return Stat(info.st_size, info.st_mtime, f"{info.st_mtime_ns:x}-{info.st_size:x}")

    def exists(self, key: str | None) -> bool:
        """Whether a file is stored under `key` (False for no key)."""
        return bool(key) and self.path(key).is_file()

    def open(self, key: str) -> BinaryIO:
        """The file, opened for reading."""
        return self.path(key).open("rb")

    def delete(self, key: str) -> None:
        """Remove the file under `key`; nothing stored there is not an error."""
        self.path(key).unlink(missing_ok=True)

    def keys(self, prefix: str = "") -> Iterator[str]:
        """Stored keys in name order, skipping half-written temporary files."""
        if not self.root.is_dir():
            return
        for path in sorted(self.root.rglob("*")):
            key = path.relative_to(self.root).as_posix()
            if path.is_file() and key.startswith(prefix) and _KEY.match(key):
                yield key

    def check(self) -> None:
        """The root folder exists (it is made if missing) and is writable."""
        self.root.mkdir(parents=True, exist_ok=True)
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise PermissionError(f"audio folder {self.root} is not writable")


def open_store(url: str, *, endpoint_url: str | None = None) -> Store:
    """The store for a SCREENLINE_STORAGE_URL: `file:///abs/path` or `s3://bucket/prefix`.

    `endpoint_url` points the S3 client at an S3-compatible service (MinIO, Ceph, R2);
    credentials come from the standard AWS chain. Raises ValueError for any other URL.
    """
    parts = urlsplit(url)
    if parts.scheme == "file" and parts.netloc in ("", "localhost") and parts.path:
        return AudioStore(unquote(parts.path))
    if parts.scheme == "s3" and parts.netloc:
        from voice.s3store import S3Store  # boto3 is loaded only when S3 is used

        return S3Store(parts.netloc, parts.path.strip("/"), endpoint_url=endpoint_url or None)
    raise ValueError(f"storage URL must be file:///path or s3://bucket/prefix, got {url!r}")


def answer_key(answer_id: int, name: str) -> str:
    """Key of one of an answer's files: original.wav, speech.wav or playback.mp3."""
    return f"answers/{answer_id}/{name}"
