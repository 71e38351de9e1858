"""Which attempt is reviewed: a superseded attempt, and the one kept when a retake fails."""

from __future__ import annotations

import pytest

from tests.factories import make_call
from tests.workers.helpers import make_answer, make_interview_for
from voice import attempts, pipeline
from voice.models import AnswerStatus


@pytest.fixture
def interview(db):
    """A one-question interview (3 s minimum) with one candidate."""
    return make_interview_for(db, questions=[{"prompt": "Why us?", "min_seconds": 3}])


def attempt(db, interview, n: int, kept: bool, seconds: int | None = 5, **fields):
    """Attempt `n` at the interview's question, `seconds` long (None: unknown), committed."""
    answer = make_answer(
        db, None, "RE" + str(n) * 32, interview=interview, attempt=n, kept=kept, **fields
    )
    answer.duration_seconds = seconds
    db.commit()
    return answer


def test_an_attempt_a_later_retake_replaced_is_superseded(db, interview):
    """Not kept, with a later attempt that counts: superseded; the kept one is not."""
    first = attempt(db, interview, 1, kept=False)
    second = attempt(db, interview, 2, kept=True)
    assert attempts.is_superseded(db, first)
    assert not attempts.is_superseded(db, second)


@pytest.mark.parametrize(
    "later",
    [
        {"status": AnswerStatus.NO_AUDIO},
        {"seconds": 2},  # under the question's 3 s minimum
    ],
    ids=["no audio", "too short"],
)
def test_a_later_attempt_without_a_real_recording_replaces_nothing(db, interview, later):
    """A retake without audio, or too short to keep, leaves the earlier attempt wanted."""
    first = attempt(db, interview, 1, kept=False)
    attempt(db, interview, 2, kept=False, **later)
    assert not attempts.is_superseded(db, first)


def test_a_later_attempt_of_unknown_length_replaces_the_earlier_one(db, interview):
    """Twilio's -1 (length unknown) is a real recording: it counts as a retake."""
    first = attempt(db, interview, 1, kept=False)
    attempt(db, interview, 2, kept=False, seconds=None)
    assert attempts.is_superseded(db, first)


def test_the_latest_attempt_with_nothing_kept_is_not_superseded(db, interview):
    """After 'start over' nothing is kept; the latest attempt is the one the page shows."""
    attempt(db, interview, 1, kept=False)
    second = attempt(db, interview, 2, kept=False)
    assert not attempts.is_superseded(db, second)


def test_fall_back_keeps_the_newest_earlier_attempt_of_the_call_again(db, interview):
    """A retake with no audio hands the answer to the call's newest real attempt; a
    superseded one goes back to `stored`, without its reason."""
    call = make_call(db, interview, interview.candidates[0], "")
    older = attempt(db, interview, 1, kept=False, call_id=call.id)
    newer = attempt(db, interview, 2, kept=False, call_id=call.id)
    pipeline.superseded(newer)
    failed = attempt(db, interview, 3, kept=True, call_id=call.id, status=AnswerStatus.RECORDING)

    pipeline.no_audio(failed, "16102")
    db.commit()

    assert (older.kept, newer.kept, failed.kept) == (False, True, False)
    assert newer.status == AnswerStatus.STORED and newer.error is None
    assert failed.status == AnswerStatus.NO_AUDIO


def test_fall_back_leaves_a_kept_attempt_alone(db, interview):
    """When another attempt is still kept, nothing changes."""
    call = make_call(db, interview, interview.candidates[0], "")
    first = attempt(db, interview, 1, kept=False, call_id=call.id)
    kept = attempt(db, interview, 2, kept=True, call_id=call.id)
    late = attempt(db, interview, 3, kept=False, call_id=call.id)
    assert pipeline.fall_back(late) is None
    assert (first.kept, kept.kept) == (False, True)
