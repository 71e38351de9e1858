"""The interview page's list sorted by latest activity, mean score or name, page by page by
keyset with ties; and its "Not scored by me" filter, which is the review queue's rule."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.dashboard.conftest import add_answer
from tests.dashboard.html import parse
from tests.dashboard.review_support import teammate
from tests.dashboard.test_review import sign_in_as
from tests.factories import make_candidate, make_interview, make_score
from voice.models import AnswerStatus, CandidateStatus, Role

PER_PAGE = 3
# (name, the scores three reviewers gave them overall, completed?): names that tie once
# case is ignored, means that tie (4.0 twice) and candidates nobody scored.
PEOPLE = [
    ("bea Brown", [4], True),
    ("Al Adams", [3, 5], True),
    ("cy Chen", [], False),
    ("al adams", [5], True),
    ("Dee Diaz", [3, 4], True),
    ("Ed Evans", [], True),
    ("Bo Baker", [2], False),
    ("Flo Ford", [1, 2], True),
    ("AL ADAMS", [], True),
    ("Gus Gray", [4, 4, 4], True),
    ("Cy Cole", [], False),
]


@pytest.fixture
def ranked(signed_in, db, monkeypatch):
    """An interview of 11 candidates scored by three reviewers; every candidate created at
    the same moment (so latest activity ties too); each order's expected names."""
    monkeypatch.setattr("dashboard.views.CANDIDATES_PER_PAGE", PER_PAGE)
    org = signed_in.user.organization
    interview = make_interview(db, org, phone_number="+15550100410")
    reviewers = [
        signed_in.user,
        teammate(db, org, "second@acme.test", role=Role.ADMIN),
        teammate(db, org, "third@acme.test", role=Role.ADMIN),
    ]
    created = datetime(2026, 11, 2, 9, tzinfo=UTC)
    means = {}
    for name, scores, done in PEOPLE:
        candidate = make_candidate(db, interview, name=name, phone=None)
        candidate.created_at = created
        if done:
            candidate.status = CandidateStatus.COMPLETED
        for reviewer, value in zip(reviewers, scores, strict=False):
            make_score(db, reviewer, candidate, value)
        means[candidate.id] = (name, sum(scores) / len(scores) if scores else 0)
    db.commit()
    by_score = sorted(means, key=lambda i: (means[i][1], i), reverse=True)
    by_name = sorted(means, key=lambda i: (means[i][0].lower(), i))
    by_latest = sorted(means, reverse=True)  # every time ties: newest id first
    expected = {
        "score": [means[i][0] for i in by_score],
        "name": [means[i][0] for i in by_name],
        "latest": [means[i][0] for i in by_latest],
    }
    return interview, expected


def names(page) -> list[str]:
    """The candidates' names in the list, top to bottom."""
    return [row.one("th").text() for row in page.one("table").one("tbody").find_all("tr")]


def follow(client, page, rel: str):
    """The page its pager's `rel` link leads to, and that link's query arguments."""
    href = page.one("a", rel=rel).attrs["href"]
    return parse(client.get(href).data), parse_qs(urlsplit(href).query)


def pages_by_next(client, url: str) -> list:
    """Every page of the list from `url` on, by its Next links; each link keeps the sort
    (the default, latest activity, needs no argument)."""
    sort = parse_qs(urlsplit(url).query).get("sort")
    sort = None if sort == ["latest"] else sort
    seen = [parse(client.get(url).data)]
    while seen[-1].find("a", rel="next") is not None:
        page, query = follow(client, seen[-1], "next")
        assert query.get("sort") == sort and "after" in query
        seen.append(page)
    return seen


@pytest.mark.parametrize("sort", ["score", "name", "latest"])
def test_next_shows_every_candidate_once_in_the_chosen_order(client, ranked, sort):
    """Following Next in each order shows the order's rows three at a time, ties by id."""
    interview, expected = ranked
    seen = pages_by_next(client, f"/interviews/{interview.id}?sort={sort}")
    assert [names(page) for page in seen] == [
        expected[sort][i : i + PER_PAGE] for i in range(0, len(PEOPLE), PER_PAGE)
    ]


