"""Checking and correcting an answer's transcript from the candidate page.

Two form posts, each with its CSRF token, for anyone who may score the answer
(`get_visible(..., change=True)`, as scoring: another organisation's user gets 404, an
erased candidate's answer is refused); each writes an audit entry in the same
transaction and goes back to the answer on the candidate page. The rules (what a check
clears, what a correction keeps, how a later transcription treats it) are
voice/corrections.py's.
"""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import current_user
from sqlalchemy import select

from dashboard.access import get_visible
from dashboard.auditing import record
from dashboard.forms import TranscriptForm
from dashboard.review import checked, review
from ivr.services import db
from voice import corrections
from voice.models import Answer, Candidate


def transcript_prefix(answer_id: int) -> str:
    """The form prefix of an answer's transcript form (one form per answer on the page):
    its fields are `transcript-<id>-text` and the restore button `transcript-<id>-restore`."""
    return f"transcript-{answer_id}"


def _locked(answer_id: int) -> Answer:
    """The visible answer, read again under a row lock: two reviewers saving at once
    each see the other's write (a check, a correction) before their own."""
    session = db()
    answer = get_visible(session, current_user, Answer, answer_id, options=(), change=True)
    return session.scalar(
        select(Answer)
        .where(Answer.id == answer.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _back(answer: Answer):
    return redirect(
        url_for(
            "dashboard.candidate", candidate_id=answer.candidate_id, _anchor=f"answer-{answer.id}"
        )
    )


@review.post("/answers/<int:answer_id>/transcript/checked")
def check_transcript(answer_id: int):
    """Mark a flagged transcript checked by the signed-in user: it leaves "Transcripts to
    check" and the interview's count; the machine's flags stay. Nothing to check (not
    flagged, checked already, not transcribed) changes nothing and says so."""
    answer = _locked(answer_id)
    position = answer.question.position
    if not corrections.mark_checked(answer, current_user.id):
        db().rollback()
        flash(f"The transcript of question {position} has nothing left to check.", "info")
        return _back(answer)
    record(
        "transcript_checked",
        candidate=answer.candidate,
        answer_id=answer.id,
        detail={"flags": list(answer.transcript_flags or [])},
    )
    db().commit()
    flash(f"The transcript of question {position} is marked checked.", "success")
    return _back(answer)


@review.post("/answers/<int:answer_id>/transcript")
def edit_transcript(answer_id: int):
    """Save the signed-in user's corrected transcript (`transcript-<id>-text`), or the
    machine's own again with `transcript-<id>-restore`; saving counts as checking it.

    Empty text or text over voice.corrections.MAX_CHARS: 422, the candidate page with
    the form open, its error and the text as posted; nothing is saved.
    """
    answer = _locked(answer_id)
    position = answer.question.position
    if not corrections.can_correct(answer):
        db().rollback()
        flash(f"Question {position} has no transcript to correct.", "info")
        return _back(answer)
    prefix = transcript_prefix(answer.id)
    form = TranscriptForm(prefix=prefix)
    if checked(f"{prefix}-restore") and corrections.is_corrected(answer):
        text = corrections.machine_text(answer)  # CSRFProtect checked the post already
    elif form.validate():
        text = form.text.data
    else:
        db().rollback()
        return _invalid(answer, form)
    outcome = corrections.correct(answer, text, current_user.id)
    if outcome == "unchanged":
        db().rollback()
        flash(f"The transcript of question {position} is unchanged.", "info")
        return _back(answer)
    if outcome == "checked":
        record(
            "transcript_checked",
            candidate=answer.candidate,
            answer_id=answer.id,
            detail={"flags": list(answer.transcript_flags or [])},
        )
        message = f"The transcript of question {position} is unchanged, and marked checked."
    else:
        # The text itself stays out of the audit trail: it is the candidate's personal
        # data, which an erasure must be able to remove.
        record(
            "transcript_edited",
            candidate=answer.candidate,
            answer_id=answer.id,
            detail={"restored": outcome == "restored", "characters": len(answer.transcript)},
        )
        message = (
            f"The machine transcript of question {position} is restored."
            if outcome == "restored"
            else f"Your correction of question {position}'s transcript is saved."
        )
    db().commit()
    flash(message, "success")
    return _back(answer)


def _invalid(answer: Answer, form: TranscriptForm):
    # candidate_page imports this blueprint's modules, so it is imported when needed.
    from dashboard.review.candidate_page import render_candidate

    candidate = get_visible(db(), current_user, Candidate, answer.candidate_id)
    flash(f"The transcript of question {answer.question.position} was not saved.", "error")
    return render_candidate(candidate, transcript_invalid=(answer.id, form), status=422)
