"""A number another interview answers is refused with the same words at every front door
(builder, file import, `screenline interview import`; the API in tests/api): the
organisation's own interview is named, another organisation's never is
(voice.interview_numbers.number_taken)."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner

from dashboard.cli import main
from dashboard.interviews import editor, file_import
from tests.dashboard.html import parse
from tests.factories import make_interview
from tests.support import env_for
from voice.interview_numbers import number_taken
from voice.interviews import clean_interview

OWN = "+15550100200"  # the world's first organisation's "Warehouse associate"
OTHERS = "+15550100999"  # Globex's interview
NAMED = "phone_number +15550100200 already answers “Warehouse associate, nights”"
UNNAMED = "phone_number +15550100999 already answers another interview"


@pytest.fixture
def nights(signed_in, db):
    """The world, its own interview titled "Warehouse associate, nights"."""
    signed_in.interview.title = "Warehouse associate, nights"
    db.commit()
    return signed_in


def token(client, url: str) -> str:
    return parse(client.get(url).data).find("input", name="csrf_token").attrs["value"]


def builder_error(client, number: str, url: str = "/interviews/new") -> str:
    data = {
        "csrf_token": token(client, url),
        "action": "save",
        "title": "Line cook, weekends",
        "phone_number": number,
        "languages": "en-US",
        "q-0-id": "",
        "q-0-kind": "voice",
        "q-0-prompt": "Tell us about a busy shift.",
        "q-0-max_seconds": "90",
    }
    response = client.post(url, data=data)
    assert response.status_code == 422
    return parse(response.data).one("p", id="phone_number-error").text()


def in_builder_words(error: str) -> str:
    """The builder writes the field by its label (dashboard/labels.py)."""
    return error.replace("phone_number", "“Number candidates call”", 1)


def test_the_builder_names_only_its_own_organisations_interview(nights, client):
    """Own number: named; another organisation's: "another interview", its title unsaid."""
    assert builder_error(client, OWN) == in_builder_words(NAMED)
    unnamed = builder_error(client, OTHERS)
    assert unnamed == in_builder_words(UNNAMED)
    assert nights.stranger_interview.title not in unnamed


def test_editing_to_a_taken_number_names_it_too(nights, db, client):
    """An edit moving to the number of another interview of the organisation names it."""
    second = make_interview(db, nights.user.organization, phone_number="+15550100555")
    db.commit()
    assert builder_error(client, OWN, f"/interviews/{second.id}/edit") == in_builder_words(NAMED)


def file_problems(client, number: str) -> str:
    raw = (
        f"title: Line cook\nphone_number: '{number}'\nquestions:\n  - Tell us about you.\n"
    ).encode()
    data = {
        "csrf_token": token(client, "/interviews/import"),
        "file": (io.BytesIO(raw), "job.yaml"),
    }
    response = client.post("/interviews/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    return parse(response.data).one("div", id="import-problems").text()


def test_the_file_import_names_only_its_own_organisations_interview(nights, client):
    """The import page says the same as the builder."""
    assert NAMED in file_problems(client, OWN)
    shown = file_problems(client, OTHERS)
    assert UNNAMED in shown and nights.stranger_interview.title not in shown


def test_cli_interview_import_names_only_the_orgs_own_interview(nights, settings, tmp_path):
    """`interview import --org` says the same, exit status 1."""
    runner = CliRunner()
    org = nights.user.organization.name

    def refused(number: str) -> str:
        path = tmp_path / "job.yaml"
        path.write_text(f"title: Line cook\nphone_number: '{number}'\nquestions:\n  - Hi?\n")
        result = runner.invoke(
            main, ["interview", "import", str(path), "--org", org], env=env_for(settings)
        )
        assert result.exit_code == 1, result.output
        return result.output

    assert NAMED in refused(OWN)
    shown = refused(OTHERS)
    assert UNNAMED in shown and nights.stranger_interview.title not in shown


def test_number_taken_is_the_one_rule(nights, db):
    """Named for the owner, unnamed for anyone else or no organisation, None when free
    or when the number is the interview's own (an edit keeping it)."""
    own_org, interview = nights.user.organization_id, nights.interview
    assert number_taken(db, OWN, own_org) == NAMED
    assert number_taken(db, OWN, nights.stranger.organization_id) == (
        "phone_number +15550100200 already answers another interview"
    )
    assert number_taken(db, OWN, None).endswith("already answers another interview")
    assert number_taken(db, OWN, own_org, interview.id) is None
    assert number_taken(db, "+15550100444", own_org) is None


def test_a_number_taken_during_the_save_is_worded_the_same(nights, client, monkeypatch):
    """The race (the check passed, the unique index refused the row) gives the same words:
    the check is skipped here so that the insert meets the index."""

    def unchecked(spec, session=None, interview_id=None, organization_id=None):
        return clean_interview(spec, None, interview_id, organization_id)

    monkeypatch.setattr(editor, "clean_interview", unchecked)
    monkeypatch.setattr(file_import, "clean_interview", unchecked)
    assert builder_error(client, OWN) == in_builder_words(NAMED)
    assert builder_error(client, OTHERS) == in_builder_words(UNNAMED)
    assert NAMED in file_problems(client, OWN)
    assert UNNAMED in file_problems(client, OTHERS)
