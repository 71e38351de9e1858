"""Who may see and do what: roles, and which interviews a signed-in user can see.

Every dashboard route goes through these helpers. Rows of another organisation are
simply not found (404); a role that may not do something gets 403. A reviewer sees
only the interviews shared with them (InterviewReviewer rows); admins and recruiters
see every interview of their organisation.

Use:
    @require_role(Role.ADMIN)                      # 403 for anyone else
    found = visible_interview(db(), current_user, interview_id) or abort(404)
    stmt = select(Interview).where(interview_visible(current_user))
    stmt = select(Candidate).join(Interview, ...).where(interview_visible(current_user))
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Protocol

from flask import abort
from flask_login import current_user
from sqlalchemy import ColumnElement, and_, exists, select, true
from sqlalchemy.orm import Session, joinedload, selectinload

from voice.models import Answer, Candidate, Interview, InterviewReviewer, Question, Role

MANAGERS = (Role.ADMIN, Role.RECRUITER)  # may build interviews and manage candidates


class UserLike(Protocol):
    id: int
    organization_id: int
    role: str


def is_admin(user: UserLike) -> bool:
    return getattr(user, "role", None) == Role.ADMIN


def can_manage(user: UserLike) -> bool:
    """Admins and recruiters manage interviews and candidates; reviewers only review."""
    return getattr(user, "role", None) in MANAGERS


def require_role(*roles: str) -> Callable:
    """Decorate a view: signed-in users of another role get 403 Forbidden."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            if not current_user.is_authenticated:
                from dashboard.auth import login_manager

                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def require_login() -> Any:
    """A blueprint's before_request: send anyone not signed in to the sign-in page."""
    if not current_user.is_authenticated:
        from dashboard.auth import login_manager

        return login_manager.unauthorized()
    return None


def require_manager(view: Callable) -> Callable:
    """Decorate a view for admins and recruiters only."""
    return require_role(*MANAGERS)(view)


def interview_visible(user: UserLike) -> ColumnElement[bool]:
    """A WHERE clause on Interview: in the user's organisation, and shared if a reviewer."""
    clause = Interview.organization_id == user.organization_id
    if user.role in MANAGERS:
        return and_(clause, true())
    shared = exists(
        select(InterviewReviewer.interview_id).where(
            InterviewReviewer.interview_id == Interview.id,
            InterviewReviewer.user_id == user.id,
        )
    )
    return and_(clause, shared)


def can_see_interview(session: Session, user: UserLike, interview_id: int) -> bool:
    return (
        session.scalar(
            select(Interview.id).where(Interview.id == interview_id, interview_visible(user))
        )
        is not None
    )


def visible_interview(session: Session, user: UserLike, interview_id: int) -> Interview | None:
    """One interview the user may see, with its questions loaded; None otherwise."""
    return session.scalar(
        select(Interview)
        .options(selectinload(Interview.questions))
        .where(Interview.id == interview_id, interview_visible(user))
    )


def visible_candidate(session: Session, user: UserLike, candidate_id: int) -> Candidate | None:
    """One candidate of an interview the user may see (interview and questions loaded)."""
    return session.scalar(
        select(Candidate)
        .join(Interview, Interview.id == Candidate.interview_id)
        .options(joinedload(Candidate.interview).selectinload(Interview.questions))
        .where(Candidate.id == candidate_id, interview_visible(user))
    )


def visible_answer(session: Session, user: UserLike, answer_id: int) -> Answer | None:
    """One answer of a candidate in an interview the user may see."""
    return session.scalar(
        select(Answer)
        .join(Candidate, Candidate.id == Answer.candidate_id)
        .join(Interview, Interview.id == Candidate.interview_id)
        .where(Answer.id == answer_id, interview_visible(user))
    )


def manageable_interview(session: Session, user: UserLike, interview_id: int) -> Interview:
    """The interview for a manager's action: 404 if unseen, 403 if the role may not manage."""
    found = visible_interview(session, user, interview_id)
    if found is None:
        abort(404)
    if not can_manage(user):
        abort(403)
    return found


# Reviewers see only shared interviews, a rule older routes (scoped by organisation
# alone) don't know: for a reviewer, every request's path arguments are checked here,
# whatever the blueprint. Managers' routes scope by organisation themselves (the tenancy
# test walks them all), so they pay no extra query.
def guard_view_args() -> None:
    """Before a reviewer's request: 404 if its interview, candidate, answer or question
    is not in an interview shared with them."""
    from flask import request

    from ivr.services import db

    args = request.view_args or {}
    if request.blueprint == "ivr" or not args or not current_user.is_authenticated:
        return None
    if current_user.role in MANAGERS:
        return None
    session = db()
    checks = (
        ("interview_id", lambda i: can_see_interview(session, current_user, i)),
        (
            "candidate_id",
            lambda i: (
                session.scalar(
                    select(Candidate.id)
                    .join(Interview, Interview.id == Candidate.interview_id)
                    .where(Candidate.id == i, interview_visible(current_user))
                )
                is not None
            ),
        ),
        ("answer_id", lambda i: visible_answer(session, current_user, i) is not None),
        (
            "question_id",
            lambda i: (
                session.scalar(
                    select(Question.id)
                    .join(Interview, Interview.id == Question.interview_id)
                    .where(Question.id == i, interview_visible(current_user))
                )
                is not None
            ),
        ),
    )
    for name, visible in checks:
        value = args.get(name)
        if isinstance(value, int) and not visible(value):
            abort(404)
    return None
