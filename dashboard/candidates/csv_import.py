"""The import page: a candidate list uploaded (CSV or .xlsx) or pasted, and its report.

A thin front door: reading the file and every row rule live in voice/candidate_import.py
(shared with `screenline candidate import` and the API). A file that is not a table
gets its one sentence back (422); rows are reported one by one; nothing answers 500.
An import that ran is audited ("candidates_imported": how many rows were added, merged and
rejected, never who).
"""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from dashboard.access import get_visible, require_manager
from dashboard.auditing import record
from ivr.services import db
from voice.candidate_import import TableError, import_file
from voice.models import Interview
from voice.phones import PhoneError, region_name, regions


@require_manager
def import_candidates(interview_id: int):
    """Show the upload form (GET), or import the file or pasted rows and report (POST)."""
    session = db()
    interview = get_visible(session, current_user, Interview, interview_id, manage=True)
    country = interview.organization.default_country
    report, error = None, None
    if request.method == "POST":
        country = request.form.get("country") or country
        upload = request.files.get("file")
        pasted = request.form.get("pasted", "")
        chosen = bool(upload and upload.filename)
        raw = upload.read() if chosen else pasted.encode("utf-8")
        if not chosen and not raw.strip():
            # A chosen file, even an empty one, goes to the rule set, which says what is
            # wrong with it ("The file is empty."); only nothing at all is asked for here.
            error = "Choose a CSV or Excel file (or paste its rows) to import."
        else:
            try:
                report = import_file(session, interview, raw, country)
            except (TableError, PhoneError) as exc:
                session.rollback()
                error = str(exc)
            else:
                # After the rows, so that the entry comes with them or not at all.
                record(
                    "candidates_imported",
                    interview_id=interview.id,
                    detail={**report.audit_detail(), "source": "file" if chosen else "pasted"},
                )
                session.commit()
    return (
        render_template(
            "import.html",
            interview=interview,
            report=report,
            error=error,
            country=country,
            regions=regions(),
            region_name=region_name,
        ),
        422 if error else 200,
    )
