"""Read-only share links: random tokens stored as hashes, expiry, revocation, a viewer's
name recorded once, and audio scoped to exactly the linked candidates."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.dashboard.conftest import AuthActions, store_audio
from tests.dashboard.html import parse
from tests.dashboard.review_support import csrf_token, teammate, tone_mp3
from tests.factories import PASSWORD, make_candidate, make_interview, make_org, make_user
from voice.models import Answer, AnswerStatus, Comment, Score, ShareLink, ShareView, utcnow


def create_link(client, candidate_ids, days="7", label=""):
    response = client.post(
        "/share",
        data={
            "csrf_token": csrf_token(client),
            "candidate_ids": candidate_ids,
            "days": days,
            "label": label,
        },
    )
    return response


def link_path(response) -> str:
    url = parse(response.data).one("input", id="share-url").attrs["value"]
    return urlsplit(url).path


def test_create_link_stores_only_the_hash(signed_in, db, client):
    """The URL is shown once; the database holds its sha256, never the token."""
    response = create_link(client, [signed_in.candidate.id], days="3")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    path = link_path(response)
    token = path.rsplit("/", 1)[1]
    assert len(token) >= 40
    [link] = db.scalars(select(ShareLink)).all()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(link.__dict__)
    assert link.candidate_ids == [signed_in.candidate.id]
    assert link.label == "Dana Diaz"
    assert timedelta(days=2, hours=23) < link.expires_at - utcnow() <= timedelta(days=3)


def test_create_link_validation_and_scope(world, db, app, client, auth):
    """Expiry must be 1-30 days (else 422, the label typed kept); another organisation's
    candidate is 404; reviewers 403."""
    auth.login()
    for days in ("31", "0"):
        refused = create_link(client, [world.candidate.id], days=days, label="For Pat")
        assert refused.status_code == 422
        form = parse(refused.data).one("form", action="/share")
        assert form.one("p", id="share-days-error").text() == "Choose an expiry of 1 to 30 days."
        assert form.one("input", name="label").attrs["value"] == "For Pat"
    assert create_link(client, [world.stranger_candidate.id]).status_code == 404
    assert db.scalar(select(ShareLink.id)) is None
    teammate(db, world.user.organization, "rita@acme.test", interviews=[world.interview])
    db.commit()
    reviewer = app.test_client()
    AuthActions(reviewer).login(email="rita@acme.test", password=PASSWORD)
    assert create_link(reviewer, [world.candidate.id]).status_code == 403


def test_visitor_names_themselves_then_sees_answers_only(signed_in, db, app, client, settings):
    """A logged-out visitor gives a name once (recorded), then sees answers, nothing more."""
    answer = signed_in.transcribed
    store_audio(settings, answer, tone_mp3())
    db.add(Score(reviewer_id=signed_in.user.id, candidate_id=signed_in.candidate.id, value=5))
    db.add(
        Comment(
            candidate_id=signed_in.candidate.id, author_id=signed_in.user.id, body="Internal note"
        )
    )
    db.commit()
    path = link_path(create_link(client, [signed_in.candidate.id]))

    visitor = app.test_client()
    page = parse(visitor.get(path).data)
    assert page.one("label", for_="viewer").text() == "Your name"
    assert "Dana" not in page.text()
    form = page.one("form", action=path)
    assert visitor.post(path, data={"viewer": "Pat"}).status_code == 400  # CSRF
    response = visitor.post(
        path,
        data=form.form_fields() | {"viewer": "  Pat   Store Manager "},
        headers={"User-Agent": "TestBrowser/1.0"},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    assert response.status_code == 302
    [view] = db.scalars(select(ShareView)).all()
    assert (view.viewer, view.ip_address, view.user_agent) == (
        "Pat Store Manager",
        "203.0.113.9",
        "TestBrowser/1.0",
    )

    response = visitor.get(path)
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = parse(response.data)
    text = page.text()
    assert "Dana Diaz" in text and "I drove a forklift" in text
    for secret in (
        "+15557654321",
        signed_in.candidate.pin,
        "Internal note",
        "Score",
        "manager@acme.test",
    ):
        assert secret not in text
    assert page.find("form") is None or not page.find_all("form", method="post")
    audio = page.one("audio", id=f"player-{answer.id}")
    assert audio.attrs["src"] == f"{path}/audio/{answer.id}.mp3"
    ranged = visitor.get(audio.attrs["src"], headers={"Range": "bytes=0-99"})
    assert ranged.status_code == 206 and len(ranged.data) == 100
    assert visitor.get(f"{path}/waveform/{answer.id}.svg").data.startswith(b"<svg")
    assert visitor.get(f"{path}/silences/{answer.id}.json").status_code == 200
    assert len(db.scalars(select(ShareView)).all()) == 1  # asked once, recorded once


def test_shared_audio_is_scoped_to_the_link(signed_in, db, app, client, settings):
    """Audio of a candidate outside the link, or before naming oneself, is 404."""
    other = make_candidate(db, signed_in.interview, name="Olive Other", phone=None)
    from tests.dashboard.conftest import add_answer

    outside = add_answer(db, other, 1, status="transcribed", transcript="hi")
    store_audio(settings, outside)
    db.commit()
    path = link_path(create_link(client, [signed_in.candidate.id]))
    visitor = app.test_client()
    inside = signed_in.transcribed.id
    assert visitor.get(f"{path}/audio/{inside}.mp3").status_code == 404  # not named yet
    form = parse(visitor.get(path).data).one("form", action=path)
    visitor.post(path, data=form.form_fields() | {"viewer": "Pat"})
    assert visitor.get(f"{path}/audio/{inside}.mp3").status_code == 200
    assert visitor.get(f"{path}/audio/{outside.id}.mp3").status_code == 404
    assert visitor.get(f"{path}/audio/{signed_in.stranger_answer.id}.mp3").status_code == 404
    assert visitor.get(f"/audio/answers/{inside}.mp3").status_code == 401


def test_expired_revoked_and_bogus_links_do_not_open(signed_in, db, app, client):
    """Expired, revoked or made-up tokens are 404; revoking is listed with the views."""
    path = link_path(create_link(client, [signed_in.candidate.id], label="For Pat"))
    visitor = app.test_client()
    assert visitor.get(path).status_code == 200
    assert visitor.get("/s/not-a-real-token").status_code == 404

    page = parse(client.get("/share/links").data)
    [row] = page.find_all("tr", data_link_id=True)
    assert "For Pat" in row.text() and "Active" in row.text()
    form = row.one("form")
    assert client.post(form.attrs["action"], data=form.form_fields()).status_code == 302
    assert visitor.get(path).status_code == 404
    row = parse(client.get("/share/links").data).one("tr", data_link_id=True)
    assert "Revoked" in row.text() and row.find("form") is None

    path2 = link_path(create_link(client, [signed_in.candidate.id]))
    link = db.scalars(select(ShareLink).order_by(ShareLink.id.desc())).first()
    link.expires_at = utcnow() - timedelta(minutes=1)
    db.commit()
    assert visitor.get(path2).status_code == 404


def test_links_of_another_organisation_cannot_be_revoked(world, db, app, client, auth):
    """Revoking another organisation's link is 404, and their links are not listed."""
    link = ShareLink(
        organization_id=world.stranger.organization_id,
        token_hash="0" * 64,
        label="Globex shortlist",
        candidate_ids=[world.stranger_candidate.id],
        expires_at=utcnow() + timedelta(days=1),
    )
    db.add(link)
    db.commit()
    auth.login()
    token = csrf_token(client)
    assert (
        client.post(f"/share/links/{link.id}/revoke", data={"csrf_token": token}).status_code == 404
    )
    assert "Globex shortlist" not in parse(client.get("/share/links").data).text()


