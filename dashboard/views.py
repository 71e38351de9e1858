"""The hiring manager's main pages: the interviews list, one interview, one candidate,
and asking for a failed answer to be processed again.

The interviews list and the interview page are built by dashboard.interviews and
dashboard.candidates; the candidate page by dashboard.review.candidate_page. Rows are
reached through dashboard.access only.
"""

from __future__ import annotations

import logging

import redis
from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user
from sqlalchemy import select

from dashboard.access import get_visible
from dashboard.auditing import record
from dashboard.review.candidate_page import render_candidate
from ivr.jobs import FETCH_RECORDING, fetch_job_id
from ivr.services import db, services
from voice import pipeline
from voice.models import Answer, Candidate

log = logging.getLogger(__name__)

dashboard = Blueprint("dashboard", __name__)

CANDIDATES_PER_PAGE = 50


@dashboard.get("/")
def interviews():
    """List the interviews the user may see (a reviewer: those shared with them)."""
    from dashboard.interviews import interviews_page

    return interviews_page()


@dashboard.get("/interviews")
def interviews_address():
    """The interviews' address as people type it (/interviews, under which every
    interview's page lies): the list, at /."""
    return redirect(url_for("dashboard.interviews"), 301)


@dashboard.get("/interviews/<int:interview_id>")
def interview(interview_id: int):
    """Show one interview: funnel, filters, bulk actions and a page of candidates."""
    from dashboard.candidates import interview_page

    return interview_page(interview_id, per_page=CANDIDATES_PER_PAGE)


@dashboard.get("/candidates/<int:candidate_id>")
def candidate(candidate_id: int):
    """Show one candidate: answers to listen to and read, scores, comments, decision.

    Each view is audited ("candidate_viewed").
    """
    found = get_visible(db(), current_user, Candidate, candidate_id)
    record("candidate_viewed", candidate=found)
    db().commit()
    return render_candidate(found)


@dashboard.post("/answers/<int:answer_id>/retry")
def retry_answer(answer_id: int):
    """Process a failed answer again: reset it (voice.pipeline.retry) and queue its fetch."""
    session = db()
    answer = get_visible(session, current_user, Answer, answer_id, options=(), change=True)
    back = url_for(".candidate", candidate_id=answer.candidate_id, _anchor=f"answer-{answer.id}")
    # Lock the row, so two clicks (or two reviewers) queue the fetch only once.
    answer = session.scalar(
        select(Answer)
        .where(Answer.id == answer.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if not pipeline.retry(answer):
        session.rollback()
        flash("That answer is not waiting for a retry.", "info")
        return redirect(back)
    session.commit()
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
