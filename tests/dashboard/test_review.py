"""Reviewing at speed: the queue, rubric scores, spread and blind review, comments,
decisions with their texts, templates, waiting candidates, waveforms and silences."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rq import Queue
from sqlalchemy import select

from dashboard.review.queue import disputed_candidates, waiting_clause
from tests.dashboard.conftest import AuthActions, add_answer, flashes, store_audio, submit
from tests.dashboard.html import parse
from tests.dashboard.review_support import csrf_token, teammate, tone_mp3
from tests.factories import PASSWORD, make_candidate
from voice.models import (
    AnswerStatus,
    Candidate,
    CandidateStatus,
    Comment,
    CriterionScore,
    Decision,
    Message,
    MessageTemplate,
    Role,
    RubricCriterion,
    Score,
    User,
    utcnow,
)


def sign_in_as(app, email: str):
    client = app.test_client()
    assert AuthActions(client).login(email=email, password=PASSWORD).status_code == 302
    return client


def completed(db, interview, name: str, hours_ago: int, phone: str | None = None) -> Candidate:
    candidate = make_candidate(db, interview, name=name, phone=phone)
    candidate.status = CandidateStatus.COMPLETED
    candidate.completed_at = utcnow() - timedelta(hours=hours_ago)
    return candidate


# ---------------------------------------------------------------- candidate page


def test_candidate_page_has_review_controls(signed_in, client):
    """The page offers next-unreviewed, speeds, silence skipping, help and a waveform."""
    page = parse(client.get(f"/candidates/{signed_in.candidate.id}").data)
    toolbar = page.one("div", cls="review-toolbar")
    nxt = toolbar.one("a", data_next_candidate=True)
    assert nxt.attrs["href"] == f"/review/next?after={signed_in.candidate.id}"
    assert [r.attrs["value"] for r in toolbar.find_all("input", name="playback-rate")] == [
        "1",
        "1.5",
        "2",
    ]
    assert toolbar.one("input", id="skip-silences")
    assert page.one("dialog", id="shortcuts").find("h2").text() == "Keyboard shortcuts"
    answer = signed_in.transcribed
    audio = page.one("audio", id=f"player-{answer.id}")
    assert audio.attrs["data-silences"] == f"/answers/{answer.id}/silences.json"
    wave = page.one("div", data_waveform_for=f"player-{answer.id}")
    assert wave.one("img").attrs["src"] == f"/answers/{answer.id}/waveform.svg"
    assert page.one("li", id=f"answer-{answer.id}").attrs["data-answer-card"] == str(answer.id)


# ---------------------------------------------------------------- the queue


def test_next_unreviewed_walks_oldest_first_and_wraps(signed_in, db, client):
    """Next goes to the oldest completed candidate not yet scored, then on, then wraps."""
    interview = signed_in.interview
    signed_in.candidate.completed_at = utcnow() - timedelta(hours=1)
    old = completed(db, interview, "Olive Old", hours_ago=5)
    mid = completed(db, interview, "Mia Mid", hours_ago=3)
    scored = completed(db, interview, "Sam Scored", hours_ago=4)
    db.add(Score(reviewer_id=signed_in.user.id, candidate_id=scored.id, value=3))
    make_candidate(db, interview, name="Ivy Invited", phone=None)
    db.commit()

    def follow(url):
        response = client.get(url)
        assert response.status_code == 302
        return response.headers["Location"]

    assert follow("/review/next") == f"/candidates/{old.id}"
    assert follow(f"/review/next?after={old.id}") == f"/candidates/{mid.id}"
    assert follow(f"/review/next?after={mid.id}") == f"/candidates/{signed_in.candidate.id}"
    assert follow(f"/review/next?after={signed_in.candidate.id}") == f"/candidates/{old.id}"
    assert follow(f"/review/next?interview_id={interview.id}") == (
        f"/candidates/{old.id}?queue={interview.id}"
    )
    page = parse(client.get(f"/candidates/{old.id}?queue={interview.id}").data)
    assert page.one("a", data_next_candidate=True).attrs["href"] == (
        f"/review/next?after={old.id}&interview_id={interview.id}"
    )


def test_queue_says_all_caught_up(signed_in, db, client):
    """With everything scored, Next says so and returns to the queue."""
    db.add(Score(reviewer_id=signed_in.user.id, candidate_id=signed_in.candidate.id, value=4))
    db.commit()
    response = client.get("/review/next", follow_redirects=True)
    assert response.request.path == "/review"
    assert "You're all caught up" in " ".join(flashes(parse(response.data)))


def test_reviewer_queue_only_has_shared_interviews(world, db, app):
    """A reviewer is sent only to candidates of interviews shared with them."""
    from tests.factories import make_interview

    org = world.user.organization
    other = make_interview(db, org, phone_number="+15550100555", title="Cashier")
    hidden = completed(db, other, "Hidden Hal", hours_ago=9)
    teammate(db, org, "rita@acme.test", interviews=[world.interview])
    db.commit()
    client = sign_in_as(app, "rita@acme.test")
    location = client.get("/review/next").headers["Location"]
    assert location == f"/candidates/{world.candidate.id}"
    assert client.get(f"/review/next?interview_id={other.id}").status_code == 302
    assert client.get(f"/candidates/{hidden.id}").status_code == 404
    page = parse(client.get("/review").data)
    rows = page.find_all("tr", data_interview_id=True)
    assert [r.attrs["data-interview-id"] for r in rows] == [str(world.interview.id)]


# ---------------------------------------------------------------- rubric


def test_manager_edits_a_rubric(signed_in, db, client):
    """Criteria are added, renamed and removed on the question's rubric page."""
    question = signed_in.interview.questions[0]
    url = f"/questions/{question.id}/rubric"
    page = parse(client.get(url).data)
    response = submit(
        client,
        page,
        url,
        **{"new_name-0": "Clarity", "new_description-0": "Easy to follow", "new_name-1": "Safety"},
    )
    assert response.status_code == 302
    clarity, safety = db.scalars(select(RubricCriterion).order_by(RubricCriterion.position)).all()
    assert (clarity.name, clarity.description, safety.position) == ("Clarity", "Easy to follow", 2)

    page = parse(client.get(url).data)
    submit(client, page, url, **{f"name-{clarity.id}": "Clear", f"delete-{safety.id}": "1"})
    db.expire_all()
    [left] = db.scalars(select(RubricCriterion)).all()
    assert (left.name, left.position) == ("Clear", 1)


