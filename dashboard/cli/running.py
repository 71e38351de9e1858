"""`screenline serve|worker|call|demo`: the processes, the stand-in call and the demo."""

from __future__ import annotations

import os
import re
import sys
from datetime import UTC, datetime, timedelta

import click
from sqlalchemy import select

from dashboard.cli.base import (
    PORT,
    CallerId,
    Context,
    E164Phone,
    WholeNumber,
    emit,
    ensure_can_listen,
    json_option,
    main,
    pass_context,
)
from dashboard.presenters import keypad_answer
from ivr.jobs import ALL_QUEUES, TRANSCRIBE
from voice.models import AnswerStatus, Call
from voice.results import unsettled_answers
from voice.stt import default_worker_processes

# A call's outcomes (voice.models.Call.outcome) that mean the interview ran to its end:
# every question answered, or a knockout rule ended it. Any other outcome ("no consent",
# "unknown number", "hung up at question 2", ...) is a call that stopped short.
INTERVIEW_ENDS = frozenset({"completed", "screened out"})
PROCESSES = WholeNumber(1, 64, "a process count", "process counts")  # --workers, --processes


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=PORT)
@click.option("--workers", default=2, show_default=True, type=PROCESSES, help="Web processes.")
@pass_context
def serve(ctx: Context, host, port, workers):
    """Serve the webhooks and the dashboard (gunicorn)."""
    _ = ctx.settings  # fail fast on bad settings before exec
    ensure_can_listen(host, port)  # one sentence, not gunicorn's five retries
    os.execvp(sys.executable, [sys.executable, *gunicorn_args(host, port, workers)])


