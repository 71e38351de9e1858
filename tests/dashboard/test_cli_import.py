"""`screenline candidate import` and `screenline org country`: the importer's CLI front door."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from dashboard.cli import main
from tests.factories import make_interview, make_org
from tests.support import env_for
from tests.voice.test_candidate_import import xlsx
from voice.models import AuditEvent


@pytest.fixture
def run(settings, db):
    """Invoke the CLI with the test settings; return (exit code, output)."""
    env = {k: v for k, v in env_for(settings).items() if k.startswith(("SCREENLINE_", "TWILIO_"))}

    def invoke(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
        return result.exit_code, result.output

    return invoke


@pytest.fixture
def interview(db):
    """An interview of the one organisation."""
    interview = make_interview(db, make_org(db, name="Northwind"))
    db.commit()
    return interview


def test_import_an_xlsx_reports_each_row_as_json(run, interview, tmp_path):
    """The CLI reads the same files as the dashboard and reports added and rejected rows."""
    path = tmp_path / "list.xlsx"
    path.write_bytes(xlsx([["Name", "Phone"], ["Ana Alvarez", 5552010001], ["Bo", "12"]]))
    code, out = run("candidate", "import", "--interview", str(interview.id), str(path), "--json")
    assert code == 0, out
    report = json.loads(out)
    assert report["read_as"] == "Excel workbook, sheet Candidates"
    assert [(c["name"], c["phone"]) for c in report["added"]] == [("Ana Alvarez", "+15552010001")]
    assert len(report["added"][0]["pin"]) == 6
    assert report["rejected"] == [
        {
            "row": 3,
            "as_written": "Bo, 12",
            "why": "“12” is not a phone number we can call (it is too short for a +1 number).",
            "reasons": [
                "“12” is not a phone number we can call (it is too short for a +1 number)."
            ],
        }
    ]


def test_the_organisations_country_reads_local_numbers(run, db, interview, tmp_path):
    """`org country GB` makes 07700 900123 a UK number for the next import, and is in the
    audit trail as the dashboard's change is (once: setting it again changes nothing)."""
    code, out = run("org", "country", "gb", "--json")
    assert code == 0 and json.loads(out) == {"organization": "Northwind", "default_country": "GB"}
    assert run("org", "country", "GB")[0] == 0
    changes = db.scalars(select(AuditEvent).where(AuditEvent.action == "country_changed")).all()
    assert [(e.detail, e.actor_label) for e in changes] == [
        ({"default_country": "GB"}, "command line")
    ]
    path = tmp_path / "uk.csv"
    path.write_bytes(b"name;phone\nAmy Adams;07700 900123\n")
    code, out = run("candidate", "import", "--interview", str(interview.id), str(path), "--json")
    assert code == 0, out
    assert [c["phone"] for c in json.loads(out)["added"]] == ["+447700900123"]
    code, out = run(
        "candidate",
        "add",
        "--interview",
        str(interview.id),
        "--name",
        "B",
        "--phone",
        "07700 900124",
        "--json",
    )
    assert code == 0 and json.loads(out)["phone"] == "+447700900124"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["org", "country", "ZZ"], 2, "'ZZ' is not a country code such as US or GB"),
        (["candidate", "import", "--interview", "{id}", "{pdf}"], 1, "This is a PDF, not a table."),
        (
            ["candidate", "import", "--interview", "{id}", "{pdf}", "--country", "XX"],
            2,
            "Invalid value for '--country': 'XX' is not a country code such as US or GB",
        ),
    ],
)
def test_errors_are_one_clear_sentence(run, interview, tmp_path, args, code, message):
    """A bad country is a usage error (exit status 2), a file that is not a table exit
    status 1; each one sentence, not a traceback."""
    pdf = tmp_path / "list.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    exit_code, out = run(*[a.format(id=interview.id, pdf=pdf) for a in args])
    assert (exit_code, "Error: " in out, message in out) == (code, True, True), out


def test_an_import_that_adds_nobody_and_rejects_rows_fails(settings, interview, tmp_path):
    """Every row rejected: the report is still printed (text or JSON), and the exit
    status is 1 with one sentence saying nothing was added; one row added is exit 0."""
    env = {k: v for k, v in env_for(settings).items() if k.startswith(("SCREENLINE_", "TWILIO_"))}
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"name,phone\nBo,12\nCy,34\n")
    args = ["candidate", "import", "--interview", str(interview.id), str(bad)]
    plain = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
    assert plain.exit_code == 1
    assert "0 added, 0 merged, 2 rejected" in plain.stdout
    assert "Error: no candidates were added: 2 rows were rejected" in plain.stderr
    as_json = CliRunner().invoke(main, [*args, "--json"], env=env, catch_exceptions=False)
    assert as_json.exit_code == 1
    assert [r["row"] for r in json.loads(as_json.stdout)["rejected"]] == [2, 3]
    assert json.loads(as_json.stderr) == {"error": "no candidates were added: 2 rows were rejected"}
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(b"name,phone\nBo,12\nAna Alvarez,5552010001\n")
    args[-1] = str(mixed)
    partly = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
    assert partly.exit_code == 0, partly.output
    assert "1 added, 0 merged, 1 rejected" in partly.stdout


@pytest.mark.parametrize("command", [["org", "country", "XX"], ["org", "time-zone", "Mars/Base"]])
def test_an_optional_argument_is_named_without_brackets(run, interview, command):
    """A bad optional argument is named 'CODE' / 'ZONE' in the error, not '[CODE]'; the
    usage line still shows it may be left out."""
    code, out = run(*command)
    name = "CODE" if command[1] == "country" else "ZONE"
    assert code == 2 and f"Invalid value for '{name}': " in out, out
    assert f"'[{name}]'" not in out and f"[{name}]" in out  # the usage line
