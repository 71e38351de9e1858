"""The `screenline` command line, run as a user would, against the test database."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from rq import Queue
from sqlalchemy import func, select

from dashboard import cli
from dashboard.cli import main
from ivr.jobs import SEND_MESSAGE
from tests.support import env_for, free_port
from voice.messages import INVITATION
from voice.models import Answer, AnswerStatus, Candidate, Interview, Message, Score, User

INTERVIEW_YAML = """\
title: Line cook
phone_number: "+15550100777"
intro: Thanks for calling.
questions:
  - prompt: What kitchens have you worked in?
    max_seconds: 60
  - Why do you want to work here?
"""


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


def test_user_interview_candidate_and_results_round_trip(run, db, tmp_path):
    """Create a user, import an interview, add a candidate, and read results as JSON."""
    out = run(
        "user", "create", "Ana@Example.com", "--password", "s3cret-pass", "--org", "Acme", "--json"
    )
    assert json.loads(out.output)["email"] == "ana@example.com"
    assert db.query(User).one().role == "admin"

    path = tmp_path / "interview.yaml"
    path.write_text(INTERVIEW_YAML)
    imported = json.loads(run("interview", "import", str(path), "--json").output)
    assert imported["phone_number"] == "+15550100777" and imported["questions"] == 2

    added = json.loads(
        run(
            "candidate",
            "add",
            "--interview",
            str(imported["id"]),
            "--name",
            "Sam Lee",
            "--phone",
            "(555) 222-3333",
            "--json",
        ).output
    )
    assert added["phone"] == "+15552223333" and len(added["pin"]) == 6

    results = json.loads(run("results", str(imported["id"]), "--json").output)
    assert [q["prompt"] for q in results["interview"]["questions"]] == [
        "What kitchens have you worked in?",
        "Why do you want to work here?",
    ]
    [candidate] = results["candidates"]
    assert candidate["name"] == "Sam Lee" and candidate["status"] == "invited"
    assert candidate["answers"] == []

    text = run("candidate", "add", "--interview", str(imported["id"]), "--name", "Kim").output
    assert "PIN" in text


def test_results_include_transcripts_and_scores(run, db):
    """`results --json` lists each answer's transcript and every score."""
    from tests.factories import make_candidate, make_interview, make_org, make_user

    org = make_org(db)
    reviewer = make_user(db, org)
    interview = make_interview(db, org)
    candidate = make_candidate(db, interview)
    answer = Answer(
        candidate_id=candidate.id,
        question_id=interview.questions[0].id,
        recording_sid="RE1",
        duration_seconds=9,
        status=AnswerStatus.TRANSCRIBED,
        transcript="I drove a forklift.",
        segments=[{"start": 0.0, "end": 2.1, "text": "I drove a forklift."}],
    )
    db.add(answer)
    db.flush()
    db.add(Score(reviewer_id=reviewer.id, candidate_id=candidate.id, answer_id=answer.id, value=4))
    db.commit()
    data = json.loads(run("results", str(interview.id), "--json").output)
    [row] = data["candidates"][0]["answers"]
    assert row["transcript"] == "I drove a forklift." and row["duration_seconds"] == 9
    assert row["scores"] == [{"reviewer": reviewer.email, "value": 4, "note": ""}]
    assert "I drove a forklift." in run("results", str(interview.id)).output


def test_bad_input_is_a_clear_error(run, tmp_path):
    """Bad files, unknown ids and a short password fail with a one-line message, not a
    traceback."""
    path = tmp_path / "bad.yaml"
    path.write_text("title: [unclosed")
    run("user", "create", "a@b.co", "--password", "long-enough", "--org", "Acme")
    result = run("interview", "import", str(path), ok=False)
    assert result.exit_code == 1 and "not valid YAML" in result.output
    path.write_text("title: T\nphone_number: '+15550100888'\nquestions: []\n")
    result = run("interview", "import", str(path), ok=False)
    assert "at least one question" in result.output
    result = run("results", "999", ok=False)
    assert "no interview 999" in result.output
    result = run("user", "create", "x@y.co", "--password", "short", ok=False)
    assert "at least 10" in result.output
    result = run("user", "create", "x@y.co", "--password", "only-nine", ok=False)
    assert result.exit_code == 2 and "at least 10" in result.output  # a bad option value


