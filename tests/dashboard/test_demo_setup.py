"""The demo's set-up (dashboard.demo.prepare) on a real database: what the audit trail says.

A new user opened the demo's audit page and found its first entry was their own sign-in:
the login and the interview the demo made were not in the trail, though the README lists
both actions. They are now recorded once, by "demo set-up", and a second run adds none.
"""

from __future__ import annotations

from sqlalchemy import select

from dashboard.demo import DEMO_EMAIL, DEMO_ORG, live_workers, prepare, print_transcripts
from voice.models import AuditEvent, Interview, Organization


def test_the_demo_records_the_login_and_interview_it_makes_once(settings, db):
    prepare(settings)
    prepare(settings)  # a second `make demo` on the same database
    org = db.scalar(select(Organization).where(Organization.name == DEMO_ORG))
    entries = db.scalars(
        select(AuditEvent).where(AuditEvent.organization_id == org.id).order_by(AuditEvent.seq)
    ).all()
    assert [e.action for e in entries] == ["user_created", "interview_created"]
    assert {e.actor_label for e in entries} == {"demo set-up"}
    assert entries[0].subject_data["email"] == DEMO_EMAIL


def test_the_demo_prints_the_transcripts_of_the_two_callers_not_the_waiting_one(
    settings, db, capsys
):
    """`make demo` adds three candidates (two call, one waits for "call me now"); the
    transcripts printed are the two callers', in call order, never the third's."""
    interview_id, _, _, first = prepare(settings)
    _, _, _, second = prepare(settings)
    _, _, _, waiting = prepare(settings)
    print_transcripts(settings, interview_id, [first, second])
    out = capsys.readouterr().out
    headings = [line for line in out.splitlines() if line.startswith("Transcripts for")]
    assert headings == [
        "Transcripts for Jordan Rivera [Not started]",
        "Transcripts for Sam Okafor [Not started]",
    ]
    assert waiting not in out and "Priya Nair" not in out


def test_every_run_adds_candidates_with_names_of_their_own(settings, db):
    """A second `make demo` on the same database keeps the first run's candidates and adds
    three more, each with a name no candidate of the interview has (five names cycled: a
    trial saw two "Jordan Rivera"s), then "Demo caller N" once the names run out."""
    added = [prepare(settings) for _ in range(15)]
    interview = db.get(Interview, added[0][0])
    names = [c.name for c in sorted(interview.candidates, key=lambda c: c.id)]
    assert names[:3] == ["Jordan Rivera", "Sam Okafor", "Priya Nair"]
    assert len(set(names)) == len(names) == 15
    assert names[-3:] == ["Demo caller 13", "Demo caller 14", "Demo caller 15"]
    assert len({caller for *_, caller in added}) == 15  # and a phone each


def test_a_second_demo_on_a_redis_database_in_use_is_refused(settings, db, redis_conn):
    """A live worker already on the demo's Redis database (another demo's) would take this
    demo's jobs: `screenline demo` refuses at once, naming it and how to give this demo a
    database of its own. A registration left by a killed worker (its pid gone) is ignored."""
    import subprocess
    import sys

    from click.testing import CliRunner
    from rq import Worker

    from dashboard.cli import main
    from tests.support import env_for, free_port

    other = Worker(["messages"], connection=redis_conn, name="other-demo")
    other.register_birth()
    assert live_workers(settings.redis_url) == [f"{other.hostname} pid {other.pid}"]
    env = {k: v for k, v in env_for(settings).items() if k.startswith(("SCREENLINE_", "TWILIO_"))}
    args = ["demo", "--exit", "--port", str(free_port()), "--api-port", str(free_port())]
    refused = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
    assert refused.exit_code == 1
    error = " ".join(refused.stderr.split())
    assert error.startswith(
        f"Error: another Screenline worker ({other.hostname} pid {other.pid}) is using"
    )
    assert "SCREENLINE_REDIS_URL=redis://127.0.0.1:6379/1 make demo" in error
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    redis_conn.hset(other.key, "pid", gone.stdout.strip())  # its process has exited
    assert live_workers(settings.redis_url) == []
    other.register_death()
