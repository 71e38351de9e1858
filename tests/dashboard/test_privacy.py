"""The dashboard's privacy controls: retention date, legal holds, erasure, the org default."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from rq import Queue
from sqlalchemy import select

from dashboard.cli import main
from ivr.jobs import ERASE_CANDIDATE
from tests.dashboard.conftest import flashes, submit
from tests.dashboard.html import parse
from tests.factories import make_user
from tests.support import env_for
from voice.models import AuditEvent, Candidate, Interview, InterviewReviewer, Organization, Role

EEOC = "29 CFR 1602.14"


def candidate_page(client, world):
    return parse(client.get(f"/candidates/{world.candidate.id}").data)


def retention_text(page) -> str:
    return page.one("dd", id="retention-date").text()


def reload(session_factory, model, ident):
    with session_factory() as session:
        return session.get(model, ident)


def test_the_candidate_page_shows_when_their_data_will_be_deleted(signed_in, db, client):
    """The date is completion + the interview's period, in the future tense until it is
    past; none set reads "kept until erased"."""
    assert "Kept until erased" in retention_text(candidate_page(client, signed_in))
    completed = datetime.now(UTC) - timedelta(days=10)
    signed_in.candidate.completed_at = completed
    signed_in.interview.organization.retention_days = 400
    db.commit()
    due = completed + timedelta(days=400)
    assert retention_text(candidate_page(client, signed_in)) == (
        f"Will be deleted on {due:%b %-d, %Y} (400 days after completion)"
    )
    signed_in.interview.retention_days = 5
    db.commit()
    due = completed + timedelta(days=5)
    assert retention_text(candidate_page(client, signed_in)) == (
        f"Due for deletion since {due:%b %-d, %Y} (5 days after completion; "
        "the next retention purge deletes it)"
    )


def test_an_admin_puts_a_candidate_and_an_interview_on_legal_hold(
    signed_in, db, client, session_factory
):
    """The hold is set from the pages, shown there, and replaces the deletion date."""
    signed_in.interview.retention_days = 365
    db.commit()
    page = candidate_page(client, signed_in)
    action = f"/candidates/{signed_in.candidate.id}/legal-hold"
    response = submit(client, page, action)
    assert response.status_code == 302
    assert reload(session_factory, Candidate, signed_in.candidate.id).legal_hold
    page = candidate_page(client, signed_in)
    assert retention_text(page) == "Kept while on legal hold"
    assert "On legal hold" in page.one("p", id="legal-hold").text()

    interview_page = parse(client.get(f"/interviews/{signed_in.interview.id}").data)
    submit(client, interview_page, f"/interviews/{signed_in.interview.id}/legal-hold")
    interview_page = parse(client.get(f"/interviews/{signed_in.interview.id}").data)
    assert "On legal hold" in interview_page.one("p", id="retention-summary").text()
    assert reload(session_factory, Interview, signed_in.interview.id).legal_hold


def test_erasing_needs_the_typed_confirmation_then_removes_and_queues(
    signed_in, client, session_factory, redis_conn
):
    """A wrong confirmation erases nothing; the name (or ERASE) erases and queues the job."""
    page = candidate_page(client, signed_in)
    action = f"/candidates/{signed_in.candidate.id}/erase"
    client.post(action, data=page.one("form", action=action).form_fields() | {"confirm": "yes"})
    page = candidate_page(client, signed_in)
    assert any("Nothing was erased" in f for f in flashes(page))
    assert reload(session_factory, Candidate, signed_in.candidate.id).name == "Dana Diaz"

    response = submit(client, page, action, confirm="  dana  DIAZ ")
    assert response.status_code == 302
    erased = reload(session_factory, Candidate, signed_in.candidate.id)
    assert (erased.name, erased.phone, erased.erased_at) == ("Erasure pending", None, None)
    page = candidate_page(client, signed_in)
    assert retention_text(page).startswith("Erasure pending: still to delete audio of 2 answers")
    assert "Dana Diaz" not in page.text() and "three years" not in page.text()
    assert Queue(ERASE_CANDIDATE.queue, connection=redis_conn).get_job_ids() == [
        ERASE_CANDIDATE.job_id(signed_in.candidate.id)
    ]
    with session_factory() as session:
        entry = session.scalars(select(AuditEvent).where(AuditEvent.action == "erasure")).one()
        assert (entry.actor_kind, entry.actor_id) == ("user", signed_in.user.id)
        assert entry.candidate_id == signed_in.candidate.id


def test_a_legal_hold_refuses_an_erasure_from_the_page(signed_in, db, client, session_factory):
    """On hold, the page says nothing can be erased; a confirmed erase changes nothing."""
    signed_in.candidate.legal_hold = True
    db.commit()
    page = candidate_page(client, signed_in)
    action = f"/candidates/{signed_in.candidate.id}/erase"
    assert "nothing can be erased" in page.one("form", action=action).text()
    submit(client, page, action, confirm="ERASE")
    page = candidate_page(client, signed_in)
    assert any("on legal hold; take the hold off first" in f for f in flashes(page))
    found = reload(session_factory, Candidate, signed_in.candidate.id)
    assert (found.name, found.erasure_requested_at) == ("Dana Diaz", None)


@pytest.mark.parametrize("role", [Role.RECRUITER, Role.REVIEWER])
def test_only_admins_erase_or_hold(signed_in, db, client, auth, session_factory, role):
    """A recruiter, or a reviewer the interview is shared with, gets 403 and changes
    nothing (unshared, a reviewer gets 404: tests/dashboard/test_reviewer_views.py)."""
    other = make_user(db, signed_in.user.organization, email="other@acme.test", role=role)
    if role == Role.REVIEWER:
        db.add(InterviewReviewer(interview_id=signed_in.interview.id, user_id=other.id))
    db.commit()
    auth.logout()
    auth.login("other@acme.test")
    page = parse(client.get("/").data)
    token = page.one("input", name="csrf_token").attrs["value"]
    for path in ("erase", "legal-hold"):
        response = client.post(
            f"/candidates/{signed_in.candidate.id}/{path}",
            data={"csrf_token": token, "confirm": "ERASE", "hold": "1"},
        )
        assert response.status_code == 403
    found = reload(session_factory, Candidate, signed_in.candidate.id)
    assert found.name == "Dana Diaz" and not found.legal_hold


def test_another_organisations_admin_cannot_erase(signed_in, client, auth, session_factory):
    """An admin of another organisation gets 404 for our candidate, who keeps their data."""
    auth.logout()
    auth.login("boss@globex.test")
    token = parse(client.get("/").data).one("input", name="csrf_token").attrs["value"]
    response = client.post(
        f"/candidates/{signed_in.candidate.id}/erase",
        data={"csrf_token": token, "confirm": "ERASE"},
    )
    assert response.status_code == 404
    assert reload(session_factory, Candidate, signed_in.candidate.id).erasure_requested_at is None


def test_erasing_without_the_csrf_token_is_refused(signed_in, client, session_factory):
    """The erase form's CSRF token is required."""
    response = client.post(f"/candidates/{signed_in.candidate.id}/erase", data={"confirm": "ERASE"})
    assert response.status_code == 400
    assert reload(session_factory, Candidate, signed_in.candidate.id).erasure_requested_at is None


