"""The command line refuses to call or export an erased candidate: a clear error (JSON on
stderr with --json), exit status 1, and nothing called, written or audited."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from dashboard.cli import main
from ivr.standin import TwilioApiServer
from tests.privacy_support import make_person
from tests.support import env_for
from voice import erasure
from voice.models import AuditEvent, Call, CandidateStatus
from voice.store import AudioStore


@pytest.fixture
def twilio(settings):
    with TwilioApiServer(settings.twilio_account_sid, settings.twilio_auth_token) as standin:
        yield standin


@pytest.fixture
def run(settings, db, twilio):
    """Invoke the CLI (Twilio: the stand-in) with the test settings; returns the result."""
    runner = CliRunner()
    env = {
        k: v
        for k, v in env_for(settings.replace(twilio_api_url=twilio.url)).items()
        if k.startswith(("SCREENLINE_", "TWILIO_"))
    }
    return lambda *args: runner.invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def person(db, settings, twilio):
    """A completed candidate with audio, recordings, texts and calls (privacy_support)."""
    return make_person(db, AudioStore(settings.media_dir), twilio)


def erase(db, person) -> int:
    erasure.erase_candidate(db, person.candidate)
    db.commit()
    return person.candidate.id


def changes(session_factory, twilio, candidate_id: int) -> tuple:
    """Calls of the candidate, calls placed at Twilio, and audit entries other than the
    erasure's: what a refused command must leave as it was."""
    with session_factory() as s:
        return (
            s.scalar(select(func.count(Call.id)).where(Call.candidate_id == candidate_id)),
            len(twilio.outbound_calls),
            sorted(s.scalars(select(AuditEvent.action))),
        )


def test_calling_an_erased_candidate_is_refused(run, db, person, twilio, session_factory):
    """`candidate call` on an erased candidate: the message on stderr (JSON with --json),
    exit 1, no call placed at Twilio and none recorded."""
    cid = erase(db, person)
    before = changes(session_factory, twilio, cid)
    result = run("candidate", "call", str(cid), "--json")
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads(result.stderr) == {
        "error": f"candidate {cid}: this candidate's data is erased; nothing was changed"
    }
    plain = run("candidate", "call", str(cid))
    assert plain.exit_code == 1
    assert plain.stderr.strip() == (
        f"Error: candidate {cid}: this candidate's data is erased; nothing was changed"
    )
    assert changes(session_factory, twilio, cid) == before


def test_exporting_an_erased_candidate_is_refused(
    run, db, person, twilio, session_factory, tmp_path
):
    """`candidate export` on an erased candidate: JSON error, exit 1, no file, no "export"
    audit entry."""
    cid = erase(db, person)
    before = changes(session_factory, twilio, cid)
    out = tmp_path / "copy.zip"
    result = run("candidate", "export", str(cid), "--out", str(out), "--json")
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads(result.stderr)["error"].endswith("data is erased; nothing was changed")
    assert not out.exists()
    assert changes(session_factory, twilio, cid) == before


def test_calling_a_candidate_not_erased_still_works(run, db, person, twilio, session_factory):
    """The baseline: `candidate call` on a candidate not erased, with questions left (a
    finished one is not called: ivr.outbound.nothing_to_ask), rings them through Twilio."""
    person.candidate.status = CandidateStatus.IN_PROGRESS
    db.commit()
    cid = person.candidate.id
    result = run("candidate", "call", str(cid), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["to"] == person.candidate.phone
    assert [c.to for c in twilio.outbound_calls] == [person.candidate.phone]
    with session_factory() as s:
        assert s.scalar(select(func.count(Call.id)).where(Call.candidate_id == cid)) == 2


def test_erasing_again_still_reports_where_it_stands(run, db, person):
    """The erasure's own command is not refused: repeated, it reports the state."""
    cid = erase(db, person)
    result = run("candidate", "erase", str(cid), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["state"] == "pending"
