"""Length limits on the dashboard's forms: no textarea carries maxlength (a browser cuts a
paste there without a word), and text over a limit is refused by the server with the
reason, nothing saved and, where the page can show the form again, the text as typed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.dashboard.conftest import flashes, submit
from tests.dashboard.html import parse
from tests.dashboard.review_support import csrf_token
from tests.factories import make_candidate
from voice.emails import not_an_email
from voice.models import (
    Candidate,
    Comment,
    MessageTemplate,
    RubricCriterion,
    Score,
    ShareLink,
    ShareView,
    User,
)


def pages(world) -> list[str]:
    """Every signed-in page with a form that holds free text."""
    interview, question = world.interview, world.transcribed.question
    return [
        f"/candidates/{world.candidate.id}",  # transcript, comments, scores' notes, feedback
        "/settings/messages",
        "/interviews/new",
        f"/interviews/{interview.id}/edit",
        f"/interviews/{interview.id}/candidates/new",
        f"/questions/{question.id}/rubric",
        "/team",
        "/settings/api",
    ]


def test_no_textarea_on_the_dashboard_has_maxlength(signed_in, client):
    """A textarea with maxlength cuts a paste unseen; the server checks every limit, so no
    page renders one (the candidate page, messages, builder, rubric, team, API...)."""
    found = []
    for url in pages(signed_in):
        response = client.get(url)
        assert response.status_code == 200, url
        for area in parse(response.data).find_all("textarea"):
            found.append((url, area.attrs.get("name"), area.attrs.get("maxlength")))
    assert len(found) >= 15  # the scan saw the forms it is meant to guard
    assert [f for f in found if f[2] is not None] == []
    hook_url = parse(client.get("/settings/api").data).one("input", name="url")
    assert "maxlength" not in hook_url.attrs  # pasted whole: cut to fit is a wrong URL


def test_a_decision_message_over_640_characters_is_refused_and_kept(signed_in, db, client):
    """700 characters in "Hold (English)": 422, the reason beside the box, the 700
    characters still in it, and nothing saved."""
    page = parse(client.get("/settings/messages").data)
    text = "We will keep your application on file. " + "x" * 661
    response = submit(client, page, "/settings/messages", **{"hold-en": text})
    assert response.status_code == 422
    page = parse(response.data)
    assert page.one("p", id="tpl-hold-en-error").text() == (
        "English text: Keep each message to at most 640 characters (four text messages): "
        "this one has 700."
    )
    box = page.one("textarea", name="hold-en")
    assert (box.text(), box.attrs["aria-invalid"]) == (text, "true")
    assert db.scalar(select(MessageTemplate.id)) is None


def test_a_score_note_over_2000_characters_is_refused_and_kept(signed_in, db, client):
    """A 2,001-character note: 422, the flash and the field say why, the note is still in
    its box (marked invalid), and no score is saved."""
    answer = signed_in.transcribed
    url = f"/candidates/{signed_in.candidate.id}"
    action = f"/answers/{answer.id}/score"
    note = "n" * 2001
    response = submit(
        client,
        parse(client.get(url).data),
        action,
        **{f"answer-{answer.id}-value": "4", f"answer-{answer.id}-note": note},
    )
    assert response.status_code == 422
    page = parse(response.data)
    reason = "a note can be at most 2,000 characters: shorten it and save again."
    assert f"Your score was not saved: {reason}" in flashes(page)
    box = page.one("form", action=action).one("textarea")
    assert box.text() == note
    assert box.attrs["aria-invalid"] == "true"
    error = page.one("p", id=box.attrs["aria-describedby"])
    assert error.text() == reason[0].upper() + reason[1:]
    assert db.scalar(select(Score.id)) is None


def test_a_comment_or_decision_feedback_over_the_limit_is_refused(signed_in, db, client):
    """A 2,001-character comment and 481 characters of feedback are refused with their
    limits named; neither is saved (nothing is cut to fit)."""
    candidate = signed_in.candidate
    comment = client.post(
        f"/candidates/{candidate.id}/comments",
        data={"csrf_token": csrf_token(client), "body": "c" * 2001},
    )
    # The page again (422) with the text back in its box, so nothing typed is lost.
    assert comment.status_code == 422
    box = parse(comment.data).one("textarea", id="comment-candidate")
    assert box.text() == "c" * 2001 and box.attrs["aria-invalid"] == "true"
    error = parse(comment.data).one("p", id="comment-candidate-error").text()
    assert error.startswith("A comment is at most 2000 characters; yours has 2001: nothing")
    assert db.scalar(select(Comment.id)) is None
    # The decision form again (422) as it was sent: decision, "Text", feedback, and why.
    decided = client.post(
        f"/candidates/{candidate.id}/decision",
        data={
            "csrf_token": csrf_token(client),
            "decision": "hold",
            "notify": "1",
            "feedback": "f" * 481,
        },
    )
    assert decided.status_code == 422
    form = parse(decided.data).one("form", cls="decision-form")
    assert form.one("p", id="decision-error").text() == (
        "Feedback can be at most 480 characters (it is sent by SMS); yours has 481. "
        "Nothing was saved."
    )
    assert form.one("textarea", id="feedback").text() == "f" * 481
    assert "checked" in form.one("input", id="decision-hold").attrs
    assert "checked" in form.one("input", name="notify").attrs
    db.expire_all()
    assert db.get(Candidate, candidate.id).decision is None
    # No decision chosen: the feedback typed is kept too.
    undecided = client.post(
        f"/candidates/{candidate.id}/decision",
        data={"csrf_token": csrf_token(client), "feedback": "Great answers."},
    )
    assert undecided.status_code == 422
    form = parse(undecided.data).one("form", cls="decision-form")
    assert form.one("textarea", id="feedback").text() == "Great answers."
    assert form.one("p", id="decision-error").text().startswith("Choose advance, hold or reject.")


def test_a_criterion_name_over_100_characters_is_refused_not_cut(signed_in, db, client):
    """A 101-character criterion name: 422, the reason beside it, the name whole in its
    box (marked invalid), the other rows as typed; no criterion is saved."""
    url = f"/questions/{signed_in.transcribed.question.id}/rubric"
    name = "Explains the safety check " + "r" * 75
    response = submit(
        client,
        parse(client.get(url).data),
        url,
        **{"new_name-0": name, "new_description-0": "What a 5 sounds like", "new_name-1": "Pace"},
    )
    assert response.status_code == 422
    page = parse(response.data)
    box = page.one("input", name="new_name-0")
    assert (box.attrs["value"], box.attrs["aria-invalid"]) == (name, "true")
    error = page.one("p", id=box.attrs["aria-describedby"])
    assert error.text() == "A criterion's name has at most 100 characters: nothing was saved."
    assert page.one("textarea", name="new_description-0").text() == "What a 5 sounds like"
    assert page.one("input", name="new_name-1").attrs["value"] == "Pace"
    assert db.scalar(select(RubricCriterion.id)) is None


def share_form(page):
    return page.one("form", action="/share")


def test_a_share_label_over_200_characters_makes_no_link(signed_in, db, client):
    """A 201-character label on the candidate's page: 422, that page again with the reason
    beside the form, the label whole in its field and the expiry as chosen; no link."""
    url = f"/candidates/{signed_in.candidate.id}"
    label = "For the store manager in Leeds, " + "l" * 169
    response = submit(client, parse(client.get(url).data), "/share", label=label, days="14")
    assert response.status_code == 422
    form = share_form(parse(response.data))
    field = form.one("input", name="label")
    assert (field.attrs["value"], field.attrs["aria-invalid"]) == (label, "true")
    assert form.one("p", id=field.attrs["aria-describedby"]).text() == (
        "Keep the link's label to at most 200 characters: no link was made."
    )
    assert form.one("option", selected=True).attrs["value"] == "14"
    assert form.form_fields()["candidate_ids"] == str(signed_in.candidate.id)
    assert db.scalar(select(ShareLink.id)) is None


def test_a_shortlist_share_refused_keeps_its_candidates_and_label(signed_in, db, client):
    """A shortlist of two with a 201-character label: 422 on the share form's own page,
    both candidates still ticked, the label whole; no link. Sent again shorter, it is made."""
    other = make_candidate(db, signed_in.interview, name="Eve Early", phone="+15552010011")
    db.commit()
    ids = [str(signed_in.candidate.id), str(other.id)]
    label = "Shortlist for Friday " + "s" * 180
    response = client.post(
        "/share",
        data={"csrf_token": csrf_token(client), "candidate_ids": ids, "days": "3", "label": label},
    )
    assert response.status_code == 422
    form = share_form(parse(response.data))
    assert form.one("input", name="label").attrs["value"] == label
    assert form.one("p", id="share-label-error").text() == (
        "Keep the link's label to at most 200 characters: no link was made."
    )
    ticked = form.find_all("input", name="candidate_ids", checked=True)
    assert sorted(box.attrs["value"] for box in ticked) == sorted(ids)
    assert db.scalar(select(ShareLink.id)) is None
    again = client.post(
        "/share",
        data={
            "csrf_token": csrf_token(client),
            "candidate_ids": ids,
            "days": "3",
            "label": "Friday",
        },
    )
    assert again.status_code == 200
    [link] = db.scalars(select(ShareLink)).all()
    assert (sorted(link.candidate_ids), link.label) == (sorted(map(int, ids)), "Friday")


def test_a_share_with_no_candidates_keeps_the_label(signed_in, db, client):
    """No candidate chosen: 422 saying how many to choose, the label typed kept; no link."""
    response = client.post(
        "/share",
        data={"csrf_token": csrf_token(client), "days": "7", "label": "For Pat"},
    )
    assert response.status_code == 422
    form = share_form(parse(response.data))
    assert form.one("p", id="share-candidate_ids-error").text() == (
        "Select 1 to 50 candidates to share."
    )
    assert form.one("input", name="label").attrs["value"] == "For Pat"
    assert db.scalar(select(ShareLink.id)) is None


def test_a_viewer_name_over_200_characters_is_refused_and_kept(signed_in, db, client, auth):
    """A visitor's 201-character name: 422, the reason, the name kept; no view recorded."""
    made = client.post(
        "/share",
        data={
            "csrf_token": csrf_token(client),
            "candidate_ids": [signed_in.candidate.id],
            "days": "7",
        },
    )
    path = parse(made.data).one("input", id="share-url").attrs["value"].split("localhost", 1)[1]
    auth.logout()
    page = parse(client.get(path).data)
    name = "v" * 201
    response = submit(client, page, page.one("form").attrs["action"], viewer=name)
    assert response.status_code == 422
    page = parse(response.data)
    assert page.one("p", id="viewer-error").text() == ("Keep your name to at most 200 characters.")
    assert page.one("input", name="viewer").attrs["value"] == name
    assert db.scalar(select(ShareView.id)) is None


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("a" * 250 + "@b.co", "An email address has at most 254 characters."),
        ("   ", "Enter the teammate's email address."),
        ("not-an-address", not_an_email("not-an-address")),
        ("a@b", not_an_email("a@b")),
        ("<script>@x.com", not_an_email("<script>@x.com")),
    ],
)
def test_a_teammate_email_over_254_characters_says_so(signed_in, db, client, email, message):
    """An over-long address is refused naming the limit (not "enter an address"); one
    that is not an address gets the one email rule's sentence (voice/emails.py), and the
    typed address is kept in its box."""
    page = parse(client.get("/team").data)
    response = submit(client, page, "/team/invitations", email=email, role="recruiter")
    assert response.status_code == 422
    page = parse(response.data)
    assert page.one("p", id="email-error").text() == message
    assert page.one("input", name="email").attrs["value"] == email


def test_a_joining_name_over_200_characters_is_refused_and_kept(signed_in, db, client, auth):
    """Joining with a 201-character name: 422, the reason beside it, the name kept, no
    account made."""
    page = parse(client.get("/team").data)
    submit(client, page, "/team/invitations", email="new@acme.test", role="recruiter")
    path = parse(client.get("/team").data).one("input", id="invite-link").attrs["value"]
    path = path.removeprefix("http://localhost")
    auth.logout()
    name = "p" * 201
    password = "a long enough password"
    page = parse(client.get(path).data)
    response = client.post(
        path,
        data=page.one("form").form_fields()
        | {"name": name, "password": password, "confirm": password},
    )
    assert response.status_code == 422
    page = parse(response.data)
    field = page.one("input", name="name")
    assert (field.attrs["value"], field.attrs["aria-invalid"]) == (name, "true")
    assert page.one("p", id="name-error").text() == "Keep your name to at most 200 characters."
    assert db.scalar(select(User.id).where(User.email == "new@acme.test")) is None
