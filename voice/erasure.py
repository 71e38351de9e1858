"""Removing a candidate's personal data: on request (erasure) or when retention ends (purge).

One path for both. `erase_candidate` and `purge_candidate` (the two actions, one function
each, so an audit trail can be wired to them) remove at once, in the caller's
transaction, everything the database holds about the person: name, phone, e-mail, PIN,
external id, accommodations, the knockout reason (it quotes their answer), every
answer's transcript (and the machine's, if a person corrected it), segments (and so
its search entry: the search index is built from the transcript), keypad digits and
recording URL, the text messages sent to them (rows and bodies), comments about them
and the notes of scores and decisions, the caller ID on their calls, and their place
in share links. The candidate row stays as an
anonymous tombstone (status, interview, dates, decision, scores, calls' outcomes and
consent), so the funnel and drop-off charts still add up.

What lies outside the database is written down as owed, in `Candidate.erasure_owed`:

    {"answers": {"12": ["answers/12/original.wav", ...]},   # audio store keys per answer
     "recordings": ["RE..."],                                 # recordings still at Twilio
     "messages": ["SM..."]}                                   # SMS still at Twilio

and removed by the worker's erasure job (workers/privacy.py), which reports what it
deleted through `settle`. The candidate reads as erased (`erased_at`) only when nothing
is owed; until then it is pending, with the owed items and the last failure shown.
Running either action again, or `settle` with the same items, is harmless.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from voice import audit, pipeline
from voice.apikeys import forget_api_replies
from voice.models import (
    Answer,
    AnswerStatus,
    Call,
    Candidate,
    Comment,
    Decision,
    Interview,
    Message,
    Score,
    ShareLink,
    utcnow,
)
from voice.store import answer_key
from voice.wording import plural

# What lists show in place of the name: while something is still owed, then once done.
PENDING_NAME = "Erasure pending"
ERASED_NAME = "Erased candidate"
REQUEST = "erasure request"
# Every file the pipeline keeps for an answer (workers/recordings.py, voice/waveform.py).
AUDIO_FILES = ("original.wav", "speech.wav", "playback.mp3", "waveform.svg", "silences.json")
ERROR_LIMIT = 2000
PENDING, ERASED = "pending", "erased"


def retention_reason(days: int, anchor: str) -> str:
    """Why a purge removed a candidate: "retention: 365 days after completion" (1 day)."""
    return f"retention: {plural(days, 'day')} after {anchor}"


@dataclass(frozen=True)
class ErasureState:
    """Where one candidate's erasure stands: `state` is pending or erased.

    `owed` counts what is still to delete: audio of answers, recordings and SMS at
    Twilio; `error` is the last failure of the erasure job (None once it worked).
    """

    candidate_id: int
    interview_id: int
    state: str
    reason: str
    requested_at: datetime
    erased_at: datetime | None
    owed: dict[str, int]
    error: str | None

    def to_json(self) -> dict:
        """The state as JSON (times ISO 8601 UTC), for `--json` and the dashboard."""
        return {
            "id": self.candidate_id,
            "interview_id": self.interview_id,
            "state": self.state,
            "reason": self.reason,
            "requested_at": self.requested_at.isoformat(),
            "erased_at": self.erased_at.isoformat() if self.erased_at else None,
            "owed": dict(self.owed),
            "error": self.error,
        }

    def owed_text(self) -> str:
        """What is still owed, in words ("audio of 2 answers, 1 recording at Twilio")."""
        parts = []
        for key, one, many in (
            ("answers", "audio of 1 answer", "audio of {n} answers"),
            ("recordings", "1 recording at Twilio", "{n} recordings at Twilio"),
            ("messages", "1 text message at Twilio", "{n} text messages at Twilio"),
        ):
            n = self.owed.get(key, 0)
            if n:
                parts.append(one if n == 1 else many.format(n=n))
        return ", ".join(parts) or "nothing"


def state_of(candidate: Candidate) -> ErasureState | None:
    """The candidate's erasure state, or None if no erasure was ever requested."""
    if candidate.erasure_requested_at is None:
        return None
    owed = _owed(candidate)
    return ErasureState(
        candidate_id=candidate.id,
        interview_id=candidate.interview_id,
        state=ERASED if candidate.erased_at else PENDING,
        reason=candidate.erasure_reason or "",
        requested_at=candidate.erasure_requested_at,
        erased_at=candidate.erased_at,
        owed={
            "answers": len(owed["answers"]),
            "recordings": len(owed["recordings"]),
            "messages": len(owed["messages"]),
        },
        error=candidate.erasure_error,
    )


def shown_pin(candidate: Candidate) -> str | None:
    """The candidate's PIN as pages and the API show it: None once an erasure began, as
    the stored "E<id>" only holds the PIN column's place (no keypad can type it)."""
    if candidate.erasure_requested_at is not None:
        return None
    return candidate.pin


class ErasureRefused(ValueError):
    """An erasure that may not begin: the candidate or their interview is on legal hold."""


def hold_on(candidate: Candidate) -> str | None:
    """What holds the candidate's data ("candidate" or "interview"), or None."""
    if candidate.legal_hold:
        return "candidate"
    if candidate.interview is not None and candidate.interview.legal_hold:
        return "interview"
    return None