def test_rubric_page_is_for_managers_of_the_organisation(world, db, app, client, auth):
    """Reviewers get 403; another organisation's question is 404."""
    question = world.interview.questions[0]
    auth.login(email=world.stranger.email)
    assert client.get(f"/questions/{question.id}/rubric").status_code == 404
    teammate(db, world.user.organization, "rita@acme.test", interviews=[world.interview])
    db.commit()
    reviewer = sign_in_as(app, "rita@acme.test")
    assert reviewer.get(f"/questions/{question.id}/rubric").status_code == 403


def add_rubric(db, question, *names):
    criteria = [
        RubricCriterion(question_id=question.id, position=n, name=name, description=f"{name}?")
        for n, name in enumerate(names, start=1)
    ]
    db.add_all(criteria)
    db.flush()
    return criteria


def test_a_refused_rubric_comes_back_as_typed(signed_in, db, client):
    """An emptied name and a new description without a name: 422, each error beside its
    field, every name, description and Remove tick as sent; nothing is saved."""
    question = signed_in.interview.questions[0]
    clarity, safety = add_rubric(db, question, "Clarity", "Safety")
    db.commit()
    url = f"/questions/{question.id}/rubric"
    typed = {
        f"name-{clarity.id}": "  ",
        f"description-{clarity.id}": "Rewritten: easy to follow on a noisy line",
        f"delete-{safety.id}": "1",
        "new_name-0": "Punctuality",
        "new_description-0": "Says when they can start",
        "new_description-1": "Names a past safety rule, unprompted",
    }
    response = submit(client, parse(client.get(url).data), url, **typed)
    assert response.status_code == 422
    page = parse(response.data)
    form = page.one("form", action=url)
    sent = form.form_fields()
    assert {name: sent.get(name) for name in typed} == typed
    assert form.one("p", id=f"name-{clarity.id}-error").text() == (
        "Every criterion needs a name (or tick Remove)."
    )
    assert form.one("p", id="new_name-1-error").text() == "A new criterion needs a name."
    assert form.one("input", name="new_name-1").attrs["aria-invalid"] == "true"
    assert len(page.one("div", cls="error-summary").find_all("li")) == 2
    db.expire_all()
    rows = db.scalars(select(RubricCriterion).order_by(RubricCriterion.position)).all()
    assert [(c.name, c.description) for c in rows] == [
        ("Clarity", "Clarity?"),
        ("Safety", "Safety?"),
    ]