@pytest.mark.parametrize("sort", ["score", "name", "latest"])
def test_previous_walks_back_through_the_same_pages(client, ranked, sort):
    """From the last page, Previous shows each earlier page's rows again, in the same order,
    and keeps the sort, down to the plain first page."""
    interview, expected = ranked
    forward = [
        names(page) for page in pages_by_next(client, f"/interviews/{interview.id}?sort={sort}")
    ]
    page = pages_by_next(client, f"/interviews/{interview.id}?sort={sort}")[-1]
    backward = [names(page)]
    while page.find("a", rel="prev") is not None:
        page, query = follow(client, page, "prev")
        assert query.get("sort") == (None if sort == "latest" else [sort])
        backward.append(names(page))
    assert backward[::-1] == forward
    assert [name for rows in forward for name in rows] == expected[sort]


def test_the_default_order_is_latest_activity_and_needs_no_argument(client, ranked):
    """Without `sort` the list reads latest activity first, and its links carry no sort."""
    interview, expected = ranked
    page = parse(client.get(f"/interviews/{interview.id}").data)
    assert names(page) == expected["latest"][:PER_PAGE]
    assert "sort" not in page.one("a", rel="next").attrs["href"]
    assert page.one("th", aria_sort="descending").text() == "Last activity"


def test_the_filter_form_offers_a_labelled_sort_and_marks_the_sorted_column(client, ranked):
    """The "Sort by" select shows the chosen order; the sorted column says how (aria-sort)."""
    interview, _ = ranked
    page = parse(client.get(f"/interviews/{interview.id}?sort=name").data)
    form = page.one("form", aria_label="Filter candidates")
    label = form.one("label", for_="f-sort")
    assert label.text() == "Sort by"
    select = form.one("select", id="f-sort")
    options = {o.attrs["value"]: o.text() for o in select.find_all("option")}
    assert options == {
        "latest": "Latest activity",
        "score": "Mean score, highest first",
        "name": "Name, A to Z",
    }
    assert select.one("option", selected=True).attrs["value"] == "name"
    assert page.one("th", aria_sort="ascending").text() == "Candidate"
    scored = parse(client.get(f"/interviews/{interview.id}?sort=score").data)
    assert scored.one("th", aria_sort="descending").text() == "Mean score"


@pytest.mark.parametrize("bad", ["best", "SCORE", "name;drop"])
def test_a_bad_sort_is_422_and_named(client, ranked, bad):
    """A sort the list does not know is 422 with a message naming it and the choices;
    the list is shown in its default order."""
    interview, expected = ranked
    response = client.get(f"/interviews/{interview.id}?sort={bad}")
    assert response.status_code == 422
    page = parse(response.data)
    errors = [p.text() for p in page.find_all("p", cls="field-error")]
    assert errors == [f"“{bad}” is not a way to sort the list (use latest, score or name)."]
    assert names(page) == expected["latest"][:PER_PAGE]


def test_filters_and_sort_combine_across_pages(client, ranked):
    """Completed candidates with a mean of 3 or more, by score: the filtered rows in score
    order, across a page boundary, the filters kept by Next; Clear keeps the sort."""
    interview, expected = ranked
    done = {name for name, _, finished in PEOPLE if finished}
    at_least_3 = {name for name, scores, _ in PEOPLE if scores and sum(scores) / len(scores) >= 3}
    want = [name for name in expected["score"] if name in done and name in at_least_3]
    assert len(want) > PER_PAGE  # the filtered list spans a page boundary
    url = f"/interviews/{interview.id}?status=completed&min_score=3&sort=score"
    seen = pages_by_next(client, url)
    assert [name for page in seen for name in names(page)] == want
    nxt = parse_qs(urlsplit(seen[0].one("a", rel="next").attrs["href"]).query)
    assert nxt["status"] == ["completed"] and nxt["min_score"] == ["3"]
    [clear] = [a.attrs["href"] for a in seen[0].find_all("a") if a.text() == "Clear"]
    assert parse_qs(urlsplit(clear).query) == {"sort": ["score"]}


