"""Request validation: every bad field in one 422, each message saying what to send.

Through the Flask test client (real PostgreSQL and Redis), as one request of a client
would arrive: unknown fields, wrong types, missing fields and each field's own rule
(the phone's, the email's) are reported together, in the words the command line uses.
"""

from __future__ import annotations

import marshmallow as ma
import pytest

from dashboard.api import RESOURCE_BLUEPRINTS
from dashboard.api.inputs import INPUT_FIELDS
from tests.api.conftest import make_keyed_org
from tests.factories import make_interview
from voice.candidates import EXTERNAL_ID_TOO_LONG, NAME_CONTROLS, NEEDS_NAME
from voice.models import Candidate, WebhookEndpoint

INTEGER = "Use a whole number from 1 to 2147483647, such as 12."
TIME = "Use an RFC 3339 time such as 2026-11-29T00:00:00Z."
PHONE = "Use E.164 form, such as +15551234567."


class Api:
    """The Flask test client with one organisation's key."""

    def __init__(self, client, key: str):
        self.client = client
        self.headers = {"Authorization": f"Bearer {key}"}

    def get(self, path: str, **kwargs):
        return self.client.get(path, headers=self.headers, **kwargs)

    def post(self, path: str, **kwargs):
        return self.client.post(path, headers=self.headers, **kwargs)

    def put(self, path: str, **kwargs):
        return self.client.put(path, headers=self.headers, **kwargs)


@pytest.fixture
def acme(db):
    return make_keyed_org(db, "Acme Warehousing", "manager@acme.test", "+15550100200", "Dana")


@pytest.fixture
def api(client, acme) -> Api:
    return Api(client, acme.key)


def invalid(response) -> dict[str, str]:
    """The `errors` of a 422 validation-error problem (the shape asserted too)."""
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["type"] == "/api/v1/reference#problem-validation-error"
    assert body["title"] == "Invalid fields" and body["status"] == 422
    assert body["instance"] == response.request.path and body["detail"]
    return body["errors"]


def test_an_unknown_field_and_a_bad_phone_are_reported_together(api, acme, db):
    """The trial's first body: `bogus` and the phone's E.164 rule in one answer; nothing added."""
    before = db.query(Candidate).count()
    body = {"interview_id": acme.interview.id, "name": "X", "phone": "12", "bogus": 1}
    errors = invalid(api.post("/api/v1/candidates", json=body))
    assert errors == {
        "phone": "“12” is not a phone number we can call (it is too short for a +1 number). "
        + PHONE,
        "bogus": "This field is not one this resource takes.",
    }
    assert db.query(Candidate).count() == before


def test_a_type_error_a_missing_field_and_a_bad_phone_are_reported_together(api):
    """The trial's second body: interview_id, name and phone, all at once, with what to send."""
    response = api.post("/api/v1/candidates", json={"interview_id": "abc", "phone": "12"})
    errors = invalid(response)
    assert errors == {
        "interview_id": f"“abc” is not an interview's id. {INTEGER}",
        "name": "This field is required.",
        "phone": "“12” is not a phone number we can call (it is too short for a +1 number). "
        + PHONE,
    }
    assert response.get_json()["detail"] == (
        "3 fields are missing or wrong (interview_id, name, phone); `errors` says why for each."
    )


def test_every_field_of_a_candidate_is_checked_in_one_pass(api, acme):
    """Six bad fields of one body: six errors, each saying what to send."""
    body = {
        "interview_id": acme.interview.id,
        "name": " ",
        "phone": 5550104242,
        "email": "ana.example.com",
        "external_id": "x" * 101,
        "extra_time": 9,
        "invite": "maybe",
    }
    errors = invalid(api.post("/api/v1/candidates", json=body))
    assert errors == {
        "name": f"{NEEDS_NAME} Use text of 1 to 200 characters, such as “Alex Moreno”.",
        "phone": f"5550104242 is not a phone number. {PHONE}",
        "email": "“ana.example.com” is not an email address. Use one such as ana@example.com.",
        "external_id": f"{EXTERNAL_ID_TOO_LONG} Use text of at most 100 characters, "
        "such as “ATS-4711”.",
        "extra_time": "Extra time is a multiplier from 1 (none) to 4. Use a number such as 1.5.",
        "invite": "“maybe” is not true or false. Use true or false.",
    }


