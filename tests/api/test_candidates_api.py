"""Candidates over HTTP: add one or many, invite, call, decide, results and audio links."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import requests

from tests.api.conftest import ApiClient, problem
from tests.dashboard.conftest import AUDIO_BYTES, add_answer, store_audio
from voice.candidates import NAME_TOO_LONG, NEEDS_PHONE
from voice.models import AnswerStatus, ApiKey, Call, Candidate, CandidateStatus, Message

NEW = {"name": "Ana Alvarez", "phone": "(555) 010-4242", "email": "ana@example.com"}


def test_add_a_candidate_gets_a_pin_and_e164_phone(api, acme, db):
    """POST /candidates: 201, the phone normalised, a PIN, in the interview."""
    response = api.post("/api/v1/candidates", json=NEW | {"interview_id": acme.interview.id})
    assert response.status_code == 201, response.text
    made = response.json()
    assert made["phone"] == "+15550104242"
    assert made["pin"].isdigit()
    assert made["status"] == "invited" and made["invited"] is False
    assert db.get(Candidate, made["id"]).interview_id == acme.interview.id


def test_a_bad_candidate_gets_the_domains_message(api, acme):
    """A phone that is not a number is 422 with voice's sentence; a missing name names `name`."""
    body = problem(
        api.post(
            "/api/v1/candidates",
            json={"interview_id": acme.interview.id, "name": "X", "phone": "call me"},
        ),
        422,
        "validation-error",
    )
    assert "phone" in body["detail"].lower() or "number" in body["detail"].lower()
    body = problem(
        api.post("/api/v1/candidates", json={"interview_id": acme.interview.id}),
        422,
        "validation-error",
    )
    assert "name" in body["errors"]


def test_adding_to_another_organisations_interview_is_404(api, globex, db):
    """Naming Globex's interview in the body is 404, and nothing is added to it."""
    before = db.query(Candidate).filter_by(interview_id=globex.interview.id).count()
    response = api.post("/api/v1/candidates", json=NEW | {"interview_id": globex.interview.id})
    problem(response, 404, "not-found")
    db.expire_all()
    assert db.query(Candidate).filter_by(interview_id=globex.interview.id).count() == before