def erase_candidate(
    session: Session,
    candidate: Candidate,
    *,
    actor: audit.Actor | None = None,
    now: datetime | None = None,
) -> ErasureState:
    """Erase a candidate on request (right to erasure, GDPR and UK GDPR art. 17), at once.

    Unlike the purge it waits for no retention period. A legal hold stops it: data kept
    for legal claims is exempt from erasure (GDPR art. 17(3)(e)), and destroying it under
    a litigation hold is spoliation; an admin takes the hold off first (recorded in the
    audit trail). Raises ErasureRefused then, unless this erasure had already begun
    (resuming it is always allowed). Recorded in the audit trail as "erasure" by `actor`
    (default: Screenline itself) once, when it begins: repeating it (the API's DELETE
    is repeated to poll) only reports where it stands, and adds no entry. The
    candidate's name is removed from the trail's entries (voice.audit.scrub_candidate).
    The caller commits, then queues the erasure job (ivr.jobs.ERASE_CANDIDATE) for what
    is owed outside the database; nothing needs queueing once the state is erased.
    """
    held = hold_on(candidate)
    if held and candidate.erasure_requested_at is None:
        raise ErasureRefused(
            "nothing was erased: "
            + ("this candidate is" if held == "candidate" else "their interview is")
            + " on legal hold; take the hold off first"
        )
    state, began = _remove(session, candidate, REQUEST, now or utcnow())
    actor = actor or audit.Actor.system()
    _audit(session, candidate, "erasure", actor, REQUEST, again=not began)
    return state


def purge_candidate(
    session: Session,
    candidate: Candidate,
    *,
    reason: str,
    actor: audit.Actor | None = None,
    now: datetime | None = None,
) -> ErasureState:
    """Purge a candidate whose retention period has ended (voice/retention.py decides who,
    and skips legal holds); `reason` says which period. Recorded in the audit trail as
    "purge" by `actor` (default: Screenline's "retention"), and the candidate's name is
    removed from the trail's entries; a purge or erasure already begun is not recorded
    again. The caller commits, then queues the erasure job."""
    state, began = _remove(session, candidate, reason, now or utcnow())
    actor = actor or audit.Actor.system("retention")
    _audit(session, candidate, "purge", actor, reason, again=not began)
    return state


def _audit(
    session: Session,
    candidate: Candidate,
    action: str,
    actor: audit.Actor,
    reason: str,
    *,
    again: bool,
) -> None:
    """Record the erasure or purge (nothing personal in it) unless it is `again` one
    already begun (recorded then), and scrub the candidate's personal data from the
    audit trail, entries and chain kept."""
    if again:
        audit.scrub_candidate(session, candidate.id)
        return
    organization_id = session.scalar(
        select(Interview.organization_id).where(Interview.id == candidate.interview_id)
    )
    audit.record(
        session,
        organization_id,
        action,
        actor,
        candidate_id=candidate.id,
        interview_id=candidate.interview_id,
        detail={"reason": reason[:200]},
    )
    audit.scrub_candidate(session, candidate.id)


def _remove(
    session: Session, candidate: Candidate, reason: str, now: datetime
) -> tuple[ErasureState, bool]:
    """Remove what the database holds; (the state, whether this call began the erasure)."""
    # Lock the row (PostgreSQL; SQLite writes one at a time anyway) and read it afresh, so
    # a second request and the erasure job's `settle` never write over each other's owed,
    # and of two requests at once only the first begins the erasure.
    session.refresh(candidate, with_for_update=True)
    began = candidate.erasure_requested_at is None
    if began:
        candidate.erasure_requested_at = now
        candidate.erasure_reason = reason[:200]
    if candidate.erased_at is None:
        owed = _owed(candidate)
        _scrub_answers(session, candidate, owed)
        _scrub_messages(session, candidate, owed)
        _scrub_notes(session, candidate)
        _scrub_calls(session, candidate)
        _scrub_share_links(session, candidate, now)
        forget_api_replies(session, candidate.interview.organization_id)
        _scrub_person(candidate)
        candidate.erasure_owed = owed
        _finish_if_done(candidate, now)
    session.flush()
    state = state_of(candidate)
    assert state is not None
    return state, began


def rescrub(session: Session, candidate: Candidate, now: datetime | None = None) -> None:
    """Remove what arrived since the erasure began (an answer from a call under way then)."""
    if candidate.erasure_requested_at is not None and candidate.erased_at is None:
        _remove(session, candidate, candidate.erasure_reason or REQUEST, now or utcnow())


