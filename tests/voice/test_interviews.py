"""Interviews from YAML-shaped data, candidates with PINs, phone numbers, passwords."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from tests.factories import make_candidate, make_interview, make_org
from voice.candidates import add_candidate
from voice.interviews import InterviewSpecError, interview_from_spec
from voice.models import Score
from voice.passwords import check_password, hash_password
from voice.phones import normalise_phone


def test_interview_from_spec_keeps_order_and_limits(db):
    """Questions keep their order, limits and prompts."""
    org = make_org(db)
    spec = {
        "title": "Cook",
        "phone_number": "+1 (555) 010-0300",
        "questions": ["What dishes can you cook?", {"prompt": "Why us?", "max_seconds": 45}],
    }
    interview = interview_from_spec(db, org, spec)
    db.flush()
    assert interview.phone_number == "+15550100300"
    assert [(q.position, q.prompt, q.max_seconds) for q in interview.questions] == [
        (1, "What dishes can you cook?", 120),
        (2, "Why us?", 45),
    ]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"phone_number": "+15550100300", "questions": ["Q"]}, "title is required"),
        ({"title": "T", "phone_number": "abc", "questions": ["Q"]}, "phone_number"),
        ({"title": "T", "phone_number": "+15550100300", "questions": []}, "at least one question"),
        (
            {
                "title": "T",
                "phone_number": "+15550100300",
                "questions": [{"prompt": "Q", "max_seconds": 2}],
            },
            "max_seconds",
        ),
        (["not", "a", "mapping"], "mapping"),
    ],
)
def test_bad_interview_specs_are_explained(db, spec, message):
    """A spec with a missing or bad value raises an error that says which."""
    with pytest.raises(InterviewSpecError, match=message):
        interview_from_spec(db, make_org(db), spec)


def test_a_number_answers_only_one_interview(db):
    """Importing a second interview on the same number is refused."""
    org = make_org(db)
    make_interview(db, org, phone_number="+15550100400")
    with pytest.raises(InterviewSpecError, match="already answers"):
        make_interview(db, org, phone_number="+15550100400")


def test_candidates_get_distinct_six_digit_pins(db):
    """Each candidate in an interview gets a different 6-digit PIN."""
    interview = make_interview(db, make_org(db))
    pins = {make_candidate(db, interview, f"C{i}", None).pin for i in range(50)}
    assert len(pins) == 50
    assert all(len(p) == 6 and p.isdigit() for p in pins)


def test_candidate_phone_is_normalised_and_checked(db):
    """Phones are stored as E.164; nonsense is refused."""
    interview = make_interview(db, make_org(db))
    assert add_candidate(db, interview, "Ana", "555-765-4321").phone == "+15557654321"
    with pytest.raises(ValueError, match="not a telephone number"):
        add_candidate(db, interview, "Bo", "12")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+44 20 7946 0958", "+442079460958"),
        ("(555) 765-4321", "+15557654321"),
        ("0044 20 7946 0958", "+442079460958"),
    ],
)
def test_normalise_phone(raw, expected):
    """Common ways of writing a number become E.164."""
    assert normalise_phone(raw) == expected


def test_passwords_are_salted_and_checked():
    """A hash checks only against its own password, and two hashes differ."""
    first, second = hash_password("hunter22"), hash_password("hunter22")
    assert first != second
    assert check_password(first, "hunter22") and not check_password(first, "hunter23")
    assert not check_password("garbage", "hunter22")


def test_scores_are_one_per_reviewer_per_answer_and_within_range(db):
    """The database refuses a second overall score by the same reviewer, and values outside 1-5."""
    from tests.factories import make_user

    org = make_org(db)
    user = make_user(db, org)
    candidate = make_candidate(db, make_interview(db, org))
    db.add(Score(reviewer_id=user.id, candidate_id=candidate.id, value=4))
    db.commit()
    db.add(Score(reviewer_id=user.id, candidate_id=candidate.id, value=5))
    with pytest.raises(IntegrityError, match="uq_scores_overall"):
        db.flush()
    db.rollback()
    db.add(Score(reviewer_id=user.id, candidate_id=candidate.id, value=6, answer_id=None))
    with pytest.raises(IntegrityError, match="ck_scores_value"):
        db.flush()
    db.rollback()
