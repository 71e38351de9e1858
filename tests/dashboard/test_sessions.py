"""Sessions that end: sign-out, password, role and team changes end every copy of a session."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient

from config.settings import ConfigError, load_settings
from dashboard.auth import NEEDS_CURRENT_PASSWORD, SEEN_KEY, WRONG_CURRENT_PASSWORD
from ivr.lockout import SIGN_INS
from tests.dashboard.conftest import AuthActions, flashes
from tests.dashboard.html import parse
from tests.factories import PASSWORD, make_user
from voice.accounts import password_problem
from voice.models import Role, User
from voice.passwords import check_password

NEW_PASSWORD = "a brand new passphrase"


def token(client: FlaskClient, url: str = "/") -> str:
    """The CSRF token of a page this client can see."""
    return parse(client.get(url).data).find("input", name="csrf_token").attrs["value"]


def copy_of(app, client: FlaskClient) -> FlaskClient:
    """A second browser holding a copy of `client`'s session cookie."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value, domain="localhost")
    return other


def goes_to_login(response) -> bool:
    """True when the response sends the browser to the sign-in form."""
    return response.status_code == 302 and urlsplit(response.location).path == "/login"


@pytest.fixture
def copied(app, signed_in, client) -> FlaskClient:
    """A copy of the signed-in manager's session cookie, working before anything ends it."""
    other = copy_of(app, client)
    assert other.get("/").status_code == 200
    return other


def sign_in_as(app, email: str) -> FlaskClient:
    """A separate browser signed in as `email`."""
    other = app.test_client()
    assert AuthActions(other).login(email=email).status_code == 302
    return other


def test_a_copied_cookie_is_signed_out_by_logout(signed_in, auth, copied):
    """After POST /logout, a copy of the session cookie gets the sign-in page, not a 200 on /."""
    assert goes_to_login(auth.logout())
    assert goes_to_login(copied.get("/"))


def test_logout_ends_the_users_other_sessions(app, signed_in, auth):
    """Signing out in one browser signs the same user out in another one too."""
    elsewhere = sign_in_as(app, "manager@acme.test")
    auth.logout()
    assert goes_to_login(elsewhere.get("/"))


def test_a_password_change_ends_other_sessions_and_keeps_this_one(signed_in, db, client, copied):
    """Changing one's password signs out every other session; this one stays signed in."""
    data = {
        "csrf_token": token(client, "/account/password"),
        "current": PASSWORD,
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    }
    response = client.post("/account/password", data=data)
    assert response.status_code == 302
    assert goes_to_login(copied.get("/"))
    page = parse(client.get("/").data)
    assert page.one("h1").text() == "Interviews"
    assert "Your password is changed. Your other sessions are signed out." in flashes(page)
    db.refresh(signed_in.user)
    assert check_password(signed_in.user.password_hash, NEW_PASSWORD)


@pytest.mark.parametrize(
    ("field", "values", "error"),
    [
        ("current", {"current": "not my password"}, "That is not your current password."),
        ("password", {"password": "short", "confirm": "short"}, "at least 10 characters"),
        ("confirm", {"confirm": "something else entirely"}, "The two passwords don't match."),
    ],
)
def test_a_refused_password_change_ends_nothing(
    signed_in, db, client, copied, field, values, error
):
    """A wrong current password, a weak one or a mismatch is explained (422); nothing changes."""
    data = {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD} | values
    data["csrf_token"] = token(client, "/account/password")
    response = client.post("/account/password", data=data)
    assert response.status_code == 422
    assert error in parse(response.data).one("p", id=f"{field}-error").text()
    assert copied.get("/").status_code == 200
    db.refresh(signed_in.user)
    assert check_password(signed_in.user.password_hash, PASSWORD)


