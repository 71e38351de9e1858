"""The one email-address rule (voice/emails.py), as candidates and dashboard users meet it."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from tests.factories import make_candidate, make_interview, make_org
from voice.accounts import AccountError, create_user, normalise_email
from voice.candidates import CandidateFieldError, add_candidate, check_email
from voice.emails import (
    EMAIL_TOO_LONG,
    MAX_EMAIL_LENGTH,
    EmailAddressError,
    check_email_address,
    not_an_email,
)
from voice.models import Candidate

# Values a new-user trial saw taken as addresses, and others of their kind.
NOT_ADDRESSES = {
    "no local part": "@example.com",
    "a domain without a dot": "a@b",
    "two @": "a@@b.com",
    "a top-level name alone": "ana@example",
    "angle brackets": "<script>@x.com",
    "nothing after @": "bad@",
    "no @": "ana-at-example",
    "a space": "ana silva@example.com",
    "a control character": "ana\x07@example.com",
    "a display name": "Ana <ana@example.com>",
    "a quoted local part": '"ana silva"@example.com',
    "an IP literal": "ana@[192.0.2.1]",
    "a dot at the end of the domain": "ana@example.com.",
    "two dots in a row": "ana@example..com",
    "a special-use domain": "ana@printer.local",
    "an @ alone": "@",
}
ADDRESSES = [
    "ana@example.com",
    "Ana.Silva+jobs@Example.COM",
    "o'brien@mail.example.co.uk",
    "ana@acme.test",  # .test is taken for trials and test set-ups
    "josé@exämple.com",  # internationalised (RFC 6531)
]


@pytest.mark.parametrize("raw", NOT_ADDRESSES.values(), ids=NOT_ADDRESSES.keys())
def test_a_non_address_is_refused_in_the_one_sentence(raw):
    """Each is refused with not_an_email's sentence, by the rule and by both its users."""
    with pytest.raises(EmailAddressError) as refused:
        check_email_address(raw)
    assert str(refused.value) == not_an_email(raw)
    with pytest.raises(CandidateFieldError) as by_candidates:
        check_email(raw)
    assert by_candidates.value.field == "email"
    assert str(by_candidates.value) == not_an_email(raw)
    with pytest.raises(AccountError) as by_accounts:
        normalise_email(raw)
    assert str(by_accounts.value) == not_an_email(raw)


@pytest.mark.parametrize("raw", ADDRESSES)
def test_an_address_is_taken_as_typed_less_the_spaces_around_it(raw):
    """A real address comes back trimmed and otherwise as typed for a candidate, lower-cased
    for a user's sign-in."""
    assert check_email_address(f"  {raw}\t") == raw
    assert check_email(f" {raw} ") == raw
    assert normalise_email(f" {raw} ") == raw.lower()


def test_blank_is_no_address_for_a_candidate_and_not_one_for_a_user():
    """A candidate may have no email (None); a user must have one."""
    assert check_email("") is None
    assert check_email("   ") is None
    assert check_email(None) is None
    with pytest.raises(AccountError, match="is not an email address"):
        normalise_email("  ")


def test_the_length_limit_has_its_own_sentence_for_both():
    """Past 254 characters, candidates and users hear the same limit, not a syntax error."""
    too_long = "a" * 60 + "@" + "b" * 200 + ".com"
    assert len(too_long) > MAX_EMAIL_LENGTH
    with pytest.raises(CandidateFieldError, match=EMAIL_TOO_LONG):
        check_email(too_long)
    with pytest.raises(AccountError, match=EMAIL_TOO_LONG):
        normalise_email(too_long)


def test_the_sentence_shows_the_value_trimmed_cut_and_escaped():
    """not_an_email quotes what was typed, trimmed, at most 60 characters, controls escaped."""
    assert (
        not_an_email("  a@b ") == "“a@b” is not an email address. Use one such as ana@example.com."
    )
    assert "“ana\\x07@example.com”" in not_an_email("ana\x07@example.com")
    assert f"“{'x' * 60}”" in not_an_email("x" * 80)


def test_adding_a_candidate_or_a_user_refuses_a_non_address_and_stores_nothing(db):
    """add_candidate and create_user both refuse "a@b" before the database sees it."""
    org = make_org(db)
    interview = make_interview(db, org)
    with pytest.raises(CandidateFieldError, match="is not an email address"):
        add_candidate(db, interview, "Ana", email="a@b")
    with pytest.raises(AccountError, match="is not an email address"):
        create_user(db, org, "ana@example", "a long password")
    db.flush()
    assert db.query(Candidate).filter_by(interview_id=interview.id).count() == 0


def test_a_stored_odd_address_still_loads(db):
    """The rule is for input: a candidate stored with an old, odd address loads as it is."""
    candidate = make_candidate(db, make_interview(db, make_org(db)))
    db.execute(update(Candidate).where(Candidate.id == candidate.id).values(email="a@b"))
    db.commit()
    db.expire_all()
    assert db.get(Candidate, candidate.id).email == "a@b"
