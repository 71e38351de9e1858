"""Audit entries for adding candidates (one, or imported), comments and "Call … now", from
the dashboard and the command line (voice/audit.py): who, which candidate or interview,
counts and ids but never a comment's text; `audit verify` passes after them."""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

import tests.dashboard.standin_app as standin
from dashboard.audit import detail_text
from dashboard.cli import main
from tests.dashboard.conftest import submit
from tests.dashboard.html import parse
from tests.factories import make_candidate, make_interview, make_org
from tests.support import env_for
from voice import audit
from voice.models import AuditEvent, CandidateStatus

app, twilio = standin.app, standin.twilio  # the Twilio stand-in and the app using it

ADDRESS = "203.0.113.9"
COMMENT = "Strong forklift answer; ask about night shifts."


@pytest.fixture
def client(app):
    """A browser at a known address, so entries' source addresses can be checked."""
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = ADDRESS
    return browser


@pytest.fixture
def run(settings, twilio):
    """Invoke the CLI with the test settings (Twilio: the stand-in); (exit code, stdout)."""
    env = {
        k: v
        for k, v in env_for(settings.replace(twilio_api_url=twilio.url)).items()
        if k.startswith(("SCREENLINE_", "TWILIO_"))
    }

    def invoke(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
        return result.exit_code, result.stdout

    return invoke


def entries(db, action: str) -> list[AuditEvent]:
    db.expire_all()
    return list(
        db.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
    )


def by_manager(entry: AuditEvent, world) -> None:
    """The entry names the signed-in manager, at the test address, in their organisation."""
    assert entry.organization_id == world.user.organization_id
    assert (entry.actor_kind, entry.actor_id) == ("user", world.user.id)
    assert entry.actor_data["email"] == "manager@acme.test"
    assert entry.actor_data["address"] == ADDRESS


def by_command_line(entry: AuditEvent) -> None:
    assert (entry.actor_kind, entry.actor_label) == ("system", "command line")


def everything_stored(entry: AuditEvent) -> str:
    """Every stored part of an entry, as one string (to look for what must not be there)."""
    return json.dumps(
        [entry.detail, entry.actor_data, entry.subject_data, entry.entry_hash], default=str
    )


def verified(run) -> bool:
    code, out = run("audit", "verify", "--json")
    return code == 0 and json.loads(out)["ok"] is True


def test_comments_are_recorded_by_candidate_never_by_text(signed_in, db, client, run):
    """A comment on the candidate and one on an answer each leave an entry naming the
    candidate (and the answer) and the comment's id; the text is in no entry."""
    world = signed_in
    page = parse(client.get(f"/candidates/{world.candidate.id}").data)
    url = f"/candidates/{world.candidate.id}/comments"
    token = page.find("input", name="csrf_token").attrs["value"]
    assert client.post(url, data={"csrf_token": token, "body": COMMENT}).status_code == 302
    on_answer = {"csrf_token": token, "body": COMMENT, "answer_id": str(world.transcribed.id)}
    assert client.post(url, data=on_answer).status_code == 302
    overall, answer = entries(db, "comment_added")
    for entry in (overall, answer):
        by_manager(entry, world)
        assert (entry.candidate_id, entry.interview_id) == (world.candidate.id, world.interview.id)
        assert entry.subject_data["name"] == "Dana Diaz"
        assert COMMENT not in everything_stored(entry) and "forklift" not in everything_stored(
            entry
        )
    assert (overall.answer_id, answer.answer_id) == (None, world.transcribed.id)
    assert overall.detail["comment_id"] < answer.detail["comment_id"]
    assert verified(run)


def test_call_now_is_recorded_with_twilios_call(signed_in, db, client, twilio, run):
    """ "Call … now" that Twilio accepted leaves an entry naming the candidate and the
    CallSid; the number rung is not in its hashed part."""
    world = signed_in
    world.candidate.status = CandidateStatus.IN_PROGRESS  # questions left to ask
    db.commit()
    manage = parse(client.get(f"/candidates/{world.candidate.id}/manage").data)
    assert submit(client, manage, f"/candidates/{world.candidate.id}/call").status_code == 302
    [call] = twilio.outbound_calls
    [entry] = entries(db, "call_placed")
    by_manager(entry, world)
    assert entry.candidate_id == world.candidate.id and entry.detail == {"call_sid": call.sid}
    assert world.candidate.phone not in json.dumps(entry.detail)
    assert verified(run)


def test_a_refused_call_is_not_recorded(signed_in, db, client):
    """A press Twilio is never asked about (the candidate finished) leaves no entry."""
    world = signed_in  # the fixture's candidate completed the interview
    token = parse(client.get(f"/candidates/{world.candidate.id}").data).find(
        "input", name="csrf_token"
    )
    data = {"csrf_token": token.attrs["value"]}
    assert client.post(f"/candidates/{world.candidate.id}/call", data=data).status_code == 302
    assert entries(db, "call_placed") == []


def test_imports_are_recorded_with_counts_not_names(signed_in, db, client, run):
    """The import page's pasted rows and uploaded file each leave an entry on the
    interview with how many rows were added, merged and rejected; no name or number."""
    world = signed_in
    url = f"/interviews/{world.interview.id}/import"
    page = parse(client.get(url).data)
    pasted = "Ana Alvarez,5552010001\nDana Again,+15557654321\nNo Number,\n"
    assert submit(client, page, url, pasted=pasted).status_code == 200
    upload = {
        "csrf_token": page.find("input", name="csrf_token").attrs["value"],
        "file": (io.BytesIO(b"name,phone\nBen Brown,5552010002\n"), "people.csv"),
    }
    assert client.post(url, data=upload, content_type="multipart/form-data").status_code == 200
    first, second = entries(db, "candidates_imported")
    for entry in (first, second):
        by_manager(entry, world)
        assert entry.interview_id == world.interview.id and entry.candidate_id is None
        assert entry.subject_data is None
    assert first.detail == {
        "added": 1,
        "merged": 1,
        "rejected": 1,
        "country": "US",
        "source": "pasted",
    }
    assert second.detail == {
        "added": 1,
        "merged": 0,
        "rejected": 0,
        "country": "US",
        "source": "file",
    }
    for name in ("Ana", "Ben", "555201"):
        assert name not in everything_stored(first) + everything_stored(second)
    assert detail_text("candidates_imported", first.detail) == (
        "1 added, 1 merged, 1 rejected; country: US; source: pasted"
    )
    assert verified(run)


def test_a_file_that_is_not_a_table_is_not_recorded(signed_in, db, client):
    """An import that stopped at the file (not a table: 422) adds nothing and records nothing."""
    url = f"/interviews/{signed_in.interview.id}/import"
    page = parse(client.get(url).data)
    upload = {
        "csrf_token": page.find("input", name="csrf_token").attrs["value"],
        "file": (io.BytesIO(b""), "empty.csv"),
    }
    assert client.post(url, data=upload, content_type="multipart/form-data").status_code == 422
    assert entries(db, "candidates_imported") == []


def test_adding_one_candidate_is_recorded(signed_in, db, client, run):
    """ "Add a candidate" leaves an entry naming the new candidate and whether the
    invitation was asked for; a refused form leaves none."""
    world = signed_in
    url = f"/interviews/{world.interview.id}/candidates/new"
    page = parse(client.get(url).data)
    assert submit(client, page, url, name="Gil Green", phone="12").status_code == 422
    assert entries(db, "candidate_added") == []
    response = submit(client, page, url, name="Gil Green", phone="5552010011", invite="1")
    assert response.status_code == 302
    [entry] = entries(db, "candidate_added")
    by_manager(entry, world)
    assert response.headers["Location"].endswith(f"/candidates/{entry.candidate_id}")
    assert entry.interview_id == world.interview.id
    assert entry.subject_data["name"] == "Gil Green"
    assert entry.detail == {"invitation": True}
    assert "5552010011" not in everything_stored(entry)
    assert verified(run)


def test_the_command_line_records_add_import_and_call(db, run, tmp_path, twilio):
    """`candidate add`, `candidate import` and `candidate call` are recorded as the
    dashboard records them, by "command line"; the chain verifies."""
    org = make_org(db)
    interview = make_interview(db, org)
    waiting = make_candidate(db, interview, "Lee Park", "+15557654322")
    db.commit()
    code, out = run(
        "candidate", "add", "--interview", str(interview.id), "--name", "Kim Li", "--json",
        "--phone", "5552010012",
    )  # fmt: skip
    assert code == 0
    [added] = entries(db, "candidate_added")
    by_command_line(added)
    assert (added.candidate_id, added.interview_id) == (json.loads(out)["id"], interview.id)
    assert added.subject_data["name"] == "Kim Li" and added.detail == {"invitation": False}

    people = tmp_path / "people.csv"
    people.write_text("name,phone\nMo Ng,5552010013\nBad,12\n")
    assert run("candidate", "import", "--interview", str(interview.id), str(people))[0] == 0
    [imported] = entries(db, "candidates_imported")
    by_command_line(imported)
    assert imported.interview_id == interview.id
    assert imported.detail == {
        "added": 1,
        "merged": 0,
        "rejected": 1,
        "country": "US",
        "source": "file",
    }

    assert run("candidate", "call", str(waiting.id))[0] == 0
    [called] = entries(db, "call_placed")
    by_command_line(called)
    assert called.candidate_id == waiting.id
    assert called.detail == {"call_sid": twilio.outbound_calls[0].sid}
    assert audit.verify(db, org.id).ok and verified(run)
