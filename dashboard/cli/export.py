"""`screenline candidate export`: a candidate's own copy, as a ZIP file."""

from __future__ import annotations

from pathlib import Path

import click

from dashboard.access import require_not_erased
from dashboard.cli.base import ROW_ID, Context, emit, json_option, pass_context
from dashboard.cli.candidates import candidate
from ivr.resources import Resources
from voice import audit
from voice.candidate_export import export_to_path
from voice.models import Candidate
from voice.wording import plural


@candidate.command("export")
@click.argument("candidate_id", type=ROW_ID)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The ZIP file to write (replaced if it exists).",
)
@json_option
@pass_context
def candidate_export(ctx: Context, candidate_id, out: Path, as_json):
    """Write everything held about a candidate to a ZIP: candidate.json, transcripts, audio.
    Refused once the candidate's erasure began (nothing is written)."""
    with ctx.session() as session:
        found = session.get(Candidate, candidate_id)
        if found is None:
            raise click.ClickException(f"no candidate {candidate_id}")
        require_not_erased(found)
        if not out.parent.is_dir():
            raise click.ClickException(f"cannot write {out}: no folder {out.parent}")
        try:
            report = export_to_path(session, Resources(ctx.settings).store, found, out)
        except OSError as exc:
            raise click.ClickException(f"cannot write {out}: {exc.strerror or exc}") from None
        audit.record(
            session,
            found.interview.organization_id,
            "export",
            audit.Actor.system("command line"),
            candidate_id=found.id,
            interview_id=found.interview_id,
            detail={"kind": "candidate data"},
            subject={"name": found.name},
        )
        session.commit()
        data = report.as_dict() | {"out": str(out), "bytes": out.stat().st_size}
        text = f"candidate {found.id} ({found.name}) exported to {out}: " + (
            plural(len(report.audio_files), "audio file")
        )
        if report.missing_audio:
            text += f", {len(report.missing_audio)} missing (listed in README.txt)"
        emit(as_json, data, text)