def test_a_rubric_over_the_criteria_limit_keeps_the_new_names(signed_in, db, client):
    """Seven criteria and two new ones: 422 naming the limit of 8, both new names kept."""
    question = signed_in.interview.questions[0]
    add_rubric(db, question, *(f"Criterion {n}" for n in range(1, 8)))
    db.commit()
    url = f"/questions/{question.id}/rubric"
    page = parse(client.get(url).data)
    assert len(page.find_all("input", name="new_name-0")) == 1
    assert page.find("input", name="new_name-1") is None  # one new row beside 6 or more
    response = client.post(
        url,
        data=page.one("form", action=url).form_fields()
        | {"new_name-0": "Teamwork", "new_name-1": "Initiative"},
    )
    assert response.status_code == 422
    form = parse(response.data).one("form", action=url)
    assert form.one("p", id="criteria").text().startswith("A question can have at most 8 criteria.")
    assert form.one("input", name="new_name-0").attrs["value"] == "Teamwork"
    assert form.one("input", name="new_name-1").attrs["value"] == "Initiative"
    assert len(db.scalars(select(RubricCriterion)).all()) == 7


def test_rubric_scores_are_saved_per_reviewer(signed_in, db, client):
    """Each criterion gets this reviewer's 1-5 score; saving again updates it."""
    answer = signed_in.transcribed
    clarity, safety = add_rubric(db, answer.question, "Clarity", "Safety")
    db.commit()
    page = parse(client.get(f"/candidates/{signed_in.candidate.id}").data)
    form = page.one("form", action=f"/answers/{answer.id}/rubric")
    assert [f.one("legend").text() for f in form.find_all("fieldset")] == ["Clarity", "Safety"]
    action = f"/answers/{answer.id}/rubric"
    submit(client, page, action, **{f"criterion-{clarity.id}": "4", f"criterion-{safety.id}": "2"})
    page = parse(client.get(f"/candidates/{signed_in.candidate.id}").data)
    assert "checked" in page.one("input", id=f"crit-{answer.id}-{clarity.id}-4").attrs
    submit(client, page, action, **{f"criterion-{clarity.id}": "5"})
    values = dict(db.execute(select(CriterionScore.criterion_id, CriterionScore.value)).all())
    assert values == {clarity.id: 5, safety.id: 2}
    bad = submit(client, page, action, **{f"criterion-{clarity.id}": "9"})
    assert bad.status_code == 302
    db.expire_all()
    kept = select(CriterionScore.value).where(CriterionScore.criterion_id == clarity.id)
    assert db.scalar(kept) == 5


def test_rubric_scores_of_another_organisation_are_404(world, client, auth):
    """Posting rubric scores to another organisation's answer finds nothing."""
    auth.login(email=world.stranger.email)
    token = csrf_token(client)
    response = client.post(
        f"/answers/{world.transcribed.id}/rubric", data={"csrf_token": token, "criterion-1": "3"}
    )
    assert response.status_code == 404


# ---------------------------------------------------------------- fairness


def test_every_reviewer_mean_spread_and_disagreement(signed_in, db, client):
    """The page lists each reviewer's scores with mean and spread, and flags a 2+ gap."""
    org = signed_in.user.organization
    ana = teammate(db, org, "ana@acme.test", role=Role.RECRUITER)
    answer = signed_in.transcribed
    db.add_all(
        [
            Score(
                reviewer_id=signed_in.user.id,
                candidate_id=answer.candidate_id,
                answer_id=answer.id,
                value=2,
            ),
            Score(
                reviewer_id=ana.id, candidate_id=answer.candidate_id, answer_id=answer.id, value=5
            ),
            Score(reviewer_id=ana.id, candidate_id=answer.candidate_id, value=4),
        ]
    )
    db.commit()
    page = parse(client.get(f"/candidates/{signed_in.candidate.id}").data)
    table = page.one("table", cls="score-table")
    rows = [
        [cell.text() for cell in tr.find_all() if cell.tag in ("th", "td")]
        for tr in table.find_all("tr")
    ]
    assert rows[0] == ["Reviewer", "Q1", "Q2", "Overall"]
    assert rows[1] == ["You", "2", "—", "—"]
    assert rows[2] == ["ana@acme.test", "5", "—", "4"]
    assert rows[3] == ["Mean", "3.5", "—", "4.0"]
    assert rows[4] == ["Spread", "3", "—", "0"]
    assert table.one("td", data_disputed=True).text() == "3"
    assert page.one("span", data_flag="disagreement")
    assert disputed_candidates(db, [signed_in.candidate.id, 999]) == {signed_in.candidate.id: 3}


