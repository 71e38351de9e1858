"""The interviews list."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from dashboard.access import can_manage, interview_rows
from ivr.services import db


def interviews_page():
    """The interviews the user can see (a reviewer: those shared with them), one query."""
    rows = interview_rows(db(), current_user)
    return render_template("interviews.html", rows=rows, manager=can_manage(current_user))
