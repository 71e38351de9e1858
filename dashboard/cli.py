"""The `screenline` command line: set-up, data, servers, the stand-in call and the demo."""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from sqlalchemy import select

from config.logging import setup_logging
from config.settings import ConfigError, Settings, load_settings
from dashboard.candidates.invitations import send_invitations, wait_for_send, write_invitations
from ivr.outbound import call_candidate
from ivr.resources import Resources
from ivr.twilio_rest import TwilioError, rest_client
from voice.accounts import MAX_NAME_LENGTH, AccountError, create_user, password_problem
from voice.candidates import EXTRA_TIME, add_candidate
from voice.db import make_engine, make_session_factory, unit_of_work
from voice.interviews import (
    MAX_FILE_BYTES,
    InterviewSpecError,
    interview_from_spec,
    read_interview_file,
)
from voice.migrate import upgrade
from voice.models import MAX_ROW_ID, Call, Candidate, Interview, Organization, Role
from voice.results import answer_summary, interview_results, unsettled_answers


class Context:
    """Settings and a session factory, built on first use so `--help` needs no database."""

    def __init__(self):
        self._settings: Settings | None = None
        self._factory = None

    @property
    def settings(self) -> Settings:
        """The settings from the environment; a bad one is a ClickException, not a traceback."""
        if self._settings is None:
            try:
                self._settings = load_settings()
            except ConfigError as exc:
                raise click.ClickException(str(exc)) from None
            setup_logging("WARNING", self._settings.secrets())
        return self._settings

    def session(self):
        """A unit of work (a session closed at the end of a `with` block)."""
        if self._factory is None:
            self._factory = make_session_factory(make_engine(self.settings.database_url))
        return unit_of_work(self._factory)


pass_context = click.make_pass_decorator(Context, ensure=True)
ROW_ID = click.IntRange(1, MAX_ROW_ID)  # larger ids name no row
# How long `candidate add --invite` waits for a worker to report the text as sent.
INVITE_WAIT_SECONDS = 20.0

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")


def emit(as_json: bool, data, text: str) -> None:
    """Print `data` as indented JSON with --json, else the human `text`."""
    click.echo(json.dumps(data, indent=2, default=str) if as_json else text)


@click.group()
def main():
    """Screenline: one-way job interviews by telephone."""


# --- database and users -----------------------------------------------------------------


@main.group()
def db():
    """Database schema."""


@db.command("upgrade")
@pass_context
def db_upgrade(ctx: Context):
    """Create or migrate the database schema to the latest version."""
    upgrade(ctx.settings.database_url)
    click.echo("database is up to date")


@main.group()
def user():
    """Dashboard users."""


@user.command("create")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", type=click.Choice(Role.ALL), default=Role.ADMIN, show_default=True)
@click.option("--org", "org_name", help="Organisation name (created if new).")
@click.option("--name", default="", help="The person's name.")
@json_option
@pass_context
def user_create(ctx: Context, email, password, role, org_name, name, as_json):
    """Create a dashboard user in an organisation."""
    problem = password_problem(password)
    if problem:
        raise click.ClickException(problem)
    with ctx.session() as session:
        org = _organisation(session, org_name, create=True)
        try:
            user = create_user(session, org, email, password, role=role, name=name)
        except AccountError as exc:
            raise click.ClickException(str(exc)) from None
        session.commit()
        emit(
            as_json,
            {"id": user.id, "email": user.email, "role": role, "organization": org.name},
            f"created {role} {user.email} in {org.name} (user {user.id})",
        )


def _organisation(session, name: str | None, create: bool = False) -> Organization:
    """The named organisation, or the only one there is."""
    if name:
        org = session.scalar(select(Organization).where(Organization.name == name))
        if org is None and name.isdecimal() and int(name) <= MAX_ROW_ID:
            org = session.get(Organization, int(name))
        if org is None:
            if not create:
                raise click.ClickException(f"no organisation named {name!r}")
            if len(name) > MAX_NAME_LENGTH:
                raise click.ClickException(
                    f"an organisation name has at most {MAX_NAME_LENGTH} characters"
                )
            org = Organization(name=name)
            session.add(org)
        return org
    orgs = session.scalars(select(Organization).limit(2)).all()
    if len(orgs) == 1:
        return orgs[0]
    if not orgs and create:
        org = Organization(name="My organisation")
        session.add(org)
        return org
    raise click.ClickException("say which organisation with --org NAME")


