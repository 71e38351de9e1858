"""`screenline interview import|list` and `screenline results`."""

from __future__ import annotations

import os
from pathlib import Path

import click
from sqlalchemy import select

from dashboard.access import organization_interview_rows
from dashboard.cli.base import (
    ROW_ID,
    Context,
    emit,
    json_option,
    main,
    organisation,
    pass_context,
)
from dashboard.presenters import (
    answer_clock,
    answer_state,
    call_line,
    candidate_words,
    plural,
    result_answer,
)
from voice import audit
from voice.dates import for_managers
from voice.interviews import (
    MAX_FILE_BYTES,
    InterviewSpecError,
    build_interview,
    clean_interview,
    read_interview_file,
)
from voice.models import Answer, Call, Interview, Organization, Question, QuestionKind
from voice.results import interview_results


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
            size = os.fstat(handle.fileno()).st_size or None  # 0: a pipe or device
        spec = read_interview_file(raw, name=str(file), size=size)
    except OSError as exc:
        raise click.ClickException(f"{file} could not be read: {exc.strerror}") from None
    except InterviewSpecError as exc:
        raise click.ClickException(str(exc)) from None
    with ctx.session() as session:
        org = organisation(session, org_name)
        try:
            settings = clean_interview(spec, session, organization_id=org.id)
        except InterviewSpecError as exc:
            raise click.ClickException(f"{file}: " + f"\n{file}: ".join(exc.lines())) from None
        created = build_interview(settings, organization=org)
        session.add(created)
        session.flush()
        audit.record(
            session,
            org.id,
            "interview_created",
            audit.Actor.system("command line"),
            interview_id=created.id,
            detail={"source": "file", "file": file.name, "title": created.title},
        )
        session.commit()
        warnings = settings.warnings(organization=org)
        if not as_json:
            for warning in warnings:
                click.echo(f"warning: {warning}", err=True)
        emit(
            as_json,
            {
                "id": created.id,
                "phone_number": created.phone_number,
                "title": created.title,
                "questions": len(created.questions),
                "warnings": warnings,
            },
            f"interview {created.id}: {created.title}, answering {created.phone_number} "
            f"({plural(len(created.questions), 'question')})",
        )


@interview.command("list")
@click.option("--org", "org_name", help="Organisation name or id (default: every organisation).")
@json_option
@pass_context
def interview_list(ctx: Context, org_name, as_json):
    """List interviews, newest first: id, title, number, languages, candidates, completed."""
    with ctx.session() as session:
        org_id = organisation(session, org_name).id if org_name else None
        rows = organization_interview_rows(session, org_id)
        names = {
            ident: name
            for ident, name in session.execute(select(Organization.id, Organization.name))
        }
    data = [
        {
            "id": row.interview.id,
            "title": row.interview.title,
            "phone_number": row.interview.phone_number,
            "language": row.interview.language,
            "languages": list(row.interview.languages or [row.interview.language]),
            "organization": names.get(row.interview.organization_id),
            "questions": row.questions,
            "candidates": row.candidates,
            "completed": row.completed,
        }
        for row in rows
    ]
    lines = [
        f"{i['id']}: {i['title']} ({i['phone_number']}, {', '.join(i['languages'])}) "
        f"{i['candidates']} {'candidate' if i['candidates'] == 1 else 'candidates'}, "
        f"{i['completed']} completed" + ("" if org_name else f" [{i['organization']}]")
        for i in data
    ]
    emit(as_json, data, "\n".join(lines) or "no interviews yet")


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
        # The JSON keeps its shape; the text words each call as the candidate page does
        # (when it began, in the organisation's time zone) and each answer's length as
        # that page shows it (the playable file's length when known), read beside it.
        started = dict(
            session.execute(
                select(Call.call_sid, Call.started_at).where(Call.interview_id == found.id)
            ).all()
        )
        zone, language = for_managers(found.organization)
        playback = dict(
            session.execute(
                select(Answer.id, Answer.playback_seconds)
                .join(Question, Question.id == Answer.question_id)
                .where(Question.interview_id == found.id)
            ).all()
        )
        text = _results_text(
            data,
            lambda c: call_line(c, started.get(c["call_sid"]), zone, language),
            lambda a: answer_clock(playback.get(a["id"]), a["duration_seconds"]),
        )
    emit(as_json, data, text)


def _results_text(data, word_call, word_length) -> str:
    """The results as text: `word_call(call)` words a call of the data, `word_length(answer)`
    an answer's length (None: unknown)."""
    lines = [f"{data['interview']['title']} ({data['interview']['phone_number']})"]
    if not data["candidates"]:
        lines.append("  no candidates yet")
    for c in data["candidates"]:
        mean = f", mean score {c['mean_score']}" if c["mean_score"] is not None else ""
        # The id and phone, as `candidate list` has them, tell same-named candidates apart.
        phone = f", {c['phone']}" if c["phone"] else ""
        lines.append(f"\n{c['id']}: {c['name']}{phone} [{candidate_words(c)}]{mean}")
        for call_row in c["calls"]:
            lines.append(f"  {word_call(call_row)}")
        for a in c["answers"]:
            if not a["kept"]:
                continue
            if a["kind"] in QuestionKind.KEYPAD:  # nothing recorded: no length to give
                lines.append(f"  Q{a['position']} (keypad): {result_answer(a)}")
                continue
            lines.append(
                f"  Q{a['position']} ({word_length(a) or 'length unknown'}, "
                f"{answer_state(a['status'])[0]}): {result_answer(a)}"
            )
    return "\n".join(lines)