def test_rubric_disagreement_is_flagged_too(signed_in, db):
    """Two reviewers 2 apart on one criterion make the candidate disputed."""
    answer = signed_in.transcribed
    [clarity] = add_rubric(db, answer.question, "Clarity")
    ana = teammate(db, signed_in.user.organization, "ana@acme.test", role=Role.RECRUITER)
    for user, value in ((signed_in.user, 1), (ana, 3)):
        db.add(
            CriterionScore(
                reviewer_id=user.id, answer_id=answer.id, criterion_id=clarity.id, value=value
            )
        )
    db.commit()
    assert disputed_candidates(db, [signed_in.candidate.id]) == {signed_in.candidate.id: 2}
    assert disputed_candidates(db, [signed_in.candidate.id], threshold=3) == {}


def test_blind_review_hides_scores_until_you_score(signed_in, db, client):
    """With blind review on, others' scores stay hidden until this reviewer scores."""
    ana = teammate(db, signed_in.user.organization, "ana@acme.test", role=Role.RECRUITER)
    db.add(Score(reviewer_id=ana.id, candidate_id=signed_in.candidate.id, value=5))
    db.commit()
    page = parse(client.get("/settings/review").data)
    submit(client, page, "/settings/review", blind_review="1")
    db.expire_all()
    assert db.get(User, signed_in.user.id).blind_review is True

    page = parse(client.get(f"/candidates/{signed_in.candidate.id}").data)
    assert page.one("span", data_flag="blind")
    assert page.find("table", cls="score-table") is None
    assert "ana@acme.test" not in page.text()
    assert "Team average" not in page.text()

    submit(client, page, f"/candidates/{signed_in.candidate.id}/score", **{"overall-value": "3"})
    page = parse(client.get(f"/candidates/{signed_in.candidate.id}").data)
    assert page.find("span", data_flag="blind") is None
    assert "ana@acme.test" in page.one("table", cls="score-table").text()


# ---------------------------------------------------------------- comments


def test_comments_on_answers_and_candidates(signed_in, db, client):
    """Comments are saved per answer and per candidate and shown with author and time."""
    cid, answer = signed_in.candidate.id, signed_in.transcribed
    page = parse(client.get(f"/candidates/{cid}").data)
    card = page.one("li", id=f"answer-{answer.id}")
    form = card.one("form", action=f"/candidates/{cid}/comments")
    client.post(form.attrs["action"], data=form.form_fields() | {"body": "Great safety focus"})
    form = page.one("section", id="comments").one("form")
    client.post(form.attrs["action"], data=form.form_fields() | {"body": "Call back Monday"})
    rows = db.execute(select(Comment.answer_id, Comment.body, Comment.author_id)).all()
    assert sorted(rows, key=str) == sorted(
        [
            (answer.id, "Great safety focus", signed_in.user.id),
            (None, "Call back Monday", signed_in.user.id),
        ],
        key=str,
    )
    page = parse(client.get(f"/candidates/{cid}").data)
    [note] = page.one("li", id=f"answer-{answer.id}").find_all("li", cls="comment")
    assert note.one("p", cls="comment-body").text() == "Great safety focus"
    assert note.one("strong").text() == signed_in.user.email
    assert note.one("time").attrs["datetime"]
    assert "Call back Monday" in page.one("section", id="comments").text()


def test_comment_validation_and_scope(signed_in, db, client):
    """Empty comments are refused; an answer of another candidate is 404."""
    token = csrf_token(client)
    cid = signed_in.candidate.id
    client.post(f"/candidates/{cid}/comments", data={"csrf_token": token, "body": "  "})
    assert db.scalar(select(Comment.id)) is None
    response = client.post(
        f"/candidates/{cid}/comments",
        data={"csrf_token": token, "body": "x", "answer_id": signed_in.stranger_answer.id},
    )
    assert response.status_code == 404
    assert client.post(f"/candidates/{cid}/comments", data={"body": "x"}).status_code == 400