# --- interviews and candidates --------------------------------------------------------------


@main.group()
def interview():
    """Interviews."""


@interview.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--org", "org_name", help="Organisation name or id (default: the only one).")
@json_option
@pass_context
def interview_import(ctx: Context, file: Path, org_name, as_json):
    """Create an interview from a YAML file; prints its id and phone number."""
    try:
        with file.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)  # enough to tell that it is too big
        spec = read_interview_file(raw, name=str(file))
    except OSError as exc:
        raise click.ClickException(f"{file} could not be read: {exc.strerror}") from None
    except InterviewSpecError as exc:
        raise click.ClickException(str(exc)) from None
    with ctx.session() as session:
        org = _organisation(session, org_name)
        try:
            created = interview_from_spec(session, org, spec)
        except InterviewSpecError as exc:
            raise click.ClickException(f"{file}: " + f"\n{file}: ".join(exc.lines())) from None
        session.commit()
        emit(
            as_json,
            {
                "id": created.id,
                "phone_number": created.phone_number,
                "title": created.title,
                "questions": len(created.questions),
            },
            f"interview {created.id}: {created.title}, answering {created.phone_number} "
            f"({len(created.questions)} questions)",
        )


@main.group()
def candidate():
    """Candidates."""


@candidate.command("add")
@click.option("--interview", "interview_id", type=ROW_ID, required=True)
@click.option("--name", required=True)
@click.option("--phone", help="Telephone number, E.164 (+15551234567).")
@click.option("--email", help="Email address (optional).")
@click.option(
    "--extra-time",
    type=float,
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
    ctx: Context, interview_id, name, phone, email, extra_time, slow_speech, invite, as_json
):
    """Invite a candidate; prints their id and interview PIN."""
    with ctx.session() as session:
        found = session.get(Interview, interview_id)
        if found is None:
            raise click.ClickException(f"no interview {interview_id}")
        if invite and not phone:
            raise click.ClickException("--invite needs --phone to text the invitation to")
        try:
            added = add_candidate(
                session,
                found,
                name,
                phone,
                email=email,
                extra_time=extra_time,
                slow_speech=slow_speech,
            )
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        session.commit()
        data = {
            "id": added.id,
            "name": added.name,
            "phone": added.phone,
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
    print. Raises ClickException if Twilio refused the text.
    """
    run = write_invitations(session, [candidate_row])
    session.commit()
    if not run.queued:
        raise click.ClickException(f"an invitation was already sent to {candidate_row.name}")
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


@candidate.command("call")
@click.argument("candidate_id", type=ROW_ID)
@json_option
@pass_context
def candidate_call(ctx: Context, candidate_id, as_json):
    """Have Twilio call the candidate now ("call me now"); the call skips the PIN."""
    settings = ctx.settings
    with ctx.session() as session:
        found = session.get(Candidate, candidate_id)
        if found is None:
            raise click.ClickException(f"no candidate {candidate_id}")
        try:
            call_sid = call_candidate(rest_client(settings), settings.public_url, found)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        except TwilioError as exc:
            raise click.ClickException(f"the call could not be placed: {exc}") from None
        emit(
            as_json,
            {"call_sid": call_sid, "to": found.phone},
            f"calling {found.name} at {found.phone} (call {call_sid})",
        )


@main.command()
@click.argument("interview_id", type=ROW_ID)
@json_option
@pass_context
def results(ctx: Context, interview_id, as_json):
    """Every candidate of an interview: status, answers with transcripts, scores."""
    with ctx.session() as session:
        found = session.get(Interview, interview_id)
        if found is None:
            raise click.ClickException(f"no interview {interview_id}")
        data = interview_results(session, found)
    emit(as_json, data, _results_text(data))


def _results_text(data) -> str:
    lines = [f"{data['interview']['title']} ({data['interview']['phone_number']})"]
    if not data["candidates"]:
        lines.append("  no candidates yet")
    for c in data["candidates"]:
        mean = f", mean score {c['mean_score']}" if c["mean_score"] is not None else ""
        reason = f": {c['screened_out_reason']}" if c["screened_out_reason"] else ""
        lines.append(f"\n{c['name']} [{c['status']}{reason}]{mean}")
        for call_row in c["calls"]:
            lines.append(
                f"  call {call_row['call_sid'][-6:]}: {call_row['outcome'] or call_row['status']}"
            )
        for a in c["answers"]:
            if not a["kept"]:
                continue
            lines.append(
                f"  Q{a['position']} ({a['duration_seconds'] or 0} s, {a['status']}): "
                f"{answer_summary(a)}"
            )
    return "\n".join(lines)


# --- processes -----------------------------------------------------------------------------


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="Web processes.")
@pass_context
def serve(ctx: Context, host, port, workers):
    """Serve the webhooks and the dashboard (gunicorn)."""
    _ = ctx.settings  # fail fast on bad settings before exec
    os.execvp(sys.executable, [sys.executable, *gunicorn_args(host, port, workers)])


def gunicorn_args(host: str, port: int, workers: int) -> list[str]:
    """The arguments after `python` that serve the app with gunicorn on host:port."""
    return [
        "-m",
        "gunicorn",
        "--no-control-socket",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        "4",
        # No access log: share-link and invitation tokens travel in URL paths.
        "dashboard.wsgi:app",
    ]


@main.command()
@click.option("--burst", is_flag=True, help="Work until the queues are empty, then exit.")
@pass_context
def worker(ctx: Context, burst):
    """Run a background worker (recordings and transcription)."""
    _ = ctx.settings
    # A separate program: web code never imports the workers package.
    args = [sys.executable, "-m", "workers"] + (["--burst"] if burst else [])
    os.execvp(sys.executable, args)


@main.command()
@click.option("--to", "to", required=True, help="The interview's number.")
@click.option("--from", "from_", default="+15557654321", show_default=True, help="Caller ID.")
@click.option(
    "--answer",
    "answers",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="An audio file to answer a question with (repeat, in order).",
)
@click.option(
    "--say", "says", multiple=True, help="Text spoken (flite) as an answer, after the files."
)
@click.option(
    "--digits",
    multiple=True,
    default=("1",),
    show_default=True,
    help="Keys pressed at each prompt, in order (repeat).",
)
@click.option("--hang-up-during", type=int, help="Hang up while recording answer N.")
@click.option(
    "--wait/--no-wait",
    default=True,
    show_default=True,
    help="Wait until the answers are transcribed, then print them.",
)
@json_option
@pass_context
def call(ctx: Context, to, from_, answers, says, digits, hang_up_during, wait, as_json):
    """Place a call through the local Twilio stand-in against a running server."""
    from ivr.standin import StandinError, place_call

    settings = ctx.settings
    linger = _answers_settled(ctx, from_) if wait else None
    try:
        log = place_call(
            settings,
            to,
            from_,
            answers=answers,
            says=says,
            digits=digits,
            hang_up_during_record=hang_up_during,
            linger_until=linger,
        )
    except StandinError as exc:
        raise click.ClickException(str(exc)) from None
    with ctx.session() as session:
        row = session.scalar(select(Call).where(Call.call_sid == log.call_sid))
        answers_out = [
            {
                "question": a.question.prompt,
                "attempt": a.attempt,
                "status": a.status,
                "duration_seconds": a.duration_seconds,
                "transcript": a.transcript,
                "error": a.error,
            }
            for a in (row.candidate.answers if row and row.candidate else [])
            if a.call_id == row.id
        ]
        data = {
            "call_sid": log.call_sid,
            "ok": log.ok,
            "status": log.status,
            "outcome": row.outcome if row else None,
            "errors": [str(e) for e in log.errors],
            "answers": answers_out,
        }
    text = log.transcript()
    if answers_out:
        text += "\n\n" + "\n".join(
            f"Q: {a['question']}\n   {a['transcript'] or a['status']}" for a in answers_out
        )
    emit(as_json, data, text)
    if not log.ok:
        raise SystemExit(1)


def _answers_settled(ctx: Context, from_: str):
    """A check: every answer recorded on calls from `from_` from now on has been processed."""
    since = datetime.now(UTC) - timedelta(seconds=1)

    def settled() -> bool:
        with ctx.session() as session:
            return not unsettled_answers(session, from_, since)

    return settled


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--api-port",
    default=8765,
    show_default=True,
    type=int,
    help="Port of the local Twilio stand-in.",
)
@click.option(
    "--stay/--exit",
    default=True,
    show_default=True,
    help="Keep serving the dashboard after the call.",
)
@pass_context
def demo(ctx: Context, host, port, api_port, stay):
    """Place a whole interview call locally, transcribe it, and serve the dashboard."""
    from dashboard.demo import run_demo

    run_demo(ctx.settings, host, port, api_port, stay)


if __name__ == "__main__":
    main()
