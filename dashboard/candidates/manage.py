"""One candidate's management page: accommodations, "Call me now" and "Text the invitation"
(through the one invitation path, dashboard/candidates/invitations.py)."""

from __future__ import annotations

import logging

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from dashboard.access import get_visible, require_manager
from dashboard.auditing import record
from dashboard.candidates.invitations import (
    invitation_refusal,
    latest_invitation,
    text_invitation_to,
)
from ivr.outbound import (
    UNDER_WAY_WORDS,
    CallUnderWay,
    NothingToAsk,
    call_candidate,
    call_under_way,
    nothing_to_ask,
)
from ivr.services import db, services
from ivr.twilio_rest import TwilioError
from voice.candidates import EXTRA_TIME, check_extra_time
from voice.erasure import state_of
from voice.models import Candidate

log = logging.getLogger(__name__)


def _managed_candidate(candidate_id: int, change: bool = False) -> Candidate:
    return get_visible(db(), current_user, Candidate, candidate_id, manage=True, change=change)


def under_way_words(candidate: Candidate) -> str | None:
    """The state of a "call me now" call to the candidate still under way, in words for
    the Manage page ("ringing", ivr.outbound.UNDER_WAY_WORDS), or None when none is
    (ivr.outbound.call_under_way decides, as it does when a press is refused)."""
    call = call_under_way(db(), candidate)
    return None if call is None else UNDER_WAY_WORDS.get(call.status, call.status)


def _page(candidate: Candidate, errors: dict[str, str], status: int = 200):
    return (
        render_template(
            "candidate_manage.html",
            candidate=candidate,
            interview=candidate.interview,
            errors=errors,
            extra_time=EXTRA_TIME,
            # An erased candidate: the notice in place of contact details and actions.
            erasure=state_of(candidate),
            # Why "call me now" is not offered (finished, or the deadline passed), or None.
            nothing_to_ask=nothing_to_ask(candidate),
            # A call to them still under way: its state in place of the button.
            calling=under_way_words(candidate),
            # The invitation text written for them (its state in place of the button),
            # or why none would be sent (in place of the button), or neither.
            invitation=latest_invitation(db(), candidate.id),
            invite_refusal=invitation_refusal(candidate),
        ),
        status,
    )


@require_manager
def manage(candidate_id: int):
    """Show a candidate's accommodations and the "Call me now" button, or the state of the
    call to them still under way (for an erased candidate, the erasure notice and no
    actions)."""
    return _page(_managed_candidate(candidate_id), {})


@require_manager
def accommodations(candidate_id: int):
    """Save extra answer time (the rule in voice.candidates) and slow speech; 422 if invalid."""
    candidate = _managed_candidate(candidate_id, change=True)
    try:
        extra = check_extra_time(request.form.get("extra_time", "1") or "1")
    except ValueError as exc:
        return _page(candidate, {"extra_time": str(exc)}, 422)
    candidate.extra_time = extra
    candidate.slow_speech = request.form.get("slow_speech") == "1"
    db().commit()
    flash(f"Accommodations for {candidate.name} are saved.", "success")
    return redirect(url_for(".manage", candidate_id=candidate.id))


@require_manager
def call_now(candidate_id: int):
    """Have Twilio ring the candidate into the interview (ivr.outbound); errors, a call
    to them still under way and a call with nothing left to ask are flashed. A call
    Twilio accepted is audited ("call_placed")."""
    candidate = _managed_candidate(candidate_id, change=True)
    back = request.form.get("back") == "interview"
    target = (
        url_for("dashboard.interview", interview_id=candidate.interview_id)
        if back
        else url_for(".manage", candidate_id=candidate.id)
    )
    if not candidate.phone:
        flash(f"{candidate.name} has no phone number to call.", "error")
        return redirect(target)
    settings = services().settings
    try:
        sid = call_candidate(services().twilio, settings.public_url, candidate)
    except (CallUnderWay, NothingToAsk) as exc:
        flash(str(exc), "error")
        return redirect(target)
    except TwilioError as exc:
        log.warning("call to candidate %s failed: %s", candidate.id, exc)
        flash(f"Twilio could not place the call to {candidate.phone}: {exc}", "error")
        return redirect(target)
    # The entry names the candidate and Twilio's call, not the number rung (personal data
    # belongs in the removable subject part, and the candidate's row holds it).
    record("call_placed", candidate=candidate, detail={"call_sid": sid})
    db().commit()  # the attempt, as the candidate's call (ivr.outbound), with its entry
    log.info("outbound call %s to candidate %s", sid, candidate.id)
    flash(f"Calling {candidate.name} at {candidate.phone} now.", "success")
    return redirect(target)


@require_manager
def text_invitation(candidate_id: int):
    """Queue the candidate's invitation text (the Manage page's "Text the invitation") by
    the one invitation path (dashboard.candidates.invitations); a candidate it skips (no
    phone, erased, already invited, finished, interview closed) is flashed with why. Back
    to the Manage page, or to the candidate page when posted from it (`back=candidate`)."""
    candidate = _managed_candidate(candidate_id)  # an erased one is skipped and said so
    text_invitation_to(db(), candidate)
    if request.form.get("back") == "candidate":
        return redirect(url_for("dashboard.candidate", candidate_id=candidate.id, _anchor="calls"))
    return redirect(url_for(".manage", candidate_id=candidate.id))
