"""Comments on a candidate as a whole or on one of their answers."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from dashboard.access import get_visible
from dashboard.auditing import record
from dashboard.review import review
from dashboard.review.candidate_page import render_candidate
from ivr.services import db
from voice.models import Answer, Candidate, Comment

COMMENT_MAX = 2000  # characters
EMPTY_COMMENT = "Type a comment before posting it: nothing was added."


@review.post("/candidates/<int:candidate_id>/comments")
def comment(candidate_id: int):
    """Add the signed-in reviewer's comment (form: body, optional answer_id), audited as
    "comment_added", and go back to it on the candidate page.

    An empty (or blank) comment adds nothing: the flash says why, and the page opens at
    its top, where flashes show (the comment's anchor would scroll past it). A too long
    one adds nothing either: the page answers 422 with the text back in its box and why.
    """
    session = db()
    candidate = get_visible(session, current_user, Candidate, candidate_id, options=(), change=True)
    answer_id = request.form.get("answer_id", type=int)
    anchor = "comments"
    if answer_id is not None:
        owner = session.scalar(select(Answer.candidate_id).where(Answer.id == answer_id))
        if owner != candidate.id:
            abort(404)
        anchor = f"answer-{answer_id}"
    back = url_for("dashboard.candidate", candidate_id=candidate.id, _anchor=anchor)
    body = request.form.get("body", "").strip()
    if not body:
        flash(EMPTY_COMMENT, "error")
        return redirect(url_for("dashboard.candidate", candidate_id=candidate.id))
    if len(body) > COMMENT_MAX:  # the page again, the text back in its box (422)
        why = (
            f"A comment is at most {COMMENT_MAX} characters; yours has {len(body)}: "
            "nothing was added. Shorten it and post it again."
        )
        return render_candidate(candidate, comment_invalid=(answer_id, body, why), status=422)
    added = Comment(
        candidate_id=candidate.id, answer_id=answer_id, author_id=current_user.id, body=body
    )
    session.add(added)
    session.flush()
    # As a score's entry leaves out its note: the entry names the candidate (removable
    # subject data) and the comment's id, never its text.
    record(
        "comment_added", candidate=candidate, answer_id=answer_id, detail={"comment_id": added.id}
    )
    session.commit()
    flash("Your comment is added.", "success")
    return redirect(back)
