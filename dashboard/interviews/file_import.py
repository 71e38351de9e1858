"""Importing an interview file in the browser, as `screenline interview import` does.

The same reader (`voice.interviews.read_interview_file`) and rule set
(`clean_interview`) as the command line: a file that is not UTF-8 YAML gets one
sentence, a bad setting one line naming the field, and nothing is saved unless all is well.
"""

from __future__ import annotations

import os

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from dashboard.access import require_manager
from dashboard.auditing import record
from ivr.services import db
from voice.interview_numbers import TAKEN, number_taken
from voice.interviews import (
    MAX_FILE_BYTES,
    InterviewSpecError,
    build_interview,
    clean_interview,
    read_interview_file,
)


@require_manager
def import_interview():
    """Show the upload form (GET), or create the interview from the uploaded file (POST)."""
    problems: list[str] = []
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            problems = ["Choose an interview file (YAML) to import."]
        else:
            name = upload.filename[-100:]
            session = db()
            try:
                raw = upload.read(MAX_FILE_BYTES + 1)
                spec = read_interview_file(raw, name=name, size=upload_size(upload))
                settings = clean_interview(
                    spec, session, organization_id=current_user.organization_id
                )
            except InterviewSpecError as exc:
                problems = exc.lines()
            else:
                created = build_interview(settings, organization_id=current_user.organization_id)
                session.add(created)
                try:
                    session.flush()
                    record(
                        "interview_created",
                        interview_id=created.id,
                        detail={"source": "file", "file": name, "title": created.title},
                    )
                    session.commit()
                except IntegrityError:  # the number was taken since the check: a race
                    session.rollback()
                    number = settings.phone_number
                    taken = number_taken(session, number, current_user.organization_id)
                    return _page([taken or f"phone_number {number} {TAKEN}"])
                flash(f"Interview “{created.title}” imported from {name}.", "success")
                for warning in settings.warnings(organization=created.organization):
                    flash(warning, "warning")
                # Its page: import candidates, preview the call, or edit.
                return redirect(url_for("dashboard.interview", interview_id=created.id))
    return _page(problems)


def upload_size(upload: FileStorage) -> int | None:
    """The uploaded file's whole size in bytes: its part's Content-Length when the browser
    sent one, else the length of the stream Werkzeug spooled it to; None if neither tells."""
    if upload.content_length:
        return upload.content_length
    stream = upload.stream
    try:
        here = stream.tell()
        end = stream.seek(0, os.SEEK_END)
        stream.seek(here)
    except (AttributeError, OSError, ValueError):  # a stream that cannot seek
        return None
    return end


def _page(problems: list[str]):
    status = 422 if problems else 200
    return render_template("interview_import.html", problems=problems), status
