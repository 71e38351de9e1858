"""Interviews from YAML-shaped data, candidates with PINs, phone numbers, passwords."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.factories import make_candidate, make_interview, make_org
from voice.accounts import AccountError, create_user, password_problem
from voice.candidates import add_candidate, check_extra_time
from voice.interviews import (
    MAX_FILE_BYTES,
    InterviewSpecError,
    clean_interview,
    interview_from_spec,
    read_interview_file,
)
from voice.models import Interview, Score
from voice.passwords import check_password, hash_password
from voice.phones import normalise_phone
from voice.pins import PIN_DIGITS, new_pin


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
    with pytest.raises(ValueError, match="not a phone number we can call"):
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


# ---------------------------------------------------------------- the interview rule set


def spec_with(**overrides) -> dict:
    """A small valid interview file, as parsed YAML, with some settings replaced."""
    return {"title": "Cook", "phone_number": "+15550100300", "questions": ["Why us?"]} | overrides


def test_an_interviews_number_is_worded_as_the_number_candidates_call():
    """The interview's own number (candidates ring it) is not "a phone number we can
    call": every front door (file, CLI, API, builder) gets the Twilio-number sentence."""
    with pytest.raises(InterviewSpecError) as raised:
        clean_interview(spec_with(phone_number=" 555-CALL-NOW "))
    assert raised.value.errors["phone_number"] == (
        "phone_number: “555-CALL-NOW” is not a phone number (it has letters). Enter the "
        "Twilio number candidates call, in international format, such as +15551234567."
    )


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        (True, True),
        (False, False),
        ("true", True),
        ("yes", True),
        ("on", True),
        ("1", True),
        ("false", False),
        ("no", False),
        ("off", False),
        ("0", False),
        (" No ", False),
        ("TRUE", True),
    ],
)
def test_yes_no_settings_read_each_documented_word_correctly(db, word, expected):
    """Quoted words such as "false" and "no" switch a setting off; "yes" and "1" switch it on."""
    interview = interview_from_spec(
        db, make_org(db), spec_with(practice=word, delete_recordings_at_twilio=word)
    )
    db.flush()
    db.refresh(interview)
    assert (interview.practice, interview.delete_recordings_at_twilio) == (expected, expected)


@pytest.mark.parametrize("word", ["maybe", "", "2", 1, 0.0, ["yes"], "enabled"])
def test_other_yes_no_values_are_refused_naming_the_field(db, word):
    """Anything else given for a yes/no setting is an error that names the setting."""
    with pytest.raises(InterviewSpecError, match="practice must be true or false") as caught:
        clean_interview(spec_with(practice=word))
    assert set(caught.value.errors) == {"practice"}


