"""`screenline audit` (print the audit trail) and `screenline audit verify` (check it)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import click
from sqlalchemy import select

from dashboard.cli.base import (
    Context,
    Moment,
    emit,
    in_zone,
    json_option,
    main,
    organisation,
    pass_context,
)
from voice import audit, audit_reading
from voice.dates import date_and_time, for_managers
from voice.models import AuditEvent, Organization
from voice.wording import plural


def _names(session) -> tuple[dict[int | None, str], dict[int | None, str]]:
    """Each organisation's (name, time zone) by id; None is Screenline's own chain (UTC)."""
    rows = session.execute(select(Organization.id, Organization.name, Organization.time_zone))
    names: dict[int | None, str] = {None: "(no organisation)"}
    zones: dict[int | None, str] = {None: "UTC"}
    for row in rows:
        names[row.id], zones[row.id] = row.name, row.time_zone
    return names, zones


def _line(entry: AuditEvent, org_name: str, zone: str) -> str:
    """One entry as text: its time in ISO 8601 to the second in its organisation's time
    zone (with the offset: 2026-11-30T16:26:33-06:00), where, who, what."""
    fields = audit_reading.as_dict(entry)
    at = entry.created_at.astimezone(ZoneInfo(zone)).isoformat(timespec="seconds")
    parts = [at, f"{org_name} #{entry.seq}", fields["actor"]["text"], entry.action]
    for name in ("candidate_id", "interview_id", "answer_id"):
        if fields[name] is not None:
            parts.append(f"{name.removesuffix('_id')} {fields[name]}")
    if fields["address"]:
        parts.append(f"from {fields['address']}")
    if entry.detail:
        parts.append(" ".join(f"{k}={v}" for k, v in sorted(entry.detail.items())))
    return "  ".join(parts)


@main.group("audit", invoke_without_command=True)
@click.option("--org", "org_name", help="Organisation name or id (default: every one).")
@click.option(
    "--since",
    type=Moment(local=True),
    help="Only entries at or after this date or time (with no zone: in the --org's time "
    "zone, else UTC).",
)
@click.option(
    "--action", type=click.Choice(sorted(audit.ACTIONS)), help="Only entries of this action."
)
@json_option
@click.pass_context
def audit_group(click_ctx: click.Context, org_name, since, action, as_json):
    """Print the audit trail, oldest first (see `audit verify` to check it)."""
    if click_ctx.invoked_subcommand is not None:
        return
    ctx = click_ctx.ensure_object(Context)
    with ctx.session() as session:
        names, zones = _names(session)
        org = organisation(session, org_name) if org_name else None
        # A day or time without a zone is the organisation's, as its pages show times.
        since = in_zone("--since", since, org.time_zone if org else None)
        filters = audit_reading.Filters(action=action, since=since)
        chains = [org.id] if org else audit.chains(session)
        entries = [
            entry
            for chain in chains
            for entry in audit_reading.iter_entries(
                session, audit_reading.select_entries(chain, filters)
            )
        ]
        entries.sort(key=lambda e: (e.created_at, e.organization_id or 0, e.seq))
        emit(
            as_json,
            [
                audit_reading.as_dict(entry) | {"organization": names.get(entry.organization_id)}
                for entry in entries
            ],
            "\n".join(
                _line(e, names.get(e.organization_id, "?"), zones.get(e.organization_id, "UTC"))
                for e in entries
            )
            or "no audit entries",
        )


def before_it(checked: int) -> str:
    """What a broken chain says of the entries before the break ("no entry before it
    verified", "1 entry before it verified", "3 entries before it verified")."""
    if checked == 0:
        return "no entry before it to verify"
    return f"{plural(checked, 'entry', 'entries')} before it verified"


@audit_group.command("verify")
@json_option
@pass_context
def audit_verify(ctx: Context, as_json):
    """Check every organisation's hash chain; exit status 1 if one is broken."""
    with ctx.session() as session:
        names, _ = _names(session)
        results = audit.verify_all(session)
        lines = []
        for result in results:
            name = names.get(result.organization_id, "?")
            if result.ok:
                lines.append(
                    f"{name}: chain verified, {plural(result.checked, 'entry', 'entries')} "
                    f"(head {result.head[:16]})"
                )
            else:
                lines.append(
                    f"{name}: BROKEN at entry #{result.broken.seq} (id {result.broken.id}): "
                    f"{result.reason}; {before_it(result.checked)}"
                )
        ok = all(result.ok for result in results)
        emit(
            as_json,
            {
                "ok": ok,
                "chains": [
                    r.as_dict() | {"organization": names.get(r.organization_id)} for r in results
                ],
            },
            "\n".join(lines) or "no organisations",
        )
    if not ok:
        raise SystemExit(1)


@audit_group.command("scrub")
@click.option(
    "--before",
    type=Moment(local=True),
    required=True,
    help="Entries older than this date or time (with no zone: in the --org's time zone, else UTC).",
)
@click.option("--org", "org_name", help="Organisation name or id (default: every one).")
@json_option
@pass_context
def audit_scrub(ctx: Context, before, org_name, as_json):
    """Remove the personal data (e-mails, addresses, names) of entries older than --before;
    the entries and the chain stay, and `audit verify` still passes."""
    with ctx.session() as session:
        org = organisation(session, org_name) if org_name else None
        before = in_zone("--before", before, org.time_zone if org else None)
        # The text words --before in the organisation's zone (UTC without --org); --json
        # keeps ISO 8601.
        when = date_and_time(before, *for_managers(org), year=True)
        changed = audit.scrub_before(session, before, org.id if org else None)
        session.commit()
    emit(
        as_json,
        {"before": before.isoformat(), "scrubbed": changed},
        f"removed personal data from {plural(changed, 'entry', 'entries')} older than {when}",
    )
