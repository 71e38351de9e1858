"""Invitation texts: one path for the dashboard's bulk invite, the Manage page's "Text the
invitation" (one candidate), "Add a candidate"'s "Text the invitation now" and `candidate
add --invite`.

Each invitation is first written as a `Message` row (`voice.messages.queue_message`:
once per candidate, so a double click or a second run never texts twice), then the
send job (`ivr.jobs.SEND_MESSAGE`) is queued for it; a worker sends it through Twilio
and records the MessageSid or the error on the row. The command line queues the same
way and then waits a little for the worker to report the send.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import redis
from flask import flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.access import get_visible, is_erased, require_manager
from dashboard.page_links import back_to_list
from dashboard.review import posted_ids
from ivr.jobs import SEND_MESSAGE
from ivr.services import db, services
from voice.candidates import CLOSED, FINISHED, SCREENED_OUT, interview_over
from voice.dates import for_managers, long_date
from voice.messages import INVITATION, invitation_text, queue_message
from voice.models import MAX_ROW_ID, Candidate, Interview, Message
from voice.wording import plural

log = logging.getLogger(__name__)

NO_PHONE = "no phone number"
ERASED = "erased"
ALREADY_INVITED = "already invited"


def closed_to_invitations(interview: Interview, at: datetime) -> str | None:
    """Why no candidate can be added to `interview` with an invitation at `at` (an aware
    datetime): one sentence naming the day it closed (in the organisation's zone and
    language), or None while it is open. `candidate add --invite` and the API's
    `"invite": true` refuse with it before adding anyone."""
    if not interview.is_closed(at):
        return None
    closed = long_date(interview.deadline, *for_managers(interview.organization))
    return (
        f"the interview closed on {closed}, so no invitation can be sent; extend its "
        "deadline first (nothing was added)"
    )


@dataclass
class Invitations:
    """What an invitation run did: rows queued, candidates skipped (by reason), jobs lost."""

    queued: list[Message] = field(default_factory=list)
    skipped: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    not_queued: int = 0  # rows written whose send job Redis did not take


def write_invitations(
    session: Session,
    candidates: Iterable[Candidate],
    sent_by_id: int | None = None,
    sent_by_api_key_id: int | None = None,
) -> Invitations:
    """Write an invitation row for each candidate with a phone not yet invited, sent by
    the user `sent_by_id` or, through the REST API, the key `sent_by_api_key_id`.

    Erased candidates (dashboard.access.is_erased), candidates without a phone, those
    with nothing left to answer (voice.candidates.interview_over: finished, screened
    out, or the interview closed; a call would only say goodbye) and those already
    invited are listed in `skipped` by name, under the reason. The caller commits, then
    calls `send_invitations`.
    """
    run = Invitations()
    at = datetime.now(UTC)
    for candidate in candidates:
        if is_erased(candidate):
            run.skipped[ERASED].append(candidate.name)
            continue
        if not candidate.phone:
            run.skipped[NO_PHONE].append(candidate.name)
            continue
        if (over := interview_over(candidate, at)) is not None:
            run.skipped[over].append(candidate.name)
            continue
        message = queue_message(
            session,
            candidate,
            INVITATION,
            invitation_text(candidate),
            sent_by_id,
            sent_by_api_key_id,
        )
        if message is None:
            run.skipped[ALREADY_INVITED].append(candidate.name)
        else:
            run.queued.append(message)
    return run


def not_sent_words(candidate: Candidate, why: str) -> str:
    """Why one candidate's invitation was not sent, in a sentence for the Manage page:
    `why` is a reason `write_invitations` skips a candidate under (NO_PHONE, ERASED,
    ALREADY_INVITED, or voice.candidates.interview_over's FINISHED, SCREENED_OUT,
    CLOSED)."""
    name = candidate.name
    if why == NO_PHONE:
        return f"No invitation sent: {name} has no phone number to text."
    if why == ERASED:
        # Their name is gone too ("Erased candidate"), so the sentence names no one.
        return "No invitation sent: this candidate's personal data, phone included, was erased."
    if why == ALREADY_INVITED:
        return f"No invitation sent: {name} was already invited (an invitation is sent once)."
    if why == FINISHED:
        return f"No invitation sent: {name} has finished the interview."
    if why == SCREENED_OUT:
        return f"No invitation sent: {name} was screened out."
    if why == CLOSED:
        interview = candidate.interview
        day = long_date(interview.deadline, *for_managers(interview.organization))
        return f"No invitation sent: the interview closed on {day}; extend its deadline first."
    return f"No invitation sent to {name}: {why}."


def invitation_refusal(candidate: Candidate, at: datetime | None = None) -> str | None:
    """Why an invitation to `candidate` would be skipped at `at` (default now), as
    `not_sent_words` says it, for the Manage page to show in place of the button; None
    when one may be sent (whether one already was is the invitation's state, not this)."""
    if is_erased(candidate):
        return not_sent_words(candidate, ERASED)
    if not candidate.phone:
        return not_sent_words(candidate, NO_PHONE)
    over = interview_over(candidate, at or datetime.now(UTC))
    return None if over is None else not_sent_words(candidate, over)


def latest_invitation(session: Session, candidate_id: int) -> Message | None:
    """The newest invitation text written for the candidate (queued, sent or failed), if
    any; the caller has already reached the candidate through dashboard.access."""
    return session.scalars(
        select(Message)
        .where(Message.candidate_id == candidate_id, Message.kind == INVITATION)
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1)
    ).first()


