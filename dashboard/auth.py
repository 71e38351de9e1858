"""Signing in and out: Flask-Login sessions, hashed passwords, CSRF on every form."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
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
from dashboard.forms import LoginForm
from ivr.lockout import SIGN_INS
from ivr.services import db, services
from ivr.views import ivr
from voice.models import User
from voice.passwords import check_password, hash_password

auth = Blueprint("auth", __name__)
login_manager = LoginManager()
csrf = CSRFProtect()

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
        )


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


@login_manager.user_loader
def load_user(user_id: str) -> Reviewer | None:
    """Flask-Login's loader: the active user with this id, or None (signed out)."""
    try:
        ident = int(user_id)
    except (TypeError, ValueError):
        return None
    user = db().scalar(
        select(User)
        .options(joinedload(User.organization))
        .where(User.id == ident, User.is_active.is_(True))
    )
    return Reviewer.from_user(user) if user else None


@login_manager.unauthorized_handler
def _unauthorized():
    # Media and other non-page requests get a plain 401; pages go to the sign-in form.
    if is_media_request():
        abort(401)
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


@auth.route("/login", methods=["GET", "POST"])
@public
def login():
    """Show the sign-in form; sign in, with a lockout after repeated failures (429)."""
    next_url = safe_next(request.values.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("dashboard.interviews"))
    form = LoginForm()
    if form.validate_on_submit():
        conn = services().redis
        if SIGN_INS.is_locked(conn, form.email.data):
            form.password.data = ""
            form.form_errors.append(
                "Too many failed sign-ins for this email. Wait 15 minutes and try again, "
                "or ask an admin of your organisation to help."
            )
            return render_template("login.html", form=form, next_url=next_url), 429
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            SIGN_INS.record_failure(conn, form.email.data)
        else:
            session.clear()  # a fresh session (and CSRF token) for the signed-in user
            session.permanent = True
            login_user(Reviewer.from_user(user))
            flash(f"Signed in as {user.email}.", "success")
            return redirect(next_url or url_for("dashboard.interviews"))
        form.password.data = ""
        form.form_errors.append("That email and password don't match an account.")
    return render_template("login.html", form=form, next_url=next_url)


@auth.route("/logout", methods=["POST"])
@public
def logout():
    """Sign out and clear the session."""
    # A POST, so CSRFProtect checks it: another site cannot sign a reviewer out.
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


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