@pytest.mark.parametrize("as_json", [(), ("--json",)])
@pytest.mark.parametrize(
    ("raw", "sentence"),
    [
        ("title: Café\nquestions: [Q]\n".encode("latin-1"), "is not UTF-8 text"),
        (b"\x00\x01\x02binary", "is not a text file"),
        (b"title: [unclosed", "is not valid YAML"),
        (b"- just\n- a list\n", "must be a mapping of settings"),
    ],
)
def test_a_file_that_is_not_utf8_yaml_is_one_sentence(run, db, tmp_path, raw, sentence, as_json):
    """Latin-1, binary, broken YAML and a list each end in one line on stderr, exit code 1
    (with --json, that line is {"error": ...})."""
    run("user", "create", "a@b.co", "--password", "long-enough", "--org", "Acme")
    path = tmp_path / "job.yaml"
    path.write_bytes(raw)
    result = run("interview", "import", str(path), *as_json, ok=False)
    assert result.exit_code == 1 and result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    message = json.loads(line)["error"] if as_json else line.removeprefix("Error: ")
    assert message != line or as_json
    assert message.startswith(f"{path} ") and sentence in message
    assert "Traceback" not in result.output


def test_a_file_too_big_is_refused_with_its_size_on_disk(run, db, tmp_path):
    """A 3,000,000-byte file is refused as 3,000,000 bytes (its size on disk), not as the
    1,000,001 bytes read to tell that it is too big."""
    run("user", "create", "a@b.co", "--password", "long-enough", "--org", "Acme")
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# " + b"x" * 2_999_997 + b"\n")
    result = run("interview", "import", str(path), ok=False)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.strip() == (
        f"Error: {path} is 3,000,000 bytes; an interview file is at most 1,000,000."
    )


def test_quoted_words_and_limits_in_a_file_are_read_or_explained(run, db, tmp_path):
    """practice: "false" stays off; a 300-character title names the field on PostgreSQL."""
    run("user", "create", "a@b.co", "--password", "long-enough", "--org", "Acme")
    path = tmp_path / "job.yaml"
    path.write_text(INTERVIEW_YAML + 'practice: "false"\ndelete_recordings_at_twilio: "no"\n')
    imported = json.loads(run("interview", "import", str(path), "--json").output)
    created = db.get(Interview, imported["id"])
    assert (created.practice, created.delete_recordings_at_twilio) == (False, False)
    path.write_text(
        f"title: {'T' * 300}\nphone_number: '+15550100999'\npractice: maybe\n"
        "questions: [Why?]\n".replace("[Why?]", "['Why?']")
    )
    result = run("interview", "import", str(path), "--json", ok=False)
    assert result.exit_code == 1 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert any("title is 300 characters long; at most 200 fit" in x for x in lines)
    assert any("practice must be true or false" in x for x in lines)


