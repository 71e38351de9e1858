"""The one place that answers "may this user see or manage this row".

Every dashboard request passes `require_login` (registered once, in the app factory)
unless its view is marked `@public`. Routes then reach rows only through this module:

    interview = get_visible(db(), current_user, Interview, interview_id)        # 404
    candidate = get_visible(db(), current_user, Candidate, id, manage=True)     # 404/403
    stmt = select_visible(current_user, Answer).where(...)                      # lists
    stmt = select(Candidate.id).join(Interview, ...).where(interview_visible(user))

The rules, in one place:
- a row belongs to an organisation through its interview (questions, candidates and
  answers) or directly (users, invitations, share links, message templates, audit
  entries: the audit page is for admins only);
- admins and recruiters ("managers") see every interview of their organisation;
  reviewers see only the interviews shared with them (InterviewReviewer rows);
- a candidate's PIN (the credential to call in as them) is for managers only
  (`can_see_pin`): a reviewer sees the candidate's phone, never their PIN;
- a row the user may not see is "not found" (404), never "forbidden", so nobody learns
  that another organisation's row exists; a row the user may see but whose action
  needs a manager is 403;
- an erased candidate (erasure requested: pending or done) can be viewed as erased but
  not changed, exported or shared, nor can their answers: `get_visible(...,
  change=True)`, `require_not_erased` and `split_erased` raise or set aside
  CandidateErased, which every front door answers (the dashboard: a flash and the
  candidate's page; the API: 409 `candidate-erased`; the command line: its error).
  The erasure itself (voice/erasure.py) is not a change refused here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Protocol, TypeVar

from flask import abort, current_app, request
from flask_login import current_user
from sqlalchemy import ColumnElement, Select, and_, exists, func, select, true
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.interfaces import ORMOption

from ivr.services import db
from voice.models import (
    MAX_ROW_ID,
    Answer,
    ApiKey,
    AuditEvent,
    Candidate,
    CandidateStatus,
    Interview,
    InterviewReviewer,
    Invitation,
    MessageTemplate,
    Question,
    Role,
    ShareLink,
    User,
    WebhookDelivery,
    WebhookEndpoint,
)

MANAGERS = (Role.ADMIN, Role.RECRUITER)  # may build interviews and manage candidates
ERASED_MESSAGE = "This candidate's data is erased; nothing was changed."

Row = TypeVar("Row")


class UserLike(Protocol):
    """What the rules read of a signed-in user (dashboard.auth.Reviewer has it)."""

    id: int
    organization_id: int
    role: str


# ---------------------------------------------------------------- roles


def is_admin(user: UserLike) -> bool:
    """Return True for an admin of the organisation."""
    return getattr(user, "role", None) == Role.ADMIN


def can_manage(user: UserLike) -> bool:
    """Return True for admins and recruiters, who manage interviews and candidates."""
    return getattr(user, "role", None) in MANAGERS


def can_see_pin(user: UserLike) -> bool:
    """Return True for admins and recruiters, who may see a candidate's PIN.

    A PIN lets a caller take the interview as that candidate; the managers add
    candidates and give them their PIN. A reviewer scores answers and has no use for
    it, so no reviewer's page shows one (a shared link's page never does either).
    """
    return can_manage(user)


def can_decide(user: UserLike) -> bool:
    """Return True for admins and recruiters, who decide on candidates (advance, hold,
    reject) and so are the ones a candidate waiting for a decision waits on."""
    return can_manage(user)


def can_see_texts(user: UserLike) -> bool:
    """Return True for those who may read the texts sent to a candidate.

    An invitation text carries the candidate's PIN (voice/messages.py), so the texts are
    for those who may see the PIN (`can_see_pin`); a reviewer sees whether and when the
    candidate was invited, not what the text said.
    """
    return can_see_pin(user)


# The URL arguments that name a row, and the row's model: a view refused by role first
# checks that the user may see the row, so one they may not see is 404, as get_visible
# answers, and never a 403 that tells it exists. The admin pages' rows (teammates,
# invitations, API keys, webhooks) and share links are the organisation's own: another
# organisation's, or a missing one, is 404 for a recruiter or reviewer too.
_URL_ROWS: dict[str, type] = {
    "interview_id": Interview,
    "candidate_id": Candidate,
    "answer_id": Answer,
    "question_id": Question,
    "user_id": User,
    "invitation_id": Invitation,
    "key_id": ApiKey,
    "endpoint_id": WebhookEndpoint,
    "delivery_id": WebhookDelivery,
    "link_id": ShareLink,
}


def _refuse_role(kwargs: dict[str, Any]) -> None:
    """Abort for a signed-in user whose role the view refuses: 404 if the URL names a row
    (see _URL_ROWS) they may not see, else 403."""
    for name, model in _URL_ROWS.items():
        if name in kwargs:
            get_visible(db(), current_user, model, kwargs[name], options=())
    abort(403)


def require_role(*roles: str) -> Callable:
    """Decorate a view: signed-in users of another role get 403 Forbidden, or 404 Not
    Found when the URL names a row they may not see (an interview, candidate, answer,
    question, teammate, invitation, API key, webhook endpoint or delivery, share link).

    Anyone not signed in is sent to the sign-in page (Flask-Login's unauthorized()).
    """

    def decorator(view: Callable) -> Callable:
        """Wrap `view` with the role check."""

        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            """Run the view for a signed-in user of an allowed role."""
            if not current_user.is_authenticated:
                from dashboard.auth import login_manager

                return login_manager.unauthorized()
            if current_user.role not in roles:
                _refuse_role(kwargs)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def require_manager(view: Callable) -> Callable:
    """Decorate a view for admins and recruiters only (403 for reviewers; 404 when the
    URL names a row the reviewer may not see)."""
    return require_role(*MANAGERS)(view)


# ---------------------------------------------------------------- the login guard


def public(view: Callable) -> Callable:
    """Mark a view as open to visitors who are not signed in (sign-in, share links)."""
    view.public = True  # type: ignore[attr-defined]
    return view


def media(view: Callable) -> Callable:
    """Mark a view as serving media (audio, waveforms): a visitor not signed in gets a
    bare 401 there instead of a redirect to the sign-in page."""
    view.media = True  # type: ignore[attr-defined]
    return view


def is_media_request() -> bool:
    """Return True while serving a view marked `@media`."""
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "media", False))


def require_login() -> Any:
    """Before every request: send anyone not signed in to the sign-in page.

    Registered once, by the app factory (dashboard/app.py). Lets through static files,
    the blueprints named public there (the IVR, which Twilio signs instead) and views
    marked `@public`.
    Returns None to go on, or Flask-Login's unauthorized() response.
    """
    # The public blueprints first: a webhook then never loads a user from the session.
    if request.blueprint in current_app.extensions.get("screenline.public_blueprints", ()):
        return None
    if current_user.is_authenticated or request.endpoint in (None, "static"):
        return None
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "public", False):
        return None
    from dashboard.auth import login_manager

    return login_manager.unauthorized()


# ---------------------------------------------------------------- scoping rows


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


# Rows reached through their interview: the joins from the row to Interview.
_THROUGH_INTERVIEW: dict[type, tuple] = {
    Interview: (),
    Question: ((Interview, Interview.id == Question.interview_id),),
    Candidate: ((Interview, Interview.id == Candidate.interview_id),),
    Answer: (
        (Candidate, Candidate.id == Answer.candidate_id),
        (Interview, Interview.id == Candidate.interview_id),
    ),
}
# Rows owned by the organisation directly.
_OWNED_BY_ORG = (User, Invitation, ShareLink, MessageTemplate, AuditEvent, ApiKey, WebhookEndpoint)
# Rows owned through a row the organisation owns: (that owner model, the join condition).
_THROUGH_OWNER: dict[type, tuple] = {
    WebhookDelivery: (WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id),
}

# What a detail page needs loaded with the row (a fixed number of queries per page).
_DEFAULT_LOADS: dict[type, tuple] = {
    Interview: (selectinload(Interview.questions),),
    Candidate: (
        joinedload(Candidate.interview).selectinload(Interview.questions),
        selectinload(Candidate.answers),
    ),
    Question: (joinedload(Question.interview),),
}


def _joined(model: type) -> Select:
    if model in _THROUGH_OWNER:
        return select(model).join(*_THROUGH_OWNER[model])
    if model not in _THROUGH_INTERVIEW and model not in _OWNED_BY_ORG:
        raise TypeError(f"no access rule for {model.__name__}")
    stmt = select(model)
    for target, on in _THROUGH_INTERVIEW.get(model, ()):
        stmt = stmt.join(target, on)
    return stmt


def select_visible(user: UserLike, model: type) -> Select:
    """SELECT `model` rows the user may see (Interview, Question, Candidate, Answer,
    User, Invitation, ShareLink, MessageTemplate, AuditEvent, ApiKey, WebhookEndpoint or
    WebhookDelivery); add filters and order.

    Raises TypeError for a model without an access rule (a programming error).
    """
    stmt = _joined(model)
    if model in _THROUGH_OWNER:
        owner = _THROUGH_OWNER[model][0]
        return stmt.where(owner.organization_id == user.organization_id)
    if model in _OWNED_BY_ORG:
        return stmt.where(model.organization_id == user.organization_id)
    return stmt.where(interview_visible(user))


def select_in_organization(organization_id: int, model: type) -> Select:
    """SELECT `model` rows of one organisation, whoever asks (for share links' visitors)."""
    stmt = _joined(model)
    if model in _THROUGH_OWNER:
        return stmt.where(_THROUGH_OWNER[model][0].organization_id == organization_id)
    if model in _OWNED_BY_ORG:
        return stmt.where(model.organization_id == organization_id)
    return stmt.where(Interview.organization_id == organization_id)


def get_visible(
    session: Session,
    user: UserLike,
    model: type[Row],
    ident: Any,
    manage: bool = False,
    options: Iterable[ORMOption] | None = None,
    change: bool = False,
) -> Row:
    """Return the `model` row with id `ident` if `user` may see it, else abort.

    Takes the request's session, the signed-in user, a model class (see
    `select_visible`), the row's id, and `manage=True` when the action changes the
    interview or its candidates. `options` replace the default loader options (an
    interview's questions; a candidate's interview, questions and answers). `change=True`
    (a Candidate or an Answer) when the action changes, exports or shares the candidate
    or the answer: an erased candidate's row is refused then.

    Aborts 404 if the row does not exist or the user may not see it (another
    organisation's row, or an interview not shared with this reviewer): its existence
    is never revealed. Aborts 403 if `manage` is set and the user is not a manager.
    Raises CandidateErased, after those, if `change` is set and the candidate is erased.
    """
    if isinstance(ident, bool) or not isinstance(ident, int) or not 0 < ident <= MAX_ROW_ID:
        abort(404)
    stmt = select_visible(user, model).where(model.id == ident)
    loads = _DEFAULT_LOADS.get(model, ()) if options is None else tuple(options)
    found = session.scalar(stmt.options(*loads))
    if found is None:
        abort(404)
    if manage and not can_manage(user):
        abort(403)
    if change:
        require_not_erased(found)
    return found


def find_in_organization(
    session: Session,
    organization_id: int,
    model: type[Row],
    ident: Any,
    options: Iterable[ORMOption] | None = None,
) -> Row | None:
    """Return the `model` row with id `ident` of one organisation, or None.

    For pages whose visitor is not a user (a share link names its organisation).
    """
    if isinstance(ident, bool) or not isinstance(ident, int):
        return None
    loads = _DEFAULT_LOADS.get(model, ()) if options is None else tuple(options)
    stmt = select_in_organization(organization_id, model).where(model.id == ident)
    return session.scalar(stmt.options(*loads))


# ---------------------------------------------------------------- erased candidates


class CandidateErased(Exception):
    """A change, export or share of a candidate whose erasure was requested (pending or
    done), or of one of their answers: refused, with nothing written.

    `candidate_id` is the candidate's id; str(exc) is ERASED_MESSAGE. Raised by
    `get_visible(..., change=True)` and `require_not_erased`; the app factory answers it
    (a flash and a redirect on the dashboard, 409 problem details on the API) and so does
    the command line's group (its error, JSON on stderr with --json, exit status 1).
    """

    def __init__(self, candidate_id: int):
        self.candidate_id = candidate_id
        super().__init__(ERASED_MESSAGE)


def is_erased(candidate: Candidate) -> bool:
    """Return True once the candidate's erasure (or purge) was requested, done or not."""
    return candidate.erasure_requested_at is not None


def candidate_not_erased() -> ColumnElement[bool]:
    """A WHERE clause on Candidate: no erasure requested (for exports of many)."""
    return Candidate.erasure_requested_at.is_(None)


def require_not_erased(row: Row) -> Row:
    """Return `row` (a Candidate, or an Answer) unless its candidate is erased.

    Raises CandidateErased if it is; TypeError for any other model (a programming error).
    """
    if isinstance(row, Candidate):
        candidate = row
    elif isinstance(row, Answer):
        candidate = row.candidate
    else:
        raise TypeError(f"no erasure rule for {type(row).__name__}")
    if is_erased(candidate):
        raise CandidateErased(candidate.id)
    return row


def split_erased(candidates: Iterable[Candidate]) -> tuple[list[Candidate], list[Candidate]]:
    """The candidates a bulk action may change, and those it must skip as erased (both
    in the order given)."""
    kept: list[Candidate] = []
    erased: list[Candidate] = []
    for candidate in candidates:
        (erased if is_erased(candidate) else kept).append(candidate)
    return kept, erased


def erased_skipped(count: int) -> str:
    """What a bulk action says of the erased candidates it skipped ("1 selected
    candidate is erased: nothing of theirs was changed.")."""
    who = "1 selected candidate is" if count == 1 else f"{count} selected candidates are"
    return f"{who} erased: nothing of theirs was changed."


# ---------------------------------------------------------------- the interviews list


@dataclass(frozen=True)
class InterviewRow:
    """One line of the interviews list: the interview and its counts (ints)."""

    interview: Interview
    questions: int
    candidates: int
    completed: int
    in_progress: int


def interview_rows(session: Session, user: UserLike) -> list[InterviewRow]:
    """The interviews `user` may see, newest first, with counts: one query."""
    return _interview_rows(session, interview_visible(user))


def organization_interview_rows(
    session: Session, organization_id: int | None = None
) -> list[InterviewRow]:
    """An organisation's interviews (every organisation's with None), newest first, with
    counts: one query. For the command line, which acts for no user and sees every row."""
    where = true() if organization_id is None else Interview.organization_id == organization_id
    return _interview_rows(session, where)


def _interview_rows(session: Session, where: ColumnElement[bool]) -> list[InterviewRow]:
    questions = (
        select(func.count(Question.id))
        .where(Question.interview_id == Interview.id)
        .correlate(Interview)
        .scalar_subquery()
    )
    people = (
        select(
            Candidate.interview_id.label("interview_id"),
            func.count(Candidate.id).label("total"),
            func.count(Candidate.id)
            .filter(Candidate.status == CandidateStatus.COMPLETED)
            .label("completed"),
            func.count(Candidate.id)
            .filter(Candidate.status == CandidateStatus.IN_PROGRESS)
            .label("in_progress"),
        )
        .group_by(Candidate.interview_id)
        .subquery()
    )
    stmt = (
        select(
            Interview,
            questions,
            func.coalesce(people.c.total, 0),
            func.coalesce(people.c.completed, 0),
            func.coalesce(people.c.in_progress, 0),
        )
        .outerjoin(people, people.c.interview_id == Interview.id)
        .where(where)
        .order_by(Interview.created_at.desc(), Interview.id.desc())
    )
    return [InterviewRow(*row) for row in session.execute(stmt)]