def send_invitations(run: Invitations, enqueue: Callable[..., object]) -> Invitations:
    """Queue the send job for each committed row through `enqueue(job, message_id)`.

    A Redis error is logged and counted in `not_queued`, never raised: the row stays,
    unsent, for the dashboard to show.
    """
    for message in run.queued:
        try:
            enqueue(SEND_MESSAGE, message.id)
        except redis.RedisError:
            run.not_queued += 1
            log.exception("could not enqueue %s for message %s", SEND_MESSAGE.name, message.id)
    return run


def wait_for_send(session: Session, message_id: int, timeout: float, poll: float = 0.25):
    """Wait up to `timeout` seconds for a worker to send the message; return the row.

    The row comes back as the worker left it: `sent_at` and `message_sid` once sent,
    `error` if Twilio refused (the job retries), both empty if no worker took it yet.
    Between reads no transaction is open: on SQLite every transaction holds the write
    lock from its start (voice/db.py, BEGIN IMMEDIATE), and a read held open while
    waiting kept the worker from recording the send ("database is locked" for the whole
    wait, and the text went out late, on the job's retry).
    """
    deadline = time.monotonic() + timeout
    while True:
        message = session.get(Message, message_id, populate_existing=True)
        if message is None or message.sent_at or message.error:
            return message
        if time.monotonic() >= deadline:
            return message
        session.rollback()  # end this read's transaction before waiting
        time.sleep(poll)


def text_invitation_to(session: Session, candidate: Candidate) -> None:
    """Write, commit and queue one candidate's invitation text, sent by the signed-in
    user, and flash what happened: queued, each reason it was skipped (`not_sent_words`),
    or that Redis did not take the job (the sweep sends it later). Used by the Manage
    page's "Text the invitation" and "Add a candidate"'s "Text the invitation now"."""
    run = write_invitations(session, [candidate], current_user.id)
    session.commit()
    send_invitations(run, services().enqueue)
    if run.queued:
        flash(f"Invitation text queued for {candidate.name} at {candidate.phone}.", "success")
    for why in run.skipped:
        flash(not_sent_words(candidate, why), "error")
    if run.not_queued:
        flash("The text could not be queued now; the sweep will send it later.", "warning")


@require_manager
def invite(interview_id: int):
    """Queue invitation texts for the chosen candidates (or all) of an interview, then go
    back to the interview's list as it was shown: the form's `next` (its filters, order
    and page), when that is the interview page."""
    session = db()
    interview = get_visible(session, current_user, Interview, interview_id, manage=True)
    back = back_to_list(
        request.form.get("next"), url_for("dashboard.interview", interview_id=interview.id)
    )
    stmt = select(Candidate).where(Candidate.interview_id == interview.id)
    if request.form.get("all") != "1":
        # Ids past a 32-bit integer name no row, and PostgreSQL refuses them in a query.
        ids = [i for i in posted_ids("candidate_ids") if 0 < i <= MAX_ROW_ID]
        if not ids:
            flash("Select at least one candidate to invite.", "error")
            return redirect(back)
        stmt = stmt.where(Candidate.id.in_(ids))
    chosen = list(session.scalars(stmt.order_by(Candidate.id)))
    run = write_invitations(session, chosen, current_user.id)
    session.commit()
    send_invitations(run, services().enqueue)
    if run.queued:
        flash(
            f"Invitation texts queued for {len(run.queued)} {_people(len(run.queued))}.",
            "success",
        )
    for why, names in run.skipped.items():
        flash(f"Skipped {len(names)} ({why}): {_names(names)}.", "info")
    if run.not_queued:
        flash(
            f"{plural(run.not_queued, 'text')} could not be queued; the sweep will send "
            f"{'it' if run.not_queued == 1 else 'them'} later.",
            "warning",
        )
    if not chosen:
        flash("No candidates to invite.", "info")
    return redirect(back)


def _people(n: int) -> str:
    return "candidate" if n == 1 else "candidates"


def _names(names: list[str], most: int = 5) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")
