"""Interviews in the browser: the list, the builder, file import, reviewers and the preview.

The `builder` blueprint's URLs are listed here in one table; each module holds one
concern (drafts.py: the form's drafts and their mapping to the interview file format;
editor.py: new and edit; file_import.py; reviewers.py; preview.py; listing.py).
"""

from __future__ import annotations

from flask import Blueprint

from dashboard.interviews import editor, file_import, preview, reviewers
from dashboard.interviews.listing import interviews_page

__all__ = ["builder", "interviews_page"]

builder = Blueprint("builder", __name__)

builder.add_url_rule("/interviews/new", view_func=editor.new, methods=["GET", "POST"])
builder.add_url_rule(
    "/interviews/import", view_func=file_import.import_interview, methods=["GET", "POST"]
)
builder.add_url_rule(
    "/interviews/<int:interview_id>/edit", view_func=editor.edit, methods=["GET", "POST"]
)
builder.add_url_rule(
    "/interviews/<int:interview_id>/reviewers",
    view_func=reviewers.reviewers,
    methods=["GET", "POST"],
)
builder.add_url_rule("/interviews/<int:interview_id>/preview", view_func=preview.preview)