@pytest.mark.parametrize("on_answer", [True, False], ids=["answer comment", "candidate comment"])
def test_an_empty_comment_says_so_where_it_is_seen(signed_in, db, client, on_answer):
    """An empty (or blank) comment posted from the candidate page adds nothing and says
    so, on the page's top where flashes show (not at the comment's anchor, past them)."""
    cid, answer = signed_in.candidate.id, signed_in.transcribed
    page = parse(client.get(f"/candidates/{cid}").data)
    section = (
        page.one("li", id=f"answer-{answer.id}")
        if on_answer
        else page.one("section", id="comments")
    )
    form = section.one("form", cls="comment-form")
    response = client.post(form.attrs["action"], data=form.form_fields() | {"body": " \n "})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/candidates/{cid}"
    page = parse(client.get(response.headers["Location"]).data)
    assert flashes(page) == ["Type a comment before posting it: nothing was added."]
    assert db.scalar(select(Comment.id)) is None
    assert page.find("li", cls="comment") is None


# ---------------------------------------------------------------- decisions


def message_queue(settings) -> Queue:
    import redis

    return Queue("messages", connection=redis.Redis.from_url(settings.redis_url))


def test_decide_and_notify_from_the_candidate_page(signed_in, db, client, settings):
    """A decision is recorded with who and when, and its text is queued with feedback."""
    cid = signed_in.candidate.id
    page = parse(client.get(f"/candidates/{cid}").data)
    action = f"/candidates/{cid}/decision"
    response = submit(
        client, page, action, decision="advance", notify="1", feedback="Loved your answers."
    )
    assert response.status_code == 302
    db.expire_all()
    candidate = db.get(Candidate, cid)
    assert (candidate.decision, candidate.decided_by_id) == ("advance", signed_in.user.id)
    assert candidate.decided_at is not None
    [decision] = db.scalars(select(Decision)).all()
    assert (decision.decision, decision.feedback) == ("advance", "Loved your answers.")
    [message] = db.scalars(select(Message)).all()
    assert message.kind == "decision:advance"
    assert message.sent_by_id == signed_in.user.id
    assert message.body.startswith("Hi Dana, good news from Acme Warehousing")
    assert message.body.endswith("Loved your answers.")
    assert message_queue(settings).count == 1

    page = parse(client.get(f"/candidates/{cid}").data)
    # Said of the one candidate, not as a bulk action's "for 1 candidate" (a trial saw it).
    name = candidate.name
    assert flashes(page) == [
        f"Decision saved for {name}: advance.",
        f"The text to {name} is queued to send.",
    ]
    section = page.one("section", id="decision")
    assert "Current decision: Advance" in section.text()
    assert section.one("li", data_message_kind="decision:advance")
    assert "not sent yet" in section.text()


def test_same_decision_is_not_texted_twice_but_a_change_is(signed_in, db, client):
    """Re-sending the same decision is refused politely; reject after advance is texted."""
    cid = signed_in.candidate.id
    token = csrf_token(client)

    def decide(decision):
        response = client.post(
            f"/candidates/{cid}/decision",
            data={"csrf_token": token, "decision": decision, "notify": "1"},
            follow_redirects=True,
        )
        return flashes(parse(response.data))

    decide("reject")
    assert any("already told" in f for f in decide("reject"))
    decide("advance")
    decide("reject")
    kinds = db.scalars(select(Message.kind).order_by(Message.id)).all()
    assert kinds == ["decision:reject", "decision:advance", "decision:reject:2"]
    assert db.scalar(select(Decision.id).order_by(Decision.id.desc())) is not None
    assert len(db.scalars(select(Decision)).all()) == 3  # reject, advance, reject


def test_bulk_decide(signed_in, db, client, app, settings):
    """review.bulk_decide decides several candidates at once and texts those with phones."""
    from flask import url_for

    interview = signed_in.interview
    lee = completed(db, interview, "Lee Park", hours_ago=2, phone="+15557650001")
    nophone = completed(db, interview, "No Phone", hours_ago=2)
    db.commit()
    with app.test_request_context():
        action = url_for("review.bulk_decide", interview_id=interview.id)
    assert action == f"/interviews/{interview.id}/decisions"
    response = client.post(
        action,
        data={
            "csrf_token": csrf_token(client),
            "candidate_ids": [signed_in.candidate.id, lee.id, nophone.id],
            "decision": "reject",
            "notify": "y",
            "feedback": "",
        },
        follow_redirects=True,
    )
    messages = flashes(parse(response.data))
    assert "Decision saved: reject for 3 candidates." in messages
    assert "2 texts queued to send." in messages
    assert any("No Phone" in m for m in messages)
    db.expire_all()
    assert {
        c.decision
        for c in db.scalars(select(Candidate).where(Candidate.interview_id == interview.id))
    } == {"reject"}
    assert len(db.scalars(select(Decision)).all()) == 3
    assert message_queue(settings).count == 2


