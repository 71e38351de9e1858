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
    if request.method == "POST":
        chosen = set(posted_ids("user_ids"))
        allowed = {u.id for u in people}
        session.query(InterviewReviewer).filter(
            InterviewReviewer.interview_id == interview.id
        ).delete()
        for uid in sorted(chosen & allowed):
            session.add(InterviewReviewer(interview_id=interview.id, user_id=uid))
        record(
            "interview_changed",
            interview_id=interview.id,
            detail={"reviewers": sorted(chosen & allowed)},
        )
        session.commit()
        flash(f"{len(chosen & allowed)} reviewers can now review this interview.", "success")
        return redirect(url_for(".reviewers", interview_id=interview.id))
    shared = set(
        session.scalars(
            select(InterviewReviewer.user_id).where(InterviewReviewer.interview_id == interview.id)
        )
    )
    return render_template("reviewers.html", interview=interview, people=people, shared=shared)
