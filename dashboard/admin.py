"""The team: admins list users, change roles, deactivate, and invite teammates.

An invitation is a random code, shown once to the admin as a link to copy (no email is
sent) and as a set-up code to read out; only its sha256 is stored. Accepting it (before
it expires, once) creates the user with the password they choose.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import func, select, update

from dashboard.access import get_visible, public, require_role, select_visible
from dashboard.auditing import address, record
from dashboard.auth import end_sessions, sign_in
from ivr.services import db
from voice.accounts import AccountError, normalise_email, password_problem
from voice.audit import Actor
from voice.models import Invitation, Organization, Role, User
from voice.passwords import hash_password

admin = Blueprint("admin", __name__)

INVITATION_DAYS = 7
MAX_NAME = 200  # characters of a user's name (User.name String(200))
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read out by phone
CODE_LENGTH = 16
ROLE_HELP = {
    Role.ADMIN: "Manages users, numbers and settings, and everything a recruiter does.",
    Role.RECRUITER: "Builds interviews, imports and invites candidates, reviews and decides.",
    Role.REVIEWER: "Listens to and scores only the interviews shared with them.",
}


def new_code() -> str:
    """A fresh set-up code: CODE_LENGTH characters of CODE_ALPHABET."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str:
    """A typed code in upper case with dashes and spaces removed."""
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


def code_hash(code: str) -> str:
    """The sha256 hex digest stored for a code (the code itself is never stored)."""
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def show_code(code: str) -> str:
    """A code in groups of four for reading out: ABCD-EFGH-..."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _now() -> datetime:
    return datetime.now(UTC)


# ---------------------------------------------------------------- the team page


@admin.get("/team")
@require_role(Role.ADMIN)
def team():
    """List the organisation's users and open invitations (admins only)."""
    s = db()
    users = list(
        s.scalars(select_visible(current_user, User).order_by(User.is_active.desc(), User.email))
    )
    fresh = session.pop("fresh_invitation", None)
    return render_template(
        "team.html",
        users=users,
        invitations=_open_invitations(),
        roles=Role.ALL,
        role_help=ROLE_HELP,
        fresh=fresh,
        errors={},
        form={},
    )


def _open_invitations() -> list[Invitation]:
    """The organisation's invitations not yet accepted nor expired, newest first."""
    return list(
        db().scalars(
            select_visible(current_user, Invitation)
            .where(Invitation.accepted_at.is_(None), Invitation.expires_at > _now())
            .order_by(Invitation.created_at.desc())
        )
    )


def _has_account(email: str) -> User | None:
    """The user with this email (any organisation, any case), or None."""
    return db().scalar(select(User).where(func.lower(User.email) == email.lower()))


@admin.post("/team/invitations")
@require_role(Role.ADMIN)
def invite():
    """Create an invitation and show its link and code once (422 with errors).

    An address that is already a teammate's is refused: the team list shows it anyway.
    Any other address, an account of another organisation's included, gets an
    invitation and the same words: an admin never learns which addresses have an
    account elsewhere (as sign-in never tells). Such an invitation cannot be accepted,
    since an address belongs to one account: its link says what any unusable one says.
    """
    s = db()
    typed = request.form.get("email", "")
    email = typed.strip().lower()
    role = request.form.get("role", "")
    errors = {}
    if not email:
        errors["email"] = "Enter the teammate's email address."
    else:
        try:
            email = normalise_email(typed)  # the one email rule (voice/emails.py)
        except AccountError as exc:
            errors["email"] = str(exc)
    found = None if "email" in errors else _has_account(email)
    if found is not None and found.organization_id == current_user.organization_id:
        errors["email"] = (
            f"{email} is already on your team: reactivate them in the list above."
            if not found.is_active
            else f"{email} is already on your team (see the list above)."
        )
    if role not in Role.ALL:
        errors["role"] = "Choose a role."
    if errors:
        users = list(s.scalars(select_visible(current_user, User).order_by(User.email)))
        return (
            render_template(
                "team.html",
                users=users,
                invitations=_open_invitations(),
                roles=Role.ALL,
                role_help=ROLE_HELP,
                fresh=None,
                errors=errors,
                form=request.form,
            ),
            422,
        )
    code = new_code()
    invitation = Invitation(
        organization_id=current_user.organization_id,
        email=email,
        role=role,
        token_hash=code_hash(code),
        created_by_id=current_user.id,
        expires_at=_now() + timedelta(days=INVITATION_DAYS),
    )
    s.add(invitation)
    s.flush()
    record(
        "user_invited",
        detail={"invitation_id": invitation.id, "role": role},
        subject={"email": email},
    )
    s.commit()
    # Shown once, on the next page; only the hash is kept.
    session["fresh_invitation"] = {
        "email": email,
        "role": role,
        "code": show_code(code),
        "link": url_for(".accept", code=code, _external=True),
    }
    flash(f"Invitation for {email} created. Copy the link below and send it to them.", "success")
    return redirect(url_for(".team", _anchor="fresh-invitation"))


@admin.post("/team/invitations/<int:invitation_id>/revoke")
@require_role(Role.ADMIN)
def revoke(invitation_id: int):
    """Withdraw an open invitation."""
    s = db()
    found = get_visible(s, current_user, Invitation, invitation_id)
    s.delete(found)
    record(
        "invitation_revoked",
        detail={"invitation_id": found.id, "role": found.role},
        subject={"email": found.email},
    )
    s.commit()
    flash(f"The invitation for {found.email} no longer works.", "success")
    return redirect(url_for(".team"))


