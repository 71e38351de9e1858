"""Bad option and argument values are usage errors (exit status 2) across the CLI.

Each names the option and gives the domain rule's own sentence (the one the dashboard and
the API give), as text and, with --json, as `{"error": ...}` on standard error; nothing
is written. A well-formed request that cannot be done stays exit status 1.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from dashboard.cli import main
from tests.factories import make_interview, make_org, make_user
from tests.support import env_for
from voice.accounts import normalise_email
from voice.candidates import NEEDS_NAME
from voice.models import ApiKey, Candidate, Organization, User, WebhookEndpoint
from voice.phones import PhoneError, normalise_phone


def _phone_sentence(raw: str) -> str:
    """voice.phones' sentence for a number it refuses."""
    with pytest.raises(PhoneError) as refused:
        normalise_phone(raw)
    return str(refused.value)


@pytest.fixture
def run(settings, db):
    """Invoke the CLI with the test settings in its environment; any exit status."""
    env = {k: v for k, v in env_for(settings).items() if k.startswith(("SCREENLINE_", "TWILIO_"))}

    def invoke(*args: str):
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    return invoke


@pytest.fixture
def interview_id(db) -> int:
    """The id of an interview of the one organisation."""
    interview = make_interview(db, make_org(db))
    db.commit()
    return interview.id


def _rows(db) -> tuple[int, ...]:
    db.expire_all()
    return tuple(
        db.scalar(select(func.count()).select_from(model))
        for model in (Candidate, User, Organization, ApiKey, WebhookEndpoint)
    )


ADD = ("candidate", "add", "--interview", "{interview}", "--name", "Ana Silva")
WEBHOOK = ("webhook", "add", "http://127.0.0.1:9/", "--events", "candidate.completed")

CASES = [
    pytest.param(
        [*ADD, "--phone", "notaphone"],
        f"Invalid value for '--phone': {_phone_sentence('notaphone')}",
        id="candidate-add-phone-letters",
    ),
    pytest.param(
        [*ADD, "--phone", "555 0100"],
        f"Invalid value for '--phone': {_phone_sentence('555 0100')}",
        id="candidate-add-phone-short",
    ),
    pytest.param(
        [*ADD, "--email", "ana-at-example"],
        "Invalid value for '--email': “ana-at-example” is not an email address. "
        "Use one such as ana@example.com.",
        id="candidate-add-email",
    ),
    pytest.param(
        ["candidate", "add", "--interview", "{interview}", "--name", "  "],
        f"Invalid value for '--name': {NEEDS_NAME}",
        id="candidate-add-name",
    ),
    pytest.param(
        [*ADD, "--extra-time", "0.5"],
        "Invalid value for '--extra-time': Extra time is a multiplier from 1 (none) to 4.",
        id="candidate-add-extra-time",
    ),
    pytest.param(
        [*ADD, "--extra-time", "abc"],
        "Invalid value for '--extra-time': Extra time is a multiplier from 1 (none) to 4.",
        id="candidate-add-extra-time-not-a-number",
    ),
    pytest.param(
        [*ADD, "--invite"],
        "--invite needs --phone to text the invitation to",
        id="candidate-add-invite-without-phone",
    ),
    pytest.param(
        ["candidate", "import", "--interview", "{interview}", "-", "--country", "XX"],
        "Invalid value for '--country': 'XX' is not a country code such as US or GB",
        id="candidate-import-country",
    ),
    pytest.param(
        ["org", "country", "ZZ"],
        "Invalid value for 'CODE': 'ZZ' is not a country code such as US or GB",
        id="org-country",
    ),
    pytest.param(
        ["org", "time-zone", "Mars/Base"],
        "Invalid value for 'ZONE': 'Mars/Base' is not a time zone such as America/Chicago "
        "or Europe/Madrid",
        id="org-time-zone",
    ),
    pytest.param(
        ["user", "create", "ana-at-example", "--password", "long-enough-pass"],
        "Invalid value for 'EMAIL': “ana-at-example” is not an email address. "
        "Use one such as ana@example.com.",
        id="user-create-email",
    ),
    pytest.param(
        ["user", "create", "ana@example.com", "--password", "short"],
        "Invalid value for '--password': Choose a password of at least 10 characters.",
        id="user-create-password",
    ),
    pytest.param(
        ["user", "create", "ana@example.com", "--password", "long-enough", "--name", "N" * 201],
        "Invalid value for '--name': A name has at most 200 characters.",
        id="user-create-name",
    ),
    pytest.param(
        ["user", "create", "ana@example.com", "--password", "long-enough", "--org", "O" * 201],
        "Invalid value for '--org': an organisation name has at most 200 characters",
        id="user-create-org",
    ),
    pytest.param(
        ["api-key", "create", "--name", "N" * 201],
        "Invalid value for '--name': an API key's name has at most 100 characters",
        id="api-key-create-name",
    ),
    pytest.param(
        ["webhook", "add", "ftp://example.com/hook", "--events", "candidate.completed"],
        "Invalid value for 'URL': give an http:// or https:// URL with a host",
        id="webhook-add-url",
    ),
    pytest.param(
        ["webhook", "add", "http://127.0.0.1:9/", "--events", "candidate.hired"],
        "Invalid value for '--events': 'candidate.hired' is not an event; choose from ",
        id="webhook-add-events",
    ),
    pytest.param(
        [*WEBHOOK, "--description", "D" * 501],
        "Invalid value for '--description': a description has at most ",
        id="webhook-add-description",
    ),
    pytest.param(
        ["storage", "migrate", "--to", "ftp://x/y"],
        "Invalid value for '--to': storage URL must be file:///path or s3://bucket/prefix, "
        "got 'ftp://x/y'",
        id="storage-migrate-to",
    ),
    pytest.param(
        ["storage", "migrate", "--from", "/not/a/url", "--to", "file:///tmp/x"],
        "Invalid value for '--from': storage URL must be file:///path or s3://bucket/prefix, "
        "got '/not/a/url'",
        id="storage-migrate-from",
    ),
    pytest.param(
        ["call", "--to", "+15550100200", "--hang-up-during", "0"],
        "Invalid value for '--hang-up-during': '0' is not an answer number: answer numbers "
        "are whole numbers from 1",
        id="call-hang-up-during",
    ),
]