def test_the_organisation_default_is_set_on_the_settings_page_with_the_eeoc_warning(
    signed_in, client, session_factory
):
    """An admin sets the default; under a year is saved with a warning naming the rule."""
    page = parse(client.get("/settings/retention").data)
    response = submit(client, page, "/settings/retention", retention_days="90")
    assert response.status_code == 302
    page = parse(client.get("/settings/retention").data)
    assert any(EEOC in f for f in flashes(page))
    org_id = signed_in.user.organization_id
    assert reload(session_factory, Organization, org_id).retention_days == 90
    response = submit(client, page, "/settings/retention", retention_days="ninety")
    assert response.status_code == 422
    error = parse(response.data).one("p", cls="field-error").text()
    assert error == "“Default retention (days)” must be a whole number from 1 to 3,650"
    assert parse(response.data).one("label", for_="retention_days").text() == (
        "Default retention (days)"
    )
    assert reload(session_factory, Organization, org_id).retention_days == 90


def test_the_builder_warns_about_a_period_under_a_year(signed_in, client):
    """Saving an interview that keeps data 30 days shows the EEOC warning."""
    path = f"/interviews/{signed_in.interview.id}/edit"
    page = parse(client.get(path).data)
    submit(client, page, path, retention_days="30")
    shown = flashes(parse(client.get(path).data))
    assert any(EEOC in f and "30 days" in f for f in shown), shown


def test_a_yaml_import_warns_about_a_period_under_a_year(settings, db, tmp_path):
    """`interview import` says a short period is under EEOC's one year, in JSON too."""
    from tests.factories import make_org

    make_org(db)
    db.commit()
    path = tmp_path / "short.yaml"
    path.write_text(
        'title: Cook\nphone_number: "+15550100777"\nretention_days: 180\n'
        "questions:\n  - Why this job?\n"
    )
    env = {k: v for k, v in env_for(settings).items() if k.startswith(("SCREENLINE_", "TWILIO_"))}
    result = CliRunner().invoke(main, ["interview", "import", str(path), "--json"], env=env)
    assert result.exit_code == 0, result.output
    [warning] = json.loads(result.output)["warnings"]
    assert EEOC in warning and "180 days" in warning


def test_a_purged_candidate_page_says_when_and_why(signed_in, db, client):
    """Once nothing is owed the page says erased, with the date and the reason."""
    from voice import erasure

    signed_in.transcribed.recording_sid = None
    signed_in.failed.recording_sid = None
    db.commit()
    when = datetime.now(UTC) - timedelta(days=1)
    state = erasure.purge_candidate(
        db, signed_in.candidate, reason="retention: 365 days after completion", now=when
    )
    erasure.settle(signed_in.candidate, answers=range(1, 100), now=when)
    db.commit()
    assert state.state == erasure.PENDING
    text = retention_text(candidate_page(client, signed_in))
    assert text == f"Erased on {when:%b %-d, %Y} (retention: 365 days after completion)"


def test_an_erased_candidate_leaves_the_review_queue(signed_in, db, client):
    """Nothing is left to score or decide once a candidate is erased."""
    from dashboard.review.queue import unreviewed_counts, waiting_clause
    from voice import erasure

    signed_in.candidate.completed_at = datetime.now(UTC) - timedelta(days=30)
    db.commit()
    assert unreviewed_counts(db, signed_in.user) == {signed_in.interview.id: 1}
    waiting = select(Candidate.id).where(waiting_clause(datetime.now(UTC)))
    assert db.scalars(waiting).all() == [signed_in.candidate.id]
    erasure.erase_candidate(db, signed_in.candidate)
    db.commit()
    assert unreviewed_counts(db, signed_in.user) == {}
    assert db.scalars(waiting).all() == []
    assert client.get("/review/next").status_code == 302
    assert f"/candidates/{signed_in.candidate.id}" not in client.get("/review/next").location
