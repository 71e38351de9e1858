"""`screenline interview list`, `candidate list`, and errors printed as JSON with --json."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from dashboard.cli import main
from tests.factories import make_candidate, make_interview, make_org
from tests.support import env_for
from voice.models import CandidateStatus, DecisionKind, utcnow


@pytest.fixture
def run(settings, db):
    """Invoke the CLI with the test settings in its environment."""
    runner = CliRunner()
    env = {k: v for k, v in env_for(settings).items() if k.startswith(("SCREENLINE_", "TWILIO_"))}

    def invoke(*args: str, ok: bool = True):
        result = runner.invoke(main, list(args), env=env, catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    return invoke


@pytest.fixture
def two_orgs(db):
    """Northwind with an interview of three candidates (one completed), Acme with one."""
    north = make_org(db, "Northwind Logistics")
    acme = make_org(db, "Acme Warehousing")
    forklift = make_interview(db, north, title="Forklift driver", languages=["en-US", "es-MX"])
    done = make_candidate(db, forklift, "Ana Done", "+15557000001")
    make_candidate(db, forklift, "Ben Invited", "+15557000002")
    make_candidate(db, forklift, "Cy Nophone", None)
    done.status, done.completed_at = CandidateStatus.COMPLETED, utcnow()
    done.decision = DecisionKind.ADVANCE
    other = make_interview(db, acme, phone_number="+15550100300", title="Packer")
    make_candidate(db, other, "Dee Acme", "+15557000009")
    db.commit()
    return forklift, other


def test_interview_list_counts_candidates_per_organisation(run, two_orgs):
    """--org shows one organisation's interviews with counts; without it, every one."""
    forklift, other = two_orgs
    data = json.loads(run("interview", "list", "--org", "Northwind Logistics", "--json").output)
    assert data == [
        {
            "id": forklift.id,
            "title": "Forklift driver",
            "phone_number": "+15550100200",
            "language": "en-US",
            "languages": ["en-US", "es-MX"],
            "organization": "Northwind Logistics",
            "questions": 2,
            "candidates": 3,
            "completed": 1,
        }
    ]
    every = json.loads(run("interview", "list", "--json").output)
    assert sorted(i["id"] for i in every) == sorted([forklift.id, other.id])
    text = run("interview", "list").output
    assert f"{forklift.id}: Forklift driver (+15550100200, en-US, es-MX)" in text
    assert "3 candidates, 1 completed [Northwind Logistics]" in text
    assert f"{other.id}: Packer (+15550100300, en-US) 1 candidate, 0 completed" in text


def test_candidate_list_of_one_interview_filtered_by_status(run, two_orgs):
    """Only that interview's candidates, in id order; --status narrows them."""
    forklift, _ = two_orgs
    data = json.loads(run("candidate", "list", "--interview", str(forklift.id), "--json").output)
    assert [(c["name"], c["phone"], c["status"], c["decision"]) for c in data] == [
        ("Ana Done", "+15557000001", "completed", "advance"),
        ("Ben Invited", "+15557000002", "invited", None),
        ("Cy Nophone", None, "invited", None),
    ]
    assert data[0]["completed_at"] and data[1]["completed_at"] is None
    assert set(data[0]) == {"id", "name", "phone", "status", "decision", "completed_at"}
    args = ("candidate", "list", "--interview", str(forklift.id), "--status", "completed")
    assert [c["name"] for c in json.loads(run(*args, "--json").output)] == ["Ana Done"]
    text = run("candidate", "list", "--interview", str(forklift.id)).output
    assert "Ana Done, +15557000001 [Completed, Advance] completed" in text
    assert "Cy Nophone, no phone [Not started]" in text
    assert "[invited" not in text
    refused = run("candidate", "list", "--interview", str(forklift.id), "--status", "x", ok=False)
    assert refused.exit_code == 2 and "Traceback" not in refused.output


def test_listing_nothing_says_so(run, db):
    """An empty database lists no interviews, in words and as an empty JSON list."""
    assert run("interview", "list").output.strip() == "no interviews yet"
    assert json.loads(run("interview", "list", "--json").output) == []


@pytest.mark.parametrize(
    ("args", "code", "error"),
    [
        (("results", "999"), 1, "no interview 999"),
        (("candidate", "list", "--interview", "999"), 1, "no interview 999"),
        (("results", "0"), 2, "'0' is not an id: ids are whole numbers from 1 to 2147483647"),
        (("results", "abc"), 2, "'abc' is not an id: ids are whole numbers from 1 to"),
        (("candidate", "call", "3x"), 2, "'3x' is not an id"),
    ],
)
def test_json_commands_report_errors_as_json(run, db, args, code, error):
    """With --json an error is {"error": ...} on stderr, stdout empty, exit status kept."""
    result = run(*args, "--json", ok=False)
    assert result.exit_code == code and result.stdout == ""
    assert error in json.loads(result.stderr)["error"]
    plain = run(*args, ok=False)
    assert plain.exit_code == code and "Error:" in plain.stderr and error in plain.stderr


