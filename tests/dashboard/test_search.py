"""Transcript search pages: results link to the moment in the audio, scoped to what the
user may see."""

from __future__ import annotations

from tests.dashboard.conftest import AuthActions
from tests.dashboard.html import parse
from tests.dashboard.review_support import teammate
from tests.factories import PASSWORD, make_candidate, make_interview
from voice.models import Answer, AnswerStatus


def test_search_links_to_the_moment(signed_in, client):
    """A hit names the candidate and links to #t=<segment start>&answer=<id>."""
    page = parse(client.get("/search?q=years").data)
    [hit] = page.find_all("li", cls="search-hit")
    link = hit.one("a", cls="search-hit-link")
    answer = signed_in.transcribed
    assert link.attrs["href"] == f"/candidates/{signed_in.candidate.id}#t=1.50&answer={answer.id}"
    assert link.text() == "Dana Diaz at 0:01"
    assert [m.text() for m in hit.find_all("mark")] == ["years"]


def test_search_escapes_and_scopes(world, db, app, client, auth):
    """Markup in transcripts is escaped; other organisations and unshared interviews hidden."""
    auth.login()
    kitchen = make_interview(
        db, world.user.organization, phone_number="+15550100444", title="Line cook"
    )
    cook = make_candidate(db, kitchen, name="Cody Cook", phone=None)
    db.add(
        Answer(
            candidate=cook,
            question=kitchen.questions[0],
            status=AnswerStatus.TRANSCRIBED,
            transcript="<script>alert(1)</script> I drove a forklift once.",
        )
    )
    db.commit()
    response = client.get("/search?q=forklift")
    assert b"<script>alert(1)" not in response.data
    names = [h.one("a").text() for h in parse(response.data).find_all("li", cls="search-hit")]
    assert sorted(n.split(" at ")[0] for n in names) == ["Cody Cook", "Dana Diaz"]
    only = parse(client.get(f"/search?q=forklift&interview_id={kitchen.id}").data)
    assert len(only.find_all("li", cls="search-hit")) == 1
    assert client.get(f"/search?q=x&interview_id={world.stranger_interview.id}").status_code == 404

    teammate(db, world.user.organization, "rita@acme.test", interviews=[world.interview])
    db.commit()
    reviewer = app.test_client()
    AuthActions(reviewer).login(email="rita@acme.test", password=PASSWORD)
    page = parse(reviewer.get("/search?q=forklift").data)
    assert [h.one("a").text().split(" at ")[0] for h in page.find_all("li", cls="search-hit")] == [
        "Dana Diaz"
    ]


def test_flagged_transcripts_without_words_are_scoped(world, db, app, client, auth):
    """The flag alone lists only flagged transcripts of the user's organisation, and to a
    reviewer only those of interviews shared with them."""
    auth.login()
    kitchen = make_interview(
        db, world.user.organization, phone_number="+15550100444", title="Line cook"
    )
    cook = make_candidate(db, kitchen, name="Cody Cook", phone=None)
    unsure = {"status": AnswerStatus.TRANSCRIBED, "transcript_flagged": True}
    cooked = Answer(candidate=cook, question=kitchen.questions[0], transcript="Eh…", **unsure)
    db.add(cooked)
    world.transcribed.transcript_flagged = True
    world.stranger_answer.status = AnswerStatus.TRANSCRIBED
    world.stranger_answer.transcript = "Another organisation's answer."
    world.stranger_answer.transcript_flagged = True
    teammate(db, world.user.organization, "rita@acme.test", interviews=[world.interview])
    db.commit()

    def listed(who) -> list[int]:
        page = parse(who.get("/search?flagged=1").data)
        return [int(h.attrs["data-answer-id"]) for h in page.find_all("li", cls="search-hit")]

    assert listed(client) == [cooked.id, world.transcribed.id]
    reviewer = app.test_client()
    AuthActions(reviewer).login(email="rita@acme.test", password=PASSWORD)
    assert listed(reviewer) == [world.transcribed.id]


def test_search_page_without_a_query(signed_in, client):
    """An empty search shows the form with a labelled field and no results."""
    page = parse(client.get("/search").data)
    assert page.one("label", for_="q").text() == "Words spoken"
    assert page.find("li", cls="search-hit") is None


def test_search_needs_sign_in(client):
    """Signed-out visitors are sent to the sign-in page."""
    assert client.get("/search?q=x").status_code == 302


def test_a_query_over_the_box_limit_is_refused_and_kept(signed_in, client):
    """A query longer than the search box takes (typed into the address bar) was cut to
    200 characters without a word: now it is 422 on the search page saying the limit and
    the length, nothing is searched, and the box still holds every character typed."""
    query = "forklift " * 667  # 6,003 characters, stripped to 6,002
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 422
    page = parse(response.data)
    [error] = page.find_all("p", cls="filter-error")
    assert error.text() == (
        "A search is at most 200 characters; this one has 6,002. Shorten it and search again."
    )
    box = page.one("input", id="q")
    assert box.attrs["value"] == query.strip() and box.attrs["maxlength"] == "200"
    assert page.find("li", cls="search-hit") is None


def test_a_query_at_the_box_limit_is_searched(signed_in, client):
    """Exactly 200 characters (what the box takes at most) is a search like any other."""
    query = "years " + "x" * 194
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    page = parse(response.data)
    assert page.find("p", cls="filter-error") is None
    assert page.one("input", id="q").attrs["value"] == query