def test_db_upgrade_on_a_fresh_sqlite_file(tmp_path):
    """`screenline db upgrade` creates the schema in the default embedded database."""
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    result = CliRunner().invoke(main, ["db", "upgrade"], env={"SCREENLINE_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    from sqlalchemy import inspect

    from voice.db import make_engine

    assert "answers" in inspect(make_engine(url)).get_table_names()


def test_invite_queues_the_text_the_way_the_dashboard_does(run, db, redis_conn, monkeypatch):
    """`candidate add --invite` writes the invitation and queues the dashboard's send job."""
    from tests.factories import make_interview, make_org

    monkeypatch.setattr(cli.candidates, "INVITE_WAIT_SECONDS", 0.3)  # no worker runs here
    interview = make_interview(db, make_org(db))
    db.commit()
    args = ("candidate", "add", "--interview", str(interview.id), "--invite")
    out = run(*args, "--name", "Cy Invited", "--phone", "+15557000100", "--json")
    data = json.loads(out.stdout)
    message = db.scalar(select(Message))
    assert (message.kind, message.to, message.sent_at) == (INVITATION, "+15557000100", None)
    assert data["pin"] in message.body
    assert data["invitation"] == {"sid": None, "to": "+15557000100", "body": message.body}
    jobs = Queue(SEND_MESSAGE.queue, connection=redis_conn).jobs
    assert [(job.func_name, job.args) for job in jobs] == [(SEND_MESSAGE.name, (message.id,))]
    text = run(*args, "--name", "Di Invited", "--phone", "+15557000101").output
    assert "invitation queued for +15557000101; a worker will text it" in text


def test_add_with_invite_to_a_closed_interview_adds_nothing(run, db, redis_conn):
    """`candidate add --invite` once the deadline passed: exit 1 with the reason, and
    neither the candidate nor a text is kept (the invitation would name a closed line)."""
    from datetime import UTC, datetime

    from tests.factories import make_interview, make_org

    interview = make_interview(db, make_org(db))
    interview.deadline = datetime(2026, 3, 3, 17, 0, tzinfo=UTC)
    db.commit()
    args = ("candidate", "add", "--interview", str(interview.id), "--invite")
    refused = run(*args, "--name", "Cy Late", "--phone", "+15557000102", "--json", ok=False)
    assert refused.exit_code == 1
    assert json.loads(refused.stderr) == {
        "error": "the interview closed on March 3, 2026, so no invitation can be sent; "
        "extend its deadline first (nothing was added)"
    }
    assert db.scalars(select(Candidate)).all() == [] and db.scalars(select(Message)).all() == []
    assert Queue(SEND_MESSAGE.queue, connection=redis_conn).jobs == []


def test_extra_time_follows_the_dashboards_rule(run, db):
    """--extra-time takes 1 to 4, as the dashboard does; outside that is a usage error
    (exit status 2) with the dashboard's sentence."""
    from tests.factories import make_interview, make_org

    interview = make_interview(db, make_org(db))
    db.commit()
    args = ("candidate", "add", "--interview", str(interview.id), "--name", "Ana", "--json")
    added = json.loads(run(*args, "--extra-time", "3.5").output)
    assert db.get(Candidate, added["id"]).extra_time == 3.5
    refused = run(*args, "--extra-time", "4.5", ok=False)
    assert refused.exit_code == 2
    assert json.loads(refused.stderr) == {
        "error": "Invalid value for '--extra-time': Extra time is a multiplier from 1 (none) to 4."
    }
    for given in ("abc", "nan", ""):  # not a number: the same rule's sentence, not click's
        refused = run(*args, "--extra-time", given, ok=False)
        assert refused.exit_code == 2
        assert json.loads(refused.stderr) == {
            "error": "Invalid value for '--extra-time': Extra time is a multiplier from 1 "
            "(none) to 4."
        }


def test_external_id_follows_the_forms_and_the_apis_rule(run, db):
    """--external-id is stored and given back with --json (null without it), as the
    dashboard's form and the API take it; one over 100 characters or with control
    characters is a usage error (exit status 2) with voice.candidates' sentence, and
    nobody is added."""
    from tests.factories import make_interview, make_org
    from voice.candidates import EXTERNAL_ID_CONTROLS, EXTERNAL_ID_TOO_LONG

    interview = make_interview(db, make_org(db))
    db.commit()
    args = ("candidate", "add", "--interview", str(interview.id), "--json")
    added = json.loads(
        run(
            *args, "--name", "Ana", "--email", "ana@example.com", "--external-id", " ATS-4711 "
        ).output
    )
    assert (added["email"], added["external_id"]) == ("ana@example.com", "ATS-4711")
    assert db.get(Candidate, added["id"]).external_id == "ATS-4711"
    plain = json.loads(run(*args, "--name", "Bo").output)
    assert (plain["email"], plain["external_id"]) == (None, None)
    before = db.scalar(select(func.count()).select_from(Candidate))
    for given, sentence in (("x" * 101, EXTERNAL_ID_TOO_LONG), ("A\x07B", EXTERNAL_ID_CONTROLS)):
        refused = run(*args, "--name", "Cy", "--external-id", given, ok=False)
        assert (refused.exit_code, refused.stdout) == (2, "")
        assert json.loads(refused.stderr) == {
            "error": f"Invalid value for '--external-id': {sentence}"
        }
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Candidate)) == before


