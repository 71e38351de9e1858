"""Reading a request's JSON body, with one answer for a body that is not JSON at all.

webargs (under flask-smorest) reads a body sent with another Content-Type as no body,
so a form-encoded request was answered "name: Missing data for required field", and
invalid JSON with Werkzeug's generic "The browser (or proxy) sent a request...". Every
resource blueprint (`ApiBlueprint`) and every view that reads the body itself
(`json_body`) answer instead:

- a body that is not sent as JSON: 415 unsupported-media-type, "The request body must be
  JSON: send it with Content-Type: application/json (this one came as <type>).";
- a JSON body that does not parse: 400 bad-request, "The request body is not valid
  JSON: <the parser's reason>.";
- a JSON body that is not an object (a list, a string, a number) where a resource reads
  fields: 400 bad-request, "The request body must be a JSON object ({"field": value,
  ...}), not a list.".

An empty body counts as no body (the fields it lacks are then reported as missing).
"""

from __future__ import annotations

import json
from typing import Any

import marshmallow as ma
from flask import Request, request
from flask_smorest import Blueprint
from webargs import core
from webargs.flaskparser import FlaskParser

from dashboard.api.problems import Problem


def _media_type_problem(req: Request) -> Problem:
    came = f"this one came as {req.mimetype}" if req.mimetype else "this one had no Content-Type"
    return Problem(
        "unsupported-media-type",
        f"The request body must be JSON: send it with Content-Type: application/json ({came}).",
    )


def _parse(raw: bytes) -> Any:
    """The parsed body; raises Problem bad-request naming the parser's reason."""
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        reason = f"it is not UTF-8 ({exc.reason} at byte {exc.start})"
    except json.JSONDecodeError as exc:
        reason = str(exc)
    except RecursionError:
        reason = "it is nested too deeply"
    raise Problem("bad-request", f"The request body is not valid JSON: {reason}.")


def json_body(req: Request | None = None) -> Any:
    """The request's body parsed as JSON, or `core.missing` when the body is empty.

    Raises Problem 415 (unsupported-media-type) for a body sent with a Content-Type
    other than application/json (or application/*+json), and Problem 400 (bad-request)
    for one that is not valid JSON, naming the parser's reason.
    """
    req = req if req is not None else request
    raw = req.get_data(cache=True)
    if not raw:
        return core.missing
    if not core.is_json(req.mimetype):
        raise _media_type_problem(req)
    return _parse(raw)


_JSON_TYPES = {list: "a list", str: "a string", bool: "true or false", type(None): "null"}


def json_object_body(req: Request | None = None) -> dict[str, Any] | Any:
    """The request's JSON body when it is an object, or `core.missing` when it is empty.

    Raises what `json_body` raises, and Problem 400 (bad-request) for valid JSON that is
    not an object, naming what it is instead.
    """
    body = json_body(req)
    if body is core.missing or isinstance(body, dict):
        return body
    kind = _JSON_TYPES.get(type(body), "a number")
    raise Problem(
        "bad-request",
        f'The request body must be a JSON object ({{"field": value, ...}}), not {kind}.',
    )


class JsonBodyParser(FlaskParser):
    """webargs' Flask parser, reading `location="json"` arguments through
    `json_object_body`, and refusing a query parameter the resource does not take (as it
    refuses an unknown body field) instead of ignoring it: `?stauts=completed` would
    otherwise list every candidate."""

    DEFAULT_UNKNOWN_BY_LOCATION = FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION | {
        "query": ma.RAISE,
        "querystring": ma.RAISE,
    }

    def load_json(self, req: Request, schema) -> Any:
        """The JSON body, an object (see `json_object_body`); missing when it is empty."""
        return json_object_body(req)


class ApiBlueprint(Blueprint):
    """flask-smorest's Blueprint whose `arguments` read JSON bodies with JsonBodyParser."""

    ARGUMENTS_PARSER = JsonBodyParser()
