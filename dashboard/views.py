"""The hiring manager's pages: interviews, candidates, listening, transcripts and scores."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import redis
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dashboard.access import media
from dashboard.auth import login_manager
from dashboard.forms import SCORE_LABELS, ScoreForm
from dashboard.queries import (
    QuestionAnswer,
    ScoreSummary,
    answer_for,
    answers_by_question,
    candidate_for,
    combined,
    score_summaries,
)
from ivr.jobs import FETCH_RECORDING, fetch_job_id
from ivr.services import db, services
from voice.models import Answer, AnswerStatus, Candidate, CandidateStatus, Score

log = logging.getLogger(__name__)

dashboard = Blueprint("dashboard", __name__)

CANDIDATES_PER_PAGE = 50
AUDIO_MAX_AGE = 600  # seconds a browser may reuse audio it fetched (private cache only)
OVERALL = "overall"


@dashboard.before_request
def require_login():
    """Every dashboard URL needs a signed-in user."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


# ---------------------------------------------------------------- pages


@dashboard.get("/")
def interviews():
    from dashboard.builder import interviews_page  # reviewers see only what is shared

    return interviews_page()


@dashboard.get("/interviews/<int:interview_id>")
def interview(interview_id: int):
    from dashboard.candidates import interview_page  # filters, bulk actions, funnel

    return interview_page(interview_id, per_page=CANDIDATES_PER_PAGE)


@dashboard.get("/candidates/<int:candidate_id>")
def candidate(candidate_id: int):
    found = candidate_for(db(), current_user.organization_id, candidate_id)
    if found is None:
        abort(404)
    return _render_candidate(found)


# ---------------------------------------------------------------- scoring


@dashboard.post("/answers/<int:answer_id>/score")
def score_answer(answer_id: int):
    session = db()
    answer = answer_for(session, current_user.organization_id, answer_id)
    if answer is None:
        abort(404)
    form = ScoreForm(prefix=_score_prefix(answer.id))
    if not form.validate():
        return _invalid_score(session, answer.candidate_id, answer.id, form)
    save_score(
        session,
        reviewer_id=current_user.id,
        candidate_id=answer.candidate_id,
        answer_id=answer.id,
        value=form.value.data,
        note=(form.note.data or "").strip(),
    )
    flash(f"Your score for question {answer.question.position} is saved.", "success")
    return redirect(
        url_for(".candidate", candidate_id=answer.candidate_id, _anchor=f"answer-{answer.id}")
    )


@dashboard.post("/candidates/<int:candidate_id>/score")
def score_candidate(candidate_id: int):
    session = db()
    found = candidate_for(session, current_user.organization_id, candidate_id)
    if found is None:
        abort(404)
    form = ScoreForm(prefix=_score_prefix(None))
    if not form.validate():
        return _invalid_score(session, found.id, None, form)
    save_score(
        session,
        reviewer_id=current_user.id,
        candidate_id=found.id,
        answer_id=None,
        value=form.value.data,
        note=(form.note.data or "").strip(),
    )
    flash(f"Your overall score for {found.name} is saved.", "success")
    return redirect(url_for(".candidate", candidate_id=found.id, _anchor="overall"))


def save_score(
    session: Session,
    *,
    reviewer_id: int,
    candidate_id: int,
    answer_id: int | None,
    value: int,
    note: str,
) -> Score:
    """Create or update this reviewer's one score for an answer (or overall), and commit."""
    where = [Score.reviewer_id == reviewer_id, Score.candidate_id == candidate_id]
    where.append(Score.answer_id == answer_id if answer_id else Score.answer_id.is_(None))
    for _ in range(2):
        score = session.scalar(select(Score).where(*where))
        if score is None:
            score = Score(
                reviewer_id=reviewer_id,
                candidate_id=candidate_id,
                answer_id=answer_id,
                value=value,
                note=note,
            )
            session.add(score)
        else:
            score.value, score.note = value, note
        try:
            session.commit()
            return score
        except IntegrityError:
            # Another request inserted the same score between our read and write.
            session.rollback()
    raise RuntimeError("could not save the score")


def _invalid_score(session: Session, candidate_id: int, answer_id: int | None, form: ScoreForm):
    found = candidate_for(session, current_user.organization_id, candidate_id)
    if found is None:
        abort(404)
    flash("Your score was not saved: choose a score from 1 to 5.", "error")
    return _render_candidate(found, invalid=(answer_id or OVERALL, form), status=422)


# ---------------------------------------------------------------- processing


@dashboard.post("/answers/<int:answer_id>/retry")
def retry_answer(answer_id: int):
    session = db()
    answer = answer_for(session, current_user.organization_id, answer_id)
    if answer is None:
        abort(404)
    back = url_for(".candidate", candidate_id=answer.candidate_id, _anchor=f"answer-{answer.id}")
    # A conditional update, so two clicks (or two reviewers) queue the fetch only once.
    reset = session.execute(
        update(Answer)
        .where(Answer.id == answer.id, Answer.status == AnswerStatus.FAILED)
        .values(status=AnswerStatus.ANNOUNCED, attempts_failed=0, error=None)
    )
    session.commit()
    if reset.rowcount != 1:
        flash("That answer is not waiting for a retry.", "info")
        return redirect(back)
    try:
        services().enqueue(FETCH_RECORDING, answer.id, job_id=fetch_job_id(answer.id))
    except redis.RedisError:
        log.exception("could not enqueue %s for answer %s", FETCH_RECORDING.name, answer.id)
        flash(
            "The job queue is unavailable right now; the answer will be retried automatically.",
            "warning",
        )
    else:
        flash(f"Processing question {answer.question.position} again.", "success")
    return redirect(back)