def test_a_bad_phone_says_what_to_send_as_the_api_does(run, db):
    """`candidate add --phone 555`: exit status 2 with the rule's sentence, then the API's
    "Use E.164 form, such as +15551234567.", as text and with --json."""
    from tests.factories import make_interview, make_org

    interview = make_interview(db, make_org(db))
    db.commit()
    args = ("candidate", "add", "--interview", str(interview.id), "--name", "Ana")
    expected = (
        "Invalid value for '--phone': “555” is not a phone number we can call "
        "(it is too short for a +1 number). Use E.164 form, such as +15551234567."
    )
    as_text = run(*args, "--phone", "555", ok=False)
    assert as_text.exit_code == 2 and as_text.stderr.strip().endswith("Error: " + expected)
    as_json = run(*args, "--phone", "555", "--json", ok=False)
    assert json.loads(as_json.stderr) == {"error": expected}


def test_ids_and_names_past_the_columns_are_one_line_not_a_traceback(run, db, tmp_path):
    """An id past INTEGER and an over-long organisation name are usage errors (exit 2); an
    organisation that is not there is exit 1."""
    result = run("results", "9" * 20, ok=False)
    assert result.exit_code == 2 and "Traceback" not in result.output
    result = run("candidate", "call", "0", ok=False)
    assert result.exit_code == 2
    result = run(
        "user", "create", "a@b.co", "--password", "long-enough", "--org", "O" * 201, ok=False
    )
    assert result.exit_code == 2
    assert "Invalid value for '--org': an organisation name has at most 200 characters" in (
        result.stderr
    )
    path = tmp_path / "interview.yaml"
    path.write_text(INTERVIEW_YAML)
    result = run("interview", "import", str(path), "--org", "²", ok=False)
    assert result.exit_code == 1 and "no organisation named '²'" in result.stderr


def test_adding_a_phone_already_in_the_interview_is_refused_naming_the_candidate(run, db):
    """`candidate add` with a number the interview has refuses, naming the existing id,
    in text and as JSON on standard error; nothing is added."""
    from tests.factories import make_interview, make_org

    interview = make_interview(db, make_org(db))
    db.commit()
    args = ("candidate", "add", "--interview", str(interview.id))
    first = json.loads(run(*args, "--name", "Dana", "--phone", "+15557654321", "--json").stdout)
    text = run(*args, "--name", "Dan", "--phone", "555 765 4321", ok=False)
    assert text.exit_code == 1
    assert f"+15557654321 already belongs to candidate {first['id']} in this interview" in (
        text.output
    )
    as_json = run(*args, "--name", "Dan", "--phone", "+15557654321", "--json", ok=False)
    assert as_json.exit_code == 1 and as_json.stdout == ""
    error = json.loads(as_json.stderr)["error"]
    assert error.startswith(f"+15557654321 already belongs to candidate {first['id']}")
    db.expire_all()
    assert db.query(Candidate).filter_by(interview_id=interview.id).count() == 1


