"""The one email-address rule, for candidates and dashboard users alike.

Every front door checks an address here: the dashboard's "Add a candidate" form and its
import, `screenline candidate add|import` and `user create`, the API, the team page. The
syntax is the `email-validator` library's (RFC 5321/5322 with internationalised
addresses, RFC 6531), without DNS look-ups: a local part, one @, and a domain name with a
dot, so "@example.com", "a@b", "a@@b.com", "ana@example", "<script>@x.com" and "bad@"
are refused. Quoted local parts ("a b"@x.com), display names ("Ana <ana@x.com>") and IP
literals (ana@[10.0.0.1]) are refused too. Special-use domains that cannot receive mail
(.local, .localhost, .invalid, .onion, .arpa) are refused; .test is taken, for test and
staging set-ups. Addresses already stored are never re-checked: this rule is for input.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

MAX_EMAIL_LENGTH = 254  # User.email and Candidate.email are String(254), RFC 5321's longest
EMAIL_TOO_LONG = f"An email address has at most {MAX_EMAIL_LENGTH} characters."


class EmailAddressError(ValueError):
    """A value that is not an email address we take; the message is one sentence to show
    as it is (not_an_email's, or EMAIL_TOO_LONG)."""


def not_an_email(raw: str) -> str:
    """The one sentence for a value that is not an email address, at every front door
    (dashboard forms, the command line, the API, imported lists):
    "“ana-at-example” is not an email address. Use one such as ana@example.com."
    (the value trimmed, cut at 60 characters, control characters escaped)."""
    shown = (raw or "").strip()[:60]
    if not shown.isprintable():
        shown = repr(shown)[1:-1]
    return f"“{shown}” is not an email address. Use one such as ana@example.com."


def check_email_address(raw: str | None) -> str:
    """Return the address trimmed of surrounding spaces, otherwise as typed; raise
    EmailAddressError (a ValueError) with EMAIL_TOO_LONG past MAX_EMAIL_LENGTH
    characters, or not_an_email's sentence when it is blank or not an address."""
    email = (raw or "").strip()
    if len(email) > MAX_EMAIL_LENGTH:
        raise EmailAddressError(EMAIL_TOO_LONG)
    try:
        checked = validate_email(
            email,
            check_deliverability=False,  # no DNS: input is checked offline and at once
            test_environment=True,  # take *.test (RFC 6761), which test set-ups use
        )
    except EmailNotValidError:
        raise EmailAddressError(not_an_email(raw or "")) from None
    # test_environment also lets a bare "@test" through; every address needs a dot.
    if "." not in checked.ascii_domain:
        raise EmailAddressError(not_an_email(raw or ""))
    return email
