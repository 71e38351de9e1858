"""Signing in and out: Flask-Login sessions, hashed passwords, CSRF on every form.

Sessions end for real (issue 9, item 6). Each sign-in stamps the user's session_version
into the session (as Flask-Login's user id, "id:version"), and every request's user
loader compares it with the row: signing out, changing one's password, a role change
and deactivation raise the version, so every session of that user ends at once, copied
cookies included. A session unused for the idle timeout (SESSION_IDLE_SECONDS) asks to
sign in again. Failed sign-ins slow the (email, address) pair that made them
(ivr.lockout.SIGN_INS), never the owner elsewhere.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from dashboard.access import is_media_request, public
from dashboard.auditing import address as request_address
from dashboard.auditing import record
from dashboard.forms import LoginForm
from ivr.lockout import SIGN_INS, source_address
from ivr.services import db, services
from ivr.views import ivr
from voice.accounts import MAX_PASSWORD_LENGTH, password_problem
from voice.audit import Actor
from voice.models import User
from voice.passwords import check_password, hash_password

auth = Blueprint("auth", __name__)
login_manager = LoginManager()
csrf = CSRFProtect()

SEEN_KEY = "seen"  # the session's last request, seconds since the epoch (idle timeout)

# Checked when the email matches nobody, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = hash_password("screenline-timing-equaliser")


@dataclass(frozen=True, eq=False)
class Reviewer(UserMixin):
    """The signed-in user as the web layer sees it (the model stays free of Flask)."""

    id: int
    organization_id: int
    organization_name: str
    email: str
    name: str
    role: str
    session_version: int = 0

    def get_id(self) -> str:
        """Flask-Login's session id: "user id:session version" (see load_user)."""
        return f"{self.id}:{self.session_version}"

    @property
    def display_name(self) -> str:
        """The name to show: the user's name, or their email if they gave none."""
        return self.name or self.email

    @classmethod
    def from_user(cls, user: User) -> Reviewer:
        """Copy what the web layer needs from a User row (organisation loaded)."""
        return cls(
            id=user.id,
            organization_id=user.organization_id,
            organization_name=user.organization.name,
            email=user.email,
            name=user.name,
            role=user.role,
            session_version=user.session_version,
        )


def end_sessions(user: User) -> None:
    """Raise the user's session version (not committed): every session of theirs ends.

    Called on sign-out, a password change, a role change and deactivation; the caller
    commits, then signs the current session in again with `sign_in` if it should stay.
    """
    user.session_version = (user.session_version or 0) + 1


def sign_in(user: User) -> None:
    """Start a fresh session (and CSRF token) for `user` at their current session version."""
    session.clear()
    session.permanent = True
    login_user(Reviewer.from_user(user))
    session[SEEN_KEY] = int(time.time())


def init_auth(app: Flask) -> None:
    """Wire sessions, CSRF (Twilio's webhooks are signed instead) and the auth routes."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    csrf.exempt(ivr)
    app.register_blueprint(auth)
    app.register_error_handler(CSRFError, _csrf_error)


def _ended_by_idling(now: int) -> bool:
    """True (and the session cleared) when it went unused for SESSION_IDLE_SECONDS."""
    seen = session.get(SEEN_KEY)
    idle = current_app.config["SESSION_IDLE_SECONDS"]
    if not isinstance(seen, int) or now - seen <= idle:
        return False
    session.clear()
    flash(
        f"You were signed out after {_duration(idle)} without activity. Please sign in again.",
        "info",
    )
    return True


def _duration(seconds: int) -> str:
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    minutes = max(1, seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


@login_manager.user_loader
def load_user(user_id: str) -> Reviewer | None:
    """Flask-Login's loader: the active user for "id:version", or None (signed out).

    Runs once per request that asks who is signed in (the login guard always does).
    None, so the session is treated as signed out, when the session went unused for the
    idle timeout, the id is malformed, the user is inactive or gone, or their session
    version has moved on since this session began. Otherwise the request is noted as
    the session's latest (SEEN_KEY).
    """
    now = int(time.time())
    if _ended_by_idling(now):
        return None
    parts = str(user_id).split(":")
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() and len(p) < 10 for p in parts):
        return None  # not "id:version" in plain digits within INTEGER's range
    ident_number, version_number = int(parts[0]), int(parts[1])
    user = db().scalar(
        select(User)
        .options(joinedload(User.organization))
        .where(
            User.id == ident_number,
            User.is_active.is_(True),
            User.session_version == version_number,
        )
    )
    if user is None:
        return None
    session[SEEN_KEY] = now
    return Reviewer.from_user(user)


@login_manager.unauthorized_handler
def _unauthorized():
    # Media and other non-page requests get a plain 401; pages go to the sign-in form.
    if is_media_request():
        abort(401)
    if request.path != "/":  # the front door needs no "see that page": it is the sign-in
        flash(login_manager.login_message, login_manager.login_message_category)
    target = request.full_path if request.method == "GET" else None
    return redirect(url_for("auth.login", next=safe_next(target)))


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with this email and password, or None."""
    user = db().scalar(
        select(User)
        .options(joinedload(User.organization))
        .where(func.lower(User.email) == email.strip().lower())
    )
    if user is None:
        check_password(_DUMMY_HASH, password)
        return None
    if not check_password(user.password_hash, password) or not user.is_active:
        return None
    return user