def test_unknown_organisation_names_the_ones_there_are(run, two_orgs):
    """A wrong --org lists the organisations' names, as text or as JSON."""
    result = run("interview", "list", "--org", "Northwind", ok=False)
    assert result.exit_code == 1
    assert "no organisation named 'Northwind'; there are: 'Acme Warehousing', " in result.stderr
    assert "'Northwind Logistics'" in result.stderr
    as_json = run("api-key", "create", "--org", "Northwind", "--name", "Sync", "--json", ok=False)
    assert "'Northwind Logistics'" in json.loads(as_json.stderr)["error"]


def test_results_json_gives_keypad_questions_no_length(run, db):
    """A keypad question has max_seconds null in `results --json`; a spoken one keeps its."""
    interview = make_interview(
        db,
        make_org(db),
        questions=(
            {"prompt": "Tell us about yourself.", "max_seconds": 90},
            {"prompt": "Can you lift 50 pounds?", "kind": "yes_no"},
        ),
    )
    db.commit()
    questions = json.loads(run("results", str(interview.id), "--json").output)["interview"][
        "questions"
    ]
    assert [(q["kind"], q["max_seconds"]) for q in questions] == [("voice", 90), ("yes_no", None)]


def test_results_text_words_status_and_keypad_answers_as_the_dashboard_does(run, db):
    """`results ID` names each candidate's status and decision as `candidate list` does
    ("Not started", "Completed, Advance"), a spoken answer's status as the dashboard
    does, and a keypad answer by what was pressed ("Yes", the digits), never a length;
    --json keeps the stored values."""
    from tests.dashboard.conftest import add_answer
    from voice.models import AnswerStatus

    interview = make_interview(
        db,
        make_org(db),
        questions=(
            {"prompt": "Tell us about yourself.", "max_seconds": 90},
            {"prompt": "Can you lift 50 pounds?", "kind": "yes_no"},
            {"prompt": "How many years of experience?", "kind": "number"},
        ),
    )
    priya = make_candidate(db, interview, "Priya Nair", "+15557000021")
    done = make_candidate(db, interview, "Ana Done", "+15557000022")
    done.status, done.completed_at = CandidateStatus.COMPLETED, utcnow()
    done.decision = DecisionKind.ADVANCE
    add_answer(
        db, done, 1, status=AnswerStatus.TRANSCRIBED, transcript="I pack.", duration_seconds=9
    )
    add_answer(db, done, 2, status=AnswerStatus.KEYPAD, digits="1")
    add_answer(db, done, 3, status=AnswerStatus.KEYPAD, digits="12")
    db.commit()
    lines = run("results", str(interview.id)).output.splitlines()
    assert f"{priya.id}: Priya Nair, +15557000021 [Not started]" in lines
    assert f"{done.id}: Ana Done, +15557000022 [Completed, Advance]" in lines
    assert "  Q1 (0:09, Transcribed): I pack." in lines  # Twilio's length: no playback file
    assert "  Q2 (keypad): Yes" in lines
    assert "  Q3 (keypad): 12" in lines
    text = "\n".join(lines)
    assert "[invited" not in text and "length unknown" not in text and "[keypad]" not in text
    data = json.loads(run("results", str(interview.id), "--json").output)
    statuses = {c["name"]: (c["status"], c["decision"]) for c in data["candidates"]}
    assert statuses == {"Priya Nair": ("invited", None), "Ana Done": ("completed", "advance")}
    answers = {a["position"]: a for a in data["candidates"][1]["answers"]}
    assert (answers[2]["status"], answers[2]["digits"], answers[2]["duration_seconds"]) == (
        "keypad",
        "1",
        None,
    )


