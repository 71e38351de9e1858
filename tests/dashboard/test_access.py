"""The access layer: one login guard, and get_visible's 404/403 for every kind of row."""

from __future__ import annotations

import pytest
from flask_login import current_user
from werkzeug.exceptions import Forbidden, NotFound

from dashboard.access import get_visible, require_login, select_visible
from dashboard.auth import Reviewer
from ivr.services import db as request_db
from tests.factories import make_user
from voice.models import Answer, Candidate, Interview, InterviewReviewer, Question, Role, User


@pytest.fixture
def reviewer(world, db) -> Reviewer:
    """A reviewer of the first organisation, with no interview shared yet."""
    user = make_user(db, world.user.organization, email="rev@acme.test", role=Role.REVIEWER)
    db.commit()
    return Reviewer.from_user(user)


def rows_of(world):
    """(model, id) of one row of each kind in the first organisation."""
    return [
        (Interview, world.interview.id),
        (Question, world.interview.questions[0].id),
        (Candidate, world.candidate.id),
        (Answer, world.transcribed.id),
    ]


def test_a_manager_gets_every_row_of_their_organisation(world, db):
    """get_visible returns the row for a manager of its organisation."""
    manager = Reviewer.from_user(world.user)
    for model, ident in rows_of(world):
        found = get_visible(db, manager, model, ident, manage=True)
        assert (type(found), found.id) == (model, ident)


def test_another_organisation_gets_404_never_403(world, db):
    """A row of another organisation is not found, even when asked to manage it."""
    stranger = Reviewer.from_user(world.stranger)
    for model, ident in rows_of(world):
        for manage in (False, True):
            with pytest.raises(NotFound):
                get_visible(db, stranger, model, ident, manage=manage)


def test_a_reviewer_sees_only_shared_interviews(world, db, reviewer):
    """Unshared: 404; shared: the row to read, and 403 when asked to manage it."""
    for model, ident in rows_of(world):
        with pytest.raises(NotFound):
            get_visible(db, reviewer, model, ident)
    db.add(InterviewReviewer(interview_id=world.interview.id, user_id=reviewer.id))
    db.commit()
    for model, ident in rows_of(world):
        assert get_visible(db, reviewer, model, ident).id == ident
        with pytest.raises(Forbidden):
            get_visible(db, reviewer, model, ident, manage=True)


def test_missing_rows_and_odd_ids_are_404(world, db):
    """An id that names nothing, is not an int, or no INTEGER column can hold, is 404."""
    manager = Reviewer.from_user(world.user)
    for ident in (10**9, 2**31, 2**63, 10**30, 0, -1, "1", None, True):
        with pytest.raises(NotFound):
            get_visible(db, manager, Candidate, ident)


def test_teammates_are_scoped_to_the_organisation(world, db):
    """select_visible(User) lists only the user's own organisation."""
    emails = {u.email for u in db.scalars(select_visible(Reviewer.from_user(world.user), User))}
    assert world.user.email in emails
    assert world.stranger.email not in emails


def test_a_model_without_a_rule_is_refused(world, db):
    """Asking for a model the access layer has no rule for is a programming error."""
    from voice.models import Organization

    with pytest.raises(TypeError):
        select_visible(Reviewer.from_user(world.user), Organization)


def test_a_new_route_is_guarded_whatever_its_argument_is_called(world, app, client, auth):
    """A route added with a parameter named `id` needs sign-in and scopes its row."""

    @app.get("/probe/<int:id>")
    def probe(id: int):
        return get_visible(request_db(), current_user, Candidate, id).name

    assert client.get(f"/probe/{world.candidate.id}").status_code == 302  # to sign in
    auth.login(world.stranger.email)
    assert client.get(f"/probe/{world.candidate.id}").status_code == 404
    auth.logout()
    auth.login(world.user.email)
    assert client.get(f"/probe/{world.candidate.id}").get_data(as_text=True) == "Dana Diaz"


def test_the_login_guard_is_the_only_app_wide_before_request_hook(app):
    """The app-wide request hooks are the ones the factory registers, none returning early.

    Besides CSRF and sign-in: the webhooks' body limit (it only sets the request's limit),
    the call SID bound for logs and the webhook clock for metrics (both only note things)
    and Flask-Limiter's hook, app-wide by design but skipping every request outside the
    API's resource blueprints (its request filter, dashboard/api/limits.py).
    """
    hooks = [f.__qualname__ for f in app.before_request_funcs.get(None, [])]
    assert hooks == [
        "register_config.<locals>.limit_webhook_body",
        "register_logging.<locals>.bind_call_sid",
        "CSRFProtect.init_app.<locals>.csrf_protect",
        require_login.__qualname__,
        "register_metrics.<locals>.start_clock",
        "Limiter._check_request_limit",
    ]
    blueprint_hooks = {name: funcs for name, funcs in app.before_request_funcs.items() if name}
    api = {name for name in blueprint_hooks if name.startswith("api_")}
    assert api, "the API's blueprints authenticate in their own hooks"
    assert set(blueprint_hooks) - api <= {"ivr"}
    for name in api:  # every API blueprint checks the key before anything else
        assert blueprint_hooks[name][0].__qualname__ == "authenticate"