def test_a_title_over_the_column_size_is_refused_before_the_database(db):
    """A 300-character title is explained, and PostgreSQL never sees it."""
    with pytest.raises(InterviewSpecError, match=r"title is 300 characters long; at most 200"):
        interview_from_spec(db, make_org(db), spec_with(title="T" * 300))
    db.flush()  # nothing half-built was added to the session
    assert db.scalar(select(func.count(Interview.id))) == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"voice": "V" * 61}, "voice", "voice is 61 characters long; at most 60"),
        ({"voice": {"en-US": "V" * 80}}, "voice", "voice (en-US) is 80 characters"),
        ({"intro": "x" * 2001}, "intro", "intro is 2,001 characters long"),
        ({"closing": "nul\x00"}, "closing", "NUL character"),
        ({"retakes": 6}, "retakes", "retakes must be a whole number from 0 to 5"),
        ({"retakes": True}, "retakes", "retakes must be a whole number"),
        ({"retakes": 2**40}, "retakes", "retakes must be a whole number"),
        ({"retention_days": 0}, "retention_days", "from 1 to 3,650"),
        ({"retention_days": 1.5}, "retention_days", "whole number"),
        ({"languages": ["en-US", "english"]}, "languages", "'english' is not a language code"),
        ({"languages": [f"e{c}" for c in "abcdefghij"]}, "languages", "at most 9"),
        ({"reminders": ["4h"]}, "reminders", "set a deadline too"),
        (
            {"reminders": ["999999d"], "deadline": "2030-01-01T00:00:00Z"},
            "reminders",
            "more than a year",
        ),
        ({"deadline": "next friday"}, "deadline", "is not a date and time"),
        ({"practise": True}, "practise", "did you mean practice?"),
        ({"questions": ["Q?"] * 31}, "questions", "at most 30"),
        ({"questions": [{"prompt": "Q" * 1001}]}, "questions.1.prompt", "at most 1,000 fit"),
        (
            {"questions": [{"prompt": "Q", "max_seconds": 3601}]},
            "questions.1.max_seconds",
            "from 5 to 3,600",
        ),
        (
            {"questions": [{"prompt": "Q", "min_seconds": 60, "max_seconds": 60}]},
            "questions.1.min_seconds",
            "must be shorter than max_seconds",
        ),
        (
            {"questions": [{"prompt": "Q", "kind": "number", "at_least": 40, "at_most": 20}]},
            "questions.1.at_most",
            "nobody could pass",
        ),
        (
            {"questions": [{"prompt": "Q", "kind": "number", "at_least": 10**7}]},
            "questions.1.at_least",
            "from 0 to 1,000,000",
        ),
        ({"questions": [{"prompt": "Q", "must_be": "yes"}]}, "questions.1.must_be", "yes_no"),
        ({"questions": [{"prompt": "Q", "timeout": 5}]}, "questions.1.timeout", "not a setting"),
        ({"questions": [{"prompt": "Q", "kind": "essay"}]}, "questions.1.kind", "one of voice"),
    ],
)
def test_every_limit_is_checked_with_a_message_naming_the_field(db, overrides, field, message):
    """Each database limit and range is checked, and the error is keyed by the field's path."""
    with pytest.raises(InterviewSpecError) as caught:
        clean_interview(spec_with(**overrides), db)
    assert message in caught.value.errors[field]


def test_all_problems_are_reported_at_once_with_the_question_number():
    """Every bad field is reported in one error, and a terminal line says which question."""
    spec = spec_with(title="", questions=["Fine?", {"prompt": "Q", "think_seconds": 999}])
    with pytest.raises(InterviewSpecError) as caught:
        clean_interview(spec)
    assert set(caught.value.errors) == {"title", "questions.2.think_seconds"}
    assert "question 2: think_seconds must be a whole number from 0 to 120" in caught.value.lines()


def test_numbers_written_as_text_and_form_style_values_are_read():
    """Digits in quotes, comma-separated languages and reminders are read as the form sends them."""
    settings = clean_interview(
        spec_with(
            languages="en-US, es-MX",
            retakes="2",
            reminders="48h, 4 h",
            deadline="2030-12-31T23:59",
            questions=[{"prompt": "Q", "max_seconds": "90", "min_seconds": ""}],
        )
    )
    assert settings.languages == ["en-US", "es-MX"] and settings.retakes == 2
    assert settings.reminders == ["48h", "4h"] and settings.deadline.tzinfo is not None
    assert (settings.questions[0].max_seconds, settings.questions[0].min_seconds) == (90, 0)
    assert settings.translations == {"es-MX": {"voice": "Polly.Mia"}}


# ---------------------------------------------------------------- reading the file


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("title: Café\nphone_number: '+15550100300'\n".encode("latin-1"), "is not UTF-8 text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is not a text file"),
        (b"title: [unclosed", "is not valid YAML"),
        (b"title: a\n  b: c\n", "is not valid YAML"),
        (b"deadline: 2026-02-30\n", "is not valid YAML"),
        (b"- a\n- b\n", "must be a mapping of settings"),
        (b"just words", "must be a mapping of settings"),
        (b"", "is empty"),
        (b"# nothing but a comment\n", "is empty"),
        (b"a: 1\n---\nb: 2\n", "is not valid YAML"),
        (b"x" * 1_000_001, "at most 1,000,000"),
    ],
)
def test_a_file_that_is_not_utf8_yaml_gets_one_sentence(raw, message):
    """Latin-1, binary, broken YAML, a list or an empty file each get one clear sentence."""
    with pytest.raises(InterviewSpecError) as caught:
        read_interview_file(raw, "job.yaml")
    [line] = caught.value.lines()
    assert line.startswith("job.yaml ") and message in line and "\n" not in line


