"""Property-based: the interview YAML loader answers any file with settings or a clear message.

Hypothesis writes interview files of every shape (each key the format has, holding any
kind of YAML value, nested at random, plus unknown keys and raw bytes) and checks that
reading and checking them either succeeds or raises InterviewSpecError naming what is
wrong, never another exception; and that what succeeds builds an interview.
"""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voice.interviews import (
    INTERVIEW_KEYS,
    QUESTION_KEYS,
    InterviewSpecError,
    build_interview,
    clean_interview,
    read_interview_file,
)

FUZZ = settings(
    max_examples=300,
    deadline=None,
    database=None,
    derandomize=True,  # the same examples every run: no flaky failures in CI
    suppress_health_check=[HealthCheck.too_slow],
)
SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=60),
    st.sampled_from(["yes", "no", "on", "1", "+15550100200", "en-US", "es-MX", "48h", "voice"]),
    st.sampled_from(["yes_no", "number", "2026-12-31T23:59:00Z", "2026-02-30", "Polly.Joanna"]),
)
VALUE = st.recursive(
    SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(st.text(max_size=8), st.sampled_from(QUESTION_KEYS)), inner, max_size=4
        ),
    ),
    max_leaves=12,
)
QUESTION = st.dictionaries(st.sampled_from(QUESTION_KEYS), VALUE, max_size=len(QUESTION_KEYS))
SPEC = st.dictionaries(
    st.one_of(st.sampled_from(INTERVIEW_KEYS), st.text(max_size=10)),
    st.one_of(VALUE, st.lists(QUESTION, max_size=4)),
    max_size=len(INTERVIEW_KEYS) + 2,
)


def check(spec) -> None:
    """clean_interview's contract: settings that build an interview, or InterviewSpecError."""
    try:
        cleaned = clean_interview(spec)
    except InterviewSpecError as exc:
        assert exc.errors and all(isinstance(m, str) and m for m in exc.errors.values())
        return
    interview = build_interview(cleaned)
    assert interview.title and interview.questions


@FUZZ
@given(spec=SPEC)
def test_any_mapping_is_settings_or_named_errors(spec):
    """Any keys with any values (the builder's and the API's input): settings or errors by field."""
    check(spec)


@FUZZ
@given(spec=SPEC, questions=st.lists(QUESTION, min_size=1, max_size=3))
def test_any_yaml_file_is_settings_or_named_errors(spec, questions):
    """A YAML file of any spec (with questions), as written by yaml.dump, read and checked."""
    spec = {**spec, "questions": questions}
    try:
        raw = yaml.safe_dump(spec, allow_unicode=True).encode("utf-8")
    except yaml.YAMLError:
        return
    try:
        parsed = read_interview_file(raw)
    except InterviewSpecError as exc:
        assert str(exc)
        return
    check(parsed)


@FUZZ
@given(raw=st.one_of(st.binary(max_size=2000), st.text(max_size=2000).map(str.encode)))
def test_any_bytes_are_a_mapping_or_one_sentence(raw):
    """Random bytes and text (tabs, anchors, bad dates, binary): a mapping or one sentence."""
    try:
        parsed = read_interview_file(raw)
    except InterviewSpecError as exc:
        assert len(exc.errors) == 1 and str(exc)
        return
    assert isinstance(parsed, dict)
    check(parsed)