@pytest.fixture
def taken_port():
    """A port something listens on (on 127.0.0.1) for the length of a test."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.mark.parametrize("command", [("serve",), ("demo", "--exit")])
def test_a_port_outside_1_to_65535_is_refused_before_anything_starts(run, command):
    """--port 99999 or 0 is a usage error naming the range, not an OverflowError traceback."""
    for port in ("99999", "0", "-1"):
        result = run(*command, "--port", port, ok=False)
        assert result.exit_code == 2, result.output
        assert (
            f"Invalid value for '--port': '{port}' is not a port: "
            "ports are whole numbers from 1 to 65535" in result.output
        )
    result = run("demo", "--exit", "--api-port", "70000", ok=False)
    assert result.exit_code == 2 and "'--api-port'" in result.output


@pytest.mark.parametrize("command", [("serve",), ("demo", "--exit")])
def test_a_port_in_use_is_one_sentence_naming_the_option_and_exit_status_1(
    run, command, taken_port
):
    """A port something listens on is answered "the port is in use" and the option to
    change, before gunicorn starts."""
    if command[0] == "demo":  # its stand-in's port is checked first: one surely free
        command = (*command, "--api-port", str(free_port()))
    result = run(*command, "--port", str(taken_port), ok=False)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: cannot listen on 127.0.0.1:{taken_port}: the port is in use; "
        "choose another with --port\n"
    )


def test_the_demo_refuses_a_stand_in_port_in_use_or_equal_to_the_web_port(run, taken_port):
    """The demo checks the stand-in's --api-port too, naming that option when the port is
    in use, and that the two ports differ."""
    result = run("demo", "--exit", "--api-port", str(taken_port), ok=False)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: cannot listen on 127.0.0.1:{taken_port}: the port is in use; "
        "choose another with --api-port\n"
    )
    result = run("demo", "--exit", "--port", "7000", "--api-port", "7000", ok=False)
    assert result.exit_code == 2 and "--port and --api-port must differ" in result.output


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("nosuchhost.invalid", "unknown host"),
        ("192.0.2.1", "the address is not one of this machine's"),  # TEST-NET-1
    ],
)
def test_a_host_that_cannot_be_listened_on_is_named_with_the_reason(run, host, reason):
    """An unknown host name or another machine's address is one sentence, exit status 1."""
    result = run("serve", "--host", host, "--port", "5000", ok=False)
    assert result.exit_code == 1
    assert result.output == f"Error: cannot listen on {host}:5000: {reason}\n"


@pytest.mark.parametrize(
    ("given", "sentence"),
    [
        (
            ["1,1,1,30#"],
            "Invalid value for '--digits': '1,1,1,30#': ',' is not a key on a telephone keypad "
            "(keys are 0-9, * and #; give each prompt's keys separately); for one prompt "
            "after another, say --digits 1 --digits 1 --digits 1 --digits 30#.",
        ),
        (
            ["1", "12a#"],
            "Invalid value for '--digits': '12a#': 'a' is not a key on a telephone keypad "
            "(keys are 0-9, * and #; give each prompt's keys separately).",
        ),
        (
            ["1 2"],
            "Invalid value for '--digits': '1 2': ' ' is not a key on a telephone keypad "
            "(keys are 0-9, * and #; give each prompt's keys separately); for one prompt "
            "after another, say --digits 1 --digits 2.",
        ),
    ],
)
def test_call_refuses_digits_that_are_not_keypad_keys(run, db, given, sentence):
    """`call --digits` takes one prompt's keypad keys (0-9, *, #) per value; anything else
    is a usage error naming the bad value and key, as text or as --json, and no call is
    placed (nothing is written)."""
    from voice.models import Call

    digits = [arg for keys in given for arg in ("--digits", keys)]
    result = run("call", "--to", "+15550100200", *digits, ok=False)
    assert result.exit_code == 2 and result.output.endswith(f"Error: {sentence}\n")
    refused = run("call", "--to", "+15550100200", *digits, "--json", ok=False)
    assert refused.exit_code == 2 and refused.stdout == ""
    assert json.loads(refused.stderr) == {"error": sentence}
    assert db.query(Call).count() == 0


def test_listen_problem_takes_ipv6_hosts_with_or_without_brackets():
    """::1 and [::1] (as gunicorn's --bind takes it) are this machine's; a free port is fine."""
    import socket

    from config.listen import listen_problem

    with socket.socket(socket.AF_INET6) as sock:
        sock.bind(("::1", 0))
        port = sock.getsockname()[1]
    assert listen_problem("::1", port) is None
    assert listen_problem("[::1]", port) is None
    assert listen_problem("127.0.0.1", 0) == (
        "cannot listen on 127.0.0.1:0: a port is a number from 1 to 65535"
    )


