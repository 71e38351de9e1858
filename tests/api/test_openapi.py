"""The OpenAPI document: generated from the code, public, and shown as a reference page."""

from __future__ import annotations

import requests

from dashboard.api import RESOURCE_BLUEPRINTS
from ivr.fields import CALL_DIRECTIONS, CALL_STATUSES
from tests.dashboard.html import parse
from voice.models import AnswerStatus, CandidateStatus, DecisionKind, QuestionKind
from voice.webhooks import EVENTS as WEBHOOK_EVENTS


def test_the_document_lists_every_api_route(server, app):
    """openapi.json has an operation for every method of every /api/v1 resource route."""
    doc = requests.get(f"{server.public_url}/api/v1/openapi.json", timeout=30).json()
    assert doc["openapi"].startswith("3.")
    assert doc["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    documented = {
        (method.upper(), path)
        for path, item in doc["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] in {b.name for b in RESOURCE_BLUEPRINTS}:
            path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
            routes |= {(m, path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes and routes <= documented


def test_errors_are_documented_as_problem_details(server):
    """The default error response of every operation is application/problem+json."""
    doc = requests.get(f"{server.public_url}/api/v1/openapi.json", timeout=30).json()
    default = doc["components"]["responses"]["DEFAULT_ERROR"]
    schema = default["content"]["application/problem+json"]["schema"]
    assert schema["$ref"].endswith("/Problem")
    assert {"type", "title", "status", "detail"} <= set(
        doc["components"]["schemas"]["Problem"]["properties"]
    )


def test_the_reference_page_shows_each_operation_and_problem_type(server):
    """/api/v1/reference lists operations and problem types, without signing in."""
    response = requests.get(
        f"{server.public_url}/api/v1/reference", timeout=30, allow_redirects=False
    )
    assert response.status_code == 200
    page = parse(response.content)
    headings = [h.text() for h in page.find_all("h3")]
    assert "GET /api/v1/candidates" in headings
    assert "POST /api/v1/interviews" in headings
    problems = [row.text() for row in page.find_all("tr")]
    assert any("not-found" in row and "404" in row for row in problems)


def test_the_reference_page_says_which_values_a_parameter_or_field_takes(server):
    """An enum's values are listed beside it, a field taking text or a per-language map
    says so, and no type reads as the vague "value"."""
    page = parse(requests.get(f"{server.public_url}/api/v1/reference", timeout=30).content)
    listing = page.one("section", id="op-get--api-v1-candidates")
    rows = {
        row.one("td", data_label="Parameter").text(): row
        for row in listing.find_all("tr")
        if row.find("td", data_label="Parameter")
    }
    status = rows["status"].one("td", data_label="About")
    assert [c.text() for c in status.find_all("code")] == list(CandidateStatus.ALL)
    assert status.text().startswith("One of invited")
    spec = page.one("section", id="schema-InterviewSpec")
    types = {
        row.one("td", data_label="Field").text(): row.one("td", data_label="Type").text()
        for row in spec.find_all("tr")
        if row.find("td", data_label="Field")
    }
    assert types["intro"] == "string or map of string"
    assert types["languages"] == "list of string"
    cells = [td.text() for td in page.find_all("td", data_label="Type")]
    assert "value" not in cells and "" not in cells


def test_the_reference_page_renders_inline_code_and_sorts_response_codes(server):
    """The reference shows `next_cursor` as <code>, never a raw backtick, and lists each
    operation's responses in numeric order with "default" last."""
    response = requests.get(f"{server.public_url}/api/v1/reference", timeout=30)
    page = parse(response.content)
    assert "`" not in page.text()
    described = [cell for cell in page.find_all("td") if "of the previous page" in cell.text()]
    assert described and all(cell.one("code").text() == "next_cursor" for cell in described)
    for operation in page.find_all("section", cls="api-operation"):
        codes = [
            node.text() for node in operation.one("ul", cls="api-responses").find_all("strong")
        ]
        numbers = [int(code) for code in codes if code.isdigit()]
        assert numbers == sorted(numbers) and codes[: len(numbers)] == [str(n) for n in numbers]
        assert codes[len(numbers) :] in ([], ["default"]), codes


def test_each_operation_names_the_errors_it_may_answer(server):
    """Every operation documents 401 and 429; one with a row in its path 404; a write 403
    and 422; each as problem details."""
    doc = requests.get(f"{server.public_url}/api/v1/openapi.json", timeout=30).json()
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "delete"):
                continue
            codes = set(operation["responses"])
            assert {"401", "429"} <= codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if method in ("post", "put"):
                assert {"403", "422"} <= codes, (method, path)
    problem = doc["components"]["responses"]["UNAUTHORIZED"]["content"]
    assert problem["application/problem+json"]["schema"]["$ref"].endswith("/Problem")


def _fields(page, schema: str) -> dict:
    """A schema card's rows on the reference page: field -> (Type cell, About cell)."""
    card = page.one("section", id=f"schema-{schema}")
    return {
        row.one("td", data_label="Field").text(): (
            row.one("td", data_label="Type"),
            row.one("td", data_label="About"),
        )
        for row in card.find_all("tr")
        if row.find("td", data_label="Field")
    }


def test_every_type_on_the_reference_page_reads_whole(server):
    """No Type cell is empty or ends in a dangling "of" ("map of", "list of map of"): an
    object without a value schema reads "object"; times read as date-time."""
    page = parse(requests.get(f"{server.public_url}/api/v1/reference", timeout=30).content)
    cells = [td.text() for td in page.find_all("td", data_label="Type")]
    assert cells and [c for c in cells if not c or c.endswith(" of") or c == "of"] == []
    assert _fields(page, "CallResult")["consent"][0].text() == "object"
    assert _fields(page, "WebhookDelivery")["payload"][0].text() == "object"
    assert _fields(page, "AnswerResult")["segments"][0].text() == "list of object"
    results = _fields(page, "Results")
    for name in ("started_at", "completed_at"):
        assert results[name][0].text() == _fields(page, "Candidate")[name][0].text()
        assert results[name][0].text() == "string (date-time)"


def test_closed_sets_list_their_values_and_open_ones_describe_their_shape(server):
    """A list of enum lists its items' values as a scalar enum does; the results' statuses,
    kinds and directions list the domain's values; a call's outcome (an open set) says
    what it looks like instead."""
    page = parse(requests.get(f"{server.public_url}/api/v1/reference", timeout=30).content)

    def values(schema: str, field: str) -> list[str]:
        about = _fields(page, schema)[field][1]
        assert "One of" in about.text(), (schema, field, about.text())
        return [code.text() for code in about.find_all("code")]

    def listed(schema: str, field: str, expected) -> None:
        shown = values(schema, field)
        assert shown[-len(expected) :] == [str(v) for v in expected], (schema, field, shown)

    listed("WebhookEndpointCreate", "events", WEBHOOK_EVENTS)
    listed("WebhookEndpoint", "events", WEBHOOK_EVENTS)
    listed("CallResult", "status", CALL_STATUSES.split())
    listed("CallResult", "direction", CALL_DIRECTIONS.split())
    listed("AnswerResult", "kind", QuestionKind.ALL)
    listed("AnswerResult", "status", AnswerStatus.ALL)
    listed("Results", "status", CandidateStatus.ALL)
    listed("Results", "decision", DecisionKind.ALL)
    outcome = _fields(page, "CallResult")["outcome"][1].text()
    assert "One of" not in outcome and "hung up at question N" in outcome
