"""An interview's title per language: read from the file, written back, texted, and refused
when the default language has none."""

from __future__ import annotations

import pytest

from dashboard.demo import DEMO_FILE
from tests.factories import make_candidate, make_interview, make_org
from voice.interview_spec import interview_spec
from voice.interviews import InterviewSpecError, clean_interview, read_interview_file
from voice.messages import invitation_text

TITLES = {"en-US": "Warehouse associate", "es-MX": "Auxiliar de almacén"}


def spec_with(**overrides) -> dict:
    """A small valid two-language interview file, as parsed YAML."""
    spec = {
        "title": TITLES,
        "phone_number": "+15550100300",
        "languages": ["en-US", "es-MX"],
        "questions": ["Why us?"],
    }
    return spec | overrides


def saved_spec() -> dict:
    """spec_with() as the factory takes it (the factory sets the phone number itself)."""
    return {k: v for k, v in spec_with().items() if k != "phone_number"}


def test_a_title_map_fills_the_column_and_the_translation():
    """The default language's title is the column; the others go to translations."""
    settings = clean_interview(spec_with())
    assert settings.title == "Warehouse associate"
    assert settings.translations["es-MX"]["title"] == "Auxiliar de almacén"


def test_a_plain_title_is_not_copied_into_translations():
    """One title for every language is stored once."""
    settings = clean_interview(spec_with(title="Cook"))
    assert settings.title == "Cook" and "title" not in settings.translations["es-MX"]


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ({"es-MX": "Cocinero"}, "title is required in en-US, the default language"),
        ({}, "title is required"),
        ({"en-US": "x" * 201}, "title (en-US) is 201 characters long; at most 200 fit"),
        ({"fr-FR": "Cuisinier"}, "title: fr-FR is not among languages ['en-US', 'es-MX']"),
    ],
)
def test_bad_title_maps_are_explained(title, message):
    """The default language needs its title; each title keeps the column's limit."""
    with pytest.raises(InterviewSpecError) as caught:
        clean_interview(spec_with(title=title))
    assert caught.value.errors["title"] == message


def test_a_translated_title_is_written_back_and_read_back_unchanged(db):
    """The file format (the API's GET, exports) carries the title map; importing it back
    gives the same settings."""
    interview = make_interview(db, make_org(db), **saved_spec())
    spec = interview_spec(interview)
    assert spec["title"] == TITLES
    again = clean_interview(spec)
    assert again.title == TITLES["en-US"]
    assert again.translations["es-MX"]["title"] == TITLES["es-MX"]


def test_the_invitation_names_the_job_in_the_candidates_language(db):
    """A Spanish candidate's invitation SMS gives the Spanish title."""
    interview = make_interview(db, make_org(db), **saved_spec())
    candidate = make_candidate(db, interview)
    candidate.language = "es-MX"
    assert "entrevista telefónica para Auxiliar de almacén." in invitation_text(candidate)


def test_the_demo_interview_has_a_spanish_title():
    """`make demo` greets a Spanish caller with a Spanish title."""
    settings = clean_interview(read_interview_file(DEMO_FILE.read_bytes()))
    assert settings.title == "Warehouse associate, nights"
    assert settings.translations["es-MX"]["title"] == "Auxiliar de almacén, turno de noche"