def test_a_file_too_big_is_refused_with_its_real_size_or_as_larger():
    """Only the limit + 1 bytes are read: the refusal states the file's own size when the
    caller knows it, else "larger than" the limit, never the count of bytes read."""
    raw = b"x" * (MAX_FILE_BYTES + 1)
    with pytest.raises(InterviewSpecError) as caught:
        read_interview_file(raw, "mid.yaml", size=1_500_000)
    assert caught.value.lines() == [
        "mid.yaml is 1,500,000 bytes; an interview file is at most 1,000,000."
    ]
    with pytest.raises(InterviewSpecError) as caught:
        read_interview_file(raw, "mid.yaml")
    assert caught.value.lines() == [
        "mid.yaml is larger than 1,000,000 bytes; an interview file is at most 1,000,000."
    ]


def test_a_language_name_hides_no_other_error_and_invents_none():
    """languages: english is refused with the code to write; a prompt keyed by that name
    is not called missing, its length is still checked, and a question with no prompt at
    all is still said to need one."""
    spec = {
        "title": "T",
        "phone_number": "+15550100204",
        "languages": "english",
        "intro": {"english": "G" * 2001},
        "questions": [
            {"prompt": {"english": "Why us?"}},
            {"prompt": "Q" * 1001},
            {"kind": "voice"},
        ],
    }
    with pytest.raises(InterviewSpecError) as caught:
        clean_interview(spec)
    assert caught.value.errors == {
        "languages": "languages: 'english' is not a language code; for English write en-US "
        "(a language code, then a country's if you like: en-US, es-US, es-MX)",
        "intro": "intro is 2,001 characters long; at most 2,000 fit",
        "questions.2.prompt": "prompt is 1,001 characters long; at most 1,000 fit",
        "questions.3.prompt": "prompt is required",
    }


def test_a_word_that_names_no_language_gets_examples_of_codes():
    """A word that is no language's name gets examples of codes to write instead."""
    with pytest.raises(InterviewSpecError) as caught:
        clean_interview({"title": "T", "languages": ["en-US", "klingon"], "questions": ["Q"]})
    assert caught.value.errors["languages"] == (
        "languages: 'klingon' is not a language code like en-US; "
        "write codes such as en-US, es-US, es-MX"
    )


def language_error(languages) -> str:
    """The languages error clean_interview gives for `languages` in an otherwise good spec."""
    with pytest.raises(InterviewSpecError) as caught:
        clean_interview({"title": "T", "languages": languages, "questions": ["Q"]})
    return caught.value.errors["languages"]


def test_a_code_in_the_wrong_letter_case_is_refused_with_its_canonical_form():
    """ "EN-us" (or "en_us") got the generic "not a language code like en-US": now the
    message says which code was meant, as the builder, the import and the API all show."""
    for written in ("EN-us", "en_us", "en-us"):
        assert language_error(["es-MX", written]) == (
            f"languages: {written!r} is not a language code as written; did you mean en-US? "
            "(the language in small letters, then the country's in capitals: en-US, es-MX)"
        )
    assert "did you mean es?" in language_error("ES")


def test_languages_in_one_string_are_separated_by_commas_or_spaces():
    """A string of languages ("en-US en-GB", "en-US, es-MX", "en-US,es-MX") is read as a
    list whatever separates its codes, as the builder's hint says."""
    for written in ("en-US en-GB", "en-US, en-GB", "en-US,en-GB", " en-US ,  en-GB "):
        spec = {"title": "T", "phone_number": "+15550100200", "languages": written}
        settings = clean_interview(spec | {"questions": ["Q"]})
        assert settings.languages == ["en-US", "en-GB"], written