def _other_active_admins(user: User) -> int:
    return db().scalar(
        select(func.count(User.id)).where(
            User.organization_id == user.organization_id,
            User.role == Role.ADMIN,
            User.is_active.is_(True),
            User.id != user.id,
        )
    )


@admin.post("/team/users/<int:user_id>/role")
@require_role(Role.ADMIN)
def change_role(user_id: int):
    """Change a teammate's role (their sessions end); someone must stay an admin."""
    user = get_visible(db(), current_user, User, user_id)
    role = request.form.get("role", "")
    if role not in Role.ALL:
        flash("Choose a role.", "error")
    elif user.role == Role.ADMIN and role != Role.ADMIN and not _other_active_admins(user):
        flash("Someone must stay an admin: make another teammate admin first.", "error")
    else:
        record(
            "role_changed",
            detail={"user_id": user.id, "from": user.role, "to": role},
            subject={"email": user.email},
        )
        user.role = role
        end_sessions(user)  # a session must not keep the powers of the old role
        db().commit()
        if user.id == current_user.id:
            sign_in(user)  # an admin changing their own role stays signed in, at the new one
        flash(f"{user.email} is now {'an' if role == Role.ADMIN else 'a'} {role}.", "success")
    return redirect(url_for(".team"))


@admin.post("/team/users/<int:user_id>/active")
@require_role(Role.ADMIN)
def set_active(user_id: int):
    """Deactivate (their sessions end) or reactivate a teammate; not you, not the last admin."""
    user = get_visible(db(), current_user, User, user_id)
    active = request.form.get("active") == "1"
    if not active and user.id == current_user.id:
        flash("You can't deactivate yourself.", "error")
    elif not active and user.role == Role.ADMIN and not _other_active_admins(user):
        flash("Someone must stay an admin: make another teammate admin first.", "error")
    else:
        record(
            "user_restored" if active else "user_removed",
            detail={"user_id": user.id, "role": user.role},
            subject={"email": user.email},
        )
        user.is_active = active
        end_sessions(user)
        db().commit()
        flash(
            f"{user.email} {'can sign in again' if active else 'is deactivated and signed out'}.",
            "success",
        )
    return redirect(url_for(".team"))


# ---------------------------------------------------------------- accepting


def _open_invitation(code: str) -> Invitation | None:
    found = db().scalar(select(Invitation).where(Invitation.token_hash == code_hash(code)))
    if found is None or found.accepted_at is not None or found.expires_at <= _now():
        return None
    if _has_account(found.email):  # answered as a used one: nothing tells it exists
        return None
    return found


def _unusable_invitation():
    """The one answer (404) for an invitation that cannot be accepted, whatever the
    reason: expired, used, withdrawn, or for an address that has an account already."""
    return (
        render_template(
            "error.html",
            title="This invitation doesn't work",
            message="It may have expired, been used already or been withdrawn. "
            "Ask your admin for a new one. If you already have a Screenline account, "
            "sign in with it instead: an email address belongs to one organisation.",
        ),
        404,
    )


@admin.route("/join", methods=["GET", "POST"])
@public
def join():
    """Type a set-up code (read out by an admin) to reach the accept form."""
    if request.method == "POST":
        code = normalise_code(request.form.get("code", ""))
        if code and _open_invitation(code):
            return redirect(url_for(".accept", code=code))
        return (
            render_template(
                "join.html",
                error="That code doesn't match an open invitation. "
                "Check it with your admin: codes expire after 7 days and work once. "
                "If you already have a Screenline account, sign in with it instead.",
            ),
            404,
        )
    return render_template("join.html", error=None)


@admin.route("/join/<code>", methods=["GET", "POST"])
@public
def accept(code: str):
    """Accept an invitation: choose a name and password, and be signed in.

    An invitation for an address that already has an account (in any organisation) is
    answered as an expired or withdrawn one is: the same page, the same words.
    """
    invitation = _open_invitation(code)
    if invitation is None:
        return _unusable_invitation()
    org = db().get(Organization, invitation.organization_id)
    errors = {}
    if request.method == "POST":
        name = request.form.get("name", "").strip()
        password = request.form.get("password", "")
        confirm = request.form.get("confirm", "")
        if len(name) > MAX_NAME:  # User.name String(200): refused, never cut
            errors["name"] = f"Keep your name to at most {MAX_NAME} characters."
        if problem := password_problem(password):  # the one rule (voice/accounts.py)
            errors["password"] = problem
        elif password != confirm:
            errors["confirm"] = "The two passwords don't match."
        if not errors:
            s = db()
            # Single use even under a double click: only one request flips accepted_at.
            claimed = s.execute(
                update(Invitation)
                .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None))
                .values(accepted_at=_now())
            )
            if claimed.rowcount != 1 or _has_account(invitation.email):
                s.rollback()  # a double click, or an account made meanwhile
                return _unusable_invitation()
            user = User(
                organization_id=invitation.organization_id,
                email=invitation.email,
                name=name,
                password_hash=hash_password(password),
                role=invitation.role,
            )
            s.add(user)
            s.flush()
            record(
                "user_joined",
                actor=Actor.user(user.id, user.email, address()),
                organization_id=user.organization_id,
                detail={"user_id": user.id, "role": user.role, "invitation_id": invitation.id},
            )
            s.commit()
            sign_in(user)
            flash(f"Welcome to {org.name}. You are signed in as {user.email}.", "success")
            return redirect(url_for("dashboard.interviews"))
    return (
        render_template(
            "accept.html", invitation=invitation, org=org, errors=errors, form=request.form
        ),
        422 if errors else 200,
    )
