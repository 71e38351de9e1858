"""Signing in and out, CSRF, and what a signed-out visitor may reach."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from rq import Queue
from sqlalchemy import func, select

from dashboard.auth import WRONG_SIGN_IN, safe_next
from ivr.lockout import SIGN_INS, source_address
from tests.dashboard.conftest import AuthActions, flashes
from tests.dashboard.html import parse
from tests.factories import make_user
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


GUESSER = "198.51.100.7"
OWNER = "203.0.113.20"


def browser_at(app, address: str) -> AuthActions:
    """Sign-in actions from a browser whose requests come from `address`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return AuthActions(client)


def refusal(response) -> str:
    """The alert a refused sign-in shows."""
    return parse(response.data).one(role="alert").text()


def test_a_guesser_is_slowed_but_the_owner_elsewhere_signs_in(app, world, redis_conn):
    """Five wrong passwords make that address wait (429, Retry-After); the owner still gets in."""
    guesser = browser_at(app, GUESSER)
    for _ in range(SIGN_INS.free):
        assert guesser.login(password="wrong password").status_code == 200
    waiting = guesser.login()  # even the right password waits: it is not even checked
    assert waiting.status_code == 429
    assert waiting.headers["Retry-After"] == "1"
    assert refusal(waiting).startswith(
        "Too many failed sign-ins from this address. Try again in 1 s"
    )
    assert browser_at(app, OWNER).login().status_code == 302
    assert SIGN_INS.wait_seconds(redis_conn, "manager@acme.test", GUESSER) == 1


def test_the_wait_reveals_nothing_about_which_emails_exist(app, world):
    """An unknown email gets the same wrong-password words and the same wait as a real one."""
    answers = {}
    for email in ("manager@acme.test", "nobody@acme.test"):
        guesser = browser_at(app, GUESSER)
        first = guesser.login(email=email, password="wrong password")
        for _ in range(SIGN_INS.free - 1):
            guesser.login(email=email, password="wrong password")
        waiting = guesser.login(email=email, password="wrong password")
        answers[email] = (first.status_code, refusal(first), waiting.status_code, refusal(waiting))
    assert answers["manager@acme.test"] == answers["nobody@acme.test"]
    assert answers["nobody@acme.test"][:3] == (200, WRONG_SIGN_IN, 429)


def test_the_wait_is_per_account_and_address(app, world, db):
    """A guesser's wait on one email does not slow the same address signing in to another."""
    make_user(db, world.user.organization, email="colleague@acme.test")
    db.commit()
    guesser = browser_at(app, GUESSER)
    for _ in range(SIGN_INS.free):
        guesser.login(password="wrong password")
    assert guesser.login().status_code == 429
    assert guesser.login(email="colleague@acme.test").status_code == 302


def test_delays_double_up_to_the_cap_and_then_let_the_address_try(redis_conn):
    """After the free tries, waits go 1, 2, 4... s to the cap; once over, the pair may try."""
    now = 1_000_000.0
    delays = [SIGN_INS.record_failure(redis_conn, "a@b.test", GUESSER, now=now) for _ in range(16)]
    assert delays[: SIGN_INS.free - 1] == [0] * (SIGN_INS.free - 1)
    assert delays[SIGN_INS.free - 1 : SIGN_INS.free + 3] == [1, 2, 4, 8]
    assert delays[-1] == SIGN_INS.max_delay == max(delays)
    assert SIGN_INS.wait_seconds(redis_conn, "a@b.test", GUESSER, now=now + 1) == 299
    assert SIGN_INS.wait_seconds(redis_conn, "a@b.test", GUESSER, now=now + 300) == 0
    assert SIGN_INS.wait_seconds(redis_conn, "a@b.test", OWNER, now=now) == 0


def test_a_success_forgets_the_failures(app, world, redis_conn):
    """Signing in with the right password clears that address's earlier failures."""
    browser = browser_at(app, GUESSER)
    for _ in range(SIGN_INS.free - 1):
        browser.login(password="wrong password")
    assert browser.login().status_code == 302
    assert SIGN_INS.record_failure(redis_conn, "manager@acme.test", GUESSER) == 0


@pytest.mark.parametrize(
    ("remote", "source"),
    [
        ("192.0.2.1", "192.0.2.1"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("", ""),
    ],
)
def test_source_address_groups_an_ipv6_connection(remote, source):
    """An IPv6 address counts as its /64 (one connection's block); IPv4 as itself."""
    assert source_address(remote) == source


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


def test_the_front_door_signed_out_shows_the_sign_in_without_a_warning(world, client):
    """Opening / signed out is how everyone arrives: the sign-in form, with no "Please sign
    in to see that page." (which is kept for a deeper page someone was sent to)."""
    front = client.get("/")
    assert front.status_code == 302 and "/login" in front.headers["Location"]
    assert flashes(parse(client.get(front.headers["Location"]).data)) == []
    deep = client.get(f"/interviews/{world.interview.id}")
    assert flashes(parse(client.get(deep.headers["Location"]).data)) == [
        "Please sign in to see that page."
    ]