def test_two_codes_in_one_list_item_are_told_apart():
    """In a YAML list an item "en-US en-GB" is one item, not two: the message says to list
    each language on its own."""
    assert language_error(["en-US en-GB"]) == (
        "languages: 'en-US en-GB' is 2 languages in one item; list each on its own: [en-US, en-GB]"
    )


def test_a_repeated_language_is_named_and_nothing_else_is_called_wrong():
    """ "en-US, en-US" names the repeated language, and the title, texts and question keyed
    by it are taken as written (no "title is required")."""
    spec = {
        "title": {"en-US": "Lang test"},
        "phone_number": "+15550100200",
        "intro": {"en-US": "Hello"},
        "languages": "en-US, en-US",
        "questions": [{"prompt": {"en-US": "Q"}}],
    }
    with pytest.raises(InterviewSpecError) as caught:
        clean_interview(spec)
    assert caught.value.errors == {
        "languages": "languages: en-US is listed twice; list each language once"
    }


def test_a_utf8_file_with_a_byte_order_mark_is_read():
    """A UTF-8 file saved with a byte order mark (as Windows editors do) is read."""
    raw = "\ufefftitle: Café\nquestions: [Why us]\n".encode()
    assert read_interview_file(raw)["title"] == "Café"


# ---------------------------------------------------------------- candidates, PINs, users


@pytest.mark.parametrize("extra", [0.5, 4.5, "x", float("nan")])
def test_extra_time_outside_one_to_four_is_refused(db, extra):
    """Extra time is one rule, 1 to 4, for the CLI and the dashboard alike."""
    interview = make_interview(db, make_org(db))
    with pytest.raises(ValueError, match="Extra time is a multiplier from 1 \\(none\\) to 4"):
        add_candidate(db, interview, "Ana", extra_time=extra)
    assert check_extra_time("3.5") == 3.5


def test_candidate_fields_are_checked_against_the_columns(db):
    """An over-long name or a malformed email is refused before the database sees it."""
    interview = make_interview(db, make_org(db))
    with pytest.raises(ValueError, match="at most 200 characters"):
        add_candidate(db, interview, "N" * 201)
    with pytest.raises(ValueError, match="is not an email address"):
        add_candidate(db, interview, "Ana", email="not-an-address")


def test_new_pins_skip_those_taken_and_never_start_with_zero():
    """The PIN generator returns six digits, never a leading zero, never one already taken."""
    taken = {"123456"}
    pins = [new_pin(taken) for _ in range(200)]
    assert len(set(pins)) == 200 and "123456" not in pins
    assert all(len(p) == PIN_DIGITS and p.isdigit() and p[0] != "0" for p in pins)
    assert set(pins) <= taken


@pytest.mark.parametrize(
    ("password", "problem"),
    [("short", "at least 10"), ("nine-char", "at least 10"), ("x" * 1025, "too long")],
)
def test_the_password_rule_is_one_rule(password, problem):
    """Passwords need 10 to 1024 characters, wherever a user is made."""
    assert problem in password_problem(password)
    assert password_problem("ten-chars!") is None


def test_create_user_normalises_email_and_refuses_duplicates(db):
    """The email is stored lower-case; a second user with it, or a bad role, is refused."""
    org = make_org(db)
    user = create_user(db, org, " Ana@Example.COM ", "a long password", role="recruiter")
    db.flush()
    assert user.email == "ana@example.com" and check_password(user.password_hash, "a long password")
    with pytest.raises(AccountError, match="already exists"):
        create_user(db, org, "ANA@example.com", "a long password")
    with pytest.raises(AccountError, match="role"):
        create_user(db, org, "bo@example.com", "a long password", role="owner")
    with pytest.raises(AccountError, match="not an email address"):
        create_user(db, org, "bo at example", "a long password")
