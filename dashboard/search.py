"""Search transcripts across an interview or the whole organisation; results open the
candidate page at the moment the words are spoken.

Result pages are reached by keyset: "Next" carries the last hit shown (?after=), and
"Previous" the first (?before=), as voice.search.Position tokens; see voice/search.py
for why relevance order still allows it. A page number without either (an old link)
still works, by OFFSET.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from dashboard.access import can_manage, select_visible
from dashboard.page_links import SHOWN, read_flag, read_page, row_id
from ivr.services import db
from voice.models import Interview
from voice.search import (
    BadPosition,
    Position,
    flagged_transcripts,
    query_words,
    search_transcripts,
)

search = Blueprint("search", __name__)

PER_PAGE = 25
# The search box's maxlength: a few sentences of words spoken is plenty to find them. A
# longer ?q= (typed into the address bar: the box stops at this) is refused, not cut.
MAX_QUERY = 200
FLAGGED_LABEL = "Only transcripts that may be unreliable"  # the ?flagged=1 checkbox


def read_position(args) -> tuple[Position | None, Position | None, str | None]:
    """The page link's ?after= or ?before= as Positions, or what is wrong with it (a blank
    one counts as absent)."""
    given = {k: args[k] for k in ("after", "before") if args.get(k, "").strip()}
    if len(given) > 1:
        return None, None, "This page link is damaged (it names both a next and a previous page)."
    for name, token in given.items():
        try:
            position = Position.parse(token)
        except BadPosition as error:
            return None, None, f"This page link is damaged ({error})."
        return (position, None, None) if name == "after" else (None, position, None)
    return None, None, None


@search.get("/search")
def results():
    """Search transcripts (?q=, ?interview_id=, ?flagged=1, and ?after= or ?before= with
    ?page= for later pages) in the interviews the user sees; flagged=1 keeps transcripts
    that may be unreliable, and with no words lists every such transcript still to check,
    newest first. A damaged page link gets 400 and the first page of results; a filter
    the page does not take (?flagged=yes, ?interview_id=abc) gets 422, named, and is left
    out; so is a query over MAX_QUERY characters (nothing is searched; the box keeps it);
    an interview the user does not see is 404."""
    session = db()
    typed = request.args.get("q", "").strip()
    query = typed
    errors = []
    if len(typed) > MAX_QUERY:
        errors.append(
            f"A search is at most {MAX_QUERY} characters; this one has {len(typed):,}. "
            "Shorten it and search again."
        )
        query = ""  # nothing is searched; the box keeps what was typed
    interviews = session.scalars(
        select_visible(current_user, Interview).order_by(Interview.title)
    ).all()
    visible_ids = [i.id for i in interviews]
    interview_id = None
    raw_interview = request.args.get("interview_id", "").strip()
    if raw_interview:
        interview_id = row_id(raw_interview)
        if interview_id is None:
            errors.append(f"“{raw_interview[:SHOWN]}” is not an interview's number.")
        elif interview_id not in visible_ids:
            abort(404)
    flagged, flag_error = read_flag(request.args, "flagged", FLAGGED_LABEL)
    if flag_error:
        errors.append(flag_error)
    after, before, error = read_position(request.args)
    page, page_error = read_page(request.args)
    error = error or page_error
    if error:
        after = before = None
        page = 1
    words = bool(query_words(query))
    # The flag alone: every flagged transcript, newest first (not for a refused query).
    listing = flagged and not words and typed == query
    hits, previous, more = [], False, False
    if words or listing:
        scope = {
            "interview_id": interview_id,
            # Managers see the whole organisation; reviewers the interviews shared with them.
            "interview_ids": None if can_manage(current_user) else visible_ids,
            "limit": PER_PAGE + 1,  # one more tells whether another page lies that way
            "offset": 0 if after or before else (page - 1) * PER_PAGE,
            "after": after,
            "before": before,
        }
        if listing:
            found = flagged_transcripts(session, current_user.organization_id, **scope)
        else:
            found = search_transcripts(
                session, current_user.organization_id, query, flagged_only=flagged, **scope
            )
        if before is not None:
            hits, previous, more = found[-PER_PAGE:], len(found) > PER_PAGE, True
        else:
            hits, more = found[:PER_PAGE], len(found) > PER_PAGE
            previous = after is not None or page > 1
        if not hits and (after or before or page > 1):
            # Past either end (a stale or edited link): the first page of the same search.
            args = {
                "q": query or None,
                "interview_id": interview_id,
                "flagged": 1 if flagged else None,
            }
            return redirect(url_for("search.results", **args))
        page = max(page, 2) if previous else 1
    return (
        render_template(
            "search.html",
            query=query,
            typed=typed,
            max_query=MAX_QUERY,
            interviews=interviews,
            interview_id=interview_id,
            flagged=flagged,
            listing=listing,
            hits=hits,
            more=more,
            previous=previous,
            page=page,
            error=error,
            errors=errors,
        ),
        400 if error else 422 if errors else 200,
    )