@pytest.mark.parametrize(("args", "sentence"), CASES)
def test_a_bad_value_is_a_usage_error_naming_the_option(run, db, interview_id, args, sentence):
    """Exit status 2 and "Error: Invalid value for '<option>': <the rule's sentence>" as
    text; with --json, the same sentence as {"error": ...} on standard error and nothing
    on standard output; no row is added."""
    args = [arg.format(interview=interview_id) for arg in args]
    before = _rows(db)
    plain = run(*args)
    assert plain.exit_code == 2, plain.output
    assert f"Error: {sentence}" in plain.stderr
    assert "Traceback" not in plain.output
    as_json = run(*args, "--json")
    assert (as_json.exit_code, as_json.stdout) == (2, ""), as_json.output
    assert json.loads(as_json.stderr)["error"].startswith(sentence)
    assert _rows(db) == before


def test_the_email_rule_is_the_dashboards(run, db):
    """`user create` takes the address as voice.accounts reads it (trimmed, lower case)."""
    made = run("user", "create", " Ana@Example.COM ", "--password", "long-enough", "--json")
    assert made.exit_code == 0, made.output
    assert json.loads(made.stdout)["email"] == normalise_email(" Ana@Example.COM ")


def test_well_formed_requests_that_cannot_be_done_stay_exit_1(run, db, interview_id):
    """A phone the interview has, an email in use, an interview or organisation that is
    not there: exit status 1, as text and as JSON."""
    org = db.scalars(select(Organization)).one()
    make_user(db, org, "taken@example.com")
    db.commit()
    add = ("candidate", "add", "--interview", str(interview_id), "--name", "Ana")
    assert run(*add, "--phone", "+15557654321").exit_code == 0
    for args, sentence in (
        ((*add, "--phone", "+15557654321"), "+15557654321 already belongs to candidate"),
        (
            ("user", "create", "taken@example.com", "--password", "long-enough", "--org", org.name),
            "A user with email taken@example.com already exists.",
        ),
        (("candidate", "add", "--interview", "999999", "--name", "Ana"), "no interview 999999"),
        (("api-key", "create", "--org", "Nowhere", "--name", "sync"), "no organisation named"),
    ):
        plain = run(*args)
        assert plain.exit_code == 1 and sentence in plain.stderr, plain.output
        as_json = run(*args, "--json")
        assert (as_json.exit_code, as_json.stdout) == (1, "")
        assert sentence in json.loads(as_json.stderr)["error"]