def test_bulk_decide_without_a_chosen_decision_is_refused(signed_in, db, client):
    """The bulk "Decision to apply" starts at "Choose…" (no default): Apply decision
    without a choice changes no one and says what to do; the filter's "Decision" select
    is a separate, unchanged control."""
    from dashboard.review.decisions import NO_BULK_DECISION

    interview = signed_in.interview
    lee = completed(db, interview, "Lee Park", hours_ago=2, phone="+15557650001")
    db.commit()
    url = f"/interviews/{interview.id}"
    page = parse(client.get(url).data)
    bulk = page.one("form", id="bulk")
    chosen = bulk.one("select", id="bulk-decision")
    assert bulk.one("label", for_="bulk-decision").text() == "Decision to apply"
    options = chosen.find_all("option")
    assert (options[0].attrs["value"], options[0].text()) == ("", "Choose…")
    assert "selected" in options[0].attrs
    assert [o.text() for o in options[1:]] == ["Advance", "Hold", "Reject"]
    assert not any("selected" in o.attrs for o in options[1:])
    assert page.one("label", for_="f-decision").text() == "Decision"  # the filter
    labels = [label.text() for label in page.find_all("label")]
    assert labels.count("Decision") == 1, labels
    for posted in ({"decision": ""}, {}):
        response = client.post(
            f"{url}/decisions",
            data={"csrf_token": csrf_token(client), "candidate_ids": [lee.id], **posted},
            follow_redirects=True,
        )
        assert flashes(parse(response.data)) == [NO_BULK_DECISION]
    db.expire_all()
    assert db.get(Candidate, lee.id).decision is None
    assert db.scalars(select(Decision)).all() == []


def test_bulk_decide_goes_back_to_the_list_as_it_was_filtered(signed_in, db, client):
    """Apply decision, refused (no decision chosen) or done (Hold), leads back to the
    interview's list with its filters, order and page link, as the bulk form's `next`
    carries them; a `next` naming anything but this interview's page is not followed."""
    interview = signed_in.interview
    lee = completed(db, interview, "Lee Park", hours_ago=2, phone="+15557650001")
    db.commit()
    url = f"/interviews/{interview.id}"
    listed = f"{url}?status=completed&sort=name&after={signed_in.candidate.id}&page=2"
    bulk = parse(client.get(listed).data).one("form", id="bulk")
    fields = bulk.form_fields()
    assert fields["next"] == listed
    for chosen in ("", "hold"):
        response = client.post(
            f"{url}/decisions", data=fields | {"candidate_ids": [lee.id], "decision": chosen}
        )
        assert response.status_code == 302
        assert response.headers["Location"] == listed, chosen
    db.expire_all()
    assert db.get(Candidate, lee.id).decision == "hold"
    for elsewhere in (
        "https://evil.test/interviews/1",
        "//evil.test" + url,
        f"/interviews/{interview.id + 1}?status=completed",
        f"{url}/decisions?status=completed",
        "/review",
        f"{url}#x",
        "javascript:alert(1)",
    ):
        response = client.post(
            f"{url}/decisions",
            data=fields | {"candidate_ids": [lee.id], "decision": "", "next": elsewhere},
        )
        assert response.headers["Location"] == url, elsewhere


def test_bulk_decide_is_scoped_and_role_checked(world, db, app, client, auth):
    """Ids of another organisation are 404; reviewers get 403; no CSRF token is 400."""
    auth.login()
    token = csrf_token(client)
    url = f"/interviews/{world.interview.id}/decisions"
    data = {"csrf_token": token, "decision": "advance"}
    mixed = data | {"candidate_ids": [world.candidate.id, world.stranger_candidate.id]}
    assert client.post(url, data=mixed).status_code == 404
    other = f"/interviews/{world.stranger_interview.id}/decisions"
    assert (
        client.post(other, data=data | {"candidate_ids": [world.stranger_candidate.id]}).status_code
        == 404
    )
    assert client.post(url, data={"decision": "advance", "candidate_ids": [1]}).status_code == 400
    teammate(db, world.user.organization, "rita@acme.test", interviews=[world.interview])
    db.commit()
    reviewer = sign_in_as(app, "rita@acme.test")
    rtoken = csrf_token(reviewer)
    response = reviewer.post(
        url,
        data={"csrf_token": rtoken, "decision": "advance", "candidate_ids": [world.candidate.id]},
    )
    assert response.status_code == 403
    db.expire_all()
    assert db.get(Candidate, world.candidate.id).decision is None