def test_candidate_call_again_while_the_first_call_is_queued_exits_1(settings, db):
    """`candidate call` twice in a row: the second exits 1 with the sentence (JSON with
    --json) and Twilio (the stand-in) is asked once."""
    from ivr.standin import TwilioApiServer
    from tests.factories import make_candidate, make_interview, make_org

    candidate = make_candidate(db, make_interview(db, make_org(db)), "Lee Park", "+15557654322")
    db.commit()
    refusal = (
        "Lee Park is already being called (the call is waiting at Twilio to be placed); "
        "try again once that call ends."
    )
    with TwilioApiServer(settings.twilio_account_sid, settings.twilio_auth_token) as twilio:
        env = {
            k: v
            for k, v in env_for(settings.replace(twilio_api_url=twilio.url)).items()
            if k.startswith(("SCREENLINE_", "TWILIO_"))
        }

        def call(*extra: str):
            args = ["candidate", "call", str(candidate.id), *extra]
            return CliRunner().invoke(main, args, env=env, catch_exceptions=False)

        first = call("--json")
        assert first.exit_code == 0, first.output
        again = call("--json")
        assert (again.exit_code, again.stdout) == (1, "")
        assert json.loads(again.stderr) == {"error": refusal}
        plain = call()
        assert plain.exit_code == 1 and plain.stderr.strip() == f"Error: {refusal}"
        assert [c.sid for c in twilio.outbound_calls] == [json.loads(first.stdout)["call_sid"]]


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (
            ["--to", "notaphone"],
            "Invalid value for '--to': “notaphone” is not a phone number we can call "
            "(it has letters); give it in E.164 form, like +15551234567",
        ),
        (
            ["--to", "+15550100200", "--from", "junk"],
            "Invalid value for '--from': “junk” is not a phone number we can call "
            "(it has letters); give it in E.164 form, like +15551234567; for a withheld "
            "caller ID, say anonymous",
        ),
        (
            ["--to", "+15550100200", "--from", ""],
            "Invalid value for '--from': “” is not a phone number we can call; "
            "give it in E.164 form, like +15551234567; for a withheld "
            "caller ID, say anonymous",
        ),
        (
            ["--to", "anonymous"],
            "Invalid value for '--to': “anonymous” is not a phone number we can call "
            "(it has letters); give it in E.164 form, like +15551234567",
        ),
        (
            ["--to", "(555) 010-0200"],
            "Invalid value for '--to': '(555) 010-0200' is not in E.164 form; "
            "write it +15550100200",
        ),
    ],
)
def test_call_refuses_numbers_that_are_not_e164(run, db, args, sentence):
    """`call --to/--from` take E.164 numbers; anything else is a usage error (exit 2) naming
    the option, as text or as --json, and no call is placed."""
    from voice.models import Call

    result = run("call", *args, ok=False)
    assert result.exit_code == 2 and result.output.endswith(f"Error: {sentence}\n")
    refused = run("call", *args, "--json", ok=False)
    assert refused.exit_code == 2 and refused.stdout == ""
    assert json.loads(refused.stderr) == {"error": sentence}
    assert db.query(Call).count() == 0


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (
            ["interview", "list", "--bogus", "--json"],
            "No such option '--bogus'. Did you mean '--org'?",
        ),
        (
            ["candidate", "list", "--interview", "1", "--json", "--bogus"],
            "No such option '--bogus'.",
        ),
        (["results", "1", "--json", "--extra"], "No such option '--extra'."),
        (["results", "1", "2", "--json"], "Got unexpected extra argument (2)"),
    ],
)
def test_unknown_options_and_extra_arguments_are_json_errors_with_json(run, args, sentence):
    """With --json anywhere among a command's options, an unknown option or an extra
    argument is `{"error": ...}` on standard error and exit status 2, as a bad value is."""
    result = run(*args, ok=False)
    assert result.exit_code == 2 and result.stdout == ""
    assert json.loads(result.stderr) == {"error": sentence}


