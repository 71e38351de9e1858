"""Dashboard users and the password rule, shared by the CLI and the team pages.

`create_user` is how `screenline user create` (and the demo) add a person; the team
page's invitation form checks the same `password_problem` before it adds one. A user's
address follows the one email rule candidates follow too (voice/emails.py), lower-cased.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voice.emails import EmailAddressError, check_email_address
from voice.models import Organization, Role, User
from voice.passwords import hash_password

# Ten characters with no composition rules: length is what resists guessing (NIST
# SP 800-63B section 5.1.1.2 asks for at least 8 and forbids composition rules).
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024  # scrypt reads all of it: a bound on the work per sign-in
MAX_NAME_LENGTH = 200  # User.name is String(200)


class AccountError(ValueError):
    """A user could not be created; the message is one sentence to show as it is."""


def password_problem(password: str) -> str | None:
    """Return why `password` may not be used (one sentence), or None when it may."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"That password is too long (at most {MAX_PASSWORD_LENGTH} characters)."
    return None


def normalise_email(raw: str) -> str:
    """Return the address trimmed and lower-cased; raise AccountError with the one email
    rule's sentence (voice/emails.py) if it is not an address."""
    try:
        return check_email_address(raw).lower()
    except EmailAddressError as exc:
        raise AccountError(str(exc)) from None


def clean_user_name(raw: str | None) -> str:
    """Return a user's name trimmed; raise AccountError if it is over MAX_NAME_LENGTH
    characters (User.name's column)."""
    name = (raw or "").strip()
    if len(name) > MAX_NAME_LENGTH:
        raise AccountError(f"A name has at most {MAX_NAME_LENGTH} characters.")
    return name


def create_user(
    session: Session,
    organization: Organization,
    email: str,
    password: str,
    role: str = Role.ADMIN,
    name: str = "",
) -> User:
    """Add (not commit) a user with a hashed password.

    Raises AccountError when the email is malformed or taken, the password breaks the
    rule, the role is not one of `Role.ALL` or the name is over 200 characters.
    """
    email = normalise_email(email)
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    if role not in Role.ALL:
        raise AccountError(f"The role is one of {', '.join(Role.ALL)}, not {role!r}.")
    name = clean_user_name(name)
    if session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise AccountError(f"A user with email {email} already exists.")
    user = User(
        organization=organization,
        email=email,
        name=name,
        role=role,
        password_hash=hash_password(password),
    )
    session.add(user)
    return user