def test_a_retried_post_returns_the_first_response_and_adds_once(api, acme, db):
    """The same Idempotency-Key twice: one candidate, the same body, marked as replayed."""
    headers = {"Idempotency-Key": "add-ana-1"}
    body = NEW | {"interview_id": acme.interview.id}
    first = api.post("/api/v1/candidates", json=body, headers=headers)
    second = api.post("/api/v1/candidates", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert db.query(Candidate).filter_by(name="Ana Alvarez").count() == 1


def test_two_concurrent_identical_posts_create_one_candidate(api, acme, db):
    """Two identical POSTs with one Idempotency-Key at the same time: one row, same answer."""
    from concurrent.futures import ThreadPoolExecutor

    body = NEW | {"interview_id": acme.interview.id}
    clients = [ApiClient(api.base, acme.key) for _ in range(2)]
    with ThreadPoolExecutor(2) as pool:
        responses = list(
            pool.map(
                lambda c: c.post(
                    "/api/v1/candidates", json=body, headers={"Idempotency-Key": "race-1"}
                ),
                clients,
            )
        )
    assert [r.status_code for r in responses] == [201, 201]
    assert responses[0].json() == responses[1].json()
    assert db.query(Candidate).filter_by(name="Ana Alvarez").count() == 1


def test_an_idempotency_key_reused_for_another_request_is_422(api, acme):
    """The same key with a different body is refused, not replayed."""
    headers = {"Idempotency-Key": "k-2"}
    api.post("/api/v1/candidates", json=NEW | {"interview_id": acme.interview.id}, headers=headers)
    other = NEW | {"interview_id": acme.interview.id, "name": "Someone Else"}
    problem(
        api.post("/api/v1/candidates", json=other, headers=headers), 422, "idempotency-key-reused"
    )


def test_a_batch_goes_through_the_spreadsheet_importer(api, acme):
    """JSON rows: added, merged by phone, and rejected with the importer's reasons."""
    rows = [
        {"name": "Bo Bell", "phone": "+15550104343"},
        {"name": "Bo Again", "phone": "555-010-4343", "email": "bo@example.com"},
        {"name": "No Phone"},
        {"name": "Bad Phone", "phone": "12"},
    ]
    response = api.post(
        "/api/v1/candidates/batch", json={"interview_id": acme.interview.id, "candidates": rows}
    )
    assert response.status_code == 201, response.text
    report = response.json()
    assert [c["name"] for c in report["added"]] == ["Bo Bell"]
    assert report["merged"][0]["how"].startswith("merged into Bo Bell")
    assert [r["reason"] for r in report["rejected"]] == [
        NEEDS_PHONE,
        "“12” is not a phone number we can call (it is too short for a +1 number).",
    ]


def test_an_uploaded_csv_is_imported(api, acme):
    """multipart/form-data with a CSV file: its rows are added."""
    csv = "Name,Phone,Email\nCy Cole,+15550104444,cy@example.com\nDee Dunn,+15550104445,\n"
    response = api.post(
        "/api/v1/candidates/import",
        data={"interview_id": str(acme.interview.id)},
        files={"file": ("people.csv", csv.encode(), "text/csv")},
    )
    assert response.status_code == 201, response.text
    assert [c["name"] for c in response.json()["added"]] == ["Cy Cole", "Dee Dunn"]


def test_an_import_that_adds_nobody_is_200_with_the_report(api, acme, db):
    """POST /import (and /batch) whose every row is merged or rejected: 200, not 201,
    with the report saying what became of each row; nobody is added."""
    before = db.query(Candidate).filter_by(interview_id=acme.interview.id).count()
    csv = "Name,Phone\nBad Phone,12\nNo Phone,\n"
    response = api.post(
        "/api/v1/candidates/import",
        data={"interview_id": str(acme.interview.id)},
        files={"file": ("people.csv", csv.encode(), "text/csv")},
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["added"] == [] and report["merged"] == []
    assert [r["row"] for r in report["rejected"]] == [2, 3]
    acme.candidate.phone = "+15550104545"
    db.commit()
    rows = [{"name": "Same Phone", "phone": "+15550104545"}]
    merged = api.post(
        "/api/v1/candidates/batch", json={"interview_id": acme.interview.id, "candidates": rows}
    )
    assert merged.status_code == 200, merged.text
    assert merged.json()["added"] == [] and len(merged.json()["merged"]) == 1
    db.expire_all()
    assert db.query(Candidate).filter_by(interview_id=acme.interview.id).count() == before


def test_a_binary_upload_is_refused_with_a_reason(api, acme):
    """A file that is not text is 422 naming the file."""
    response = api.post(
        "/api/v1/candidates/import",
        data={"interview_id": str(acme.interview.id)},
        files={"file": ("people.xlsx", b"PK\x03\x04\x00\x00binary", "application/octet-stream")},
    )
    assert "file" in problem(response, 422, "validation-error")["errors"]


def test_invite_queues_one_text_and_never_two(api, acme, db):
    """POST /invite queues the invitation; a second says already invited."""
    acme.candidate.phone = "+15550104646"
    db.commit()
    path = f"/api/v1/candidates/{acme.candidate.id}/invite"
    first, second = api.post(path), api.post(path)
    assert (first.status_code, first.json()) == (202, {"queued": True, "reason": None})
    assert (second.status_code, second.json()) == (
        202,
        {"queued": False, "reason": "already invited"},
    )
    message = db.query(Message).filter_by(candidate_id=acme.candidate.id).one()
    assert message.sent_by_api_key_id == _key_id(db, acme)  # the Texts list names the key


def _key_id(db, org) -> int:
    """The id of `org`'s read-write key ("ATS sync")."""
    return db.query(ApiKey).filter_by(organization_id=org.org.id, name="ATS sync").one().id


def test_adding_with_an_invitation_to_a_closed_interview_is_409_and_adds_nobody(api, acme, db):
    """POST /candidates with `invite: true` once the deadline passed: 409 interview-over
    with the command line's sentence, no candidate added and nothing texted."""
    acme.interview.deadline = datetime(2026, 3, 3, 17, 0, tzinfo=UTC)
    db.commit()
    before = db.query(Candidate).filter_by(interview_id=acme.interview.id).count()
    body = NEW | {"interview_id": acme.interview.id, "invite": True}
    refused = problem(api.post("/api/v1/candidates", json=body), 409, "interview-over")
    assert refused["detail"] == (
        "The interview closed on March 3, 2026, so no invitation can be sent; extend its "
        "deadline first (nothing was added)"
    )
    db.expire_all()
    assert db.query(Candidate).filter_by(interview_id=acme.interview.id).count() == before
    assert db.query(Message).count() == 0
    # Without an invitation the candidate is still added (they may be invited later).
    added = api.post("/api/v1/candidates", json=body | {"invite": False})
    assert added.status_code == 201, added.text
    assert (added.json()["invited"], added.json()["reason"]) == (False, None)


def test_adding_with_an_invitation_but_no_phone_says_why_none_was_sent(api, acme, db):
    """POST /candidates with `invite: true` and no phone: added, `invited` false with the
    invite action's reason; with a phone, `invited` true and no reason."""
    body = {"name": "Bo Berg", "interview_id": acme.interview.id, "invite": True}
    made = api.post("/api/v1/candidates", json=body)
    assert made.status_code == 201, made.text
    assert (made.json()["invited"], made.json()["reason"]) == (False, "no phone number")
    texted = api.post("/api/v1/candidates", json=body | {"phone": "+15550104949"})
    assert texted.status_code == 201, texted.text
    assert (texted.json()["invited"], texted.json()["reason"]) == (True, None)
    assert db.query(Message).filter_by(candidate_id=texted.json()["id"]).count() == 1


def test_call_me_now_places_a_call_through_twilio(api, acme, db, server):
    """POST /call: Twilio (the stand-in) rings the candidate; the attempt is their call."""
    acme.candidate.phone = "+15550104747"
    db.commit()
    response = api.post(f"/api/v1/candidates/{acme.candidate.id}/call")
    assert response.status_code == 202, response.text
    assert response.json()["call_sid"].startswith("CA")
    calls = requests.get(
        f"{server.twilio_api_url}/_standin/calls",
        auth=(server.twilio_account_sid, server.twilio_auth_token),
        timeout=10,
    ).json()["calls"]
    assert [c["to"] for c in calls] == ["+15550104747"]
    db.expire_all()
    (attempt,) = db.query(Call).filter_by(candidate_id=acme.candidate.id).all()
    assert (attempt.call_sid, attempt.direction) == (response.json()["call_sid"], "outbound-api")


def test_invite_for_a_finished_candidate_is_409_saying_why(api, acme, db):
    """POST /invite for a candidate who completed, or was screened out, or whose
    interview's deadline passed: 409 interview-over whose detail says which, and
    nothing is queued."""
    acme.candidate.phone = "+15550104040"
    acme.candidate.status = CandidateStatus.COMPLETED
    db.commit()
    path = f"/api/v1/candidates/{acme.candidate.id}/invite"
    name = acme.candidate.name
    refused = problem(api.post(path), 409, "interview-over")
    assert refused["detail"] == f"No invitation sent: {name} has finished the interview."
    acme.candidate.status = CandidateStatus.SCREENED_OUT
    db.commit()
    refused = problem(api.post(path), 409, "interview-over")
    assert refused["detail"] == f"No invitation sent: {name} was screened out."
    acme.candidate.status = CandidateStatus.INVITED
    acme.interview.deadline = datetime(2026, 3, 3, 17, 0, tzinfo=UTC)
    db.commit()
    refused = problem(api.post(path), 409, "interview-over")
    assert refused["detail"] == (
        "No invitation sent: the interview closed on March 3, 2026; extend its deadline first."
    )
    db.expire_all()
    assert db.query(Message).filter_by(candidate_id=acme.candidate.id).count() == 0


def test_invite_without_a_phone_is_202_with_the_reason(api, acme, db):
    """POST /invite for a candidate with no phone: 202, nothing queued, `no phone number`."""
    acme.candidate.phone = None
    db.commit()
    response = api.post(f"/api/v1/candidates/{acme.candidate.id}/invite")
    assert response.status_code == 202, response.text
    assert response.json() == {"queued": False, "reason": "no phone number"}


def test_call_me_now_again_while_the_first_is_queued_is_409(api, acme, db, server):
    """A second POST /call while the first call is queued: 409 `call-in-progress` with the
    sentence, and no second call at Twilio or in the candidate's calls."""
    acme.candidate.phone = "+15550104949"
    db.commit()
    path = f"/api/v1/candidates/{acme.candidate.id}/call"
    first = api.post(path)
    assert first.status_code == 202, first.text
    body = problem(api.post(path), 409, "call-in-progress")
    assert body["detail"] == (
        "Dana Diaz is already being called (the call is waiting at Twilio to be placed); "
        "try again once that call ends."
    )
    calls = requests.get(
        f"{server.twilio_api_url}/_standin/calls",
        auth=(server.twilio_account_sid, server.twilio_auth_token),
        timeout=10,
    ).json()["calls"]
    assert [c["sid"] for c in calls if c["to"] == "+15550104949"] == [first.json()["call_sid"]]
    db.expire_all()
    (attempt,) = db.query(Call).filter_by(candidate_id=acme.candidate.id).all()
    assert attempt.call_sid == first.json()["call_sid"]


@pytest.mark.parametrize("status", [CandidateStatus.COMPLETED, CandidateStatus.SCREENED_OUT])
def test_call_me_now_for_a_finished_candidate_is_409(api, acme, db, server, status):
    """POST /call for a candidate who finished: 409 `interview-over` with the sentence,
    and no call at Twilio or in the candidate's calls."""
    acme.candidate.phone = "+15550104141"
    acme.candidate.status = status
    db.commit()
    body = problem(api.post(f"/api/v1/candidates/{acme.candidate.id}/call"), 409, "interview-over")
    assert body["detail"].startswith("Dana Diaz ") and "nothing left to ask" in body["detail"]
    calls = requests.get(
        f"{server.twilio_api_url}/_standin/calls",
        auth=(server.twilio_account_sid, server.twilio_auth_token),
        timeout=10,
    ).json()["calls"]
    assert [c for c in calls if c["to"] == "+15550104141"] == []
    db.expire_all()
    assert db.query(Call).filter_by(candidate_id=acme.candidate.id).all() == []


def test_call_me_now_without_a_phone_is_422(api, acme):
    """A candidate without a phone cannot be called."""
    response = api.post(f"/api/v1/candidates/{acme.candidate.id}/call")
    assert "phone" in problem(response, 422, "validation-error")["errors"]


def test_a_decision_is_recorded_and_texted(api, acme, db):
    """POST /decision advance with notify: the candidate is advanced and a text queued."""
    acme.candidate.phone = "+15550104848"
    db.commit()
    response = api.post(
        f"/api/v1/candidates/{acme.candidate.id}/decision",
        json={"decision": "advance", "notify": True, "feedback": "See you Monday."},
    )
    assert response.status_code == 200, response.text
    got = response.json()
    assert got["candidate"]["decision"] == "advance"
    assert got["changed"] is True and got["texted"] is True
    db.expire_all()
    message = db.query(Message).filter_by(candidate_id=acme.candidate.id).one()
    assert "See you Monday." in message.body
    assert message.sent_by_api_key_id == _key_id(db, acme)


def test_a_decision_is_texted_in_the_candidates_language(api, acme, db):
    """POST /decision texts a candidate who took the interview in Spanish in Spanish (the
    dashboard's rule, voice.messages.message_language); the feedback goes as sent."""
    acme.candidate.phone = "+15550104849"
    acme.candidate.language = "es-MX"
    db.commit()
    response = api.post(
        f"/api/v1/candidates/{acme.candidate.id}/decision",
        json={"decision": "reject", "notify": True, "feedback": "Thanks again."},
    )
    assert response.status_code == 200, response.text
    db.expire_all()
    message = db.query(Message).filter_by(candidate_id=acme.candidate.id).one()
    assert message.body.startswith("Hola Dana, gracias por su entrevista para")
    assert message.body.endswith("postularse. Thanks again.")


def test_a_decision_must_be_one_of_three(api, acme):
    """An unknown decision is 422 naming `decision`."""
    response = api.post(
        f"/api/v1/candidates/{acme.candidate.id}/decision", json={"decision": "maybe"}
    )
    assert "decision" in problem(response, 422, "validation-error")["errors"]


def test_results_show_transcripts_segments_and_flags(api, acme, db, server):
    """GET /results: answers with transcript, segments, flags and whether audio exists."""
    acme.candidate.status = CandidateStatus.COMPLETED
    answer = add_answer(
        db,
        acme.candidate,
        1,
        status=AnswerStatus.TRANSCRIBED,
        transcript="I drove a forklift.",
        segments=[{"start": 0.0, "end": 1.2, "text": "I drove a forklift."}],
        attempt=2,
    )
    store_audio(server, answer)
    db.commit()
    got = api.get(f"/api/v1/candidates/{acme.candidate.id}/results").json()
    assert got["status"] == "completed"
    (only,) = got["answers"]
    assert only["transcript"] == "I drove a forklift."
    assert only["segments"][0]["end"] == 1.2
    assert only["flags"] == ["retake"]
    assert only["has_audio"] is True


def test_results_times_are_rfc3339_utc_as_the_candidates_are(api, acme, db):
    """GET /results words started_at and completed_at exactly as GET /candidates/ID does:
    RFC 3339 in UTC ("...Z"), whatever the microseconds; null when not yet."""
    acme.candidate.started_at = datetime(2026, 11, 30, 9, 15, 7, 123456, tzinfo=UTC)
    acme.candidate.completed_at = None
    db.commit()
    got = api.get(f"/api/v1/candidates/{acme.candidate.id}/results").json()
    row = api.get(f"/api/v1/candidates/{acme.candidate.id}").json()
    assert got["started_at"] == row["started_at"] == "2026-11-30T09:15:07Z"
    assert got["completed_at"] is None and row["completed_at"] is None


def test_an_audio_link_works_without_a_key_and_only_for_that_answer(api, acme, globex, db, server):
    """The signed link serves the MP3 to anyone holding it; a forged one and another
    organisation's answer are 404."""
    answer = add_answer(db, acme.candidate, 1, status=AnswerStatus.TRANSCRIBED)
    store_audio(server, answer)
    db.commit()
    link = api.get(f"/api/v1/answers/{answer.id}/audio").json()
    assert link["expires_at"].endswith("Z")
    audio = requests.get(link["url"], timeout=10)
    assert audio.status_code == 200
    assert audio.headers["Content-Type"] == "audio/mpeg"
    assert audio.content == AUDIO_BYTES
    assert requests.get(link["url"].replace(".mp3", "x.mp3"), timeout=10).status_code == 404
    other = ApiClient(api.base, globex.key)
    problem(other.get(f"/api/v1/answers/{answer.id}/audio"), 404, "not-found")


def test_adding_a_phone_already_in_the_interview_is_409_naming_the_candidate(api, acme, db):
    """POST /candidates with the phone of a candidate of the interview: 409 duplicate-phone,
    `detail` names their id, nothing added; the batch endpoint still merges the row."""
    body = NEW | {"interview_id": acme.interview.id}
    first = api.post("/api/v1/candidates", json=body)
    assert first.status_code == 201, first.text
    again = problem(
        api.post("/api/v1/candidates", json=body | {"phone": "+1 555 010 4242"}),
        409,
        "duplicate-phone",
    )
    assert f"+15550104242 already belongs to candidate {first.json()['id']}" in again["detail"]
    assert set(again["errors"]) == {"phone"}
    batch = api.post(
        "/api/v1/candidates/batch",
        json={"interview_id": acme.interview.id, "candidates": [NEW | {"name": "Ana A."}]},
    )
    assert batch.status_code == 200, batch.text  # nobody added: nothing was created
    assert batch.json()["added"] == [] and len(batch.json()["merged"]) == 1
    db.expire_all()
    assert db.query(Candidate).filter_by(phone="+15550104242").count() == 1


def test_the_openapi_document_explains_duplicate_phone_and_invited(api):
    """OpenAPI: POST /candidates documents 409; `status` and `invited` say what they mean;
    the reference lists the duplicate-phone problem."""
    spec = api.get("/api/v1/openapi.json").json()
    post = spec["paths"]["/api/v1/candidates"]["post"]
    assert "409" in post["responses"] and "duplicate-phone" in post["description"]
    schemas = spec["components"]["schemas"]
    created = next(s for name, s in schemas.items() if name.startswith("CreatedCandidate"))
    assert "no invitation message was sent" in created["properties"]["invited"]["description"]
    status = next(s for name, s in schemas.items() if name == "Candidate")["properties"]["status"]
    assert "may take the interview" in status["description"]
    reference = api.get("/api/v1/reference").text
    assert "problem-duplicate-phone" in reference


def test_the_openapi_document_gives_the_import_and_invite_statuses(api):
    """OpenAPI: /batch and /import document 201 (added) and 200 (nobody added) with the
    report; /invite documents 409 and interview-over."""
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/candidates/batch", "/api/v1/candidates/import"):
        responses = paths[path]["post"]["responses"]
        assert {"200", "201"} <= set(responses), path
        assert "Nobody was added" in responses["200"]["description"]
        assert responses["200"]["content"] == responses["201"]["content"]
    invite = paths["/api/v1/candidates/{candidate_id}/invite"]["post"]
    assert "409" in invite["responses"] and "interview-over" in invite["description"]


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("phone", "12", "“12” is not a phone number we can call"),
        ("name", "x" * 201, f"{NAME_TOO_LONG} Use text of 1 to 200 characters"),
        ("email", "not-an-address", "“not-an-address” is not an email address. Use one such as"),
        ("extra_time", 9, "Extra time is a multiplier from 1 (none) to 4"),
    ],
)
def test_a_field_the_domain_refuses_is_named_by_its_path(api, acme, db, field, value, words):
    """422 whose `errors` has exactly one key, the field the shared rule refused; nothing added."""
    before = db.query(Candidate).count()
    row = {"interview_id": acme.interview.id, "name": "Ana", field: value}
    body = problem(api.post("/api/v1/candidates", json=row), 422, "validation-error")
    assert list(body["errors"]) == [field]
    assert words in body["errors"][field] and words in body["detail"]
    assert db.query(Candidate).count() == before


