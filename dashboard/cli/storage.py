"""`screenline storage migrate --to URL`: move the audio to another store, verified."""

from __future__ import annotations

import click

from dashboard.cli.base import Context, emit, json_option, main, pass_context
from voice.store import open_store
from voice.store_migration import migrate


@main.group()
def storage():
    """The audio store (SCREENLINE_STORAGE_URL)."""


@storage.command("migrate")
@click.option("--to", "target", required=True, help="file:///path or s3://bucket/prefix")
@click.option(
    "--from",
    "origin",
    default=None,
    help="Where the audio is now (default: SCREENLINE_STORAGE_URL or the media folder).",
)
@click.option(
    "--endpoint-url",
    default=None,
    help="S3-compatible endpoint for --to (default: SCREENLINE_S3_ENDPOINT_URL).",
)
@json_option
@pass_context
def migrate_command(ctx: Context, target, origin, endpoint_url, as_json):
    """Copy every stored file to another store, each verified by size and checksum.

    Resumable: files already there intact are skipped. The source is left as it is;
    set SCREENLINE_STORAGE_URL to the new store once this reports complete.
    """
    settings = ctx.settings
    try:
        source = open_store(
            origin or settings.audio_store_url, endpoint_url=settings.s3_endpoint_url or None
        )
        destination = open_store(
            target, endpoint_url=endpoint_url or settings.s3_endpoint_url or None
        )
        destination.check()
        report = migrate(
            source,
            destination,
            None if as_json else lambda key, what: click.echo(f"{key}: {what}", err=True),
        )
    except (ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    text = (
        f"{report.copied} copied ({report.bytes_copied} bytes), "
        f"{report.already_there} already there, {len(report.failed)} failed\n"
        f"from {report.source}\nto   {report.destination}"
    )
    if report.complete:
        text += f"\ncomplete: set SCREENLINE_STORAGE_URL={target}"
    emit(as_json, report.as_dict(), text)
    if not report.complete:
        raise click.ClickException(
            f"{len(report.failed)} files were not copied; run the command again to retry them"
        )
