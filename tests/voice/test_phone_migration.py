"""Migration 0020 makes a phone one candidate per interview, on SQLite and PostgreSQL,
keeping a shared number on the candidate furthest along."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests.conftest import ADMIN_DATABASE_URL
from tests.factories import make_interview, make_old_org
from tests.support import postgres_database
from voice.db import make_engine, make_session_factory
from voice.migrate import downgrade, upgrade
from voice.models import Candidate, CandidateStatus

PHONE = "+15557654321"


@pytest.fixture(params=["sqlite", "postgresql"])
def before_0020(request, tmp_path) -> Iterator[str]:
    """A database of its own at revision 0019 (SQLite file or fresh PostgreSQL database)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'screenline.db'}"
        upgrade(url)
        downgrade(url, "0019")
        yield url
    else:
        with postgres_database(ADMIN_DATABASE_URL, prefix="screenline_phones") as url:
            downgrade(url, "0019")
            yield url


def test_shared_numbers_stay_with_the_candidate_furthest_along(before_0020, caplog):
    """Upgrading clears the phone of all but one candidate per (interview, number): the
    completed one over earlier-added ones; others keep their rows and PINs; each clearing
    is logged; afterwards the database refuses a duplicate."""
    engine = make_engine(before_0020)
    factory = make_session_factory(engine)
    with factory() as session:
        org = make_old_org(session)
        interview = make_interview(session, org)
        other = make_interview(session, org, phone_number="+15550100300", title="Line cook")

        def add(name, interview, phone, status=CandidateStatus.INVITED, pin="1111"):
            row = Candidate(interview=interview, name=name, phone=phone, pin=pin, status=status)
            session.add(row)
            session.flush()
            return row.id

        first = add("Ann First", interview, PHONE, pin="1001")
        done = add("Cy Completed", interview, PHONE, CandidateStatus.COMPLETED, pin="1002")
        third = add("Di Third", interview, PHONE, pin="1003")
        alone = add("Ed Alone", interview, "+15557650000", pin="1004")
        elsewhere = add("Fay Elsewhere", other, PHONE, pin="1005")
        twin_a = add("Gus A", other, "+15557650001", pin="1006")
        twin_b = add("Gus B", other, "+15557650001", pin="1007")
        session.commit()
    engine.dispose()

    with caplog.at_level(logging.WARNING, logger="alembic.runtime.migration"):
        upgrade(before_0020)
    engine = make_engine(before_0020)
    with make_session_factory(engine)() as session:
        phones = dict(session.execute(select(Candidate.id, Candidate.phone)).all())
        pins = dict(session.execute(select(Candidate.id, Candidate.pin)).all())
        assert phones == {
            first: None,
            done: PHONE,
            third: None,
            alone: "+15557650000",
            elsewhere: PHONE,
            twin_a: "+15557650001",
            twin_b: None,
        }
        assert pins[first] == "1001" and pins[third] == "1003"
        session.add(Candidate(interview_id=interview.id, name="Twin", phone=PHONE, pin="2001"))
        with pytest.raises(IntegrityError):
            session.flush()
    engine.dispose()
    logged = [r.getMessage() for r in caplog.records if "cleared" in r.getMessage()]
    said = f"candidate {first} (interview {interview.id}): phone cleared"
    assert f"{said}, the number stays with candidate {done}" in logged
    assert len(logged) == 3
    assert not any(PHONE in line for line in logged)  # a phone number is personal data
