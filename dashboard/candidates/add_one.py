"""The "Add a candidate" page: one person added to an interview from the dashboard.

A front door over voice/candidates.py (the rules `screenline candidate add` and the API
follow): a name, a phone in E.164 or as dialled in the organisation's country, an
optional e-mail and external id (the applicant tracking system's). "Text the invitation
now" goes the one invitation path (dashboard/candidates/invitations.py) and, as
`candidate add --invite` does, is refused before anyone is added once the interview has
closed (the form then says so at the top and offers no invitation). Every field's error
is said beside it (422) with what was typed kept; a phone the interview already has gets
the command line's sentence, naming the person it belongs to with a link to their page.
Managers of the interview only (dashboard/access.py, as the import page). Adding is
audited ("candidate_added").
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from dashboard.access import get_visible, require_manager
from dashboard.auditing import record
from dashboard.candidates.invitations import closed_to_invitations, text_invitation_to
from ivr.services import db
from voice.candidates import (
    MAX_CANDIDATE_EMAIL,
    MAX_CANDIDATE_NAME,
    MAX_EXTERNAL_ID,
    ONE_PHONE_ONE_CANDIDATE,
    CandidateFieldError,
    DuplicatePhone,
    add_candidate,
    check_email,
    check_external_id,
    check_name,
    check_phone,
    phone_owner,
)
from voice.dates import for_managers, long_date
from voice.models import Candidate, Interview
from voice.phones import DEFAULT_REGION, region_name

FIELDS = ("name", "phone", "email", "external_id")


def duplicate_phone_words(phone: str, owner_id: int) -> Markup:
    """voice.candidates.DuplicatePhone's sentence, naming the candidate `owner_id` whose
    phone (E.164) it is and linking to their page: "+15557654321 already belongs to
    <a>Jordan Rivera</a> (candidate 1) in this interview; one phone number is one
    candidate, …." (HTML, the name escaped; Markup.striptags gives it as plain text)."""
    owner = db().get(Candidate, owner_id)
    name = owner.name if owner is not None and owner.name else "a candidate"
    link = url_for("dashboard.candidate", candidate_id=owner_id)
    return Markup(
        '{} already belongs to <a href="{}">{}</a> (candidate {}) in this interview; {}.'
    ).format(phone, link, name, owner_id, ONE_PHONE_ONE_CANDIDATE)


def field_errors(interview: Interview, values: dict[str, str], invite: bool) -> dict[str, str]:
    """Every field's error at once, by field name ("name", "phone", "email",
    "external_id", "invite"), each one sentence beginning with a capital, the rule's own
    (voice.candidates: the command line, the API and the import say it too); empty when
    the candidate may be added. The phone is required here (the import requires it too,
    NEEDS_PHONE), and one the interview already has is refused with
    `duplicate_phone_words` (HTML: Markup), the command line's sentence naming and linking
    the person."""
    errors: dict[str, str] = {}
    checks = (
        ("name", check_name),
        ("email", check_email),
        ("external_id", check_external_id),
        ("phone", lambda value: check_phone(interview, value, required=True)),
    )
    checked = {}
    for name, check in checks:
        try:
            checked[name] = check(values[name])
        except CandidateFieldError as exc:
            errors[exc.field] = str(exc)  # voice.candidates' sentence, word for word
    phone = checked.get("phone")
    if phone and (owner := phone_owner(db(), interview.id, phone)) is not None:
        errors["phone"] = duplicate_phone_words(phone, owner)
    if invite and (closed := closed_to_invitations(interview, datetime.now(UTC))):
        errors["invite"] = sentence(closed)
    return {name: errors[name] for name in (*FIELDS, "invite") if name in errors}  # form order


def sentence(text: str) -> str:
    """`text` as a sentence: a capital first letter and a full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


@require_manager
def add_one(interview_id: int):
    """Show the form (GET), or add the candidate (POST) and go to their page with a flash
    naming them and their PIN; 422 with each field's error and the values kept."""
    session = db()
    interview = get_visible(session, current_user, Interview, interview_id, manage=True)
    # Checked and refilled whole: a cut value could pass a check the typed one fails, and
    # the form must give back all that was typed (the request's size is capped at 2 MB).
    values = {name: request.form.get(name, "") for name in FIELDS}
    invite = request.form.get("invite") == "1"
    errors: dict[str, str] = {}
    if request.method == "POST":
        errors = field_errors(interview, values, invite)
        if not errors:
            try:
                added = add_candidate(
                    session,
                    interview,
                    values["name"],
                    values["phone"],
                    email=values["email"],
                    external_id=values["external_id"],
                )
            except DuplicatePhone as exc:  # added meanwhile, by a concurrent request
                errors["phone"] = duplicate_phone_words(exc.phone, exc.candidate_id)
            except CandidateFieldError as exc:  # checked above; kept for a rule added later
                errors[exc.field] = str(exc)
            else:
                record("candidate_added", candidate=added, detail={"invitation": invite})
                session.commit()
                flash(
                    f"{added.name} is added. Their PIN is {added.pin}; they call "
                    f"{interview.phone_number}.",
                    "success",
                )
                if invite:
                    text_invitation_to(session, added)
                return redirect(url_for("dashboard.candidate", candidate_id=added.id))
    country = interview.organization.default_country or DEFAULT_REGION
    closed_on = None  # the day it closed, in the organisation's zone and language
    if interview.is_closed(datetime.now(UTC)):
        closed_on = long_date(interview.deadline, *for_managers(interview.organization))
    return (
        render_template(
            "candidate_add.html",
            interview=interview,
            values=values,
            invite=invite and closed_on is None,
            closed_on=closed_on,
            errors=errors,
            # The summary links each error to its field: plain text, never a link in a link.
            summary={
                name: error.striptags() if isinstance(error, Markup) else error
                for name, error in errors.items()
            },
            country=country,
            country_name=region_name(country),
            limits={
                "name": MAX_CANDIDATE_NAME,
                "email": MAX_CANDIDATE_EMAIL,
                "external_id": MAX_EXTERNAL_ID,
            },
        ),
        422 if errors else 200,
    )
