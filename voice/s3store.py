"""The audio store on any S3-compatible object store, through boto3.

Objects live at `<prefix>/<key>` in one bucket; keys are checked as for the folder store,
so no key reaches outside the prefix. A PUT is whole or nothing by S3's own rule (an
object becomes visible only once all of it arrived), and each carries its Content-MD5 so
the server refuses bytes damaged on the way. Credentials come from the standard AWS chain
(environment, shared files, instance or container roles); `endpoint_url` selects an
S3-compatible service, addressed path-style (MinIO, Ceph and most others need that).
"""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import BinaryIO

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from voice.store import Stat, Store, StoreError, check_key

_MISSING = {"404", "NoSuchKey", "NotFound"}
READ_BUFFER = 256 * 1024  # bytes fetched per read when streaming an object


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code"))


@contextmanager
def _translated(key: str) -> Iterator[None]:
    """Turn the client's errors into FileNotFoundError (missing) or StoreError (the rest)."""
    try:
        yield
    except ClientError as error:
        if _code(error) in _MISSING:
            raise FileNotFoundError(key) from None
        raise StoreError(f"object store refused {key!r}: {_code(error)}") from error
    except BotoCoreError as error:
        raise StoreError(f"object store unreachable: {error}") from error


class S3Store(Store):
    """Objects under `prefix` in `bucket`; the same meaning as the folder store."""

    def __init__(self, bucket: str, prefix: str = "", *, endpoint_url: str | None = None):
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.endpoint_url = endpoint_url
        self.url = f"s3://{bucket}/{self.prefix}" if self.prefix else f"s3://{bucket}"

    @cached_property
    def client(self):
        """One boto3 client per store (thread-safe; made on first use, never at import)."""
        config = Config(
            connect_timeout=5,
            read_timeout=30,
            retries={"mode": "standard", "max_attempts": 4},
            # Many S3-compatible services reject the newer default CRC checksums; the
            # Content-MD5 sent with every PUT protects the bytes instead.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            s3={"addressing_style": "path" if self.endpoint_url else "auto"},
        )
        return boto3.session.Session().client("s3", endpoint_url=self.endpoint_url, config=config)

    def object_key(self, key: str) -> str:
        """The object's name in the bucket; raises ValueError for a refused key."""
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def put(self, key: str, data: bytes) -> str:
        """Upload `data` in one PUT, verified by the server against its MD5."""
        digest = base64.b64encode(hashlib.md5(data).digest()).decode()  # noqa: S324 - integrity
        name = self.object_key(key)
        with _translated(key):
            self.client.put_object(Bucket=self.bucket, Key=name, Body=data, ContentMD5=digest)
        return key

    def get(self, key: str) -> bytes:
        """The whole object; FileNotFoundError when there is none."""
        name = self.object_key(key)
        with _translated(key):
            reply = self.client.get_object(Bucket=self.bucket, Key=name)
            with reply["Body"] as body:
                return body.read()

    def read_range(self, key: str, start: int, stop: int | None = None):
        """The object's body stream from byte `start` (to `stop`, exclusive, if given)."""
        wanted = f"bytes={start}-" if stop is None else f"bytes={start}-{stop - 1}"
        name = self.object_key(key)
        try:
            with _translated(key):
                return self.client.get_object(Bucket=self.bucket, Key=name, Range=wanted)["Body"]
        except StoreError as error:
            cause = error.__cause__
            if isinstance(cause, ClientError) and _code(cause) == "InvalidRange":
                return io.BytesIO(b"")  # reading at or past the end
            raise

    def stat(self, key: str) -> Stat:
        """One HEAD request: size, last modification and ETag."""
        name = self.object_key(key)
        with _translated(key):
            head = self.client.head_object(Bucket=self.bucket, Key=name)
        return Stat(
            int(head["ContentLength"]),
            head["LastModified"].timestamp(),
            str(head.get("ETag", "")).strip('"'),
        )

    def open(self, key: str) -> BinaryIO:
        """A seekable reader that fetches from the read position on demand (one GET per
        seek), so an HTTP Range request reads only the bytes it asks for."""
        size = self.size(key)
        return io.BufferedReader(_ObjectReader(self, key, size), buffer_size=READ_BUFFER)

    def delete(self, key: str) -> None:
        """Delete the object (S3 answers success for a missing one too)."""
        name = self.object_key(key)
        with _translated(key):
            self.client.delete_object(Bucket=self.bucket, Key=name)

    def keys(self, prefix: str = "") -> Iterator[str]:
        """Stored keys under the store's prefix starting with `prefix`, in name order."""
        base = f"{self.prefix}/" if self.prefix else ""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=base + prefix
        )
        with _translated(prefix or "(all keys)"):
            for page in pages:
                for item in page.get("Contents", []):
                    yield item["Key"][len(base) :]

    def check(self) -> None:
        """HEAD the bucket: reachable, existing and allowed (StoreError otherwise)."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except (ClientError, BotoCoreError) as error:
            raise StoreError(f"bucket {self.bucket!r} not reachable: {error}") from error


class _ObjectReader(io.RawIOBase):
    """Raw, seekable reading of one object by ranged GETs."""

    def __init__(self, store: S3Store, key: str, size: int):
        super().__init__()
        self._store, self._key, self._size = store, key, size
        self._position = 0
        self._body = None

    def readable(self) -> bool:
        """Always: this reader exists to read."""
        return True

    def seekable(self) -> bool:
        """Always: a seek only moves the offset of the next ranged GET."""
        return True

    def tell(self) -> int:
        """The offset of the next byte read, in bytes from the object's start."""
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Move to `offset` bytes from `whence` (clamped at 0); drops an open body if it moved."""
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        target = max(0, base + offset)
        if target != self._position:
            self._drop_body()
            self._position = target
        return self._position

    def readinto(self, buffer) -> int:
        """Fill `buffer` from the current offset (one ranged GET per seek); 0 at the end."""
        if self._position >= self._size:
            return 0
        if self._body is None:
            self._body = self._store.read_range(self._key, self._position)
        data = self._body.read(len(buffer))
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)

    def _drop_body(self) -> None:
        if self._body is not None:
            self._body.close()
            self._body = None

    def close(self) -> None:
        """Close the open ranged GET, if any, then the reader."""
        self._drop_body()
        super().close()
