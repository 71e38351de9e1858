"""Interviews and candidates over HTTP: the file format, validation, pagination, filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.api.conftest import problem
from tests.factories import make_candidate, make_interview
from voice.interviews import InterviewSpecError, clean_interview
from voice.models import Candidate, CandidateStatus

SPEC = {
    "title": "Night picker",
    "phone_number": "+15550100300",
    "languages": ["en-US", "es-MX"],
    "intro": {"en-US": "Thanks for calling.", "es-MX": "Gracias por llamar."},
    "retakes": 1,
    "questions": [
        {"kind": "yes_no", "prompt": "Are you 18 or older?", "must_be": "yes"},
        {
            "prompt": {"en-US": "Tell us about you.", "es-MX": "Háblenos de usted."},
            "max_seconds": 90,
        },
    ],
}


def test_create_an_interview_from_the_file_format_and_read_it_back(api):
    """POST the YAML shape as JSON: 201 with the same settings, which GET returns too."""
    response = api.post("/api/v1/interviews", json=SPEC)
    assert response.status_code == 201, response.text
    made = response.json()
    assert made["title"] == "Night picker"
    assert made["languages"] == ["en-US", "es-MX"]
    assert made["intro"] == SPEC["intro"]
    assert made["questions"][0]["must_be"] == "yes"
    assert made["questions"][1]["prompt"] == SPEC["questions"][1]["prompt"]
    assert made["created_at"].endswith("Z")
    assert made.pop("warnings") == []
    fetched = api.get(f"/api/v1/interviews/{made['id']}").json()
    assert fetched == made


def test_create_and_update_warn_about_a_past_deadline(api, acme):
    """A deadline already passed is saved, with the YAML import's warning in `warnings`."""
    warning = (
        "The deadline (Jan 1, 2020, 10:00 AM UTC) has passed: "
        "callers will hear that the interview is closed."
    )
    response = api.post("/api/v1/interviews", json=SPEC | {"deadline": "2020-01-01T10:00:00Z"})
    assert response.status_code == 201, response.text
    assert response.json()["deadline"] == "2020-01-01T10:00:00Z"
    assert response.json()["warnings"] == [warning]

    path = f"/api/v1/interviews/{acme.interview.id}"
    current = api.get(path).json()
    assert "warnings" not in current
    edited = {k: v for k, v in current.items() if k not in ("id", "created_at", "candidates")}
    response = api.put(path, json=edited | {"deadline": "2020-01-01T10:00:00Z"})
    assert response.status_code == 200, response.text
    assert response.json()["warnings"] == [warning]
    response = api.put(path, json=edited | {"deadline": "2099-01-01T10:00:00Z"})
    assert response.json()["warnings"] == []


def test_an_invalid_interview_gets_the_yaml_imports_messages(api):
    """422 problem details whose errors are exactly clean_interview's, by field path."""
    bad = SPEC | {"practise": True, "retakes": 9, "questions": [{"prompt": "Hi", "max_seconds": 2}]}
    with pytest.raises(InterviewSpecError) as expected:
        clean_interview(bad)
    body = problem(api.post("/api/v1/interviews", json=bad), 422, "validation-error")
    assert body["errors"] == expected.value.errors
    assert "practise" in body["detail"]