# ---------------------------------------------------------------- "Not scored by me"


@pytest.fixture
def two_reviewers(signed_in, db, app):
    """An interview whose completed candidates two managers scored differently; the second
    manager's signed-in client."""
    org = signed_in.user.organization
    interview = make_interview(db, org, phone_number="+15550100420")
    other = teammate(db, org, "second@acme.test", role=Role.ADMIN)
    made = {}
    for name, status in [
        ("Ann Mine", CandidateStatus.COMPLETED),  # the signed-in manager scored her
        ("Ben Theirs", CandidateStatus.COMPLETED),  # the other manager scored him
        ("Cat Both", CandidateStatus.COMPLETED),  # both scored her
        ("Dan Nobody", CandidateStatus.COMPLETED),  # nobody scored him
        ("Eve Partly", CandidateStatus.COMPLETED),  # the signed-in manager scored one answer
        ("Fay Calling", CandidateStatus.IN_PROGRESS),  # not done: waits for no review yet
    ]:
        candidate = make_candidate(db, interview, name=name, phone=None)
        candidate.status = status
        for position in (1, 2):
            add_answer(
                db,
                candidate,
                position,
                status=AnswerStatus.TRANSCRIBED,
                recording_sid=f"RE{candidate.id:016d}{position:016d}",
                transcript=f"Answer {position}.",
            )
        made[name] = candidate
    make_score(db, signed_in.user, made["Ann Mine"], 4)
    make_score(db, other, made["Ben Theirs"], 3)
    make_score(db, signed_in.user, made["Cat Both"], 5)
    make_score(db, other, made["Cat Both"], 2)
    make_score(db, signed_in.user, made["Eve Partly"], 4, answer=made["Eve Partly"].answers[0])
    db.commit()
    return interview, sign_in_as(app, "second@acme.test")


def listed(client, url: str) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200
    return {name for page in pages_by_next(client, url) for name in names(page)}


def test_not_scored_by_me_differs_per_user(client, two_reviewers):
    """Each manager sees the completed candidates they have not reviewed: a partly scored
    one stays; one still on the call is not yet waiting for review."""
    interview, second = two_reviewers
    url = f"/interviews/{interview.id}?unscored=1"
    assert listed(client, url) == {"Ben Theirs", "Dan Nobody", "Eve Partly"}
    assert listed(second, url) == {"Ann Mine", "Dan Nobody", "Eve Partly"}
    page = parse(client.get(url).data)
    assert "checked" in page.one("input", id="f-unscored").attrs
    labels = [
        label.text() for label in page.find_all("label") if label.find("input", id="f-unscored")
    ]
    assert labels == ["Not scored by me"]


def test_not_scored_by_me_agrees_with_the_review_queue(client, two_reviewers):
    """The filter's count is the review queue's count for the interview (one rule)."""
    interview, _ = two_reviewers
    page = parse(client.get(f"/interviews/{interview.id}?unscored=1").data)
    matching = page.one("form", aria_label="Filter candidates").one("span", role="status")
    assert matching.text() == "3 candidates match"
    queue = parse(client.get("/review").data)
    row = queue.one("tr", data_interview_id=str(interview.id))
    assert row.one("td", data_label="Left for you").text() == "3"


def test_not_scored_by_me_combines_with_sort_and_is_kept_by_next(
    client, two_reviewers, monkeypatch
):
    """Unscored, by name, two a page: Next keeps both, and the rows read A to Z."""
    monkeypatch.setattr("dashboard.views.CANDIDATES_PER_PAGE", 2)
    interview, second = two_reviewers
    url = f"/interviews/{interview.id}?unscored=1&sort=name"
    seen = pages_by_next(second, url)
    assert [names(page) for page in seen] == [["Ann Mine", "Dan Nobody"], ["Eve Partly"]]
    nxt = parse_qs(urlsplit(seen[0].one("a", rel="next").attrs["href"]).query)
    assert nxt["unscored"] == ["1"] and nxt["sort"] == ["name"]
