"""Sharing an interview with reviewer-role teammates."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from dashboard.access import get_visible, require_manager
from dashboard.auditing import record
from dashboard.review import posted_ids
from ivr.services import db
from voice.models import Interview, InterviewReviewer, Role, User
from voice.wording import plural


def saved_words(count: int, changed: bool) -> str:
    """What saving the reviewers says: how many reviewers may now review the interview
    (`count`), and whether the save `changed` who they are."""
    if count == 0 and not changed:
        return (
            "No reviewer was ticked, so nothing changed: "
            "only admins and recruiters can see this interview."
        )
    if count == 0:
        return "No reviewer can review this interview now: only admins and recruiters can see it."
    who = plural(count, "reviewer")
    if not changed:
        return f"Nothing changed: {who} can review this interview, as before."
    return f"{who} can now review this interview."


@require_manager
def reviewers(interview_id: int):
    """Choose which reviewer-role teammates may review this interview."""
    session = db()
    interview = get_visible(session, current_user, Interview, interview_id, manage=True)
    people = list(
        session.scalars(
            select(User)
            .where(
                User.organization_id == interview.organization_id,
                User.role == Role.REVIEWER,
                User.is_active.is_(True),
            )
            .order_by(User.email)
        )
    )
    shared = set(
        session.scalars(
            select(InterviewReviewer.user_id).where(InterviewReviewer.interview_id == interview.id)
        )
    )
    if request.method == "POST":
        allowed = {u.id for u in people}
        chosen = set(posted_ids("user_ids")) & allowed
        session.query(InterviewReviewer).filter(
            InterviewReviewer.interview_id == interview.id
        ).delete()
        for uid in sorted(chosen):
            session.add(InterviewReviewer(interview_id=interview.id, user_id=uid))
        record(
            "interview_changed",
            interview_id=interview.id,
            detail={"reviewers": sorted(chosen)},
        )
        session.commit()
        flash(saved_words(len(chosen), changed=chosen != shared), "success")
        return redirect(url_for(".reviewers", interview_id=interview.id))
    return render_template("reviewers.html", interview=interview, people=people, shared=shared)
