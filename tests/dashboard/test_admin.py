"""The team page: roles, deactivation, and invitations by link or set-up code."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from dashboard.admin import normalise_code
from tests.dashboard.conftest import flashes
from tests.dashboard.html import parse
from tests.factories import make_user
from voice.models import Invitation, Role, User


def token(client, url: str) -> str:
    return parse(client.get(url).data).find("input", name="csrf_token").attrs["value"]


def invite(client, email="new@acme.test", role=Role.RECRUITER) -> tuple[str, str]:
    """Create an invitation; return the link path and set-up code shown once."""
    client.post(
        "/team/invitations",
        data={"csrf_token": token(client, "/team"), "email": email, "role": role},
    )
    page = parse(client.get("/team").data)
    link = page.one("input", id="invite-link").attrs["value"]
    code = page.one("strong", id="invite-code").text()
    return link.removeprefix("http://localhost"), code


def accept(client, path, password="a long enough password", confirm=None):  # noqa: S107
    page = parse(client.get(path).data)
    data = {
        "csrf_token": page.find("input", name="csrf_token").attrs["value"],
        "name": "New Person",
        "password": password,
        "confirm": confirm or password,
    }
    return client.post(path, data=data)


def test_invitation_link_creates_the_user_once(signed_in, db, client, auth):
    """An invitation shows a link once, stores only a hash, and works exactly once."""
    path, code = invite(client)
    stored = db.scalar(select(Invitation))
    assert stored.token_hash == hashlib.sha256(normalise_code(code).encode()).hexdigest()
    assert normalise_code(code) not in stored.token_hash
    assert parse(client.get("/team").data).find("input", id="invite-link") is None  # once
    auth.logout()
    response = accept(client, path)
    assert response.status_code == 302
    user = db.scalar(select(User).where(User.email == "new@acme.test"))
    assert (user.role, user.organization_id, user.name) == (
        Role.RECRUITER,
        signed_in.user.organization_id,
        "New Person",
    )
    assert client.get("/").status_code == 200  # signed in as the new user
    auth.logout()
    assert client.get(path).status_code == 404  # single use


def test_setup_code_leads_to_the_same_form(signed_in, client, auth):
    """Typing the set-up code (any case, with or without dashes) opens the accept form."""
    path, code = invite(client)
    auth.logout()
    data = {"csrf_token": token(client, "/join"), "code": code.lower()}
    response = client.post("/join", data=data)
    assert response.headers["Location"] == path
    wrong = client.post("/join", data={"csrf_token": token(client, "/join"), "code": "NOPE"})
    assert wrong.status_code == 404


def test_expired_invitation_does_not_work(signed_in, db, client, auth):
    """An invitation past its expiry is refused."""
    path, _ = invite(client)
    stored = db.scalar(select(Invitation))
    stored.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    db.commit()
    auth.logout()
    assert client.get(path).status_code == 404


def test_accepting_needs_csrf_and_a_good_password(signed_in, db, client, auth):
    """The accept form checks its CSRF token and the password's length and match."""
    path, _ = invite(client)
    auth.logout()
    data = {"password": "a long enough password", "confirm": "a long enough password"}
    assert client.post(path, data=data).status_code == 400
    short = accept(client, path, password="short")
    assert short.status_code == 422
    assert parse(short.data).one("p", id="password-error").text().startswith("Choose")
    mismatch = accept(client, path, confirm="something else entirely")
    assert parse(mismatch.data).one("p", id="confirm-error").text() == (
        "The two passwords don't match."
    )
    assert db.scalar(select(User).where(User.email == "new@acme.test")) is None


def invite_flashes(client, email: str) -> tuple[int, list[str], str | None]:
    """Invite `email` as a reviewer from the Team page's form; return the status, the
    flashes on the page that follows and the link shown (None if none)."""
    form = parse(client.get("/team").data).one("form", action="/team/invitations")
    data = form.form_fields() | {"email": email, "role": Role.REVIEWER}
    response = client.post("/team/invitations", data=data)
    page = parse(client.get("/team").data if response.status_code == 302 else response.data)
    link = page.find("input", id="invite-link")
    return response.status_code, flashes(page), link.attrs["value"] if link else None