@pytest.mark.parametrize("huge", [2**31, 2**63, 10**30])
def test_ids_past_the_integer_range_are_refused_not_a_500(signed_in, db, client, huge):
    """A posted candidate id no INTEGER column can hold names no candidate: a message, no 500."""
    refused = create_link(client, [huge], days="3")
    assert refused.status_code == 422
    assert parse(refused.data).one("p", id="share-candidate_ids-error").text() == (
        "Select 1 to 50 candidates to share."
    )
    decided = client.post(
        f"/interviews/{signed_in.interview.id}/decisions",
        data={"csrf_token": csrf_token(client), "candidate_ids": [huge], "decision": "reject"},
    )
    assert decided.status_code in (302, 404)
    assert db.scalar(select(ShareLink.id)) is None


def test_a_page_for_an_id_past_the_integer_range_is_404(signed_in, client):
    """/candidates/2147483648 names no candidate: 404, not a database error."""
    for path in ("/candidates/2147483648", f"/interviews/{10**30}", "/answers/2147483648/audio"):
        assert client.get(path).status_code == 404


def test_a_shared_keypad_answer_reads_as_on_the_candidate_page(db, app, client, auth):
    """A yes/no keypad answer reads "Yes (must be yes)" on both pages, a number with its bounds."""
    org = make_org(db)
    make_user(db, org)
    interview = make_interview(
        db,
        org,
        questions=[
            {"kind": "yes_no", "prompt": "Are you 18 or older?", "must_be": "yes"},
            {"kind": "number", "prompt": "Years driving?", "at_least": 2, "at_most": 40},
        ],
    )
    candidate = make_candidate(db, interview)
    yes_no, number = interview.questions
    for question, digits in ((yes_no, "1"), (number, "12")):
        db.add(
            Answer(
                candidate_id=candidate.id,
                question_id=question.id,
                digits=digits,
                status=AnswerStatus.KEYPAD,
            )
        )
    db.commit()
    auth.login()

    def keypad_lines(page) -> list[str]:
        return [p.text() for p in page.find_all("p", cls="keypad-answer")]

    expected = [
        "Answered on the keypad: Yes (must be yes)",
        "Answered on the keypad: 12 (at least 2) (at most 40)",
    ]
    assert keypad_lines(parse(client.get(f"/candidates/{candidate.id}").data)) == expected
    path = link_path(create_link(client, [candidate.id]))
    visitor = app.test_client()
    form = parse(visitor.get(path).data).one("form", action=path)
    visitor.post(path, data=form.form_fields() | {"viewer": "Pat"})
    page = parse(visitor.get(path).data)
    assert keypad_lines(page) == expected
    assert "Keyed in" not in page.text()