def test_a_mistyped_org_is_refused_and_a_new_one_takes_new_org(run, db):
    """`user create --org` names an existing organisation: a mistyped name ("Northwind"
    for "Northwind Logistics") was quietly made a new, empty organisation (a trial found
    it); now it is exit status 1 naming those there are, nothing written, and a new
    organisation takes --new-org. The first organisation of a new installation needs no
    flag (the README's first command)."""
    first = run(
        "user", "create", "ana@example.com", "--password", "long-enough",
        "--org", "Northwind Logistics", "--json",
    )  # fmt: skip
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["organization"] == "Northwind Logistics"
    before = _rows(db)
    typo = ("user", "create", "bo@example.com", "--password", "long-enough", "--org", "Northwind")
    for as_json in ((), ("--json",)):
        refused = run(*typo, *as_json)
        assert (refused.exit_code, refused.stdout) == (1, ""), refused.output
        message = json.loads(refused.stderr)["error"] if as_json else refused.stderr
        assert "no organisation named 'Northwind'; there are: 'Northwind Logistics'" in message
        assert "add --new-org to create it" in message
    assert _rows(db) == before

    # Only the capitals differ: never a near-duplicate organisation, even with --new-org.
    for args in ((), ("--new-org",)):
        cased = run(*typo[:-1], "northwind logistics", *args)
        assert cased.exit_code == 1, cased.output
        assert "did you mean 'Northwind Logistics'?" in cased.stderr
    numbered = run(*typo[:-1], "99")
    assert "no organisation named or numbered '99'" in numbered.stderr, numbered.output
    assert _rows(db) == before

    made = run(*typo, "--new-org", "--json")
    assert made.exit_code == 0, made.output
    assert json.loads(made.stdout)["organization"] == "Northwind"
    assert db.scalar(select(func.count()).select_from(Organization)) == 2

    before = _rows(db)
    again = run(
        "user", "create", "cy@example.com", "--password", "long-enough",
        "--org", "Northwind Logistics", "--new-org",
    )  # fmt: skip
    assert again.exit_code == 1 and "exists already" in again.stderr, again.output
    alone = run("user", "create", "cy@example.com", "--password", "long-enough", "--new-org")
    assert alone.exit_code == 2 and "--new-org needs --org NAME" in alone.stderr, alone.output
    assert _rows(db) == before


def test_new_org_given_a_name_says_it_is_a_flag(run, db):
    """`user create --new-org "Other Co"` (a name given to the flag, as the README once
    read) is a usage error that says how to write it, `--org 'Other Co' --new-org`, as
    text and as JSON; nothing is written, and the form it gives works."""
    make_org(db, "Northwind Logistics")
    db.commit()
    before = _rows(db)
    account = ("user", "create", "lee@example.com", "--password", "long-enough")
    for args in (("--new-org", "Other Co"), ("--new-org=Other Co",)):
        refused = run(*account, *args)
        assert (refused.exit_code, refused.stdout) == (2, ""), refused.output
        assert "--new-org is a flag and takes no name; use --org 'Other Co' --new-org" in (
            refused.stderr
        )
        as_json = run(*account, *args, "--json")
        assert (as_json.exit_code, as_json.stdout) == (2, ""), as_json.output
        error = json.loads(as_json.stderr)["error"]
        assert error.endswith("use --org 'Other Co' --new-org"), error
    assert _rows(db) == before
    made = run(*account, "--org", "Other Co", "--new-org", "--json")
    assert made.exit_code == 0, made.output
    assert json.loads(made.stdout)["organization"] == "Other Co"


def test_without_org_among_several_the_error_lists_them(run, db, tmp_path):
    """`interview import FILE` without --org once there are two organisations: exit
    status 1 naming them, as the other --org errors do; nothing is imported."""
    make_org(db, "Northwind Logistics")
    make_org(db, "Acme Warehousing")
    db.commit()
    spec = tmp_path / "interview.yaml"
    spec.write_text(
        'title: Packer\nphone_number: "+15550100999"\nquestions:\n  - Tell us about you.\n'
    )
    before = _rows(db)
    for as_json in ((), ("--json",)):
        refused = run("interview", "import", str(spec), *as_json)
        assert (refused.exit_code, refused.stdout) == (1, ""), refused.output
        message = json.loads(refused.stderr)["error"] if as_json else refused.stderr
        assert (
            "say which organisation with --org NAME; "
            "there are: 'Acme Warehousing', 'Northwind Logistics'"
        ) in message
    assert _rows(db) == before
