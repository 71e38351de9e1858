"""One candidate per phone per interview: add_candidate's rule, the import's merge, the index."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.factories import make_candidate, make_interview, make_org
from voice.candidate_import import import_rows
from voice.candidates import DuplicatePhone, add_candidate, phone_owner
from voice.erasure import erase_candidate
from voice.models import Candidate


def count(session, interview) -> int:
    return session.scalar(
        select(func.count(Candidate.id)).where(Candidate.interview_id == interview.id)
    )


def test_a_second_candidate_with_the_same_phone_is_refused_naming_the_first(db):
    """The same number written another way is refused; the error names the first's id."""
    interview = make_interview(db, make_org(db))
    first = add_candidate(db, interview, "Dana Diaz", "+15557654321")
    with pytest.raises(DuplicatePhone) as refused:
        add_candidate(db, interview, "Dan Diaz", "(555) 765-4321")
    assert refused.value.candidate_id == first.id
    assert refused.value.phone == "+15557654321"
    assert str(refused.value).startswith(
        f"+15557654321 already belongs to candidate {first.id} in this interview"
    )
    assert isinstance(refused.value, ValueError)  # every front door's bad-input path
    db.commit()
    assert count(db, interview) == 1


def test_the_same_phone_in_another_interview_and_candidates_without_one_are_added(db):
    """The rule is per interview, and candidates without a phone never collide."""
    org = make_org(db)
    warehouse = make_interview(db, org)
    kitchen = make_interview(db, org, phone_number="+15550100300", title="Line cook")
    add_candidate(db, warehouse, "Dana Diaz", "+15557654321")
    add_candidate(db, kitchen, "Dana Diaz", "+15557654321")
    add_candidate(db, warehouse, "Ivy One")
    add_candidate(db, warehouse, "Ivy Two")
    db.commit()
    assert (count(db, warehouse), count(db, kitchen)) == (3, 1)


def test_an_erased_candidates_number_is_free_again(db):
    """Erasure clears the phone at once, so someone new may be added with that number."""
    interview = make_interview(db, make_org(db))
    gone = make_candidate(db, interview)
    erase_candidate(db, gone)
    db.commit()
    assert gone.phone is None
    again = add_candidate(db, interview, "New Person", "+15557654321")
    db.commit()
    assert phone_owner(db, interview.id, "+15557654321") == again.id


def test_the_database_refuses_a_duplicate_written_around_the_rule(db):
    """The partial unique index (migration 0020) stops a row written directly."""
    interview = make_interview(db, make_org(db))
    make_candidate(db, interview)
    db.commit()
    db.add(Candidate(interview_id=interview.id, name="Twin", phone="+15557654321", pin="1"))
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()
    db.add(Candidate(interview_id=interview.id, name="No phone", phone=None, pin="2"))
    db.add(Candidate(interview_id=interview.id, name="No phone", phone=None, pin="3"))
    db.commit()
    assert count(db, interview) == 3


def test_two_adds_at_once_leave_one_candidate_and_the_loser_told_whose(db, session_factory):
    """A concurrent add waits on the index, then is refused with the winner's id."""
    interview = make_interview(db, make_org(db))
    db.commit()
    winner = add_candidate(db, interview, "Dana Diaz", "+15557654321")  # flushed, not committed
    outcome: dict[str, object] = {}

    def second():
        with session_factory() as other:
            try:
                add_candidate(
                    other, other.get(type(interview), interview.id), "Dan", "+15557654321"
                )
                other.commit()
                outcome["added"] = True
            except DuplicatePhone as exc:
                outcome["refused"] = exc.candidate_id

    thread = threading.Thread(target=second)
    thread.start()
    thread.join(1.0)
    assert thread.is_alive(), "the second add should wait for the first transaction"
    db.commit()
    thread.join(10)
    assert outcome == {"refused": winner.id}
    assert count(db, interview) == 1


def test_the_import_still_merges_a_row_whose_phone_is_taken(db):
    """A list row with an existing candidate's phone is merged into them, not refused."""
    interview = make_interview(db, make_org(db))
    dana = make_candidate(db, interview)
    report = import_rows(
        db,
        interview,
        [["name", "phone", "email"], ["Dana D.", "555-765-4321", "dana@example.com"]],
        None,
    )
    db.commit()
    assert report.added == [] and [m[:2] for m in report.merged] == [(2, "+15557654321")]
    assert dana.email == "dana@example.com"
    assert count(db, interview) == 1
