"""The REST API, version 1, under `/api/v1/`: a third front door onto the same rules.

Interviews are validated by voice/interviews.py, candidates by voice/candidates.py and
the importer, rows reached through dashboard/access.py with the key's organisation, jobs
queued by name (ivr/jobs.py). `init_api` is called by the app factory; it builds the
OpenAPI document from the code (flask-smorest), serves it at `/api/v1/openapi.json`
with a reference page at `/api/v1/reference`, and registers the key check, the per-key
rate limit and problem details for every API error.

Each resource is one module with one flask-smorest Blueprint (`BLUEPRINTS`).
"""

from __future__ import annotations

import http
import logging

from apispec import BasePlugin
from flask import Flask, request
from flask_smorest import Api
from flask_smorest.spec import prepare_response
from werkzeug.exceptions import HTTPException, InternalServerError

from config.settings import Settings
from dashboard.api import (
    answers,
    candidate_actions,  # noqa: F401 (adds its routes to candidates.blp before registering)
    candidates,
    interviews,
    reference,
    webhook_endpoints,
)
from dashboard.api.problems import PROBLEM_JSON, Problem, from_http_exception, problem_response

log = logging.getLogger(__name__)

PREFIX = "/api/v1"
RESOURCE_BLUEPRINTS = (  # every one needs a key
    interviews.blp,
    candidates.blp,
    answers.blp,
    webhook_endpoints.blp,
)
DOCS_BLUEPRINT = "api-docs"  # flask-smorest's, serving openapi.json
# Blueprints the dashboard's sign-in guard lets through (they check keys, or are public).
API_BLUEPRINTS = frozenset(
    {*(b.name for b in RESOURCE_BLUEPRINTS), DOCS_BLUEPRINT, "api_reference", "api_audio"}
)


class ScreenlineApi(Api):
    """flask-smorest's Api with errors documented and answered as problem details."""

    def _register_error_handlers(self):
        """Answered by `handle_error` (registered by init_api for API requests only)."""

    def _register_responses(self):
        """Document every error response as problem details (application/problem+json)."""
        from dashboard.api.schemas import ProblemSchema

        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = ProblemSchema
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error, as problem details", "schema": ProblemSchema}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)


class ProblemResponses(BasePlugin):
    """Document on every operation the errors the API's guards may answer, each as
    problem details: 400, 401, 429 always; 404 with a row in the path; 403 and 422 for
    writes and for anything with parameters or a body; 415 for a body not sent as JSON
    (dashboard/api/body.py) on POST, PUT and PATCH."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        """Add the error responses (by HTTP status name) each operation lacks."""
        for method, operation in (operations or {}).items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            errors = {"400": "BAD_REQUEST", "401": "UNAUTHORIZED", "429": "TOO_MANY_REQUESTS"}
            if "{" in (path or ""):
                errors["404"] = "NOT_FOUND"
            if method != "get":
                errors["403"] = "FORBIDDEN"
            if method != "delete":
                errors["422"] = "UNPROCESSABLE_ENTITY"
            if method in ("post", "put", "patch"):
                errors["415"] = "UNSUPPORTED_MEDIA_TYPE"
            responses = operation.setdefault("responses", {})
            for status, name in errors.items():
                responses.setdefault(status, name)


def is_api_request() -> bool:
    """Whether this request is for the API (by path, so unknown API URLs count too)."""
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def init_api(app: Flask, settings: Settings) -> ScreenlineApi:
    """Register the API on `app`: blueprints, key check, rate limits, CSRF exemption, docs."""
    from dashboard.api.limits import init_limits
    from dashboard.auth import csrf

    app.config.update(
        API_TITLE="Screenline API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX=PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "info": {
                "description": (
                    "One-way telephone interviews for applicant tracking systems. Every "
                    "request carries `Authorization: Bearer KEY`; errors are RFC 9457 "
                    "problem details; lists are cursor-paginated; POSTs take an "
                    "Idempotency-Key header."
                )
            },
            "servers": [{"url": settings.public_url.rstrip("/")}],
            "security": [{"apiKey": []}],
            "components": {
                "securitySchemes": {
                    "apiKey": {"type": "http", "scheme": "bearer", "description": "An API key."}
                }
            },
        },
    )
    api = ScreenlineApi(app, spec_kwargs={"extra_plugins": [ProblemResponses()]})
    for blueprint in RESOURCE_BLUEPRINTS:
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)
    app.register_blueprint(reference.blp)
    app.register_blueprint(answers.audio_links)
    init_limits(app, settings, RESOURCE_BLUEPRINTS)
    app.register_error_handler(Problem, problem_response)
    app.extensions["screenline.api"] = api
    return api


def api_error(error: HTTPException):
    """An HTTP error on an API URL as problem details (the dashboard keeps its pages)."""
    if isinstance(error, InternalServerError):
        original = getattr(error, "original_exception", None)
        if original is not None:
            log.error("API request failed", exc_info=original)
    return problem_response(from_http_exception(error))
