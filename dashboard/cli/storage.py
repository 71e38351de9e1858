"""`screenline storage migrate --to URL`: move the audio to another store, verified."""

from __future__ import annotations

import click

from dashboard.cli.base import Context, bad_value, emit, json_option, main, pass_context
from voice.store import open_store
from voice.store_migration import migrate
from voice.wording import plural


@main.group()
def storage():
    """The audio store (SCREENLINE_STORAGE_URL)."""


def _open(url: str, option: str | None, endpoint_url: str | None):
    """The store at `url`; a URL that is neither file:///path nor s3://bucket/prefix is a
    usage error (exit status 2) naming `option`, or exit status 1 when it came from the
    settings (`option` None)."""
    try:
        return open_store(url, endpoint_url=endpoint_url)
    except ValueError as exc:
        if option:
            raise bad_value(option, str(exc)) from None
        raise click.ClickException(str(exc)) from None


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
    set SCREENLINE_STORAGE_URL to the new store once this reports complete. A --to or
    --from that is not a storage URL is a usage error (exit status 2); a store that
    cannot be reached or written exits 1.
    """
    settings = ctx.settings
    source = _open(
        origin or settings.audio_store_url,
        "--from" if origin else None,
        settings.s3_endpoint_url or None,
    )
    destination = _open(target, "--to", endpoint_url or settings.s3_endpoint_url or None)
    try:
        destination.check()
        report = migrate(
            source,
            destination,
            None if as_json else lambda key, what: click.echo(f"{key}: {what}", err=True),
        )
    except (ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    text = (
        f"{report.copied} copied ({plural(report.bytes_copied, 'byte')}), "
        f"{report.already_there} already there, {len(report.failed)} failed\n"
        f"from {report.source}\nto   {report.destination}"
    )
    if report.complete:
        text += f"\ncomplete: set SCREENLINE_STORAGE_URL={target}"
    emit(as_json, report.as_dict(), text)
    if not report.complete:
        raise click.ClickException(
            f"{plural(len(report.failed), 'file')} {'was' if len(report.failed) == 1 else 'were'} "
            "not copied; run the command again to retry them"
        )
