"""`screenline retention purge` and `screenline candidate erase`, run as a user would."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from rq import Queue
from sqlalchemy import select

from dashboard.cli import main
from ivr.jobs import ERASE_CANDIDATE
from ivr.standin import TwilioApiServer
from tests.privacy_support import NAME, make_person
from tests.support import env_for
from voice import erasure
from voice.models import AuditEvent, Candidate
from voice.store import AudioStore


@pytest.fixture
def run(settings, db):
    """Invoke the CLI with the test settings in its environment; (exit code, output)."""
    runner = CliRunner()
    env = {k: v for k, v in env_for(settings).items() if k.startswith(("SCREENLINE_", "TWILIO_"))}

    def invoke(*args: str) -> tuple[int, str]:
        result = runner.invoke(main, list(args), env=env, catch_exceptions=False)
        return result.exit_code, result.output

    return invoke


@pytest.fixture
def api(settings):
    with TwilioApiServer(settings.twilio_account_sid, settings.twilio_auth_token) as server:
        yield server


@pytest.fixture
def person(db, settings, api):
    """A candidate completed 200 days ago, in an interview keeping data for 365 days."""
    made = make_person(db, AudioStore(settings.media_dir), api, completed_days_ago=200)
    made.interview.retention_days = 365
    db.commit()
    return made


def snapshot(session_factory, candidate_id):
    with session_factory() as session:
        found = session.get(Candidate, candidate_id)
        return (found.name, found.phone, found.erasure_requested_at, found.erased_at)


def test_as_of_and_dry_run_report_without_changing_anything(
    run, person, session_factory, redis_conn
):
    """--as-of answers "what would be gone by then", --dry-run "what now"; nothing changes."""
    before = snapshot(session_factory, person.candidate.id)
    code, out = run("retention", "purge", "--dry-run", "--json")
    assert code == 0
    now = json.loads(out)
    assert now["dry_run"] is True and now["purged"] == [] and now["counts"]["purged"] == 0

    later = (datetime.now(UTC) + timedelta(days=200)).date().isoformat()
    code, out = run("retention", "purge", "--as-of", later, "--json")
    assert code == 0
    report = json.loads(out)
    assert report["dry_run"] is True
    assert report["counts"] == {"purged": 1, "held": 0, "pending": 0}
    [item] = report["purged"]
    assert item["id"] == person.candidate.id and item["retention_days"] == 365
    assert item["counted_from"] == "completion"
    assert set(report) == {"as_of", "dry_run", "purged", "held", "pending", "counts"}

    assert snapshot(session_factory, person.candidate.id) == before
    assert Queue(ERASE_CANDIDATE.queue, connection=redis_conn).get_job_ids() == []


def test_purge_takes_those_due_and_names_the_held(run, db, person, session_factory, redis_conn):
    """A candidate past retention is purged and queued for the workers; a held one is named."""
    person.interview.retention_days = 100
    db.commit()
    code, out = run("retention", "purge", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["dry_run"] is False
    assert [p["id"] for p in report["purged"]] == [person.candidate.id]
    assert report["counts"]["pending"] == 1
    assert report["pending"][0]["owed"] == {"answers": 2, "recordings": 2, "messages": 2}
    name, phone, requested, erased = snapshot(session_factory, person.candidate.id)
    assert (name, phone, erased) == ("Erasure pending", None, None) and requested
    assert Queue(ERASE_CANDIDATE.queue, connection=redis_conn).get_job_ids() == [
        ERASE_CANDIDATE.job_id(person.candidate.id)
    ]


def test_held_candidates_are_skipped_and_said_so(run, db, person, session_factory):
    """A legal hold keeps a candidate past retention; the report says it is held."""
    person.interview.retention_days = 100
    person.candidate.legal_hold = True
    db.commit()
    code, out = run("retention", "purge")
    assert code == 0
    assert (
        f"candidate {person.candidate.id} (interview {person.interview.id}) skipped: on legal hold"
        in out
    )
    assert snapshot(session_factory, person.candidate.id)[0] == NAME


def test_candidate_erase_removes_at_once_and_queues_the_rest(run, person, session_factory):
    """`candidate erase ID --json` ignores retention, and says what the workers still owe."""
    code, out = run("candidate", "erase", str(person.candidate.id), "--json")
    assert code == 0
    state = json.loads(out)
    assert state["state"] == "pending" and state["reason"] == "erasure request"
    assert state["owed"] == {"answers": 2, "recordings": 2, "messages": 2}
    assert state["queued"] is True
    assert snapshot(session_factory, person.candidate.id)[:2] == ("Erasure pending", None)
    code, again = run("candidate", "erase", str(person.candidate.id), "--json")
    assert code == 0 and json.loads(again)["requested_at"] == state["requested_at"]


def test_erasing_again_is_audited_once_and_queues_nothing_once_done(
    run, person, db, session_factory, redis_conn
):
    """A repeated `candidate erase` reports where the erasure stands and adds no second
    "erasure" entry; once nothing is owed it says "queued": false and queues no job."""
    candidate_id = person.candidate.id
    assert run("candidate", "erase", str(candidate_id), "--json")[0] == 0
    with session_factory() as session:
        found = session.get(Candidate, candidate_id)
        owed = erasure.owed_work(found)
        erasure.settle(
            found,
            answers=[int(a) for a in owed["answers"]],
            recordings=owed["recordings"],
            messages=owed["messages"],
        )
        session.commit()
    queue = Queue(ERASE_CANDIDATE.queue, connection=redis_conn)
    queue.empty()
    for _ in range(2):
        code, out = run("candidate", "erase", str(candidate_id), "--json")
        assert code == 0, out
        state = json.loads(out)
        assert (state["state"], state["queued"]) == ("erased", False)
        assert state["owed"] == {"answers": 0, "recordings": 0, "messages": 0}
    assert queue.get_job_ids() == []
    with session_factory() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.candidate_id == candidate_id)
        ).all()
    assert actions.count("erasure") == 1


@pytest.mark.parametrize(
    ("args", "message", "status"),
    [
        (("candidate", "erase", "999"), "no candidate 999", 1),
        (
            ("retention", "purge", "--as-of", "next tuesday"),
            "Invalid value for '--as-of': 'next tuesday' is not an ISO-8601 date",
            2,
        ),
    ],
)
def test_bad_input_gets_a_clear_error(run, args, message, status):
    """An unknown candidate (exit 1) or an unreadable date (a bad option value, exit 2) is
    one sentence, not a traceback."""
    code, out = run(*args)
    assert code == status and message in out


@pytest.mark.parametrize("held", ["candidate", "interview"])
def test_a_legal_hold_refuses_an_erasure_until_it_is_lifted(run, db, person, session_factory, held):
    """`candidate erase` on a held candidate (or interview) erases nothing and says why."""
    (person.candidate if held == "candidate" else person.interview).legal_hold = True
    db.commit()
    code, out = run("candidate", "erase", str(person.candidate.id), "--json")
    assert code != 0
    assert "on legal hold; take the hold off first" in out
    assert snapshot(session_factory, person.candidate.id) == (
        NAME,
        person.candidate.phone,
        None,
        None,
    )
    (person.candidate if held == "candidate" else person.interview).legal_hold = False
    db.commit()
    code, out = run("candidate", "erase", str(person.candidate.id), "--json")
    assert code == 0 and json.loads(out)["state"] == "pending"