def settle(
    candidate: Candidate,
    *,
    answers: Iterable[int] = (),
    recordings: Iterable[str] = (),
    messages: Iterable[str] = (),
    error: str | None = None,
    now: datetime | None = None,
) -> ErasureState | None:
    """Record what the erasure job deleted (answer ids whose files are all gone, recording
    and message SIDs deleted at Twilio) and its failure, if any; mark the candidate
    erased once nothing is owed. The caller locks the row (SELECT ... FOR UPDATE) and
    commits. Returns the new state (None if no erasure was requested)."""
    if candidate.erasure_requested_at is None:
        return None
    owed = _owed(candidate)
    done_answers = {str(a) for a in answers}
    owed["answers"] = {k: v for k, v in owed["answers"].items() if k not in done_answers}
    owed["recordings"] = [s for s in owed["recordings"] if s not in set(recordings)]
    owed["messages"] = [s for s in owed["messages"] if s not in set(messages)]
    candidate.erasure_owed = owed
    candidate.erasure_error = error[:ERROR_LIMIT] if error else None
    _finish_if_done(candidate, now or utcnow())
    return state_of(candidate)


def owed_work(candidate: Candidate) -> dict:
    """A copy of what is owed: {"answers": {id: [keys]}, "recordings": [...], "messages": [...]}."""
    owed = _owed(candidate)
    return {
        "answers": {k: list(v) for k, v in owed["answers"].items()},
        "recordings": list(owed["recordings"]),
        "messages": list(owed["messages"]),
    }


def pending_ids(session: Session, limit: int = 500) -> list[int]:
    """Candidates whose erasure is requested but not finished, oldest request first."""
    return list(
        session.scalars(
            select(Candidate.id)
            .where(Candidate.erasure_requested_at.is_not(None), Candidate.erased_at.is_(None))
            .order_by(Candidate.erasure_requested_at, Candidate.id)
            .limit(limit)
        )
    )


# ---------------------------------------------------------------- the parts


def _owed(candidate: Candidate) -> dict:
    owed = candidate.erasure_owed or {}
    return {
        "answers": {str(k): list(v) for k, v in (owed.get("answers") or {}).items()},
        "recordings": list(owed.get("recordings") or []),
        "messages": list(owed.get("messages") or []),
    }


def _finish_if_done(candidate: Candidate, now: datetime) -> None:
    owed = _owed(candidate)
    if not (owed["answers"] or owed["recordings"] or owed["messages"]):
        candidate.erased_at = candidate.erased_at or now
        candidate.erasure_error = None
        candidate.name = ERASED_NAME


def _scrub_answers(session: Session, candidate: Candidate, owed: dict) -> None:
    answers = session.scalars(
        select(Answer).where(
            Answer.candidate_id == candidate.id, Answer.status != AnswerStatus.ERASED
        )
    ).all()
    for answer in answers:
        keys_held = (answer.original_key, answer.normalised_key, answer.playback_key)
        recorded = {key for key in keys_held if key}
        if answer.recording_sid or recorded:
            keys = recorded | {answer_key(answer.id, name) for name in AUDIO_FILES}
            owed["answers"][str(answer.id)] = sorted(keys)
        sid = answer.recording_sid
        if sid and not answer.deleted_at_twilio and sid not in owed["recordings"]:
            owed["recordings"].append(sid)
        pipeline.erased(answer)


def _scrub_messages(session: Session, candidate: Candidate, owed: dict) -> None:
    for sid in session.scalars(
        select(Message.message_sid).where(
            Message.candidate_id == candidate.id, Message.message_sid.is_not(None)
        )
    ):
        if sid not in owed["messages"]:
            owed["messages"].append(sid)
    session.execute(delete(Message).where(Message.candidate_id == candidate.id))


def _scrub_notes(session: Session, candidate: Candidate) -> None:
    session.execute(delete(Comment).where(Comment.candidate_id == candidate.id))
    session.execute(update(Score).where(Score.candidate_id == candidate.id).values(note=""))
    session.execute(
        update(Decision).where(Decision.candidate_id == candidate.id).values(feedback="")
    )


def _scrub_calls(session: Session, candidate: Candidate) -> None:
    interview_number = session.scalar(
        select(Interview.phone_number).where(Interview.id == candidate.interview_id)
    )
    for call in session.scalars(select(Call).where(Call.candidate_id == candidate.id)):
        # The number that is not the interview's is the candidate's (caller ID or callee).
        if call.from_number != interview_number:
            call.from_number = ""
        if call.to_number != interview_number:
            call.to_number = ""
        call.last_reply = None  # the last TwiML may greet them by name
        call.request_token = None


def _scrub_share_links(session: Session, candidate: Candidate, now: datetime) -> None:
    organization_id = session.scalar(
        select(Interview.organization_id).where(Interview.id == candidate.interview_id)
    )
    for link in session.scalars(
        select(ShareLink).where(ShareLink.organization_id == organization_id)
    ):
        ids = [int(i) for i in link.candidate_ids or []]
        if candidate.id in ids:
            link.candidate_ids = [i for i in ids if i != candidate.id]
            if not link.candidate_ids and link.revoked_at is None:
                link.revoked_at = now


def _scrub_person(candidate: Candidate) -> None:
    candidate.name = ERASED_NAME if candidate.erased_at else PENDING_NAME
    candidate.phone = None
    candidate.email = None
    candidate.external_id = None
    # Not digits, so no keypad entry ever matches it; unique within the interview.
    candidate.pin = f"E{candidate.id}"
    candidate.screened_out_reason = None
    candidate.extra_time = 1.0  # accommodations may say something about health
    candidate.slow_speech = False
