"""`screenline candidate add|import|list|call`: adding candidates, listing them, calling one.

Adding, importing and calling are audited as the dashboard's forms are, by "command line"
(voice/audit.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from dashboard.access import require_not_erased, select_in_organization
from dashboard.candidates.invitations import (
    ALREADY_INVITED,
    closed_to_invitations,
    send_invitations,
    wait_for_send,
    write_invitations,
)
from dashboard.cli.base import (
    ROW_ID,
    Context,
    Country,
    ExtraTime,
    bad_value,
    emit,
    json_option,
    main,
    pass_context,
)
from dashboard.presenters import CANDIDATE_LABELS, DECISION_LABELS
from ivr.outbound import CallUnderWay, NothingToAsk, call_candidate
from ivr.resources import Resources
from ivr.twilio_rest import TwilioError, rest_client
from voice import audit
from voice.candidate_import import TableError, import_file
from voice.candidates import (
    EXTRA_TIME,
    MAX_EXTERNAL_ID,
    CandidateFieldError,
    DuplicatePhone,
    add_candidate,
)
from voice.dates import date_and_time, for_managers
from voice.models import Candidate, CandidateStatus, Interview
from voice.phones import E164_WANTED, PhoneError

COMMAND_LINE = audit.Actor.system("command line")  # who the audit trail says acted
# How long `candidate add --invite` waits for a worker to report the text as sent.
INVITE_WAIT_SECONDS = 20.0
MAX_IMPORT_BYTES = 2 * 2**20  # as the dashboard's upload limit
# The option of `candidate add` that gives each of voice.candidates' fields.
FIELD_OPTIONS = {
    "name": "--name",
    "phone": "--phone",
    "email": "--email",
    "external_id": "--external-id",
    "extra_time": "--extra-time",
}


@main.group()
def candidate():
    """Candidates."""


@candidate.command("add")
@click.option("--interview", "interview_id", type=ROW_ID, required=True)
@click.option("--name", required=True)
@click.option("--phone", help="Telephone number, E.164 (+15551234567).")
@click.option("--email", help="Email address (optional).")
@click.option(
    "--external-id",
    help=f"Your applicant tracking system's id (optional, up to {MAX_EXTERNAL_ID} characters).",
)
@click.option(
    "--extra-time",
    type=ExtraTime(),
    default=1.0,
    show_default=True,
    help="Accommodation: multiply each answer's time limit "
    f"({EXTRA_TIME[0]:g} to {EXTRA_TIME[1]:g}).",
)
@click.option("--slow-speech", is_flag=True, help="Accommodation: read prompts more slowly.")
@click.option("--invite", is_flag=True, help="Text the invitation (number, PIN, deadline).")
@json_option
@pass_context
def candidate_add(
    ctx: Context,
    interview_id,
    name,
    phone,
    email,
    external_id,
    extra_time,
    slow_speech,
    invite,
    as_json,
):
    """Add a candidate, who may call at once; prints their id and interview PIN.

    Nothing is sent to them unless --invite is given: then the invitation (number, PIN,
    deadline) is texted to --phone. A value that breaks voice.candidates' rules (a phone
    that is not a number, read in the organisation's country; an email that is not an
    address; an external id over 100 characters or with control characters; extra time
    outside 1-4) is a usage error (exit status 2) with the rule's sentence (a phone's
    followed by "Use E.164 form, such as +15551234567.", as the API says it); a phone the
    interview already has is refused (1).
    """
    with ctx.session() as session:
        found = session.get(Interview, interview_id)
        if found is None:
            raise click.ClickException(f"no interview {interview_id}")
        if invite and not phone:
            raise click.UsageError("--invite needs --phone to text the invitation to")
        if invite and (closed := closed_to_invitations(found, datetime.now(UTC))):
            raise click.ClickException(closed)
        try:
            added = add_candidate(
                session,
                found,
                name,
                phone,
                email=email,
                external_id=external_id,
                extra_time=extra_time,
                slow_speech=slow_speech,
            )
        except DuplicatePhone as exc:
            raise click.ClickException(
                f"{exc}; see `screenline candidate list --interview {found.id}`"
            ) from None
        except CandidateFieldError as exc:
            # The rule's sentence, then (for a phone, as the API says it) what to send.
            remedy = f" {E164_WANTED}" if exc.field == "phone" and phone else ""
            raise bad_value(FIELD_OPTIONS[exc.field], f"{exc}{remedy}") from None
        audit.record(  # as the dashboard's "Add a candidate" records it
            session,
            found.organization_id,
            "candidate_added",
            COMMAND_LINE,
            candidate_id=added.id,
            interview_id=found.id,
            detail={"invitation": invite},
            subject={"name": added.name},
        )
        session.commit()
        data = {
            "id": added.id,
            "name": added.name,
            "phone": added.phone,
            "email": added.email,
            "external_id": added.external_id,
            "pin": added.pin,
            "interview_id": found.id,
            "call": found.phone_number,
        }
        text = f"candidate {added.id}: {added.name}, PIN {added.pin} (call {found.phone_number})"
        if invite:
            data["invitation"], said = _invite(ctx, session, added)
            text += f"\n{said}"
        emit(as_json, data, text)


def _invite(ctx: Context, session, candidate_row) -> tuple[dict, str]:
    """Queue the invitation exactly as the dashboard does, then wait a little for the send.

    Returns the JSON shape (`sid` is null while no worker has sent it) and a line to
    print. Raises ClickException if nothing was queued (already invited, or nothing
    left to answer: write_invitations' reasons) or Twilio refused the text.
    """
    run = write_invitations(session, [candidate_row])
    session.commit()
    if not run.queued:
        why = next(iter(run.skipped), ALREADY_INVITED)
        if why == ALREADY_INVITED:
            raise click.ClickException(f"an invitation was already sent to {candidate_row.name}")
        raise click.ClickException(f"no invitation sent to {candidate_row.name}: {why}")
    send_invitations(run, Resources(ctx.settings).enqueue)
    message = run.queued[0]
    if not run.not_queued:
        message = wait_for_send(session, message.id, INVITE_WAIT_SECONDS)
    if message.error:
        raise click.ClickException(f"the SMS could not be sent: {message.error}")
    data = {"sid": message.message_sid, "to": message.to, "body": message.body}
    if message.sent_at:
        return data, f"invitation texted to {message.to}"
    if run.not_queued:
        return data, f"invitation saved for {message.to}; Redis is unreachable, the sweep sends it"
    return data, f"invitation queued for {message.to}; a worker will text it"


@candidate.command("import")
@click.option("--interview", "interview_id", type=ROW_ID, required=True)
@click.argument("file", type=click.File("rb"))
@click.option(
    "--country",
    type=Country(),
    help="Country of numbers written without a country code (default: the organisation's).",
)
@json_option
@pass_context
def candidate_import(ctx: Context, interview_id, file, country, as_json):
    """Add the candidates in a CSV or .xlsx FILE ("-" for standard input); report each row.

    The report (text, or JSON with --json) is printed whatever happened; the exit status
    is 1 when rows were rejected and none was added (the error says so on standard
    error), 0 when any candidate was added or nothing was rejected.
    """
    data = file.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise click.ClickException(f"the file is over {MAX_IMPORT_BYTES // 2**20} MB")
    with ctx.session() as session:
        found = session.get(Interview, interview_id)
        if found is None:
            raise click.ClickException(f"no interview {interview_id}")
        try:
            report = import_file(session, found, data, country)
        except (TableError, PhoneError) as exc:
            raise click.ClickException(str(exc)) from None
        audit.record(  # as the dashboard's import page records it
            session,
            found.organization_id,
            "candidates_imported",
            COMMAND_LINE,
            interview_id=found.id,
            detail={**report.audit_detail(), "source": "file"},
        )
        session.commit()
        output = {
            "read_as": report.described,
            "country": report.region,
            "added": [
                {"id": c.id, "name": c.name, "phone": c.phone, "pin": c.pin} for c in report.added
            ],
            "merged": [{"row": r, "phone": p, "how": how} for r, p, how in report.merged],
            "rejected": [
                {"row": r.row, "as_written": r.raw, "why": r.why, "reasons": r.reasons}
                for r in report.rejected
            ],
        }
        lines = [
            f"read as {report.described}: {len(report.added)} added, "
            f"{len(report.merged)} merged, {len(report.rejected)} rejected"
        ]
        lines += [f"  row {r.row}: {r.why}" for r in report.rejected]
        emit(as_json, output, "\n".join(lines))
        if report.rejected and not report.added:
            count = len(report.rejected)
            raise click.ClickException(
                f"no candidates were added: {count} row{'s were' if count > 1 else ' was'} "
                "rejected" + (f" and {len(report.merged)} merged" if report.merged else "")
            )


@candidate.command("list")
@click.option("--interview", "interview_id", type=ROW_ID, required=True)
@click.option(
    "--status",
    type=click.Choice(CandidateStatus.ALL),
    help="Only candidates with this status, as stored (invited: not started yet, "
    'whether or not a text was sent; quote "in progress" and "screened out").',
)
@json_option
@pass_context
def candidate_list(ctx: Context, interview_id, status, as_json):
    """List an interview's candidates by id: name, phone, status, decision, completed at.

    The text output words status and decision as the dashboard does ("Not started");
    --json gives the stored values ("invited"), as the API does.
    """
    with ctx.session() as session:
        found = session.get(Interview, interview_id)
        if found is None:
            raise click.ClickException(f"no interview {interview_id}")
        stmt = (
            select_in_organization(found.organization_id, Candidate)
            .where(Candidate.interview_id == found.id)
            .order_by(Candidate.id)
        )
        if status:
            stmt = stmt.where(Candidate.status == status)
        zone, language = for_managers(found.organization)
        rows = list(session.scalars(stmt))
        data = [
            {
                "id": c.id,
                "name": c.name,
                "phone": c.phone,
                "status": c.status,
                "decision": c.decision,
                "completed_at": c.completed_at.isoformat() if c.completed_at else None,
            }
            for c in rows
        ]
    # The text words the completion time in the organisation's zone; --json keeps ISO UTC.
    lines = [
        f"{c['id']}: {c['name']}, {c['phone'] or 'no phone'} "
        f"[{CANDIDATE_LABELS.get(c['status'], c['status'])}"
        + (f", {DECISION_LABELS.get(c['decision'], c['decision'])}" if c["decision"] else "")
        + "]"
        + (
            f" completed {date_and_time(row.completed_at, zone, language, year=True)}"
            if row.completed_at
            else ""
        )
        for c, row in zip(data, rows, strict=True)
    ]
    emit(as_json, data, "\n".join(lines) or "no candidates")


@candidate.command("call")
@click.argument("candidate_id", type=ROW_ID)
@json_option
@pass_context
def candidate_call(ctx: Context, candidate_id, as_json):
    """Have Twilio call the candidate now ("call me now"); the call skips the PIN.
    Refused once the candidate's erasure began, while a call to them is under way, and
    when the call would only say goodbye (finished, or the interview's deadline passed)."""
    settings = ctx.settings
    with ctx.session() as session:
        found = session.get(Candidate, candidate_id)
        if found is None:
            raise click.ClickException(f"no candidate {candidate_id}")
        require_not_erased(found)
        try:
            call_sid = call_candidate(rest_client(settings), settings.public_url, found)
        except (ValueError, CallUnderWay, NothingToAsk) as exc:
            raise click.ClickException(str(exc)) from None
        except TwilioError as exc:
            raise click.ClickException(f"the call could not be placed: {exc}") from None
        audit.record(  # as the dashboard's "Call ... now" records it
            session,
            found.interview.organization_id,
            "call_placed",
            COMMAND_LINE,
            candidate_id=found.id,
            interview_id=found.interview_id,
            detail={"call_sid": call_sid},
            subject={"name": found.name},
        )
        session.commit()  # the attempt, as the candidate's call (ivr.outbound), with its entry
        emit(
            as_json,
            {"call_sid": call_sid, "to": found.phone},
            f"calling {found.name} at {found.phone} (call {call_sid})",
        )