def gunicorn_args(host: str, port: int, workers: int) -> list[str]:
    """The arguments after `python` that serve the app with gunicorn on host:port."""
    return [
        "-m",
        "gunicorn",
        "--no-control-socket",
        "--config",
        "python:dashboard.gunicorn_conf",
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
@click.option(
    "--queues",
    default=",".join(ALL_QUEUES),
    show_default=True,
    help="Comma-separated queues, highest priority first: the worker's role "
    "(recordings,messages for downloads; transcribe for speech-to-text).",
)
@click.option(
    "--processes",
    default=None,
    type=PROCESSES,
    help="Worker processes side by side; each gets cores / processes CPU threads. "
    "Default: one per CPU core when the worker transcribes, else 1.",
)
@pass_context
def worker(ctx: Context, burst, queues, processes):
    """Run background workers (recordings, messages and transcription queues)."""
    _ = ctx.settings
    names = [q.strip() for q in queues.split(",") if q.strip()]
    unknown = [q for q in names if q not in ALL_QUEUES]
    if not names or unknown:
        raise click.BadParameter(
            f"unknown queue {(unknown or [queues])[0]!r}; the queues are {', '.join(ALL_QUEUES)}",
            param_hint="'--queues'",
        )
    if processes is None:
        processes = default_worker_processes(TRANSCRIBE in names)
    # A separate program: web code never imports the workers package.
    args = [sys.executable, "-m", "workers", "--queues", ",".join(names)]
    args += ["--processes", str(processes)] + (["--burst"] if burst else [])
    os.execvp(sys.executable, args)


def _keypad_keys(_ctx, param, values: tuple[str, ...]) -> tuple[str, ...]:
    """A click callback: every value is one prompt's keypad keys (ivr.standin.keys_problem)."""
    from ivr.standin.script import keys_problem

    for keys in values:
        problem = keys_problem(keys)
        if problem:
            parts = [p for p in re.split(r"[\s,;]+", keys) if p]
            if len(parts) > 1 and not any(keys_problem(p) for p in parts):
                # "1,1,1,30#": several prompts' keys in one value; show them repeated.
                problem += "; for one prompt after another, say " + " ".join(
                    f"--digits {p}" for p in parts
                )
            raise click.BadParameter(f"{keys!r}: {problem}.", param=param)
    return values


@main.command()
@click.option("--to", "to", required=True, type=E164Phone(), help="The interview's number.")
@click.option(
    "--from",
    "from_",
    default="+15557654321",
    show_default=True,
    type=CallerId(),
    help="Caller ID: an E.164 number, or a withheld one as Twilio sends it (anonymous, "
    "restricted, private, unknown...), which the interview answers by asking for a PIN.",
)
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
    callback=_keypad_keys,
    help="Keys pressed at one prompt (0-9, * and #; '' presses nothing); repeat for each "
    "prompt, in order: --digits 1 --digits 30#. Every prompt that waits for keys takes "
    "the next: the language menu, recording consent, the PIN, keypad questions, the "
    "pause before each spoken answer and the keep-or-retake menu after it.",
)
@click.option(
    "--hang-up-during",
    type=WholeNumber(1, None, "an answer number", "answer numbers"),
    metavar="N",
    help="Hang up while recording answer N (1 is the first).",
)
@click.option(
    "--wait/--no-wait",
    default=True,
    show_default=True,
    help="Wait until the answers are transcribed, then print them.",
)
@json_option
@pass_context
def call(ctx: Context, to, from_, answers, says, digits, hang_up_during, wait, as_json):
    """Place a call through the local Twilio stand-in against a running server.

    Exits 0 only when the call reached the interview's end (outcome "completed" or
    "screened out") without a Twilio error; otherwise "ok" is false, the output says what
    happened, and the exit status is 1.
    """
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
        answered = [
            a
            for a in (row.candidate.answers if row and row.candidate else [])
            if a.call_id == row.id
        ]
        answers_out = [
            {
                "question": a.question.prompt,
                "attempt": a.attempt,
                "status": a.status,
                "duration_seconds": a.duration_seconds,
                "digits": a.digits,
                "transcript": a.transcript,
                "error": a.error,
            }
            for a in answered
        ]
        # A keypad answer reads as what was pressed ("Yes", "32"), as `results` words it.
        heard = [
            keypad_answer(a.question.kind, a.digits)
            if a.status == AnswerStatus.KEYPAD
            else a.transcript or a.status
            for a in answered
        ]
        outcome = row.outcome if row else None
        ok = log.ok and outcome in INTERVIEW_ENDS
        data = {
            "call_sid": log.call_sid,
            "ok": ok,
            "status": log.status,
            "outcome": outcome,
            "errors": [str(e) for e in log.errors],
            "answers": answers_out,
        }
    text = log.transcript()
    if answers_out:
        text += "\n\n" + "\n".join(
            f"Q: {a['question']}\n   {words}" for a, words in zip(answers_out, heard, strict=True)
        )
    if not ok:
        text += "\n\n" + _not_ended(log, outcome)
    emit(as_json, data, text)
    if not ok:
        raise SystemExit(1)


def _not_ended(log, outcome: str | None) -> str:
    """One sentence for a call that did not reach the interview's end: what happened."""
    if log.errors:
        said = "; ".join(f"Twilio error {e.code}: {e.message}" for e in log.errors)
        return f"The call failed: {said.rstrip('.')}."
    if not outcome:
        return "The call did not reach the interview; Screenline recorded no outcome for it."
    return f"The call did not reach the interview's end: {outcome}."


def _answers_settled(ctx: Context, from_: str):
    """A check: every answer recorded on calls from `from_` from now on has been processed."""
    since = datetime.now(UTC) - timedelta(seconds=1)

    def settled() -> bool:
        with ctx.session() as session:
            return not unsettled_answers(session, from_, since)

    return settled


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=PORT)
@click.option(
    "--api-port",
    default=8765,
    show_default=True,
    type=PORT,
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
    from dashboard.demo import STANDIN_HOST, run_demo

    if port == api_port:
        raise click.UsageError("--port and --api-port must differ")
    settings = ctx.settings
    ensure_can_listen(STANDIN_HOST, api_port, "--api-port")
    ensure_can_listen(host, port)
    run_demo(settings, host, port, api_port, stay)
