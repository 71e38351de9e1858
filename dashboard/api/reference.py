"""The API's reference page, `/api/v1/reference`: the OpenAPI document made readable.

Rendered on the server from the same document as `/api/v1/openapi.json` (so it cannot
disagree with it), with no scripts: a table of contents, then every operation, its
parameters, request body and responses, the schemas, and the problem types errors name.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from markupsafe import Markup, escape

from dashboard.access import public
from dashboard.api.problems import PROBLEMS

blp = Blueprint("api_reference", __name__, url_prefix="/api/v1")

METHODS = ("get", "post", "put", "patch", "delete")


@blp.app_template_filter("inline_code")
def inline_code(text: str | None) -> Markup:
    """The document's text as HTML: each `backticked` span as <code>, the rest escaped.

    The OpenAPI descriptions are CommonMark, but they only ever use inline code; text with
    an unpaired backtick is shown as written.
    """
    parts = str(text or "").split("`")
    if len(parts) % 2 == 0:
        return escape(text or "")
    return Markup("").join(
        Markup("<code>%s</code>") % part if i % 2 else escape(part) for i, part in enumerate(parts)
    )


def _status_order(status: str) -> tuple[int, str]:
    """Sort key for a response's status: numerically, with "default" (and any other word)
    after every code."""
    return (int(status), "") if str(status).isdigit() else (1000, str(status))


def _schema_name(schema: dict | None) -> str:
    """A schema's type in words: a component's name, "list of X", "map of X" (an object
    of any keys), "A or B" (oneOf), "string (date-time)" (a format); "any JSON value" for
    a schema that says nothing. Never ends in a dangling "of": a list of anything reads
    "list", an object without a value schema "object"."""
    if not schema:
        return "any JSON value"
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "oneOf" in schema or "anyOf" in schema:
        return " or ".join(_schema_name(s) for s in schema.get("oneOf") or schema["anyOf"])
    kind = schema.get("type")
    if isinstance(kind, list):  # OpenAPI 3.1's ["string", "null"]
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "array":
        return f"list of {_schema_name(schema['items'])}" if schema.get("items") else "list"
    values = schema.get("additionalProperties")
    if kind == "object" and isinstance(values, dict) and values:  # a value schema says what
        return f"map of {_schema_name(values)}"
    if kind is None:
        return "any JSON value"
    return f"{kind} ({schema['format']})" if schema.get("format") else str(kind)


def _values(schema: dict | None) -> list[str]:
    """The values an enum allows, as strings (None left out), else []; for a list, the
    values its items allow (a list of enum reads as the scalar enum does)."""
    schema = schema or {}
    if "enum" not in schema and isinstance(schema.get("items"), dict):
        schema = schema["items"]
    return [str(v) for v in schema.get("enum", []) if v is not None]


def _body_schema(holder: dict) -> str:
    content = holder.get("content") or {}
    for media in content.values():
        return _schema_name(media.get("schema")) if media.get("schema") else ""
    return ""


def operation_anchor(method: str, path: str) -> str:
    """The page's id for an operation: "op-get--api-v1-candidates-candidate_id" for
    GET /api/v1/candidates/{candidate_id} (stable: links to it from elsewhere keep working)."""
    slug = path.replace("/", "-").replace("{", "").replace("}", "")
    return f"op-{method.lower()}-{slug}"


@blp.get("/reference")
@public
def page():
    """Show every operation of the OpenAPI document, its schemas and the problem types."""
    spec = current_app.extensions["screenline.api"].spec.to_dict()
    operations = []
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            params = [*item.get("parameters", []), *op.get("parameters", [])]
            operations.append(
                {
                    "anchor": operation_anchor(method, path),
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "tag": (op.get("tags") or [""])[0],
                    "parameters": [
                        {
                            "name": p.get("name"),
                            "in": p.get("in"),
                            "required": p.get("required", False),
                            "type": _schema_name(p.get("schema")),
                            "allowed": _values(p.get("schema")),
                            "description": p.get("description", ""),
                        }
                        for p in params
                    ],
                    "body": _body_schema(op.get("requestBody") or {}),
                    "responses": [
                        {"status": status, "schema": _body_schema(r), "ref": r.get("$ref", "")}
                        for status, r in sorted(
                            op.get("responses", {}).items(),
                            key=lambda item: _status_order(item[0]),
                        )
                    ],
                }
            )
    schemas = spec.get("components", {}).get("schemas", {})
    return render_template(
        "api_reference.html",
        info=spec.get("info", {}),
        operations=operations,
        schemas={
            name: {
                "description": s.get("description", ""),
                "properties": [
                    (
                        field,
                        _schema_name(prop),
                        field in s.get("required", []),
                        prop.get("description", ""),
                        _values(prop),
                    )
                    for field, prop in s.get("properties", {}).items()
                ],
            }
            for name, s in schemas.items()
        },
        problems=PROBLEMS,
    )
