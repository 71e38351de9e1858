"""The audio store's contract, on the folder and on a real S3-compatible server alike."""

from __future__ import annotations

import base64
import hashlib

import pytest

from tests.s3 import client, make_bucket
from voice.s3store import S3Store
from voice.store import AudioStore, StoreError, answer_key, open_store


@pytest.fixture(params=["folder", "s3"])
def store(request, tmp_path):
    """Each backend in turn: a folder, and a bucket prefix on the test S3 server."""
    if request.param == "folder":
        return open_store(tmp_path.as_uri())
    endpoint = request.getfixturevalue("s3_endpoint")
    return open_store(f"s3://{make_bucket(endpoint)}/media", endpoint_url=endpoint)


def test_open_store_picks_the_backend_from_the_url(tmp_path, s3_endpoint):
    """file:/// gives the folder store, s3://bucket/prefix the S3 store; others are refused."""
    assert isinstance(open_store(tmp_path.as_uri()), AudioStore)
    s3 = open_store("s3://bucket/a/b/", endpoint_url=s3_endpoint)
    assert isinstance(s3, S3Store) and (s3.bucket, s3.prefix) == ("bucket", "a/b")
    for url in ("ftp://x/y", "relative/path", "s3:///nobucket"):
        with pytest.raises(ValueError, match="storage URL"):
            open_store(url)


def test_round_trip_with_the_same_meaning_on_every_backend(store):
    """put/get/exists/size/delete agree across backends; deleting twice is harmless."""
    key = store.put(answer_key(7, "original.wav"), b"RIFF1234")
    assert key == "answers/7/original.wav"
    assert store.exists(key) and store.get(key) == b"RIFF1234" and store.size(key) == 8
    assert store.modified(key) > 0
    store.delete(key)
    store.delete(key)
    assert not store.exists(key) and not store.exists(None) and not store.exists("")
    with pytest.raises(FileNotFoundError):
        store.get(key)
    with pytest.raises(FileNotFoundError):
        store.size(key)


def test_put_replaces_the_whole_object(store):
    """Writing a key again replaces its bytes entirely."""
    key = answer_key(1, "speech.wav")
    store.put(key, b"first, longer bytes")
    store.put(key, b"second")
    assert store.get(key) == b"second" and store.size(key) == 6
    assert list(store.keys("answers/1/")) == [key]


@pytest.mark.parametrize("key", ["../etc/passwd", "answers/../../x", "/abs/path", "a b/c", ""])
def test_keys_cannot_escape_the_root_or_prefix(store, key):
    """Parent references, absolute paths and odd characters are refused by every backend."""
    for call in (lambda: store.put(key, b"x"), lambda: store.get(key), lambda: store.delete(key)):
        with pytest.raises(ValueError, match="bad audio key"):
            call()


def test_open_reads_ranges_lazily(store):
    """The reader seeks and reads any slice, as HTTP Range playback needs."""
    data = bytes(range(256)) * 2000  # 512,000 bytes: more than one read buffer
    key = store.put(answer_key(3, "playback.mp3"), data)
    with store.open(key) as reader:
        reader.seek(100)
        assert reader.read(200) == data[100:300]
        reader.seek(400_000)
        assert reader.read() == data[400_000:]
        reader.seek(0)
        assert reader.read(10) == data[:10]
        reader.seek(len(data))
        assert reader.read(5) == b""


def test_keys_lists_what_is_stored(store):
    """keys() lists stored keys by prefix, in name order."""
    for name in ("original.wav", "playback.mp3", "speech.wav"):
        store.put(answer_key(4, name), name.encode())
    store.put(answer_key(5, "original.wav"), b"x")
    assert list(store.keys("answers/4/")) == [
        "answers/4/original.wav",
        "answers/4/playback.mp3",
        "answers/4/speech.wav",
    ]
    assert len(list(store.keys())) == 4


def test_s3_objects_live_under_the_prefix_only(s3_endpoint):
    """Every object the store writes is named <prefix>/<key>; other prefixes are untouched."""
    bucket = make_bucket(s3_endpoint)
    raw = client(s3_endpoint)
    raw.put_object(Bucket=bucket, Key="other/answers/1/original.wav", Body=b"not ours")
    store = open_store(f"s3://{bucket}/tenant-a", endpoint_url=s3_endpoint)
    store.put("answers/1/original.wav", b"ours")
    names = sorted(o["Key"] for o in raw.list_objects_v2(Bucket=bucket)["Contents"])
    assert names == ["other/answers/1/original.wav", "tenant-a/answers/1/original.wav"]
    assert list(store.keys()) == ["answers/1/original.wav"]
    store.delete("answers/1/original.wav")
    assert raw.get_object(Bucket=bucket, Key="other/answers/1/original.wav")["Body"].read() == (
        b"not ours"
    )


def test_s3_put_carries_the_md5_of_its_bytes(s3_endpoint):
    """Every PUT sends Content-MD5 of the bytes, so a server refuses bytes damaged on the way."""
    store = open_store(f"s3://{make_bucket(s3_endpoint)}/m", endpoint_url=s3_endpoint)
    sent = []
    store.client.meta.events.register(
        "before-send.s3.PutObject", lambda request, **_: sent.append(dict(request.headers))
    )
    store.put("answers/1/original.wav", b"RIFF and more")
    expected = base64.b64encode(hashlib.md5(b"RIFF and more").digest())  # noqa: S324
    assert [headers["Content-MD5"] for headers in sent] == [expected]
    assert store.get("answers/1/original.wav") == b"RIFF and more"


def test_check_fails_for_a_missing_bucket_and_passes_for_a_real_one(s3_endpoint, tmp_path):
    """check() (used by /readyz) raises when the bucket cannot be reached."""
    open_store(f"s3://{make_bucket(s3_endpoint)}/x", endpoint_url=s3_endpoint).check()
    open_store(tmp_path.as_uri()).check()
    with pytest.raises(StoreError, match="no-such-bucket-here"):
        open_store("s3://no-such-bucket-here/x", endpoint_url=s3_endpoint).check()


def test_an_unreachable_server_is_an_os_error_not_a_missing_file(s3_endpoint):
    """Transport failures surface as StoreError (an OSError), which the jobs record and retry."""
    from tests.support import free_port

    store = open_store("s3://bucket/x", endpoint_url=f"http://127.0.0.1:{free_port()}")
    store.client.meta.config.retries = {"max_attempts": 1}
    with pytest.raises(StoreError, match="unreachable") as raised:
        store.get("answers/1/original.wav")
    assert isinstance(raised.value, OSError) and not isinstance(raised.value, FileNotFoundError)
