"""The batch and import reports as a caller reads them, through the Flask test client:
JSON elements named by their 0-based `index`, every problem of a rejected row listed,
and a body over the limit refused naming the limit."""

from __future__ import annotations

import pytest

from dashboard.app import upload_limit_words
from tests.factories import make_interview, make_org, make_user
from voice.apikeys import create_key
from voice.candidates import EXTERNAL_ID_TOO_LONG, MAX_EXTERNAL_ID, NEEDS_PHONE
from voice.emails import not_an_email

BAD_EMAIL = "ana-at-example"
LONG_ID = "x" * (MAX_EXTERNAL_ID + 1)


@pytest.fixture
def keyed(db):
    """(interview, Authorization header) for an organisation with a read-write key."""
    org = make_org(db, "Acme Warehousing")
    user = make_user(db, org, email="manager@acme.test")
    interview = make_interview(db, org, phone_number="+15550100200")
    _, key = create_key(db, org, "ATS sync", created_by_id=user.id)
    db.commit()
    return interview, {"Authorization": f"Bearer {key}"}


def test_a_one_element_batch_names_the_rejected_element_by_index_0(client, keyed):
    """A rejected batch element carries `index` 0 (its place in `candidates`) beside the
    spreadsheet `row` 2 that existing clients read."""
    interview, bearer = keyed
    body = {"interview_id": interview.id, "candidates": [{"name": "No Phone"}]}
    response = client.post("/api/v1/candidates/batch", json=body, headers=bearer)
    assert response.status_code == 200, response.get_data(as_text=True)
    (rejected,) = response.get_json()["rejected"]
    assert (rejected["index"], rejected["row"]) == (0, 2)
    assert rejected["reasons"] == [NEEDS_PHONE] and rejected["reason"] == NEEDS_PHONE


def test_batch_indexes_follow_the_elements_merged_and_rejected_alike(client, keyed):
    """Each merged or rejected element is named by its own 0-based position, blank
    elements and added ones counting too."""
    interview, bearer = keyed
    rows = [
        {"name": "Bo Bell", "phone": "+15550104343"},
        {"name": None, "phone": None},
        {"name": "Bad Phone", "phone": "12"},
        {"name": "Bo Again", "phone": "555-010-4343"},
    ]
    body = {"interview_id": interview.id, "candidates": rows}
    response = client.post("/api/v1/candidates/batch", json=body, headers=bearer)
    assert response.status_code == 201, response.get_data(as_text=True)
    report = response.get_json()
    assert [(r["index"], r["row"]) for r in report["rejected"]] == [(2, 4)]
    assert [(m["index"], m["row"]) for m in report["merged"]] == [(3, 5)]


def test_a_file_import_reports_spreadsheet_rows_without_an_index(client, keyed):
    """An uploaded file's rows are its spreadsheet rows (header row 1); no `index`."""
    interview, bearer = keyed
    csv = "Name,Phone\nBad Phone,12\n"
    response = client.post(
        "/api/v1/candidates/import",
        data={"interview_id": str(interview.id), "file": (_bytes(csv), "people.csv")},
        headers=bearer,
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    (rejected,) = response.get_json()["rejected"]
    assert rejected["row"] == 2 and "index" not in rejected


def test_a_rejected_element_lists_every_fields_problem(client, keyed):
    """A bad email and a 101-character external id are both reported, in the sentences
    POST /candidates gives for them, and `reason` joins them."""
    interview, bearer = keyed
    bad = {"name": "Ana Silva", "phone": "+15550107001", "email": BAD_EMAIL}
    bad["external_id"] = LONG_ID
    single = client.post(
        "/api/v1/candidates", json={"interview_id": interview.id, **bad}, headers=bearer
    )
    assert single.status_code == 422
    errors = single.get_json()["errors"]
    assert set(errors) == {"email", "external_id"}
    body = {"interview_id": interview.id, "candidates": [bad]}
    response = client.post("/api/v1/candidates/batch", json=body, headers=bearer)
    assert response.status_code == 200, response.get_data(as_text=True)
    (rejected,) = response.get_json()["rejected"]
    assert rejected["reasons"] == [not_an_email(BAD_EMAIL), EXTERNAL_ID_TOO_LONG]
    assert rejected["reason"] == f"{not_an_email(BAD_EMAIL)} {EXTERNAL_ID_TOO_LONG}"
    for sentence in rejected["reasons"]:
        assert any(said.startswith(sentence) for said in errors.values()), sentence


def test_a_csv_row_lists_every_problem_from_name_to_external_id(client, keyed):
    """A CSV row with no name, no phone, a bad email and a long id names all four."""
    interview, bearer = keyed
    csv = f"Name,Phone,Email,External ID\nAna,+15550107002,,\n,,{BAD_EMAIL},{LONG_ID}\n"
    response = client.post(
        "/api/v1/candidates/import",
        data={"interview_id": str(interview.id), "file": (_bytes(csv), "people.csv")},
        headers=bearer,
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    (rejected,) = response.get_json()["rejected"]
    assert rejected["row"] == 3
    assert rejected["reasons"] == [
        "A candidate needs a name.",
        NEEDS_PHONE,
        not_an_email(BAD_EMAIL),
        EXTERNAL_ID_TOO_LONG,
    ]


def test_a_body_over_the_limit_is_413_naming_the_limit(app, client, keyed):
    """A 2.3 MB upload is 413 `too-large` whose detail names the app's limit in words."""
    interview, bearer = keyed
    limit = app.config["MAX_CONTENT_LENGTH"]
    big = "Name,Phone\n" + "x" * int(limit * 1.15)
    response = client.post(
        "/api/v1/candidates/import",
        data={"interview_id": str(interview.id), "file": (_bytes(big), "people.csv")},
        headers=bearer,
    )
    assert response.status_code == 413
    assert response.headers["Content-Type"].startswith("application/problem+json")
    body = response.get_json()
    assert body["type"].endswith("#problem-too-large")
    assert f"at most {upload_limit_words(limit)} " in body["detail"]


def test_the_413_names_a_limit_the_app_is_set_to(app, client, keyed):
    """The limit in the detail follows MAX_CONTENT_LENGTH, not a fixed 2 MB."""
    interview, bearer = keyed
    app.config["MAX_CONTENT_LENGTH"] = 512 * 1024
    body = {"interview_id": interview.id, "candidates": [{"name": "x" * 1000}] * 600}
    response = client.post("/api/v1/candidates/batch", json=body, headers=bearer)
    assert response.status_code == 413
    assert "at most 512 KB " in response.get_json()["detail"]


def _bytes(text: str):
    import io

    return io.BytesIO(text.encode())
