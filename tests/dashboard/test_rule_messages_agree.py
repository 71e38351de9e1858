"""One rule, one sentence: a bad candidate phone, name or email is refused in the same
words at every front door, the words of its rule in voice/ (voice.candidates, which
words phones by voice.phones.not_callable and emails by voice/emails.py's one rule).

The front doors, each through its public interface: the dashboard's "Add a candidate"
form and its import page (a pasted CSV list), `screenline candidate add` as text and as
--json, and the REST API's POST /api/v1/candidates (every bad field at once, in a 422
problem's `errors`) and POST /api/v1/candidates/batch (the importer's rejected rows).
The command line puts click's "Invalid value for '--phone': " before the sentence (and
"Error: " as text); the API puts what to send after it for a field that has one (the
README's "Use E.164 form, such as +15551234567."), and the command line does too for a
phone, in the same words. The sentence itself never changes.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from dashboard.api.inputs import Phone
from dashboard.api.schemas import CandidateCreateSchema
from dashboard.cli import main
from tests.dashboard.html import parse
from tests.support import env_for
from voice.apikeys import create_key
from voice.candidates import (
    NEEDS_PHONE,
    CandidateFieldError,
    check_email,
    check_name,
    check_phone,
)
from voice.models import Candidate
from voice.phones import E164_WANTED

GOOD = {"name": "Ana Silva", "phone": "+15550107001", "email": ""}

BAD_PHONES = {
    "letters": "555-CALL-NOW",
    "too short": "12",
    "too many digits": "+1 555 010 0100 1234",
    "far too long": "5" * 70,
    "no country code (a London number in a US organisation)": "020 7946 0958",
    "no area code": "555 0100",
}
BAD_NAMES = {
    "empty": "   ",
    "too long": "x" * 201,
    "control characters": "Ana\x07Silva",
}
BAD_EMAILS = {
    "no @": "ana-at-example",
    "a space": "ana silva@example.com",
    "too long": "a" * 250 + "@example.com",
    # A new-user trial saw these taken as addresses at every door.
    "no local part": "@example.com",
    "a domain without a dot": "a@b",
    "two @": "a@@b.com",
    "a top-level name alone": "ana@example",
    "angle brackets": "<script>@x.com",
    "nothing after @": "bad@",
}
CASES = [
    *(pytest.param("phone", value, id=f"phone: {why}") for why, value in BAD_PHONES.items()),
    *(pytest.param("name", value, id=f"name: {why}") for why, value in BAD_NAMES.items()),
    *(pytest.param("email", value, id=f"email: {why}") for why, value in BAD_EMAILS.items()),
]
OPTIONS = {"name": "--name", "phone": "--phone", "email": "--email"}


def rule_sentence(interview, field: str, value: str) -> str:
    """What voice.candidates' rule for `field` says of `value` (it must refuse it)."""
    rules = {
        "name": check_name,
        "phone": lambda raw: check_phone(interview, raw, required=True),
        "email": check_email,
    }
    with pytest.raises(CandidateFieldError) as refused:
        rules[field](value)
    assert refused.value.field == field
    return str(refused.value)


def api_remedy(field: str) -> str:
    """What the API says to send instead, after the rule's sentence ("" for an email,
    whose sentence already says it)."""
    if field == "phone":
        assert Phone.WANTED == E164_WANTED  # the command line's words for a phone too
        return " " + Phone.WANTED
    if field == "name":
        return " " + CandidateCreateSchema().fields["name"].wanted
    return ""


