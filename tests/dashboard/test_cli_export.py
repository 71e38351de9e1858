"""`screenline candidate export`: a candidate's own copy from the command line."""

from __future__ import annotations

import json
import zipfile

import pytest
from click.testing import CliRunner

from dashboard.cli import main
from tests.candidate_data import make_everything
from tests.support import env_for
from voice.store import AudioStore


@pytest.fixture
def run(settings, db):
    """Invoke the CLI with the test settings in its environment; returns the result."""
    runner = CliRunner()
    env = {k: v for k, v in env_for(settings).items() if k.startswith(("SCREENLINE_", "TWILIO_"))}
    return lambda *args: runner.invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def everything(db, settings):
    return make_everything(db, AudioStore(settings.media_dir))


def test_export_json_names_the_file_and_what_it_holds(run, everything, tmp_path):
    """--json prints the ZIP's path, size, files and missing audio; the ZIP is there."""
    out = tmp_path / "dana.zip"
    result = run("candidate", "export", str(everything.candidate.id), "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["candidate_id"] == everything.candidate.id
    assert data["out"] == str(out) and data["bytes"] == out.stat().st_size
    assert data["format_version"] == 1
    assert data["missing_audio"] == []
    assert len(data["audio_files"]) == 3
    assert sorted(zipfile.ZipFile(out).namelist()) == sorted(data["files"])


def test_export_says_what_was_missing(run, everything, settings, tmp_path):
    """Without --json, one line says where the copy went and how many audio files were missing."""
    AudioStore(settings.media_dir).delete(everything.first_take.original_key)
    out = tmp_path / "dana.zip"
    result = run("candidate", "export", str(everything.candidate.id), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        f"candidate {everything.candidate.id} (Dana Diaz) exported to {out}: "
        "2 audio files, 1 missing (listed in README.txt)"
    )


def test_unknown_candidate_is_a_clear_error(run, db, tmp_path):
    """An id that names no candidate is an error naming it, and writes no file."""
    result = run("candidate", "export", "999", "--out", str(tmp_path / "x.zip"))
    assert result.exit_code == 1
    assert "Error: no candidate 999" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("where", "code", "said"),
    [
        ("no-such-folder/x.zip", 1, "Error: cannot write {out}: no folder"),
        (".", 2, "is a directory"),
    ],
)
def test_unwritable_path_is_a_clear_error(run, everything, tmp_path, where, code, said):
    """A path in a missing folder, or a folder, is a one-line error, not a traceback."""
    out = tmp_path / where
    result = run("candidate", "export", str(everything.candidate.id), "--out", str(out))
    assert result.exit_code == code
    assert said.format(out=out) in result.output
    assert "Traceback" not in result.output