def test_unknown_options_stay_text_without_json(run):
    """Without --json (or with it only after "--"), click's usage text is kept."""
    result = run("results", "1", "--extra", ok=False)
    assert result.exit_code == 2 and "Error: No such option '--extra'." in result.output
    result = run("results", "1", "--extra", "--", "--json", ok=False)
    assert result.exit_code == 2 and result.output.startswith("Usage: ")


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["retention", "purge", "--as-of", "tomorrow"], "--as-of"),
        (["audit", "--since", "yesterday"], "--since"),
    ],
)
def test_a_date_that_is_not_iso_8601_is_a_usage_error(run, args, option):
    """`retention purge --as-of` and `audit --since` refuse a date that is not ISO 8601
    alike: exit status 2 naming the option, as text and as --json."""
    result = run(*args, ok=False)
    assert result.exit_code == 2
    assert f"Invalid value for '{option}': '{args[-1]}' is not an ISO-8601 date" in result.output
    refused = run(*args, "--json", ok=False)
    assert refused.exit_code == 2 and refused.stdout == ""
    assert json.loads(refused.stderr)["error"].startswith(f"Invalid value for '{option}'")


def test_worker_refuses_an_unknown_queue_as_a_usage_error(run):
    """`worker --queues bogus` is a bad option value: exit status 2, naming the real queues."""
    result = run("worker", "--queues", "bogus", ok=False)
    assert result.exit_code == 2
    assert (
        "Invalid value for '--queues': unknown queue 'bogus'; the queues are "
        "recordings, messages, transcribe" in result.output
    )


def test_candidate_call_without_twilio_names_the_host_and_the_setting(run, db):
    """`candidate call` when Twilio's address does not resolve (the tests' is
    twilio.invalid) is one sentence naming the host and SCREENLINE_TWILIO_API_URL."""
    from tests.factories import make_candidate, make_interview, make_org

    candidate = make_candidate(db, make_interview(db, make_org(db)))
    db.commit()
    result = run("candidate", "call", str(candidate.id), "--json", ok=False)
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads(result.stderr) == {
        "error": "the call could not be placed: could not reach Twilio at twilio.invalid "
        "(the name does not resolve); the address comes from SCREENLINE_TWILIO_API_URL, "
        "now http://twilio.invalid"
    }


def test_candidate_call_for_a_finished_candidate_exits_1(run, db):
    """`candidate call` for a candidate who completed the interview exits 1 with the
    sentence (JSON with --json): a call would only say goodbye."""
    from tests.factories import make_candidate, make_interview, make_org

    candidate = make_candidate(db, make_interview(db, make_org(db)), "Lee Park", "+15557654323")
    candidate.status = "completed"
    db.commit()
    refusal = "Lee Park has finished the interview, so there is nothing left to ask."
    refused = run("candidate", "call", str(candidate.id), "--json", ok=False)
    assert (refused.exit_code, refused.stdout) == (1, "")
    assert json.loads(refused.stderr) == {"error": refusal}
    plain = run("candidate", "call", str(candidate.id), ok=False)
    assert plain.exit_code == 1 and plain.stderr.strip() == f"Error: {refusal}"


def test_interview_import_says_one_question_not_one_questions(run, db, tmp_path):
    """Importing a one-question interview prints "(1 question)"; two print "(2 questions)"."""
    run("user", "create", "ana@example.com", "--password", "s3cret-pass", "--org", "Acme")
    one = tmp_path / "one.yaml"
    one.write_text(INTERVIEW_YAML.replace("  - Why do you want to work here?\n", ""))
    assert run("interview", "import", str(one)).output.rstrip().endswith("(1 question)")
    two = tmp_path / "two.yaml"
    two.write_text(INTERVIEW_YAML.replace("+15550100777", "+15550100778"))
    assert run("interview", "import", str(two)).output.rstrip().endswith("(2 questions)")
