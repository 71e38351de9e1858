"""Errors as RFC 9457 problem details (`application/problem+json`), one stable type each.

Every error the API answers is a JSON object `{"type", "title", "status", "detail",
"instance"}`, plus `errors` (field path -> one sentence) when a request's fields were
wrong. `type` is a URI reference that never changes for a kind of error
("/api/v1/reference#problem-not-found"); clients branch on it, not on `detail`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, json, request
from werkzeug.exceptions import HTTPException

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "/api/v1/reference#problem-"

# slug -> (status, title, when it happens): the stable types, listed on the reference page.
PROBLEMS: dict[str, tuple[int, str, str]] = {
    "bad-request": (
        400,
        "Bad request",
        "The request could not be read (for example, its body is not valid JSON).",
    ),
    "invalid-cursor": (400, "Invalid cursor", "The cursor is not one this API handed out."),
    "unauthenticated": (
        401,
        "Unauthenticated",
        "No API key, or one that does not exist or was revoked: send Authorization: Bearer KEY.",
    ),
    "read-only-key": (403, "Read-only key", "The key may only read; this request writes."),
    "not-found": (
        404,
        "Not found",
        "Nothing here, or it belongs to another organisation (never told apart).",
    ),
    "method-not-allowed": (405, "Method not allowed", "This URL does not take that method."),
    "idempotency-in-progress": (
        409,
        "Request in progress",
        "A request with this Idempotency-Key is still running; retry shortly.",
    ),
    "conflict": (409, "Conflict", "The request conflicts with the current state of the row."),
    "legal-hold": (
        409,
        "On legal hold",
        "The candidate or their interview is on legal hold, so nothing was erased; an admin "
        "takes the hold off first.",
    ),
    "candidate-erased": (
        409,
        "Candidate erased",
        "The candidate's data is erased (or being erased): they can be read as erased, but "
        "not changed, invited, called, decided on, exported or shared; nothing was changed.",
    ),
    "call-in-progress": (
        409,
        "Call in progress",
        "A call to the candidate is still queued, ringing or in progress, so no second "
        "call was placed; try again once it ends.",
    ),
    "interview-over": (
        409,
        "Interview over for the candidate",
        "The candidate has finished the interview (completed or screened out), or its "
        "deadline has passed: a call would only say goodbye, so none was placed, and an "
        "invitation would invite them to nothing, so none was queued; or a candidate was "
        "to be added with an invitation to an interview whose deadline has passed, so "
        "nothing was added (extend the deadline first).",
    ),
    "duplicate-phone": (
        409,
        "Phone already in the interview",
        "The phone number already belongs to a candidate of the interview (`detail` names "
        "their id); one number is one candidate, so caller ID recognises them. Nothing "
        "was added.",
    ),
    "too-large": (
        413,
        "Too large",
        "The request body is larger than the API accepts; `detail` names the limit. "
        "Nothing was saved.",
    ),
    "unsupported-media-type": (
        415,
        "Unsupported media type",
        "Send the body as JSON (Content-Type: application/json), or a file as "
        "multipart/form-data where offered.",
    ),
    "validation-error": (
        422,
        "Invalid fields",
        "Some fields are missing or wrong: `errors` names every one at once (body and "
        "query string; unknown fields, wrong types, missing fields and each field's rule), "
        'each with what to send instead, e.g. `{"updated_since": "“yesterday” is not a '
        'time. Use an RFC 3339 time such as 2026-11-29T00:00:00Z."}`.',
    ),
    "idempotency-key-reused": (
        422,
        "Idempotency-Key reused",
        "This Idempotency-Key was used for a different request.",
    ),
    "rate-limited": (
        429,
        "Too many requests",
        "The key made more requests than its limit allows; wait Retry-After seconds.",
    ),
    "server-error": (500, "Server error", "Something failed on our side; it has been logged."),
    "upstream-error": (
        502,
        "Upstream error",
        "Twilio or the job queue could not take the request; try again later.",
    ),
}

# An HTTP status without a more specific slug -> the slug used for it.
_BY_STATUS = {
    400: "bad-request",
    401: "unauthenticated",
    403: "read-only-key",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "too-large",
    415: "unsupported-media-type",
    422: "validation-error",
    429: "rate-limited",
}


class Problem(Exception):
    """An error the API answers as problem details: raise it from any API view.

    `slug` is a key of PROBLEMS; `detail` one sentence for people (for a validation-error
    without one, the invalid fields' `invalid_fields_detail`); `errors` maps field paths
    to sentences; `status` overrides the slug's status when given.
    """

    def __init__(
        self,
        slug: str,
        detail: str | None = None,
        *,
        errors: Mapping[str, str] | None = None,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
    ):
        if slug not in PROBLEMS:
            raise KeyError(f"unknown problem type {slug!r}")
        self.slug = slug
        self.status = status or PROBLEMS[slug][0]
        self.errors = dict(errors or {})
        if not detail and self.errors and slug == "validation-error":
            detail = invalid_fields_detail(self.errors)
        self.detail = detail or PROBLEMS[slug][2]
        self.headers = dict(headers or {})
        super().__init__(self.detail)


def too_large_detail(limit: str) -> str:
    """`detail` of a 413: the limit in words ("2 MB", from dashboard.app.upload_limit_words)
    and what to do: "The request body is larger than the API accepts: at most 2 MB. ..."."""
    return (
        f"The request body is larger than the API accepts: at most {limit} in all (an "
        "uploaded file with the rest of its form). Nothing was saved; split a long "
        "candidate list into several files or batches."
    )


def problem_response(problem: Problem) -> Response:
    """The problem details response for `problem`."""
    body: dict[str, Any] = {
        "type": TYPE_BASE + problem.slug,
        "title": PROBLEMS[problem.slug][1],
        "status": problem.status,
        "detail": problem.detail,
        "instance": request.path,
    }
    if problem.errors:
        body["errors"] = problem.errors
    response = Response(json.dumps(body), status=problem.status, mimetype=PROBLEM_JSON)
    for name, value in problem.headers.items():
        response.headers[name] = value
    return response


def from_http_exception(error: HTTPException) -> Problem:
    """The problem for a werkzeug HTTP error (an abort, a 404 route, webargs' 422)."""
    status = error.code or 500
    slug = _BY_STATUS.get(status, "server-error" if status >= 500 else "bad-request")
    data = getattr(error, "data", None) or {}
    errors = _flatten(data.get("messages") or data.get("errors") or {})
    detail = data.get("message") or (
        PROBLEMS[slug][2] if slug != "bad-request" else (error.description or PROBLEMS[slug][2])
    )
    if status == 422 and errors and not data.get("message"):
        detail = invalid_fields_detail(errors)
    if status == 403:
        detail = data.get("message") or "This key may not do that."
    headers = dict(data.get("headers") or {})
    if status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="screenline"')
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    return Problem(slug, detail, errors=errors, status=status, headers=headers)


def invalid_fields_detail(errors: Mapping[str, str]) -> str:
    """`detail` for a 422 naming fields: the one field's path and sentence when one is
    wrong ("name: This field is required."), else which fields are, e.g. "3 fields are
    missing or wrong (interview_id, name, phone); `errors` says why for each."."""
    if len(errors) == 1:
        path, message = next(iter(errors.items()))
        return f"{path}: {message}" if path else message
    return (
        f"{len(errors)} fields are missing or wrong ({', '.join(errors)}); "
        "`errors` says why for each."
    )


# marshmallow's stock messages, in the words the rest of the API uses. The request
# schemas' own fields (dashboard/api/inputs.py) say what to send; these are the few
# messages marshmallow words itself.
PLAIN_MESSAGES = {
    "Missing data for required field.": "This field is required.",
    "Unknown field.": "This field is not one this resource takes.",
    "Field may not be null.": "This field may not be null.",
    "Invalid input type.": 'This is not an object. Use a JSON object ({"field": value, ...}).',
    "Invalid type.": 'This is not an object. Use a JSON object ({"field": value, ...}).',
}


def _flatten(messages: Any, prefix: str = "") -> dict[str, str]:
    """webargs' nested messages ({"json": {"name": ["..."]}}) as {"name": "..."}, with
    marshmallow's stock wording replaced by PLAIN_MESSAGES."""
    if isinstance(messages, str):
        return {prefix or "": PLAIN_MESSAGES.get(messages, messages)}
    if isinstance(messages, list):
        if all(isinstance(m, str) for m in messages):
            return {prefix or "": " ".join(PLAIN_MESSAGES.get(m, m) for m in messages)}
        flat: dict[str, str] = {}
        for index, item in enumerate(messages):
            flat |= _flatten(item, f"{prefix}.{index}" if prefix else str(index))
        return flat
    flat = {}
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            # webargs nests messages under the location ("json", "query", "headers")
            top = not prefix and key in ("json", "query", "querystring", "form", "files", "headers")
            # marshmallow's "_schema" is the object itself (a list item that is no object)
            top = top or key == "_schema"
            path = prefix if top else (f"{prefix}.{key}" if prefix else str(key))
            flat |= _flatten(value, path)
    return flat