def test_a_form_encoded_body_is_415_saying_the_body_must_be_json(api, acme, db):
    """A form-encoded POST is 415 naming application/json, not "name: Missing data"."""
    before = db.query(Candidate).count()
    form = {"interview_id": str(acme.interview.id), "name": "Ana"}
    body = problem(api.post("/api/v1/candidates", data=form), 415, "unsupported-media-type")
    assert body["detail"] == (
        "The request body must be JSON: send it with Content-Type: application/json "
        "(this one came as application/x-www-form-urlencoded)."
    )
    assert "errors" not in body
    assert db.query(Candidate).count() == before


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b'{"name": "Ana",', "Expecting property name enclosed in double quotes: line 1"),
        (b"{'name': 'Ana'}", "Expecting property name enclosed in double quotes"),
        (b"\xff\xfe{}", "it is not UTF-8 (invalid start byte at byte 0)"),
        (b"[" * 100_000, "it is nested too deeply"),
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/candidates", "/api/v1/interviews"])
def test_a_body_that_is_not_valid_json_is_400_with_the_parsers_reason(api, path, raw, reason):
    """Broken JSON is 400 "The request body is not valid JSON: <reason>", not Werkzeug's
    generic sentence, both where webargs reads the body and where a view reads it itself."""
    response = api.post(path, data=raw, headers={"Content-Type": "application/json"})
    body = problem(response, 400, "bad-request")
    assert body["detail"].startswith("The request body is not valid JSON: " + reason)
    assert "browser" not in body["detail"]


