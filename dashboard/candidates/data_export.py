"""A candidate's own copy, downloaded from the candidate page ("Export candidate data").

Managers (admins and recruiters) may export; reviewers may not: they listen and score
within the dashboard, while an export is a copy of personal data leaving it, which is
the employer's decision (the same rule as the interview's CSV and audio exports).
"""

from __future__ import annotations

import tempfile

from flask import send_file
from flask_login import current_user

from dashboard.access import get_visible, require_manager
from dashboard.auditing import record
from ivr.services import db, services
from voice.candidate_export import export_candidate
from voice.models import Candidate


@require_manager
def export_data(candidate_id: int):
    """Download everything held about the candidate as a ZIP (voice.candidate_export);
    audited as an "export".

    POST (with the CSRF token) so that a link followed or prefetched exports nothing.
    """
    session = db()
    candidate = get_visible(
        session, current_user, Candidate, candidate_id, manage=True, change=True
    )
    # An unnamed file on disk, gone once the response closes it: audio never piles up
    # in memory, however many answers there are.
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (send_file closes it)
    try:
        export_candidate(session, services().store, candidate, spool)
        record("export", candidate=candidate, detail={"kind": "candidate data"})
        session.commit()
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    response = send_file(
        spool,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"candidate-{candidate.id}-data.zip",
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
