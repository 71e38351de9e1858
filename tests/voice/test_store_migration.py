"""Moving the audio from the folder store to S3: verified, resumable, nothing lost."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.s3 import make_bucket
from tests.support import ROOT, env_for
from voice.store import AudioStore, answer_key, open_store
from voice.store_migration import migrate

FILES = {
    answer_key(n, name): bytes([n]) * (1000 * n + len(name))
    for n in range(1, 5)
    for name in ("original.wav", "speech.wav", "playback.mp3")
}


@pytest.fixture
def folder(tmp_path):
    """A folder store holding twelve files, as an existing installation would."""
    store = AudioStore(tmp_path / "media")
    for key, data in FILES.items():
        store.put(key, data)
    return store


@pytest.fixture
def bucket(s3_endpoint):
    return open_store(f"s3://{make_bucket(s3_endpoint)}/audio", endpoint_url=s3_endpoint)


def test_every_file_arrives_intact(folder, bucket):
    """Every key is copied and reads back byte for byte; the source is untouched."""
    report = migrate(folder, bucket)
    assert (report.copied, report.already_there, report.failed) == (12, 0, {})
    assert report.bytes_copied == sum(len(d) for d in FILES.values())
    assert sorted(bucket.keys()) == sorted(FILES)
    assert all(bucket.get(key) == data for key, data in FILES.items())
    assert all(folder.get(key) == data for key, data in FILES.items())


def test_an_interrupted_run_resumes_and_mends_a_damaged_copy(folder, bucket):
    """Files already copied intact are skipped; a truncated one is copied again."""
    keys = sorted(FILES)
    for key in keys[:5]:  # what an earlier, interrupted run had copied
        bucket.put(key, FILES[key])
    bucket.put(keys[5], FILES[keys[5]][:10])  # cut short by another tool
    seen = []
    report = migrate(folder, bucket, lambda key, what: seen.append((key, what)))
    assert (report.copied, report.already_there, report.failed) == (7, 5, {})
    assert dict(seen)[keys[5]] == "copied"
    assert all(bucket.get(key) == data for key, data in FILES.items())
    again = migrate(folder, bucket)
    assert (again.copied, again.already_there) == (0, 12)


def test_back_from_s3_to_a_folder(folder, bucket, tmp_path):
    """The same check works the other way: S3 to a new folder."""
    migrate(folder, bucket)
    back = AudioStore(tmp_path / "restored")
    report = migrate(bucket, back)
    assert report.copied == 12 and migrate(bucket, back).already_there == 12
    assert all(back.get(key) == data for key, data in FILES.items())


def test_the_same_store_is_refused(folder):
    """Migrating a store onto itself is refused before anything is read."""
    with pytest.raises(ValueError, match="same store"):
        migrate(folder, AudioStore(folder.root))


def test_the_command_migrates_and_reports_json(folder, s3_endpoint, settings):
    """`screenline storage migrate --to s3://... --json` copies everything and says so."""
    target = f"s3://{make_bucket(s3_endpoint)}/moved"
    env = env_for(settings.replace(media_dir=folder.root, s3_endpoint_url=s3_endpoint))
    command = [sys.executable, "-m", "dashboard.cli", "storage", "migrate", "--to", target]
    first = subprocess.run([*command, "--json"], env=env, cwd=ROOT, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert (report["copied"], report["already_there"], report["complete"]) == (12, 0, True)
    second = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    assert second.returncode == 0, second.stderr
    assert "0 copied (0 bytes), 12 already there, 0 failed" in second.stdout
    assert f"set SCREENLINE_STORAGE_URL={target}" in second.stdout


def test_the_command_explains_a_bad_target(settings, s3_endpoint, folder):
    """A malformed URL or a missing bucket is one clear sentence, not a traceback."""
    env = env_for(settings.replace(media_dir=folder.root, s3_endpoint_url=s3_endpoint))
    for target, code, message in (
        (
            "ftp://x/y",
            2,  # a bad option value
            "Invalid value for '--to': storage URL must be file:///path or s3://bucket/prefix",
        ),
        ("s3://no-such-bucket/x", 1, "bucket 'no-such-bucket' not reachable"),
    ):
        out = subprocess.run(
            [sys.executable, "-m", "dashboard.cli", "storage", "migrate", "--to", target],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert out.returncode == code and message in out.stderr, out.stderr
        assert "Traceback" not in out.stderr