@pytest.mark.parametrize(
    ("payload", "kind"),
    [([{"name": "Ana"}], "a list"), ('"Ana"', "a string"), (7, "a number"), (None, "null")],
)
def test_a_json_body_that_is_not_an_object_is_400_naming_what_it_is(api, acme, db, payload, kind):
    """A list, string, number or null where fields are read is 400 "must be a JSON object
    ..., not a list", not marshmallow's `{"_schema": "Invalid input type."}`; nothing added."""
    before = db.query(Candidate).count()
    raw = json.dumps(payload).encode() if not isinstance(payload, str) else payload.encode()
    response = api.post(
        "/api/v1/candidates", data=raw, headers={"Content-Type": "application/json"}
    )
    body = problem(response, 400, "bad-request")
    assert body["detail"] == (
        f'The request body must be a JSON object ({{"field": value, ...}}), not {kind}.'
    )
    assert "_schema" not in body.get("errors", {})
    assert db.query(Candidate).count() == before


def test_a_missing_or_unknown_field_is_named_in_plain_words(api, acme):
    """A required field left out reads "This field is required.", an unknown one "This field
    is not one this resource takes." (not marshmallow's "Missing data for required field.")."""
    body = problem(
        api.post("/api/v1/candidates", json={"interview_id": acme.interview.id, "nmae": "Ana"}),
        422,
        "validation-error",
    )
    assert body["errors"] == {
        "name": "This field is required.",
        "nmae": "This field is not one this resource takes.",
    }