def test_an_empty_password_form_says_what_each_box_needs(signed_in, db, client, copied):
    """All three boxes empty: the current password is asked for and the new one's rule is
    given, each by its box (422); nothing changes and no box is refilled."""
    data = {"csrf_token": token(client, "/account/password")}
    data |= {"current": "", "password": "", "confirm": ""}
    response = client.post("/account/password", data=data)
    assert response.status_code == 422
    page = parse(response.data)
    assert page.one("p", id="current-error").text() == NEEDS_CURRENT_PASSWORD
    assert page.one("p", id="password-error").text() == password_problem("")
    assert "at least 10 characters" in page.one("p", id="password-error").text()
    assert page.find("p", id="confirm-error") is None
    boxes = {box: page.one("input", name=box).attrs for box in ("current", "password", "confirm")}
    assert [attrs.get("value", "") for attrs in boxes.values()] == ["", "", ""]
    assert [attrs.get("aria-invalid") for attrs in boxes.values()] == ["true", "true", None]
    assert copied.get("/").status_code == 200
    db.refresh(signed_in.user)
    assert check_password(signed_in.user.password_hash, PASSWORD)


def test_an_empty_current_password_is_not_counted_as_a_guess(signed_in, db, client):
    """Leaving the current password out, more times than sign-ins are let fail, never
    makes the owner wait (it guesses nothing); the change then goes through."""
    data = {"current": "", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    data["csrf_token"] = token(client, "/account/password")
    for _ in range(SIGN_INS.free + 2):
        response = client.post("/account/password", data=data)
        assert response.status_code == 422
        page = parse(response.data)
        assert page.one("p", id="current-error").text() == NEEDS_CURRENT_PASSWORD
        assert page.find("p", id="password-error") is None
    changed = client.post("/account/password", data=data | {"current": PASSWORD})
    assert changed.status_code == 302
    db.refresh(signed_in.user)
    assert check_password(signed_in.user.password_hash, NEW_PASSWORD)


def test_a_wrong_current_password_and_a_weak_new_one_are_both_named(signed_in, db, client):
    """One refusal names every box to put right: the wrong current password and the new
    one's rule, each by its box."""
    data = {"current": "not my password", "password": "short", "confirm": "short"}
    data["csrf_token"] = token(client, "/account/password")
    response = client.post("/account/password", data=data)
    assert response.status_code == 422
    page = parse(response.data)
    assert page.one("p", id="current-error").text() == WRONG_CURRENT_PASSWORD
    assert page.one("p", id="password-error").text() == password_problem("short")
    db.refresh(signed_in.user)
    assert check_password(signed_in.user.password_hash, PASSWORD)


def test_guessing_the_current_password_waits_like_signing_in(signed_in, db, client):
    """Wrong current passwords on the password page make this address wait (429), then refuse."""
    data = {"current": "not my password", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    data["csrf_token"] = token(client, "/account/password")
    for _ in range(SIGN_INS.free):
        assert client.post("/account/password", data=data).status_code == 422
    waiting = client.post("/account/password", data=data | {"current": PASSWORD})
    assert waiting.status_code == 429
    assert "Try again in 1 s" in parse(waiting.data).one("p", id="current-error").text()
    db.refresh(signed_in.user)
    assert check_password(signed_in.user.password_hash, PASSWORD)


def test_the_password_page_needs_a_signed_in_user(world, client):
    """Signed out, the password page sends the visitor to sign in."""
    assert goes_to_login(client.get("/account/password"))


def test_a_role_change_ends_the_teammates_sessions(app, signed_in, db, client):
    """An admin changing a teammate's role signs that teammate out everywhere."""
    mate = make_user(db, signed_in.user.organization, email="mate@acme.test", role=Role.RECRUITER)
    db.commit()
    mates_browser = sign_in_as(app, "mate@acme.test")
    data = {"csrf_token": token(client, "/team"), "role": Role.REVIEWER}
    assert client.post(f"/team/users/{mate.id}/role", data=data).status_code == 302
    assert goes_to_login(mates_browser.get("/"))
    assert client.get("/team").status_code == 200  # the admin who changed it stays in


def test_an_admin_changing_their_own_role_stays_signed_in_with_it(signed_in, db, client, copied):
    """An admin who makes themself a recruiter keeps this session, at the new role, only."""
    make_user(db, signed_in.user.organization, email="other-admin@acme.test")
    db.commit()
    data = {"csrf_token": token(client, "/team"), "role": Role.RECRUITER}
    assert client.post(f"/team/users/{signed_in.user.id}/role", data=data).status_code == 302
    assert client.get("/").status_code == 200
    assert client.get("/team").status_code == 403
    assert goes_to_login(copied.get("/"))


def test_removal_from_the_team_ends_the_teammates_sessions(app, signed_in, db, client):
    """Deactivating a teammate signs them out at once, and reactivating does not revive it."""
    mate = make_user(db, signed_in.user.organization, email="mate@acme.test", role=Role.RECRUITER)
    db.commit()
    mates_browser = sign_in_as(app, "mate@acme.test")
    team_token = token(client, "/team")
    client.post(f"/team/users/{mate.id}/active", data={"csrf_token": team_token, "active": "0"})
    client.post(f"/team/users/{mate.id}/active", data={"csrf_token": team_token, "active": "1"})
    db.expire_all()
    assert db.get(User, mate.id).is_active
    assert goes_to_login(mates_browser.get("/"))


def test_an_idle_session_must_sign_in_again(app, signed_in, client):
    """A session unused for longer than the idle timeout is sent to sign in, and stays out."""
    idle = app.config["SESSION_IDLE_SECONDS"]
    with client.session_transaction() as session:
        session[SEEN_KEY] = int(time.time()) - idle - 5
    response = client.get("/")
    assert goes_to_login(response)
    page = parse(client.get(response.location).data)
    assert "You were signed out after 2 hours without activity. Please sign in again." in flashes(
        page
    )
    assert goes_to_login(client.get("/"))


def test_a_session_used_within_the_idle_timeout_continues(app, signed_in, client):
    """A request just inside the idle timeout is served and renews the last-seen stamp."""
    idle = app.config["SESSION_IDLE_SECONDS"]
    with client.session_transaction() as session:
        session[SEEN_KEY] = int(time.time()) - idle + 60
    assert client.get("/").status_code == 200
    with client.session_transaction() as session:
        assert session[SEEN_KEY] >= int(time.time()) - 5


def test_a_forged_or_old_style_session_id_is_signed_out(world, client):
    """A session whose user id lacks the version (or is junk) counts as signed out."""
    ids = (
        str(world.user.id),
        f"{world.user.id}:x",
        "junk",
        f"{world.user.id}:0:0",
        "9" * 30 + ":0",
    )
    for user_id in ids:
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True
            session[SEEN_KEY] = int(time.time())
        assert goes_to_login(client.get("/"))


def test_session_cookie_is_httponly_lax_and_secure_in_production(settings):
    """The session cookie is HttpOnly and SameSite=Lax, and Secure only in production."""
    from dashboard.app import create_app

    production = settings.replace(
        env="production", secret_key="x" * 40, public_url="https://calls.example.com"
    )
    for config, secure in ((settings, False), (production, True)):
        app = create_app(config)
        assert app.config["SESSION_COOKIE_HTTPONLY"] is True
        assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
        assert app.config["SESSION_COOKIE_SECURE"] is secure


def test_the_sign_in_cookie_carries_the_flags(world, auth, client):
    """The Set-Cookie header of a sign-in says HttpOnly and SameSite=Lax."""
    response = auth.login()
    cookie = next(
        value for value in response.headers.getlist("Set-Cookie") if value.startswith("session=")
    )
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize(("raw", "minutes"), [("", 120), ("30", 30)])
def test_idle_timeout_setting(raw, minutes):
    """SCREENLINE_SESSION_IDLE_MINUTES sets the idle timeout; two hours by default."""
    env = {"SCREENLINE_SESSION_IDLE_MINUTES": raw}
    assert load_settings(env, dotenv=False).session_idle_minutes == minutes


@pytest.mark.parametrize("raw", ["0", "two hours"])
def test_idle_timeout_setting_refuses_nonsense(raw):
    """An idle timeout under a minute, or not a number, stops start-up with its name."""
    with pytest.raises(ConfigError, match="SCREENLINE_SESSION_IDLE_MINUTES"):
        load_settings({"SCREENLINE_SESSION_IDLE_MINUTES": raw}, dotenv=False)