def test_a_phone_without_country_code_is_read_in_the_organisations_country(api, acme, db):
    """The schema reads the phone as add_candidate does: a GB organisation's 07... is +44."""
    acme.org.default_country = "GB"
    db.commit()
    body = {"interview_id": acme.interview.id, "name": "Ana", "phone": "07400 123456"}
    response = api.post("/api/v1/candidates", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["phone"] == "+447400123456"


def test_an_integer_says_use_a_whole_number(api):
    """A page size that is not 1 to 100: the range and an example."""
    errors = invalid(api.get("/api/v1/candidates?limit=500"))
    assert errors == {
        "limit": "“500” is not a page size. Use a whole number from 1 to 100, such as 50."
    }
    errors = invalid(api.post("/api/v1/candidates", json={"interview_id": 1.5, "name": "A"}))
    assert errors == {"interview_id": f"1.5 is not an interview's id. {INTEGER}"}


def test_a_time_says_use_rfc_3339(api):
    """?updated_since=yesterday names the format with an example."""
    errors = invalid(api.get("/api/v1/candidates?updated_since=yesterday"))
    assert errors == {"updated_since": f"“yesterday” is not a time. {TIME}"}


def test_a_time_in_rfc_3339_is_read(api, acme):
    """The example the message gives is itself accepted."""
    response = api.get("/api/v1/candidates?updated_since=2026-11-29T00:00:00Z")
    assert response.status_code == 200, response.get_data(as_text=True)


def test_a_boolean_says_use_true_or_false(api, acme):
    """A decision's notify that is not a boolean."""
    path = f"/api/v1/candidates/{acme.candidate.id}/decision"
    errors = invalid(api.post(path, json={"decision": "advance", "notify": "sure"}))
    assert errors == {"notify": "“sure” is not true or false. Use true or false."}


def test_an_enum_lists_the_allowed_values(api, acme):
    """A decision and a status outside their lists name every allowed value."""
    path = f"/api/v1/candidates/{acme.candidate.id}/decision"
    errors = invalid(api.post(path, json={"decision": "yes"}))
    assert errors == {"decision": "“yes” is not a decision. Use one of: advance, hold, reject."}
    errors = invalid(api.get("/api/v1/candidates?status=done&decision=maybe"))
    assert errors == {
        "status": "“done” is not a candidate status. Use one of: invited, in progress, "
        "completed, abandoned, screened out.",
        "decision": "“maybe” is not a decision. Use one of: advance, hold, reject.",
    }


def test_text_over_its_length_says_how_long_it_may_be(api, acme):
    """Feedback over 480 characters, and text that is not a string."""
    path = f"/api/v1/candidates/{acme.candidate.id}/decision"
    errors = invalid(api.post(path, json={"decision": "hold", "feedback": "x" * 481}))
    assert errors == {
        "feedback": "This is 481 characters long. Use text of at most 480 characters, "
        "such as “Thanks for your time”."
    }
    errors = invalid(api.post(path, json={"decision": "hold", "feedback": 7}))
    assert errors == {
        "feedback": "7 is not text. Use text of at most 480 characters, "
        "such as “Thanks for your time”."
    }


def test_text_with_a_nul_character_is_refused_not_a_server_error(api, acme, db):
    """PostgreSQL refuses NUL in text: the API says so (422), never 500; in a candidate's
    name it is one of the control characters voice.candidates' rule refuses."""
    body = {"interview_id": acme.interview.id, "name": "Ana\x00"}
    errors = invalid(api.post("/api/v1/candidates", json=body))
    assert errors["name"].startswith(NAME_CONTROLS)
    path = f"/api/v1/candidates/{acme.candidate.id}/decision"
    errors = invalid(api.post(path, json={"decision": "hold", "feedback": "Ana\x00"}))
    assert errors["feedback"].startswith("This contains a NUL character.")


def test_the_domains_name_and_external_id_rules_come_with_the_others(api, acme):
    """Control characters in a name and an external id (voice.candidates' rules) and a bad
    phone, in one answer, each sentence then what to send."""
    body = {
        "interview_id": acme.interview.id,
        "name": "Ana\tB",
        "external_id": "ATS\n1",
        "phone": "12",
    }
    errors = invalid(api.post("/api/v1/candidates", json=body))
    assert errors == {
        "name": "The name has control characters, which are not text. Use text of 1 to 200 "
        "characters, such as “Alex Moreno”.",
        "external_id": "The external id has control characters, which are not text. Use text "
        "of at most 100 characters, such as “ATS-4711”.",
        "phone": "“12” is not a phone number we can call (it is too short for a +1 number). "
        + PHONE,
    }


def test_an_email_says_what_an_address_looks_like(api, acme):
    """An email without @: an example address."""
    body = {"interview_id": acme.interview.id, "name": "Ana", "email": "not-an-address"}
    errors = invalid(api.post("/api/v1/candidates", json=body))
    assert errors == {
        "email": "“not-an-address” is not an email address. Use one such as ana@example.com."
    }


def test_a_phone_says_use_e164(api, acme):
    """A phone with letters: voice's sentence, then the E.164 form."""
    body = {"interview_id": acme.interview.id, "name": "Ana", "phone": "call me"}
    errors = invalid(api.post("/api/v1/candidates", json=body))
    assert errors["phone"].startswith("“call me” is not a phone number we can call")
    assert errors["phone"].endswith(PHONE)


def test_a_list_says_what_it_holds(api):
    """Webhook events: not a list, an unknown event, and the URL's rule, at once."""
    body = {"url": "ftp://ats.example.com", "events": "candidate.completed", "colour": "red"}
    errors = invalid(api.post("/api/v1/webhook-endpoints", json=body))
    assert errors == {
        "url": "“ftp://ats.example.com” can't receive webhooks: give an http:// or https:// "
        "URL with a host. Use a URL such as https://ats.example.com/hooks/screenline.",
        "events": "“candidate.completed” is not a list. Use a list of 1 to 5 events, such as "
        '["candidate.completed"].',
        "colour": "This field is not one this resource takes.",
    }
    errors = invalid(api.post("/api/v1/webhook-endpoints", json={"url": "", "events": ["x"]}))
    assert set(errors) == {"url", "events.0"}
    assert errors["events.0"].startswith("“x” is not an event. Use one of: candidate.completed")


def test_nothing_is_subscribed_when_any_webhook_field_is_wrong(api, db):
    """A good URL with a bad event: 422, no endpoint."""
    body = {"url": "http://127.0.0.1:9/hook", "events": ["candidate.completed", "nope"]}
    invalid(api.post("/api/v1/webhook-endpoints", json=body))
    assert db.query(WebhookEndpoint).count() == 0


def test_batch_rows_that_are_not_objects_are_named_by_their_place(api, acme):
    """candidates.0 a string, candidates.1.name a number: both, by path."""
    body = {"interview_id": acme.interview.id, "candidates": ["Ana", {"name": 3}]}
    errors = invalid(api.post("/api/v1/candidates/batch", json=body))
    assert errors == {
        "candidates.0": 'This is not an object. Use a JSON object ({"field": value, ...}).',
        "candidates.1.name": "3 is not text. Use text of at most 1,000 characters, "
        "such as “Alex Moreno”.",
    }


def test_an_unknown_query_parameter_is_refused_with_the_others(api):
    """?stauts=completed would list everyone; it is named, with the other bad parameters."""
    errors = invalid(api.get("/api/v1/candidates?stauts=completed&limit=0"))
    assert errors == {
        "stauts": "This field is not one this resource takes.",
        "limit": "“0” is not a page size. Use a whole number from 1 to 100, such as 50.",
    }


def test_an_interview_reports_every_problem_at_once(api):
    """Unknown key, a bad language code, a deadline that is no date and a type error together,
    in the interview file's words (languages and dates say what is wanted)."""
    spec = {
        "title": "Pickers",
        "phone_number": "+15550100300",
        "languages": ["english"],
        "deadline": "next week",
        "retakes": "two",
        "practise": True,
        "questions": [{"prompt": "Hi", "max_seconds": 2}],
    }
    errors = invalid(api.post("/api/v1/interviews", json=spec))
    assert errors == {
        "practise": "practise is not a setting here (did you mean practice?)",
        "languages": (
            "languages: 'english' is not a language code; for English write en-US "
            "(a language code, then a country's if you like: en-US, es-US, es-MX)"
        ),
        "deadline": "deadline: 'next week' is not a date and time like 2026-12-31T23:59:00Z",
        "questions.1.max_seconds": "max_seconds must be a whole number from 5 to 3,600",
        "retakes": "retakes must be a whole number from 0 to 5",
    }


def test_a_keypad_questions_recording_limits_are_null(api, acme, db):
    """GET /interviews/ID: a yes_no and a number question show max_seconds, min_seconds and
    think_seconds as null (as `screenline results --json` does); a spoken one its own; and
    what GET answers, PUT takes back unchanged."""
    interview = make_interview(
        db,
        acme.org,
        phone_number="+15550100400",
        questions=[
            {"kind": "yes_no", "prompt": "Are you 18 or older?", "must_be": "yes"},
            {"kind": "number", "prompt": "Hours a week?", "at_least": 20},
            {"prompt": "Tell us about you.", "max_seconds": 90, "min_seconds": 3},
        ],
    )
    db.commit()
    spec = api.get(f"/api/v1/interviews/{interview.id}").get_json()
    yes_no, number, spoken = spec["questions"]
    for keypad in (yes_no, number):
        assert keypad["max_seconds"] is None
        assert keypad["min_seconds"] is None
        assert keypad["think_seconds"] is None
    assert (spoken["max_seconds"], spoken["min_seconds"]) == (90, 3)
    writable = {k: v for k, v in spec.items() if k not in ("id", "created_at", "candidates")}
    response = api.put(f"/api/v1/interviews/{interview.id}", json=writable)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["questions"] == spec["questions"]


def test_the_openapi_document_says_keypad_limits_are_nullable(client):
    """QuestionSpec's recording limits are nullable, and say why."""
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    for name in ("max_seconds", "min_seconds", "think_seconds"):
        field = schemas["QuestionSpec"]["properties"][name]
        assert "null" in field["type"], field
        assert "keypad" in field["description"]


def _request_schemas() -> list[ma.Schema]:
    """Every schema a resource reads a body, form or query string with (flask-smorest
    keeps each view's `arguments` in its blueprint's docs)."""
    found = []
    for blueprint in RESOURCE_BLUEPRINTS:
        for view in blueprint._docs.values():
            for method in view.values():
                if not isinstance(method, dict):  # "parameters": the path's, documented
                    continue
                for argument in method.get("arguments", {}).get("parameters", []):
                    found.append(argument["schema"])
    return found


def test_every_request_field_says_what_to_send():
    """Every field of every request schema is one of dashboard/api/inputs.py's fields, so
    none answers marshmallow's "Not a valid integer."."""
    schemas = _request_schemas()
    assert len(schemas) >= 8
    seen = 0
    for schema in schemas:
        instance = schema() if isinstance(schema, type) else schema
        stack = list(instance.fields.items())
        while stack:
            name, field = stack.pop()
            seen += 1
            assert isinstance(field, INPUT_FIELDS), f"{type(instance).__name__}.{name}"
            if isinstance(field, ma.fields.Nested):
                stack.extend(field.schema.fields.items())
            if isinstance(field, ma.fields.List):
                stack.append((f"{name}[]", field.inner))
    assert seen >= 25
