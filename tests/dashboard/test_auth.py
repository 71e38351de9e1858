"""Signing in and out, CSRF, and what a signed-out visitor may reach."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from rq import Queue
from sqlalchemy import func, select

from dashboard.auth import safe_next
from tests.dashboard.conftest import flashes
from tests.dashboard.html import parse
from voice.models import AnswerStatus, Score


def test_login_page_has_labelled_fields_and_csrf_token(client):
    """The sign-in form labels both inputs and carries a CSRF token."""
    page = parse(client.get("/login").data)
    form = page.one("form", action="/login")
    assert form.attrs["method"] == "post"
    for name in ("email", "password"):
        field = form.one("input", name=name)
        assert page.one("label", for_=field.attrs["id"]).text()
    assert form.one("input", name="csrf_token").attrs["value"]
    assert page.one("a", cls="skip-link").attrs["href"] == "#main"


def test_login_success_redirects_to_interviews(signed_in, client):
    """A right email and password sign in and land on the interviews list."""
    response = client.get("/")
    assert response.status_code == 200
    page = parse(response.data)
    assert page.one("h1").text() == "Interviews"
    assert "Signed in as manager@acme.test." in flashes(page)


def test_login_email_is_case_insensitive(world, auth):
    """The email matches whatever its capitals."""
    assert auth.login(email="Manager@ACME.test").status_code == 302


@pytest.mark.parametrize(
    ("email", "password"),
    [("manager@acme.test", "wrong password"), ("nobody@acme.test", "correct horse")],
)
def test_login_failure_shows_one_message(world, auth, client, email, password):
    """A wrong password or unknown email re-shows the form with the same error."""
    response = auth.login(email=email, password=password)
    assert response.status_code == 200
    page = parse(response.data)
    assert page.one(role="alert").text() == "That email and password don't match an account."
    assert page.one("input", name="password").attrs.get("value", "") == ""
    assert client.get("/").status_code == 302


def test_repeated_failed_sign_ins_lock_the_email_for_a_while(world, auth):
    """Ten wrong passwords lock that email out (429), even for the right password."""
    for _ in range(10):
        assert auth.login(password="wrong password").status_code == 200
    locked = auth.login()
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in parse(locked.data).text()
    assert auth.login(email="someone-else@acme.test", password="x").status_code == 200


def test_inactive_user_cannot_sign_in(world, db, auth):
    """A deactivated account is refused like a wrong password."""
    world.user.is_active = False
    db.commit()
    assert auth.login().status_code == 200


def test_deactivated_user_is_signed_out(signed_in, db, client):
    """Deactivating an account ends its sessions at their next request."""
    signed_in.user.is_active = False
    db.commit()
    assert client.get("/").status_code == 302


def test_login_without_csrf_token_is_rejected(world, client):
    """A sign-in POST without the form's CSRF token is refused with 400."""
    response = client.post("/login", data={"email": "manager@acme.test", "password": "x"})
    assert response.status_code == 400
    assert parse(response.data).one("h1").text() == "This form has expired"


def test_logout_signs_out(signed_in, auth, client):
    """Signing out (a POST with CSRF token) ends the session."""
    response = auth.logout()
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/login"
    assert client.get("/").status_code == 302


def test_logout_needs_post_with_csrf(signed_in, client):
    """A GET or a token-less POST cannot sign a user out."""
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/", "/interviews/{interview}", "/candidates/{candidate}", "/interviews/{interview}?page=2"],
)
def test_pages_redirect_to_login_when_signed_out(world, client, path):
    """Every page sends a signed-out visitor to sign in, remembering where they were."""
    path = path.format(interview=world.interview.id, candidate=world.candidate.id)
    response = client.get(path)
    assert response.status_code == 302
    target = urlsplit(response.location)
    assert target.path == "/login"
    assert parse_qs(target.query)["next"] == [path]


def test_audio_is_401_when_signed_out(world, client):
    """Audio answers a signed-out request with 401, not a redirect to a page."""
    response = client.get(f"/audio/answers/{world.transcribed.id}.mp3")
    assert response.status_code == 401


@pytest.mark.parametrize(
    "path", ["/answers/{answer}/score", "/answers/{answer}/retry", "/candidates/{candidate}/score"]
)
def test_posts_redirect_to_login_when_signed_out(world, client, db, redis_conn, path):
    """A signed-out POST (even with a valid CSRF token) goes to sign in and changes nothing."""
    token = parse(client.get("/login").data).one("input", name="csrf_token").attrs["value"]
    path = path.format(answer=world.failed.id, candidate=world.candidate.id)
    response = client.post(path, data={"csrf_token": token, "answer-2-value": "5"})
    assert response.status_code == 302
    target = urlsplit(response.location)
    assert target.path == "/login"
    assert "next" not in parse_qs(target.query)
    assert db.scalar(select(func.count(Score.id))) == 0
    db.refresh(world.failed)
    assert world.failed.status == AnswerStatus.FAILED
    assert Queue("recordings", connection=redis_conn).count == 0


def test_login_returns_to_next(world, auth):
    """After signing in, the user lands on the page they asked for."""
    target = f"/candidates/{world.candidate.id}"
    response = auth.login(next=target)
    assert response.location == target


@pytest.mark.parametrize(
    "evil", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_login_ignores_next_to_another_site(world, auth, evil):
    """A `next` pointing off-site is ignored (no open redirect)."""
    response = auth.login(next=evil)
    assert response.location == "/"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/candidates/3", "/candidates/3"),
        ("/interviews/1?page=2", "/interviews/1?page=2"),
        ("/?", "/"),
        ("", None),
        (None, None),
        ("candidates/3", None),
        ("//evil.example", None),
        ("/\\evil.example", None),
        ("https://evil.example/x", None),
        ("http:/evil.example", None),
        ("/ok\r\nSet-Cookie: x", None),
    ],
)
def test_safe_next(target, expected):
    """Only same-site paths survive as a redirect target."""
    assert safe_next(target) == expected


def test_signed_in_user_visiting_login_goes_to_dashboard(signed_in, client):
    """The sign-in page sends a signed-in user to the dashboard."""
    response = client.get("/login")
    assert response.status_code == 302
    assert response.location == "/"
