"""Search transcripts across an interview or the whole organisation; results open the
candidate page at the moment the words are spoken."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from dashboard.access import can_manage, select_visible
from ivr.services import db
from voice.models import Interview
from voice.search import query_words, search_transcripts

search = Blueprint("search", __name__)

PER_PAGE = 25


@search.get("/search")
def results():
    """Search transcripts (?q=, ?interview_id=, ?flagged=1, ?page=) in the interviews the
    user sees; flagged=1 keeps transcripts that may be unreliable."""
    session = db()
    query = request.args.get("q", "").strip()[:200]
    interviews = session.scalars(
        select_visible(current_user, Interview).order_by(Interview.title)
    ).all()
    visible_ids = [i.id for i in interviews]
    interview_id = request.args.get("interview_id", type=int)
    if interview_id is not None and interview_id not in visible_ids:
        abort(404)
    page = max(1, request.args.get("page", 1, type=int) or 1)
    flagged = request.args.get("flagged") == "1"
    hits = []
    if query_words(query):
        hits = search_transcripts(
            session,
            current_user.organization_id,
            query,
            interview_id=interview_id,
            # Managers see the whole organisation; reviewers the interviews shared with them.
            interview_ids=None if can_manage(current_user) else visible_ids,
            flagged_only=flagged,
            limit=PER_PAGE + 1,
            offset=(page - 1) * PER_PAGE,
        )
    return render_template(
        "search.html",
        query=query,
        interviews=interviews,
        interview_id=interview_id,
        flagged=flagged,
        hits=hits[:PER_PAGE],
        more=len(hits) > PER_PAGE,
        page=page,
    )
