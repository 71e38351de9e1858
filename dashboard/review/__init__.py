"""Reviewing candidates: one blueprint, one module per concern.

- candidate_page: the candidate page, built as ONE view model (CandidatePage) in the view
- scoring: the score aggregate (Tally) and saving 1-5 scores, overall and per answer
- rubric: rubric criteria per question, edited by managers and scored by reviewers
- comments: comments on a candidate or one answer
- decisions: advance / hold / reject, one or many, and the SMS that tells the candidate
- messages: the organisation's decision message templates
- queue: the review queue, "next unreviewed", disagreement and waiting filters
- settings: a reviewer's own settings (blind review)
- transcripts: marking a flagged transcript checked, and correcting a transcript

Rows are reached only through dashboard.access; media is served by dashboard.media.
"""

from __future__ import annotations

from flask import Blueprint, request

from voice.models import MAX_ROW_ID

review = Blueprint("review", __name__)


def wants_json() -> bool:
    """Whether the page's own script asked (fetch with `Accept: application/json`): such a
    request is answered with JSON, never a redirect or a flash (a followed redirect would
    log a page view and use up the flash the next page load should show)."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def posted_ids(name: str) -> list[int]:
    """The row ids posted under form field `name`, in order, without repeats; anything
    else posted there (not a whole number, or past MAX_ROW_ID) is ignored."""
    ids = []
    for raw in request.form.getlist(name):
        try:
            ident = int(raw)
        except ValueError:
            continue
        if 0 < ident <= MAX_ROW_ID:
            ids.append(ident)
    return list(dict.fromkeys(ids))


def checked(name: str) -> bool:
    """Return True if the form's checkbox `name` is ticked."""
    return request.form.get(name, "").lower() in ("1", "y", "yes", "on", "true")


# The route modules register themselves on `review` when imported.
from dashboard.review import (  # noqa: E402
    candidate_page,
    comments,
    decisions,
    messages,
    queue,
    rubric,
    scoring,
    settings,
    transcripts,
)

__all__ = [
    "candidate_page",
    "checked",
    "comments",
    "decisions",
    "messages",
    "posted_ids",
    "queue",
    "review",
    "rubric",
    "scoring",
    "settings",
    "transcripts",
]
