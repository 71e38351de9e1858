"""The API's reference page, `/api/v1/reference`: the OpenAPI document made readable.

Rendered on the server from the same document as `/api/v1/openapi.json` (so it cannot
disagree with it), with no scripts: every operation, its parameters, request body and
responses, and the list of problem types errors name.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from dashboard.access import public
from dashboard.api.problems import PROBLEMS

blp = Blueprint("api_reference", __name__, url_prefix="/api/v1")

METHODS = ("get", "post", "put", "patch", "delete")


def _schema_name(schema: dict | None) -> str:
    if not schema:
        return ""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"list of {_schema_name(schema.get('items'))}"
    return schema.get("type", "object") if isinstance(schema.get("type"), str) else "value"


def _body_schema(holder: dict) -> str:
    content = holder.get("content") or {}
    for media in content.values():
        return _schema_name(media.get("schema"))
    return ""


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
                            "description": p.get("description", ""),
                        }
                        for p in params
                    ],
                    "body": _body_schema(op.get("requestBody") or {}),
                    "responses": [
                        {"status": status, "schema": _body_schema(r), "ref": r.get("$ref", "")}
                        for status, r in op.get("responses", {}).items()
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
                        _schema_name(prop) if "$ref" in prop or "type" in prop else "value",
                        field in s.get("required", []),
                        prop.get("description", ""),
                    )
                    for field, prop in s.get("properties", {}).items()
                ],
            }
            for name, s in schemas.items()
        },
        problems=PROBLEMS,
    )