# ---------------------------------------------------------------- audio


@dashboard.get("/audio/answers/<int:answer_id>.mp3")
@media
def audio(answer_id: int):
    answer = answer_for(db(), current_user.organization_id, answer_id)
    if answer is None or not answer.playback_key:
        abort(404)
    try:
        path = services().store.path(answer.playback_key)
    except ValueError:
        abort(404)
    if not path.is_file():
        abort(404)
    # conditional=True answers Range requests with 206, so the player can seek.
    response = send_file(
        path,
        mimetype="audio/mpeg",
        conditional=True,
        max_age=None,
        as_attachment=request.args.get("download") == "1",
        download_name=f"answer-{answer.id}.mp3",
    )
    response.cache_control.no_cache = None
    response.cache_control.public = False
    response.cache_control.private = True
    response.cache_control.max_age = AUDIO_MAX_AGE
    response.vary.add("Cookie")
    return response


# ---------------------------------------------------------------- presentation


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class AnswerView:
    """What the candidate page shows for one question."""

    qa: QuestionAnswer
    scores: ScoreSummary
    form: ScoreForm | None
    segments: list[Segment]


def _render_candidate(candidate: Candidate, *, invalid=None, status: int = 200):
    session = db()
    summaries = score_summaries(session, candidate.id, current_user.id)
    items = []
    for qa in answers_by_question(candidate):
        answer = qa.answer
        form = None
        if answer is not None and (answer.playback_key or answer.transcript):
            # Only what a reviewer can hear or read gets a score form.
            form = _score_form(answer.id, summaries.get(answer.id), invalid)
        items.append(
            AnswerView(
                qa=qa,
                scores=summaries.get(answer.id, ScoreSummary()) if answer else ScoreSummary(),
                form=form,
                segments=segments_of(answer) if answer else [],
            )
        )
    overall = summaries.get(None, ScoreSummary())
    return (
        render_template(
            "candidate.html",
            candidate=candidate,
            interview=candidate.interview,
            items=items,
            overall=overall,
            overall_form=_score_form(None, overall, invalid),
            everything=combined(summaries),
            answered=sum(1 for item in items if item.qa.answer is not None),
            score_labels=SCORE_LABELS,
        ),
        status,
    )


def _score_prefix(answer_id: int | None) -> str:
    return f"answer-{answer_id}" if answer_id else OVERALL


def _score_form(answer_id: int | None, summary: ScoreSummary | None, invalid) -> ScoreForm:
    if invalid is not None and invalid[0] == (answer_id or OVERALL):
        return invalid[1]
    mine = summary.mine if summary else None
    data = {"value": mine.value, "note": mine.note} if mine else {}
    # formdata=None: only the form that was posted shows what was posted.
    return ScoreForm(prefix=_score_prefix(answer_id), formdata=None, data=data)


def segments_of(answer: Answer) -> list[Segment]:
    """Transcript segments with timings, skipping any that are malformed."""
    segments = []
    for raw in answer.segments or []:
        try:
            start = max(0.0, float(raw["start"]))
            end = float(raw.get("end", start))
            text = str(raw.get("text", "")).strip()
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
        if text:
            segments.append(Segment(start, max(start, end), text))
    return segments


ANSWER_STATES = {
    AnswerStatus.RECORDING: ("Recording", "info"),
    AnswerStatus.ANNOUNCED: ("Fetching audio", "info"),
    AnswerStatus.STORED: ("Transcribing", "info"),
    AnswerStatus.TRANSCRIBED: ("Transcribed", "success"),
    AnswerStatus.NO_AUDIO: ("No audio", "muted"),
    AnswerStatus.FAILED: ("Failed", "danger"),
    AnswerStatus.UNTRANSCRIBED: ("No speech model", "warning"),
    AnswerStatus.KEYPAD: ("Keypad", "info"),
}
CANDIDATE_TONES = {
    CandidateStatus.INVITED: "muted",
    CandidateStatus.IN_PROGRESS: "info",
    CandidateStatus.COMPLETED: "success",
    CandidateStatus.ABANDONED: "warning",
    CandidateStatus.SCREENED_OUT: "warning",
}


@dashboard.app_template_filter("ago")
def ago(when: datetime | None, now: datetime | None = None) -> str:
    """'just now', '5 minutes ago', 'yesterday', or a date for anything older than a week."""
    if when is None:
        return "—"
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = int(((now or datetime.now(UTC)) - when).total_seconds())
    if seconds < 45:
        return "just now"
    for limit, unit, size in ((3600, "minute", 60), (86400, "hour", 3600)):
        if seconds < limit:
            n = max(1, round(seconds / size))
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    days = seconds // 86400
    if days == 1:
        return "yesterday"
    if days < 7:
        return f"{days} days ago"
    return f"{when.day} {when:%b %Y}"


@dashboard.app_template_filter("isotime")
def isotime(when: datetime | None) -> str:
    if when is None:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="seconds")


@dashboard.app_template_filter("clock")
def clock(seconds: float | None) -> str:
    """Seconds as m:ss (or h:mm:ss)."""
    if seconds is None:
        return "—"
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@dashboard.app_context_processor
def presentation():
    return {"answer_states": ANSWER_STATES, "candidate_tones": CANDIDATE_TONES}