def test_inviting_a_teammate_again_says_they_are_on_the_team(signed_in, db, client):
    """A teammate's own address is refused, saying they are already on the team (the
    list above shows them anyway); the open invitations stay listed beside the form."""
    invite(client, email="pending@acme.test")
    form = parse(client.get("/team").data).one("form", action="/team/invitations")
    data = form.form_fields() | {"email": "Manager@Acme.test", "role": "admin"}
    response = client.post("/team/invitations", data=data)
    assert response.status_code == 422
    page = parse(response.data)
    assert page.one("p", id="email-error").text() == (
        "manager@acme.test is already on your team (see the list above)."
    )
    assert "pending@acme.test" in page.one("section", aria_labelledby="pending-heading").text()


def test_another_organisations_account_is_not_revealed_by_an_invitation(
    signed_in, db, client, auth
):
    """Inviting an address that has an account in another organisation reads exactly as
    inviting an unknown address (an invitation, its link); the link then answers as an
    expired one does, and the other organisation's account is untouched."""
    before = (signed_in.stranger.name, signed_in.stranger.password_hash)
    unknown = invite_flashes(client, "nobody@elsewhere.example")
    taken = invite_flashes(client, signed_in.stranger.email)
    assert (unknown[0], taken[0]) == (302, 302)
    assert [f.replace("nobody@elsewhere.example", "X") for f in unknown[1]] == [
        f.replace(signed_in.stranger.email, "X") for f in taken[1]
    ]
    assert "account" not in " ".join(taken[1]).lower()

    auth.logout()
    client.get("/login")  # shows "signed out" once
    path = taken[2].removeprefix("http://localhost")
    refused = client.get(path)
    stored = db.scalar(select(Invitation).where(Invitation.email == "nobody@elsewhere.example"))
    stored.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    db.commit()
    expired = client.get(unknown[2].removeprefix("http://localhost"))
    assert (refused.status_code, expired.status_code) == (404, 404)
    assert parse(refused.data).one("main").text() == parse(expired.data).one("main").text()
    password = "a long enough password"
    posted = {"csrf_token": token(client, "/join"), "name": "Someone", "password": password}
    assert client.post(path, data=posted | {"confirm": password}).status_code == 404
    data = {"csrf_token": token(client, "/join"), "code": path.rsplit("/", 1)[1]}
    assert client.post("/join", data=data).status_code == 404  # the set-up code too
    db.expire_all()
    stranger = db.get(User, signed_in.stranger.id)
    assert stranger.organization_id == signed_in.stranger_interview.organization_id
    assert (stranger.name, stranger.password_hash) == before


def test_admin_changes_roles_and_deactivates(signed_in, db, client, auth):
    """Admins change a teammate's role and deactivate them; deactivated users can't sign in."""
    mate = make_user(db, signed_in.user.organization, email="mate@acme.test", role=Role.REVIEWER)
    db.commit()
    client.post(
        f"/team/users/{mate.id}/role",
        data={"csrf_token": token(client, "/team"), "role": "recruiter"},
    )
    client.post(
        f"/team/users/{mate.id}/active", data={"csrf_token": token(client, "/team"), "active": "0"}
    )
    db.refresh(mate)
    assert (mate.role, mate.is_active) == (Role.RECRUITER, False)
    rows = parse(client.get("/team").data).one("table").one("tbody").find_all("tr")
    assert len(rows) == 2
    auth.logout()
    assert auth.login("mate@acme.test").status_code == 200  # the form again: refused


def test_the_last_admin_stays_an_admin(signed_in, db, client):
    """The only admin can't demote or deactivate themselves into an admin-less team."""
    me = signed_in.user
    client.post(
        f"/team/users/{me.id}/role", data={"csrf_token": token(client, "/team"), "role": "reviewer"}
    )
    db.refresh(me)
    assert me.role == Role.ADMIN


def test_team_is_for_admins_only(signed_in, db, client, auth):
    """Recruiters and reviewers get 403 from the team page and its actions."""
    make_user(db, signed_in.user.organization, email="rec@acme.test", role=Role.RECRUITER)
    db.commit()
    auth.logout()
    auth.login("rec@acme.test")
    assert client.get("/team").status_code == 403
    page = parse(client.get("/").data)
    assert page.find("a", href="/team") is None
    data = {"csrf_token": token(client, "/"), "email": "x@acme.test", "role": "admin"}
    assert client.post("/team/invitations", data=data).status_code == 403


def test_roles_of_another_organisation_are_not_reachable(signed_in, client):
    """An admin can't change a user of another organisation."""
    data = {"csrf_token": token(client, "/team"), "role": "reviewer"}
    assert client.post(f"/team/users/{signed_in.stranger.id}/role", data=data).status_code == 404
