"""The shipped speech models: Whisper base joined from its wheels, verified, refused if not."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

from dashboard.cli import main
from tests.voice.samples import SENTENCES, flite, word_error_rate
from voice import speech_models
from voice.audio import normalise, telephone_channel
from voice.speech_models import BASE_SHA256, ModelRefused
from voice.stt import SpeechToTextError, WhisperEngine


@pytest.fixture
def fake_root(tmp_path, monkeypatch):
    """A models folder of the test's own, where the project looks for joined models."""
    root = tmp_path / "models"
    monkeypatch.setattr(speech_models, "models_dir", lambda: root)
    return root


def tampered_folder(folder):
    """A base model folder with every file in place but a model.bin that is not the pinned one."""
    folder.mkdir(parents=True)
    for name in speech_models.BASE_FILES:
        (folder / name).write_text("{}")
    (folder / "model.bin").write_bytes(b"\0" * 4096)
    return folder


def test_set_up_joined_the_two_wheels_into_a_verified_base_folder():
    """make setup left a base folder whose model.bin hashes to the pinned SHA-256."""
    [base, tiny] = speech_models.known_models()
    assert (base.name, base.verified, base.multilingual) == ("base", True, True)
    assert base.folder == speech_models.base_folder()
    assert speech_models.file_sha256(base.folder / "model.bin") == BASE_SHA256
    assert sorted(p.name for p in base.folder.iterdir()) == [
        "config.json",
        "model.bin",
        "tokenizer.json",
        "vocabulary.json",
    ]
    assert (tiny.name, tiny.verified, tiny.multilingual) == ("tiny.en", True, False)


def test_joining_the_installed_parts_gives_the_pinned_file(tmp_path):
    """install_base joins part 1 then part 2 into a folder that verifies; a rerun keeps it."""
    folder = speech_models.install_base(tmp_path)
    assert folder == tmp_path / "whisper-base"
    assert speech_models.file_sha256(folder / "model.bin") == BASE_SHA256
    parts = speech_models.base_part_paths()
    assert (folder / "model.bin").stat().st_size == sum(p.stat().st_size for p in parts)
    before = (folder / "model.bin").stat().st_mtime_ns
    assert speech_models.install_base(tmp_path) == folder
    assert (folder / "model.bin").stat().st_mtime_ns == before


def test_a_model_file_with_the_wrong_hash_is_refused(tmp_path):
    """verify_folder refuses a folder whose model.bin is not the pinned file, naming both hashes."""
    folder = tampered_folder(tmp_path / "whisper-base")
    with pytest.raises(ModelRefused, match=f"not the pinned {BASE_SHA256}"):
        speech_models.verify_folder(folder, BASE_SHA256)
    (folder / "tokenizer.json").unlink()
    with pytest.raises(ModelRefused, match=r"lacks tokenizer\.json"):
        speech_models.verify_folder(folder, BASE_SHA256)


def test_the_engine_refuses_a_tampered_base_folder_and_never_loads_it(fake_root):
    """With a base folder failing its hash, loading the default model is a clear error."""
    tampered_folder(speech_models.base_folder())
    engine = WhisperEngine("base")
    with pytest.raises(SpeechToTextError, match=r"refusing whisper model 'base'.*SHA-256"):
        engine.load()
    assert engine._loaded is None
    [base, _] = speech_models.known_models()
    assert base.folder is not None and not base.verified and "pinned" in base.problem


def test_a_bad_join_never_becomes_the_model_folder(tmp_path, fake_root):
    """Parts that join to the wrong hash are refused, and nothing is left in the models folder."""
    data = tmp_path / "wheel2" / "data"
    data.mkdir(parents=True)
    good = speech_models.base_part_paths()[1].parent
    for name in speech_models.BASE_FILES:
        shutil.copyfile(good / name, data / name)
    (tmp_path / "part1").write_bytes(b"not whisper")
    (data / "model.bin.part2").write_bytes(b"at all")
    with pytest.raises(ModelRefused, match="not the pinned"):
        speech_models.install_base(parts=[tmp_path / "part1", data / "model.bin.part2"])
    assert not fake_root.exists() or list(fake_root.iterdir()) == []


def test_without_base_installed_the_default_falls_back_to_tiny_en(fake_root):
    """No base folder: the default model is tiny.en, and the engine says so in its name."""
    assert speech_models.model_folder("base")[0] == "tiny.en"
    engine = WhisperEngine("base")
    engine.load()
    assert engine.name == "whisper-tiny.en"


def test_models_command_lists_what_is_installed_and_verified():
    """`screenline models --json` lists base and tiny.en, each installed and verified."""
    result = CliRunner().invoke(main, ["models", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    listed = {m["name"]: m for m in json.loads(result.output)["models"]}
    assert listed["base"]["verified"] and listed["base"]["multilingual"]
    assert listed["base"]["sha256"] == BASE_SHA256
    assert listed["tiny.en"]["verified"] and not listed["tiny.en"]["multilingual"]


def test_models_install_without_the_wheels_says_so_and_does_not_fail(fake_root, monkeypatch):
    """When the base wheels are missing, set-up's install step says so plainly and exits 0."""
    monkeypatch.setattr(speech_models, "base_part_paths", lambda: None)
    result = CliRunner().invoke(main, ["models", "install"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Whisper base is NOT installed" in result.output
    assert "falls back to tiny.en" in result.output
    listed = CliRunner().invoke(main, ["models", "--json"], catch_exceptions=False)
    assert not {m["name"]: m for m in json.loads(listed.output)["models"]}["base"]["installed"]


NO_NETWORK_PROBE = textwrap.dedent(
    """
    import json, sys
    attempts = []
    def hook(event, args):
        if event.startswith("socket.") and event != "socket.__new__":
            attempts.append(event)
            if event in ("socket.connect", "socket.getaddrinfo"):
                raise OSError("network access attempted")
    sys.addaudithook(hook)
    from voice.stt import WhisperEngine
    engine = WhisperEngine("base")
    engine.load()
    text = engine.transcribe(open(sys.argv[1], "rb").read(), "en-US").text
    print(json.dumps({"attempts": attempts, "engine": engine.name, "text": text}))
    """
)


@pytest.mark.slow
def test_base_loads_and_transcribes_without_any_network_access(tmp_path):
    """A fresh process loads base and transcribes with no socket connect or DNS lookup at all."""
    sentence = SENTENCES[3]
    speech = tmp_path / "speech.wav"
    speech.write_bytes(normalise(telephone_channel(flite(sentence))).speech_wav)
    out = subprocess.run(
        [sys.executable, "-c", NO_NETWORK_PROBE, str(speech)],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": "."},
    )
    probe = json.loads(out.stdout.strip().splitlines()[-1])
    assert probe["attempts"] == [] and probe["engine"] == "whisper-base"
    assert word_error_rate([sentence], [probe["text"]]) < 0.2, probe["text"]