def safe_next(target: str | None) -> str | None:
    """Return `target` if it is a path on this site, else None (no open redirects)."""
    if not target:
        return None
    target = target.strip()
    if target.endswith("?"):
        target = target[:-1]
    if (
        not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target)
    ):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


WRONG_SIGN_IN = "That email and password don't match an account."


def _record_sign_in(user: User) -> None:
    """Audit a sign-in in the user's organisation (committed: nothing else is written)."""
    actor = Actor.user(user.id, user.email, request_address())
    record("sign_in", actor=actor, organization_id=user.organization_id)
    db().commit()


def _record_failed_sign_in(account: str) -> None:
    """Audit a failed sign-in with the e-mail typed: in the organisation of the account
    it names, else in the chain without an organisation. Committed."""
    s = db()
    organization_id = s.scalar(
        select(User.organization_id).where(func.lower(User.email) == account)
    )
    actor = Actor.anonymous(account[:254], request_address())
    record(
        "sign_in_failed",
        actor=actor,
        organization_id=organization_id,
        detail={"where": "sign-in form"},
    )
    s.commit()


def _wait_message(seconds: int) -> str:
    # The same words whether or not the email has an account: they reveal nothing.
    return (
        f"Too many failed sign-ins from this address. Try again in {seconds} s, "
        "or ask an admin of your organisation to help."
    )


@auth.route("/login", methods=["GET", "POST"])
@public
def login():
    """Show the sign-in form; sign in. Repeated failures from one address wait (429)."""
    next_url = safe_next(request.values.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("dashboard.interviews"))
    form = LoginForm()
    if form.validate_on_submit():
        conn = services().redis
        account = form.email.data.strip().lower()
        address = source_address(request.remote_addr)
        wait = SIGN_INS.wait_seconds(conn, account, address)
        if wait:  # refused before the password is even checked
            form.password.data = ""
            form.form_errors.append(_wait_message(wait))
            response = render_template("login.html", form=form, next_url=next_url)
            return response, 429, {"Retry-After": str(wait)}
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            SIGN_INS.clear(conn, account, address)
            _record_sign_in(user)
            sign_in(user)
            flash(f"Signed in as {user.email}.", "success")
            return redirect(next_url or url_for("dashboard.interviews"))
        SIGN_INS.record_failure(conn, account, address)
        _record_failed_sign_in(account)
        form.password.data = ""
        form.form_errors.append(WRONG_SIGN_IN)
    return render_template("login.html", form=form, next_url=next_url)


@auth.route("/logout", methods=["POST"])
@public
def logout():
    """Sign out: end every session of this user (copied cookies too) and clear this one."""
    # A POST, so CSRFProtect checks it: another site cannot sign a reviewer out.
    if current_user.is_authenticated:
        user = db().get(User, current_user.id)
        if user is not None:
            end_sessions(user)
            record("sign_out")
            db().commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


# The password page's sentences for the current password (S105: messages, not secrets).
NEEDS_CURRENT_PASSWORD = "Enter your current password."  # noqa: S105
WRONG_CURRENT_PASSWORD = "That is not your current password."  # noqa: S105


@auth.route("/account/password", methods=["GET", "POST"])
def change_password():
    """Change one's own password (current one required); every other session ends.

    A refused change is 422 with every field's reason by it: the current password missing
    (NEEDS_CURRENT_PASSWORD) or wrong (WRONG_CURRENT_PASSWORD), the new one breaking the
    password rule, the two new ones differing. No box is refilled (they are passwords).
    Wrong current passwords (not a missing one) count with failed sign-ins for this email
    and address (SIGN_INS), so a borrowed session cannot be used to guess the password
    faster than the sign-in form allows (429).
    """
    errors: dict[str, str] = {}
    if request.method == "POST":
        s = db()
        user = s.get(User, current_user.id)
        conn, address = services().redis, source_address(request.remote_addr)
        account = current_user.email.lower()
        current = request.form.get("current", "")
        password = request.form.get("password", "")
        if wait := SIGN_INS.wait_seconds(conn, account, address):
            errors["current"] = _wait_message(wait)
            return render_template("password.html", errors=errors), 429, {"Retry-After": str(wait)}
        if not current:  # not a guess: nothing to count against the sign-in limit
            errors["current"] = NEEDS_CURRENT_PASSWORD
        elif (
            user is None
            or len(current) > MAX_PASSWORD_LENGTH
            or not check_password(user.password_hash, current)
        ):
            SIGN_INS.record_failure(conn, account, address)
            record("sign_in_failed", detail={"where": "password page"})
            s.commit()
            errors["current"] = WRONG_CURRENT_PASSWORD
        # The new password is checked whatever the current one was, so one refusal names
        # every box to put right (the rule is no secret).
        if problem := password_problem(password):  # the one rule (voice/accounts.py)
            errors["password"] = problem
        elif password != request.form.get("confirm", ""):
            errors["confirm"] = "The two passwords don't match."
        if not errors:
            user.password_hash = hash_password(password)
            end_sessions(user)
            record("password_changed", detail={"user_id": user.id})
            s.commit()
            sign_in(user)  # this session stays, at the new version
            flash("Your password is changed. Your other sessions are signed out.", "success")
            return redirect(url_for("dashboard.interviews"))
    return render_template("password.html", errors=errors), 422 if errors else 200


def _csrf_error(error: CSRFError):
    return (
        render_template(
            "error.html",
            title="This form has expired",
            message="Please go back, reload the page and try again. "
            "(The security token sent with the form was missing or out of date.)",
        ),
        400,
    )
