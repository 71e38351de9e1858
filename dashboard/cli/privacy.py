"""`screenline retention purge` and `screenline candidate erase`: removing personal data.

Both go through voice/erasure.py (the database at once) and queue the workers' erasure
job (audio files, then Twilio's copies); see README, "Retention, legal hold and erasure".
"""

from __future__ import annotations

import click
from redis.exceptions import RedisError

from dashboard.cli.base import ROW_ID, Context, Moment, emit, json_option, main, pass_context
from dashboard.cli.candidates import candidate
from ivr.jobs import ERASE_CANDIDATE
from ivr.resources import Resources
from voice import audit, erasure, retention
from voice.models import Candidate
from voice.wording import plural


def _queue(ctx: Context, candidate_ids: list[int]) -> bool:
    """Queue the erasure job for each; False if Redis is unreachable (the sweep will)."""
    resources = Resources(ctx.settings)
    try:
        for candidate_id in candidate_ids:
            resources.enqueue(ERASE_CANDIDATE, candidate_id)
    except RedisError:
        return False
    finally:
        resources.close()
    return True


@main.group("retention")
def retention_group():
    """Retention: purge candidates whose retention period has ended."""


@retention_group.command("purge")
@click.option(
    "--as-of",
    "as_of",
    type=Moment(),
    help="Only report what would be gone by this ISO 8601 date (UTC if no zone).",
)
@click.option("--dry-run", is_flag=True, help="Report what would be purged now; change nothing.")
@json_option
@pass_context
def retention_purge(ctx: Context, as_of, dry_run, as_json):
    """Purge every candidate past their retention period, except those on legal hold."""
    report_only = dry_run or as_of is not None
    with ctx.session() as session:
        if report_only:
            plan = retention.plan(session, as_of)
        else:
            plan = retention.purge_due(session, actor=audit.Actor.system("command line"))
            session.commit()
        pending = [
            state.to_json()
            for state in (
                erasure.state_of(session.get(Candidate, cid))
                for cid in erasure.pending_ids(session)
            )
            if state is not None
        ]
        session.commit()
    queued = True
    if not report_only and plan.due:
        queued = _queue(ctx, [item.candidate_id for item in plan.due])
    data = {
        "as_of": plan.as_of.isoformat(),
        "dry_run": report_only,
        "purged": [item.to_json() for item in plan.due],
        "held": [item.to_json() for item in plan.held],
        "pending": pending,
        "counts": {"purged": len(plan.due), "held": len(plan.held), "pending": len(pending)},
    }
    verb = "would purge" if report_only else "purged"
    lines = [f"{verb} {plural(len(plan.due), 'candidate')} as of {plan.as_of:%Y-%m-%d %H:%M} UTC"]
    lines += [
        f"  candidate {item.candidate_id} (interview {item.interview_id}): {item.reason}"
        for item in plan.due
    ]
    lines += [
        f"  candidate {item.candidate_id} (interview {item.interview_id}) skipped: "
        f"{retention.hold_text(item.hold)}"
        for item in plan.held
    ]
    if pending:
        lines.append(f"{plural(len(pending), 'erasure')} still pending (the workers finish them)")
    if not queued:
        lines.append("Redis is unreachable: the workers' sweep queues the deletions")
    emit(as_json, data, "\n".join(lines))


@candidate.command("erase")
@click.argument("candidate_id", type=ROW_ID)
@json_option
@pass_context
def candidate_erase(ctx: Context, candidate_id, as_json):
    """Erase a candidate's personal data now, whatever the retention period.

    Again on a candidate whose erasure began, it reports where it stands (audited once,
    when it began); "queued" is false when nothing is owed, as no job is queued then."""
    with ctx.session() as session:
        found = session.get(Candidate, candidate_id)
        if found is None:
            raise click.ClickException(f"no candidate {candidate_id}")
        try:
            state = erasure.erase_candidate(
                session, found, actor=audit.Actor.system("command line")
            )
        except erasure.ErasureRefused as exc:
            raise click.ClickException(f"candidate {candidate_id}: {exc}") from None
        session.commit()
    # Once nothing is owed there is no work to queue: "queued" says whether a job was.
    queued = state.state != erasure.ERASED and _queue(ctx, [candidate_id])
    data = state.to_json() | {"queued": queued}
    if state.state == erasure.ERASED:
        text = f"candidate {candidate_id} is erased ({state.reason})"
    else:
        text = (
            f"candidate {candidate_id}: personal data removed from the database; "
            f"the workers delete what is left: {state.owed_text()}"
        )
        if not queued:
            text += " (Redis is unreachable: the workers' sweep queues it)"
    emit(as_json, data, text)
