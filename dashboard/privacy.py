"""Admins' privacy controls: erase a candidate, legal holds, the organisation's retention.

Every action is admin-only (403 for other roles, 404 for rows of another organisation,
through dashboard/access.py) and posted with the CSRF token. The rules live in
voice/erasure.py and voice/retention.py; the command line uses the same ones.
"""

from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from redis.exceptions import RedisError

from dashboard.access import get_visible, is_admin, require_not_erased, require_role
from dashboard.auditing import record, user_actor
from dashboard.labels import RETENTION_LABELS, form_message
from ivr.jobs import ERASE_CANDIDATE
from ivr.services import db, services
from voice import erasure
from voice.fields import whole_number
from voice.interviews import RETENTION_DAYS
from voice.models import Candidate, Interview, Organization, Role
from voice.retention import short_period_warning
from voice.wording import plural

log = logging.getLogger(__name__)

privacy = Blueprint("privacy", __name__)

CONFIRM_WORD = "ERASE"


def confirmed(candidate: Candidate, typed: str) -> bool:
    """Whether the admin typed the candidate's name (any case) or ERASE to confirm."""
    typed = " ".join((typed or "").split())
    return bool(typed) and (typed == CONFIRM_WORD or typed.casefold() == candidate.name.casefold())


def _admin_row(model: type, ident: int):
    """The row if the signed-in admin's organisation owns it (404 otherwise; 403 if not admin)."""
    found = get_visible(db(), current_user, model, ident, manage=True, options=())
    if not is_admin(current_user):
        abort(403)
    return found


def _back(candidate: Candidate):
    return redirect(url_for("dashboard.candidate", candidate_id=candidate.id, _anchor="privacy"))


@privacy.post("/candidates/<int:candidate_id>/erase")
@require_role(Role.ADMIN)
def erase(candidate_id: int):
    """Erase a candidate's personal data now (voice.erasure), after typed confirmation."""
    session = db()
    candidate = _admin_row(Candidate, candidate_id)
    if candidate.erasure_requested_at is None and not confirmed(
        candidate, request.form.get("confirm", "")
    ):
        flash(
            f"Nothing was erased: type the candidate's name or {CONFIRM_WORD} to confirm.",
            "error",
        )
        return _back(candidate)
    try:
        state = erasure.erase_candidate(session, candidate, actor=user_actor())
    except erasure.ErasureRefused as exc:
        flash(str(exc)[0].upper() + str(exc)[1:] + ".", "error")
        return _back(candidate)
    session.commit()
    if state.state == erasure.ERASED:
        flash("The candidate's personal data is erased.", "success")
        return _back(candidate)
    try:
        services().enqueue(ERASE_CANDIDATE, candidate.id)
    except RedisError as exc:  # the workers' sweep queues it instead
        log.warning("erasure of candidate %s not queued: %s", candidate.id, exc)
    flash(
        "Personal data removed from the database. Still to delete (the workers do it now): "
        f"{state.owed_text()}.",
        "success",
    )
    return _back(candidate)


@privacy.post("/candidates/<int:candidate_id>/legal-hold")
@require_role(Role.ADMIN)
def candidate_hold(candidate_id: int):
    """Put a candidate on legal hold, or take the hold off (form field `hold`: 1 or 0);
    refused (CandidateErased) once their erasure began: nothing is left to hold."""
    candidate = require_not_erased(_admin_row(Candidate, candidate_id))
    candidate.legal_hold = request.form.get("hold") == "1"
    record("legal_hold", candidate=candidate, detail={"legal_hold": candidate.legal_hold})
    db().commit()
    flash(
        "Legal hold on: the retention purge keeps this candidate's data."
        if candidate.legal_hold
        else "Legal hold off: the retention period applies again.",
        "success",
    )
    return _back(candidate)


@privacy.post("/interviews/<int:interview_id>/legal-hold")
@require_role(Role.ADMIN)
def interview_hold(interview_id: int):
    """Put an interview on legal hold (its candidates are not purged), or take it off."""
    interview = _admin_row(Interview, interview_id)
    interview.legal_hold = request.form.get("hold") == "1"
    record("legal_hold", interview_id=interview.id, detail={"legal_hold": interview.legal_hold})
    db().commit()
    flash(
        "Legal hold on: the retention purge keeps every candidate of this interview."
        if interview.legal_hold
        else "Legal hold off: the retention period applies again.",
        "success",
    )
    return redirect(url_for("dashboard.interview", interview_id=interview.id))


@privacy.route("/settings/retention", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def retention_settings():
    """Show or save the organisation's default retention period (days; empty: none)."""
    session = db()
    org = session.get(Organization, current_user.organization_id)
    if org is None:
        abort(404)
    error = None
    raw = request.form.get("retention_days", "").strip()
    if request.method == "POST":
        errors: dict[str, str] = {}
        days = whole_number(errors, {"retention_days": raw}, "retention_days", None, RETENTION_DAYS)
        if errors:
            error = form_message(errors["retention_days"], RETENTION_LABELS)
        else:
            org.retention_days = days
            record("retention_changed", detail={"retention_days": days})
            session.commit()
            flash(
                f"Candidates' data is kept {plural(days, 'day')} by default."
                if days
                else "No default retention period: interviews without one keep data until erased.",
                "success",
            )
            if warning := short_period_warning(days):
                flash(warning, "warning")
            return redirect(url_for(".retention_settings"))
    return (
        render_template(
            "retention_settings.html",
            org=org,
            value=raw if error else (org.retention_days or ""),
            error=error,
            warning=short_period_warning(org.retention_days),
            limits=RETENTION_DAYS,
            labels=RETENTION_LABELS,
        ),
        422 if error else 200,
    )