# ---------------------------------------------------------------- templates


def test_admin_edits_decision_templates(signed_in, db, client):
    """An edited template is used for the next text; bad placeholders are refused."""
    page = parse(client.get("/settings/messages").data)
    bad = submit(client, page, "/settings/messages", **{"advance-en": "Hi {name}, welcome"})
    assert bad.status_code == 422
    assert "Unknown placeholder: {name}." in parse(bad.data).text()
    assert db.scalar(select(MessageTemplate.id)) is None
    submit(
        client,
        page,
        "/settings/messages",
        **{"advance-en": "Hi {first_name}! Book your trial shift at acme.test/book.{feedback}"},
    )
    [row] = db.scalars(select(MessageTemplate)).all()
    assert (row.kind, row.language) == ("decision:advance", "en")
    token = csrf_token(client)
    client.post(
        f"/candidates/{signed_in.candidate.id}/decision",
        data={
            "csrf_token": token,
            "decision": "advance",
            "notify": "1",
            "feedback": "See you soon.",
        },
    )
    body = db.scalar(select(Message.body))
    assert body == "Hi Dana! Book your trial shift at acme.test/book. See you soon."


def test_templates_are_for_admins(world, db, app):
    """A recruiter cannot edit the organisation's messages."""
    teammate(db, world.user.organization, "rob@acme.test", role=Role.RECRUITER)
    db.commit()
    assert sign_in_as(app, "rob@acme.test").get("/settings/messages").status_code == 403


# ---------------------------------------------------------------- waiting


def test_waiting_candidates_are_visible(signed_in, db, client):
    """Completed days ago without a decision: flagged on the page and listed in the queue."""
    candidate = signed_in.candidate
    candidate.completed_at = utcnow() - timedelta(days=5)
    db.commit()
    page = parse(client.get(f"/candidates/{candidate.id}").data)
    assert "5 days" in page.one("span", data_flag="waiting").text()
    queue = parse(client.get("/review").data)
    assert candidate.name in queue.one("section", id="waiting").text()
    assert db.scalars(select(Candidate.id).where(waiting_clause(utcnow()))).all() == [candidate.id]
    candidate.decision = "hold"
    db.commit()
    assert db.scalars(select(Candidate.id).where(waiting_clause(utcnow()))).all() == []


# ---------------------------------------------------------------- waveform and silences


@pytest.fixture
def real_audio(signed_in, db, settings):
    store_audio(settings, signed_in.transcribed, tone_mp3())
    db.commit()
    return signed_in.transcribed


def test_waveform_is_an_svg_for_the_organisation_only(real_audio, world, app, client):
    """The waveform is served as SVG to the organisation; others get 404, strangers 401."""
    response = client.get(f"/answers/{real_audio.id}/waveform.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.data.startswith(b"<svg")
    assert "private" in response.headers["Cache-Control"]
    assert app.test_client().get(f"/answers/{real_audio.id}/waveform.svg").status_code == 401
    stranger = sign_in_as(app, world.stranger.email)
    assert stranger.get(f"/answers/{real_audio.id}/waveform.svg").status_code == 404
    assert client.get(f"/answers/{world.failed.id}/waveform.svg").status_code == 404


def test_silences_are_computed_from_the_audio(real_audio, client):
    """The silence list has the 2.5 s pause between the two tones."""
    data = client.get(f"/answers/{real_audio.id}/silences.json").get_json()
    [(start, end)] = data["silences"]
    assert 0.8 <= start <= 1.2 and 2.8 <= end <= 3.2


def test_keypad_answers_have_no_waveform(signed_in, db, client):
    """An answer without playback audio has no waveform route."""
    answer = add_answer(
        db, signed_in.candidate, 2, status=AnswerStatus.KEYPAD, digits="1", attempt=2
    )
    db.commit()
    assert client.get(f"/answers/{answer.id}/waveform.svg").status_code == 404