@pytest.mark.parametrize("body", ["[1, 2]", "not json", '"a string"'])
def test_a_body_that_is_not_an_interview_is_refused(api, body):
    """A JSON list, a string or broken JSON is a problem, never a 500."""
    response = api.post(
        "/api/v1/interviews", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code in (400, 422)
    assert response.headers["Content-Type"].startswith("application/problem+json")


def test_update_replaces_settings_and_keeps_questions(api, acme):
    """PUT the edited file format: the title changes, question 1 keeps its id."""
    path = f"/api/v1/interviews/{acme.interview.id}"
    current = api.get(path).json()
    edited = {k: v for k, v in current.items() if k not in ("id", "created_at", "candidates")}
    edited["title"] = "Warehouse lead"
    response = api.put(path, json=edited)
    assert response.status_code == 200, response.text
    assert api.get(path).json()["title"] == "Warehouse lead"


def test_a_number_taken_by_another_interview_is_refused(api, globex):
    """Another organisation's number: the same message the builder gives."""
    body = problem(
        api.post("/api/v1/interviews", json=SPEC | {"phone_number": "+15550100999"}),
        422,
        "validation-error",
    )
    assert (
        body["errors"]["phone_number"]
        == "phone_number +15550100999 already answers another interview"
    )
    assert "Warehouse" not in str(body)


def test_a_number_taken_by_an_own_interview_names_it(api, acme):
    """The organisation's own interview on the number is named, on create and replace."""
    named = "phone_number +15550100200 already answers “Warehouse associate”"
    body = problem(
        api.post("/api/v1/interviews", json=SPEC | {"phone_number": "+15550100200"}),
        422,
        "validation-error",
    )
    assert body["errors"]["phone_number"] == named
    made = api.post("/api/v1/interviews", json=SPEC)
    assert made.status_code == 201, made.text
    path = f"/api/v1/interviews/{made.json()['id']}"
    body = problem(
        api.put(path, json=SPEC | {"phone_number": "+15550100200"}), 422, "validation-error"
    )
    assert body["errors"]["phone_number"] == named


def test_lists_are_cursor_paginated_without_gaps_or_repeats(api, acme, db):
    """Paging candidates two at a time visits each once, in id order, then stops."""
    for n in range(4):
        make_candidate(db, acme.interview, name=f"Person {n}", phone=None)
    db.commit()
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = api.get("/api/v1/candidates", params=params).json()
        seen += [c["id"] for c in page["data"]]
        pages += 1
        if not page["has_more"]:
            assert page["next_cursor"] is None
            break
        cursor = page["next_cursor"]
    assert pages == 3
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 5


@pytest.mark.parametrize("cursor", ["garbage", "eyJhZnRlciI6ICJ4In0", "e30"])
def test_a_cursor_we_did_not_make_is_400(api, cursor):
    """A cursor that is not ours is a 400 invalid-cursor problem."""
    problem(api.get("/api/v1/candidates", params={"cursor": cursor}), 400, "invalid-cursor")


def test_candidates_filter_by_interview_status_decision_and_updated_since(api, acme, db):
    """Each filter narrows the list to the candidates it names."""
    other = make_interview(db, acme.org, phone_number="+15550100301")
    done = make_candidate(db, other, name="Finished Fay", phone=None)
    done.status = CandidateStatus.COMPLETED
    done.decision = "advance"
    db.commit()
    old = datetime.now(UTC) - timedelta(days=3)
    db.query(Candidate).filter(Candidate.id == acme.candidate.id).update({"updated_at": old})
    db.commit()

    def names(**params):
        return [c["name"] for c in api.get("/api/v1/candidates", params=params).json()["data"]]

    assert names(interview=other.id) == ["Finished Fay"]
    assert names(status="completed") == ["Finished Fay"]
    assert names(decision="advance") == ["Finished Fay"]
    since = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert names(updated_since=since) == ["Finished Fay"]
    assert sorted(names()) == ["Dana Diaz", "Finished Fay"]


def test_a_bad_filter_value_is_422_with_the_field_named(api):
    """An unknown status is a 422 validation problem naming `status`."""
    body = problem(
        api.get("/api/v1/candidates", params={"status": "bored"}), 422, "validation-error"
    )
    assert "status" in body["errors"]


def test_another_organisations_rows_are_404(api, globex):
    """Globex's interview and candidate do not exist for Acme's key."""
    problem(api.get(f"/api/v1/interviews/{globex.interview.id}"), 404, "not-found")
    problem(api.get(f"/api/v1/candidates/{globex.candidate.id}"), 404, "not-found")
    names = [c["name"] for c in api.get("/api/v1/candidates").json()["data"]]
    assert "Sam Secret" not in names


def test_timestamps_are_rfc3339_utc(api, acme):
    """A candidate's times end in Z and parse as UTC."""
    got = api.get(f"/api/v1/candidates/{acme.candidate.id}").json()
    assert got["created_at"].endswith("Z")
    assert datetime.fromisoformat(got["updated_at"]).tzinfo == UTC


def test_an_interview_sent_form_encoded_is_415(api):
    """A form-encoded interview is 415 saying the body must be JSON (application/json)."""
    body = problem(
        api.post("/api/v1/interviews", data={"title": "Cook"}), 415, "unsupported-media-type"
    )
    assert (
        "must be JSON" in body["detail"] and "application/x-www-form-urlencoded" in body["detail"]
    )


@pytest.mark.parametrize(
    ("endpoint", "field", "words"),
    [
        ({"url": "ftp://example.com/hook", "events": ["candidate.completed"]}, "url", "http"),
        (
            {"url": "https://example.com/hook", "events": ["nope"]},
            "events.0",  # refused by the schema's list of events, with the item's path
            "“nope” is not an event. Use one of: candidate.completed,",
        ),
        (
            {"url": "https://example.com/hook", "events": []},
            "events",
            "Use a list of 1 to 5 events",
        ),
        (
            {
                "url": "https://example.com/h",
                "events": ["candidate.completed"],
                "description": "d" * 201,
            },
            "description",
            "This is 201 characters long. Use text of at most 200 characters",
        ),
    ],
)
def test_a_webhook_endpoint_setting_refused_is_named_by_its_path(api, endpoint, field, words):
    """422 whose `errors` names the setting the webhook rules refused, never an empty path."""
    body = problem(api.post("/api/v1/webhook-endpoints", json=endpoint), 422, "validation-error")
    assert list(body["errors"]) == [field] and words in body["errors"][field]
