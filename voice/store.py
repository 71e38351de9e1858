"""The audio store: a local folder addressed by keys like `answers/12/original.wav`."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

_KEY = re.compile(r"^[A-Za-z0-9_\-]+(/[A-Za-z0-9_\-.]+)*$")


class AudioStore:
    """Write-once files under one root folder; keys never escape the root."""

    def __init__(self, root: Path | str):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        """The file for `key`; raises ValueError for a key that could escape the root."""
        if not _KEY.match(key) or ".." in key.split("/"):
            raise ValueError(f"bad audio key {key!r}")
        return self.root / key

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

    def exists(self, key: str | None) -> bool:
        """Whether a file is stored under `key` (False for no key)."""
        return bool(key) and self.path(key).is_file()

    def size(self, key: str) -> int:
        """The stored file's size in bytes."""
        return self.path(key).stat().st_size

    def delete(self, key: str) -> None:
        """Remove the file under `key`; nothing stored there is not an error."""
        self.path(key).unlink(missing_ok=True)


def answer_key(answer_id: int, name: str) -> str:
    """Key of one of an answer's files: original.wav, speech.wav or playback.mp3."""
    return f"answers/{answer_id}/{name}"