def test_results_text_says_what_stands_in_for_a_missing_transcript(run, db):
    """`results ID` gives a spoken answer's transcript after the colon, and without one
    a plain-words note as the candidate page says it ("transcript not ready yet",
    "erased: ...", "no recording: ..."), never the stored status; --json keeps it."""
    from tests.dashboard.conftest import add_answer
    from voice import erasure
    from voice.models import AnswerStatus

    interview = make_interview(
        db,
        make_org(db),
        questions=tuple({"prompt": f"Question {n}?", "max_seconds": 60} for n in range(1, 6)),
    )
    dana = make_candidate(db, interview, "Dana Diaz", "+15557000041")
    for position, status, fields in (
        (1, AnswerStatus.TRANSCRIBED, {"transcript": "I drove a forklift."}),
        (2, AnswerStatus.STORED, {}),
        (3, AnswerStatus.NO_AUDIO, {}),
        (4, AnswerStatus.FAILED, {"error": "download failed: HTTP 404"}),
        (5, AnswerStatus.TRANSCRIBED, {"transcript": ""}),
    ):
        add_answer(db, dana, position, status=status, duration_seconds=6, **fields)
    gone = make_candidate(db, interview, "Eli Gone", "+15557000042")
    add_answer(db, gone, 1, status=AnswerStatus.TRANSCRIBED, transcript="Hi.", duration_seconds=7)
    db.flush()
    erasure.erase_candidate(db, gone)
    db.commit()
    lines = run("results", str(interview.id)).output.splitlines()
    assert "  Q1 (0:06, Transcribed): I drove a forklift." in lines
    assert "  Q2 (0:06, Transcribing): transcript not ready yet" in lines
    assert "  Q3 (0:06, No audio): no recording: Twilio kept no audio for this answer" in lines
    assert (
        "  Q4 (0:06, Failed): the recording could not be processed (download failed: HTTP 404)"
        in lines
    )
    assert "  Q5 (0:06, Transcribed): empty transcript: no speech was recognised" in lines
    assert "  Q1 (0:07, Erased): erased: the recording and its transcript are gone" in lines
    assert not [line for line in lines if line.endswith((": stored", ": erased", ": no audio"))]
    data = json.loads(run("results", str(interview.id), "--json").output)
    stored = {c["id"]: [a["status"] for a in c["answers"]] for c in data["candidates"]}
    assert stored == {
        dana.id: ["transcribed", "stored", "no audio", "failed", "transcribed"],
        gone.id: ["erased"],
    }
    assert [a["transcript"] for a in data["candidates"][0]["answers"]][:2] == [
        "I drove a forklift.",
        None,
    ]


def test_results_text_words_each_call_as_the_candidate_page_does(run, db):
    """`results ID` words each call as the candidate page's Calls list does: who placed it
    ("Call me now", "Called in"), when it began in the organisation's time zone, and its
    state in presenters.call_words ("No answer", not Twilio's "no-answer"), never a piece
    of the CallSid; --json keeps the stored status, outcome and CallSid."""
    from datetime import UTC, datetime

    from voice.models import Call

    org = make_org(db)
    org.time_zone = "America/Chicago"
    interview = make_interview(db, org)
    dana = make_candidate(db, interview, "Dana Diaz", "+15557000031")
    for sid, direction, status, outcome, started in (
        ("CA" + "1" * 32, "outbound-api", "no-answer", None, datetime(2026, 3, 3, 17, tzinfo=UTC)),
        (
            "CA" + "2" * 32,
            "outbound-api",
            "in-progress",
            None,
            datetime(2026, 7, 1, 9, 5, tzinfo=UTC),
        ),
        (
            "CA" + "3" * 32,
            "inbound",
            "completed",
            "completed",
            datetime(2026, 3, 4, 15, tzinfo=UTC),
        ),
    ):
        db.add(
            Call(
                call_sid=sid,
                candidate_id=dana.id,
                interview_id=interview.id,
                direction=direction,
                status=status,
                outcome=outcome,
                started_at=started,
            )
        )
    db.commit()
    output = run("results", str(interview.id)).output
    lines = output.splitlines()
    assert "  Call me now · Mar 3, 2026, 11:00 AM CST · No answer" in lines
    assert "  Call me now · Jul 1, 2026, 4:05 AM CDT · In progress" in lines
    assert "  Called in · Mar 4, 2026, 9:00 AM CST · Completed" in lines
    assert "111111" not in output and "call " not in output
    data = json.loads(run("results", str(interview.id), "--json").output)
    calls = data["candidates"][0]["calls"]
    assert {c["status"] for c in calls} == {"no-answer", "in-progress", "completed"}
    assert {c["call_sid"] for c in calls} == {"CA" + d * 32 for d in "123"}
    assert set(calls[0]) == {
        "call_sid",
        "direction",
        "status",
        "outcome",
        "reached_question",
        "language",
        "duration_seconds",
        "consent",
    }


def test_results_text_tells_same_named_candidates_apart_by_id_and_phone(run, db):
    """`results ID` starts each candidate's line with their id and, when they have one,
    their phone, as `candidate list` does, so six "Email Test" candidates differ; --json
    carries the same id and phone."""
    interview = make_interview(db, make_org(db))
    first = make_candidate(db, interview, "Email Test", "+15557000031")
    second = make_candidate(db, interview, "Email Test", "+15557000032")
    phoneless = make_candidate(db, interview, "Email Test", None)
    db.commit()
    lines = run("results", str(interview.id)).output.splitlines()
    named = [line for line in lines if "Email Test" in line]
    assert named == [
        f"{first.id}: Email Test, +15557000031 [Not started]",
        f"{second.id}: Email Test, +15557000032 [Not started]",
        f"{phoneless.id}: Email Test [Not started]",
    ]
    data = json.loads(run("results", str(interview.id), "--json").output)
    assert [(c["id"], c["phone"]) for c in data["candidates"]] == [
        (first.id, "+15557000031"),
        (second.id, "+15557000032"),
        (phoneless.id, None),
    ]
