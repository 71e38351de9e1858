"""A candidate's Manage page texts their invitation ("Text the invitation") through the one
invitation path (dashboard/candidates/invitations.py): managers only, with CSRF, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rq import Queue
from sqlalchemy import select

from ivr.jobs import SEND_MESSAGE
from tests.dashboard.conftest import flashes
from tests.dashboard.html import parse
from tests.dashboard.review_support import csrf_token, teammate
from tests.factories import make_candidate
from voice import erasure
from voice.messages import INVITATION
from voice.models import CandidateStatus, Message, Role


def manage_url(candidate) -> str:
    return f"/candidates/{candidate.id}/manage"


def invite(client, candidate, token: str | None = None):
    """Press "Text the invitation" as the page's form does (CSRF token from the page)."""
    url = f"/candidates/{candidate.id}/invite"
    if token is None:
        form = parse(client.get(manage_url(candidate)).data).one("form", action=url)
        token = form.one("input", name="csrf_token").attrs["value"]
    return client.post(url, data={"csrf_token": token})


def card(client, candidate):
    return parse(client.get(manage_url(candidate)).data).one("section", id="invitation")


def invitations(db, candidate) -> list[Message]:
    return list(
        db.scalars(
            select(Message).where(Message.candidate_id == candidate.id, Message.kind == INVITATION)
        )
    )


def test_text_the_invitation_queues_it_once_and_shows_its_state(signed_in, db, client, redis_conn):
    """A candidate with questions left is texted once; the card then shows "Queued, not
    sent yet" in place of the button, then "Texted ..." once sent; a second press is
    skipped with a sentence."""
    fresh = make_candidate(db, signed_in.interview, name="Fay Fresh", phone="+15552010013")
    db.commit()
    before = card(client, fresh)
    assert before.one("span", id="invitation-state").text() == "Not invited yet"
    assert before.one("button").text() == "Text the invitation"
    response = invite(client, fresh)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(manage_url(fresh))
    (message,) = invitations(db, fresh)
    assert message.sent_by_id == signed_in.user.id and message.to == "+15552010013"
    jobs = Queue(SEND_MESSAGE.queue, connection=redis_conn).jobs
    assert [job.args[0] for job in jobs] == [message.id]
    page = parse(client.get(manage_url(fresh)).data)
    assert "Invitation text queued for Fay Fresh at +15552010013." in flashes(page)
    after = page.one("section", id="invitation")
    assert after.one("span", id="invitation-state").text() == "Queued, not sent yet"
    assert after.find_all("button") == []
    message.sent_at = datetime.now(UTC) - timedelta(hours=3)
    db.commit()
    state = card(client, fresh).one("span", id="invitation-state")
    assert state.text() == "Texted 3 hours ago"
    # The candidate page words it the same (one macro).
    facts = parse(client.get(f"/candidates/{fresh.id}").data).one("dd", id="invitation-state")
    assert facts.text() == "Texted 3 hours ago"
    token = csrf_token(client, manage_url(signed_in.candidate))
    invite(client, fresh, token)
    assert flashes(parse(client.get(manage_url(fresh)).data)) == [
        "No invitation sent: Fay Fresh was already invited (an invitation is sent once)."
    ]
    assert len(invitations(db, fresh)) == 1
    assert len(Queue(SEND_MESSAGE.queue, connection=redis_conn).jobs) == 1


def test_candidates_the_invitation_path_skips_are_refused_with_a_sentence(
    signed_in, db, client, redis_conn
):
    """Finished, screened out, no phone, interview closed and erased: the page says why
    in place of the button, and a press (a stale page) is flashed with the same sentence;
    nothing is written or queued."""
    token = csrf_token(client, manage_url(signed_in.candidate))
    done = signed_in.candidate  # completed in the fixture
    out = make_candidate(db, signed_in.interview, name="Oz Out", phone="+15552010012")
    out.status = CandidateStatus.SCREENED_OUT
    nophone = make_candidate(db, signed_in.interview, name="Nat Nophone", phone=None)
    db.commit()
    expected = {
        done: "No invitation sent: Dana Diaz has finished the interview.",
        out: "No invitation sent: Oz Out was screened out.",
        nophone: "No invitation sent: Nat Nophone has no phone number to text.",
    }
    for candidate, sentence in expected.items():
        shown = card(client, candidate)
        assert shown.one("p", id="invite-refusal").text() == sentence
        assert shown.find_all("button") == []
        # "Not invited yet" only before they start (a finished candidate needs none).
        not_yet = shown.find("span", id="invitation-state") is not None
        assert not_yet == (candidate.status == CandidateStatus.INVITED), candidate.name
        invite(client, candidate, token)
        assert flashes(parse(client.get(manage_url(candidate)).data)) == [sentence]
    late = make_candidate(db, signed_in.interview, name="Lu Late", phone="+15552010014")
    signed_in.interview.deadline = datetime(2026, 3, 3, 23, 0, tzinfo=UTC)
    db.commit()
    closed = "No invitation sent: the interview closed on March 3, 2026; extend its deadline first."
    assert card(client, late).one("p", id="invite-refusal").text() == closed
    invite(client, late, token)
    assert flashes(parse(client.get(manage_url(late)).data)) == [closed]
    signed_in.interview.deadline = None
    fresh = make_candidate(db, signed_in.interview, name="Eve Erased", phone="+15552010015")
    db.commit()
    erasure.erase_candidate(db, fresh)
    db.commit()
    response = invite(client, fresh, token)
    assert response.status_code == 302
    shown = flashes(parse(client.get(manage_url(fresh)).data))
    assert shown == [
        "No invitation sent: this candidate's personal data, phone included, was erased."
    ]
    assert db.scalars(select(Message)).all() == []
    assert Queue(SEND_MESSAGE.queue, connection=redis_conn).jobs == []


def test_text_the_invitation_needs_a_manager_and_csrf(signed_in, db, client, auth):
    """Without the CSRF token the press is refused (400); a reviewer, even of a shared
    interview, sees no button and is refused (403); another organisation's candidate is
    not found (404). Nothing is written."""
    fresh = make_candidate(db, signed_in.interview, name="Fay Fresh", phone="+15552010013")
    db.commit()
    url = f"/candidates/{fresh.id}/invite"
    assert client.post(url, data={}).status_code == 400
    token = csrf_token(client, manage_url(fresh))
    stranger = signed_in.stranger_candidate
    assert (
        client.post(f"/candidates/{stranger.id}/invite", data={"csrf_token": token}).status_code
        == 404
    )
    teammate(
        db,
        signed_in.user.organization,
        "rev@acme.test",
        Role.REVIEWER,
        interviews=[signed_in.interview],
    )
    db.commit()
    auth.logout()
    assert auth.login("rev@acme.test").status_code == 302
    token = csrf_token(client, f"/candidates/{fresh.id}")
    assert client.post(url, data={"csrf_token": token}).status_code == 403
    assert db.scalars(select(Message)).all() == []