@pytest.fixture
def doors(signed_in, client, db, settings):
    """The front doors, each a function (field, bad value) -> the sentence it shows."""
    interview = signed_in.interview
    _, key = create_key(db, interview.organization, "ATS sync", created_by_id=signed_in.user.id)
    db.commit()
    bearer = {"Authorization": f"Bearer {key}"}
    env = {k: v for k, v in env_for(settings).items() if k.startswith(("SCREENLINE_", "TWILIO_"))}

    def add_form(field, value):
        url = f"/interviews/{interview.id}/candidates/new"
        form = parse(client.get(url).data).one("form", action=url)
        response = client.post(url, data=form.form_fields() | GOOD | {field: value})
        assert response.status_code == 422
        page = parse(response.data)
        return page.one("p", cls="field-error", id=f"{field}-error").text()

    def import_page(field, value):
        url = f"/interviews/{interview.id}/import"
        row = GOOD | {field: value}
        pasted = f"name,phone,email\n{row['name']},{row['phone']},{row['email']}\n"
        form = parse(client.get(url).data).one("form", action=url)
        response = client.post(url, data=form.form_fields() | {"pasted": pasted})
        assert response.status_code == 200
        rejected = parse(response.data).one("table", id="rejected").one("tbody").find_all("tr")
        assert len(rejected) == 1
        return rejected[0].one("td", data_label="Reason").text()

    def cli(field, value, *, as_json=False):
        row = GOOD | {field: value}
        args = ["candidate", "add", "--interview", str(interview.id), "--name", row["name"]]
        args += ["--phone", row["phone"]] + (["--email", row["email"]] if row["email"] else [])
        result = CliRunner().invoke(
            main, args + (["--json"] if as_json else []), env=env, catch_exceptions=False
        )
        assert result.exit_code == 2, result.output
        prefix = f"Invalid value for '{OPTIONS[field]}': "
        if as_json:
            said = json.loads(result.stderr)["error"]
        else:
            said = result.stderr.strip().splitlines()[-1]
            prefix = "Error: " + prefix
        assert said.startswith(prefix), said
        remedy = f" {E164_WANTED}" if field == "phone" else ""
        assert said.endswith(remedy), said
        return said.removeprefix(prefix).removesuffix(remedy)

    def api(field, value):
        body = {"interview_id": interview.id} | GOOD | {field: value}
        response = client.post("/api/v1/candidates", json=body, headers=bearer)
        assert response.status_code == 422, response.get_data(as_text=True)
        assert response.headers["Content-Type"].startswith("application/problem+json")
        said = response.get_json()["errors"][field]
        assert said.endswith(api_remedy(field)), said
        return said.removesuffix(api_remedy(field))

    def api_batch(field, value):
        body = {"interview_id": interview.id, "candidates": [GOOD | {field: value}]}
        response = client.post("/api/v1/candidates/batch", json=body, headers=bearer)
        assert response.status_code == 200, response.get_data(as_text=True)  # nobody added
        (rejected,) = response.get_json()["rejected"]
        return rejected["reason"]

    return {
        "dashboard: Add a candidate": add_form,
        "dashboard: import page": import_page,
        "candidate add": cli,
        "candidate add --json": lambda field, value: cli(field, value, as_json=True),
        "API: POST /candidates": api,
        "API: POST /candidates/batch": api_batch,
    }


def _count(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Candidate))


@pytest.mark.parametrize(("field", "value"), CASES)
def test_every_front_door_says_the_rules_sentence(signed_in, db, doors, field, value):
    """The dashboard's form and import page, the command line (text and --json) and the
    API (one candidate and a batch) refuse the value with voice/'s sentence, word for
    word, and add no one."""
    expected = rule_sentence(signed_in.interview, field, value)
    before = _count(db)
    said = {door: say(field, value) for door, say in doors.items()}
    assert said == dict.fromkeys(doors, expected)
    assert _count(db) == before


def test_the_api_names_every_bad_field_at_once_in_the_rules_words(signed_in, db, doors, client):
    """A body with a bad name, phone and email: one 422 whose `errors` has each rule's
    sentence (then what to send), the same as the other doors give one at a time."""
    interview = signed_in.interview
    _, key = create_key(db, interview.organization, "Batch", created_by_id=signed_in.user.id)
    db.commit()
    bad = {"name": "x" * 201, "phone": "020 7946 0958", "email": "ana-at-example"}
    response = client.post(
        "/api/v1/candidates",
        json={"interview_id": interview.id, **bad},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        field: rule_sentence(interview, field, value) + api_remedy(field)
        for field, value in bad.items()
    }
    for field, value in bad.items():
        assert doors["dashboard: Add a candidate"](field, value) == rule_sentence(
            interview, field, value
        )


def test_a_missing_phone_is_one_sentence_where_a_phone_is_required(
    signed_in, db, doors, client, settings
):
    """The form and the importer (page and API batch) require a phone and say NEEDS_PHONE;
    the command line and the API's single add take a candidate without one."""
    interview = signed_in.interview
    for door in ("dashboard: Add a candidate", "dashboard: import page"):
        assert doors[door]("phone", "") == NEEDS_PHONE, door
    assert doors["API: POST /candidates/batch"]("phone", "") == NEEDS_PHONE
    assert rule_sentence(interview, "phone", "  ") == NEEDS_PHONE
    env = {k: v for k, v in env_for(settings).items() if k.startswith(("SCREENLINE_", "TWILIO_"))}
    args = ["candidate", "add", "--interview", str(interview.id), "--name", "No Phone", "--json"]
    made = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
    assert made.exit_code == 0, made.output
    assert json.loads(made.stdout)["phone"] is None
    _, key = create_key(db, interview.organization, "Sync", created_by_id=signed_in.user.id)
    db.commit()
    response = client.post(
        "/api/v1/candidates",
        json={"interview_id": interview.id, "name": "No Phone Either"},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["phone"] is None
