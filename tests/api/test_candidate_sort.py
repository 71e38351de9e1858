"""`GET /api/v1/candidates?sort=`: the interview page's orders, paged by cursor with ties."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dashboard.api.fields import encode_cursor
from tests.api.conftest import problem
from tests.factories import make_candidate, make_interview, make_score, make_user
from voice.models import Candidate, CandidateStatus, Score

# (name, overall scores from up to two reviewers, completed?): names that tie once case
# is ignored, equal means, and candidates nobody scored.
PEOPLE = [
    ("zed Zane", [4], True),
    ("Amy Ames", [3, 5], True),
    ("amy ames", [], False),
    ("Bob Burns", [5], True),
    ("Cal Cruz", [2, 3], False),
    ("AMY AMES", [], True),
]


@pytest.fixture
def sorted_org(acme, globex, db):
    """Acme's second interview with the candidates above (every one created at one time),
    and each order's expected names over Acme's candidates."""
    interview = make_interview(db, acme.org, phone_number="+15550100210")
    reviewers = [
        make_user(db, acme.org, email="first@acme.test"),
        make_user(db, acme.org, email="second@acme.test"),
    ]
    created = datetime(2026, 11, 3, 9, tzinfo=UTC)
    for name, scores, done in PEOPLE:
        candidate = make_candidate(db, interview, name=name, phone=None)
        candidate.created_at = created
        if done:
            candidate.status = CandidateStatus.COMPLETED
        for reviewer, value in zip(reviewers, scores, strict=False):
            make_score(db, reviewer, candidate, value)
    make_score(db, reviewers[0], globex.candidate, 5)  # another organisation's: never listed
    db.commit()
    ours = (acme.interview.id, interview.id)
    rows = {c.id: c for c in db.query(Candidate).filter(Candidate.interview_id.in_(ours))}
    means = {}
    for candidate_id in rows:
        values = [s.value for s in db.query(Score).filter(Score.candidate_id == candidate_id)]
        means[candidate_id] = sum(values) / len(values) if values else 0
    # Nobody here started or completed the interview: latest activity is creation time.
    keys = {
        "score": lambda i: (-means[i], -i),
        "name": lambda i: (rows[i].name.lower(), i),
        "latest": lambda i: (-rows[i].created_at.timestamp(), -i),
    }
    expected = {sort: [rows[i].name for i in sorted(rows, key=key)] for sort, key in keys.items()}
    return interview, expected


def every_page(api, **params) -> list[list[str]]:
    """The names on each page of the list, two at a time, following next_cursor."""
    pages, cursor = [], None
    while True:
        query = {"limit": 2} | params | ({"cursor": cursor} if cursor else {})
        response = api.get("/api/v1/candidates", params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append([c["name"] for c in body["data"]])
        if not body["has_more"]:
            assert body["next_cursor"] is None
            return pages
        cursor = body["next_cursor"]


@pytest.mark.parametrize("sort", ["score", "name", "latest"])
def test_each_sort_pages_through_every_candidate_once_in_order(api, sorted_org, sort):
    """Two a page by cursor, each order lists the organisation's candidates once, in order."""
    _, expected = sorted_org
    pages = every_page(api, sort=sort)
    assert [name for page in pages for name in page] == expected[sort]
    assert len(pages) == 4


def test_sort_combines_with_the_filters(api, sorted_org):
    """Completed candidates of one interview by score: the filtered rows in score order."""
    interview, expected = sorted_org
    done = {name for name, _, finished in PEOPLE if finished}
    pages = every_page(api, sort="score", interview=interview.id, status="completed")
    assert [name for page in pages for name in page] == [
        name for name in expected["score"] if name in done
    ]


def test_a_bad_sort_is_422(api, sorted_org):
    """A sort the API does not know is a 422 validation problem naming the parameter."""
    body = problem(api.get("/api/v1/candidates", params={"sort": "best"}), 422, "validation-error")
    assert "sort" in str(body["errors"])


def test_a_cursor_naming_another_organisations_candidate_is_400(api, sorted_org, globex):
    """A sorted page's cursor must name one of the caller's candidates."""
    cursor = encode_cursor(globex.candidate.id)
    response = api.get("/api/v1/candidates", params={"sort": "name", "cursor": cursor})
    problem(response, 400, "invalid-cursor")


def test_the_reference_documents_sort(api):
    """The OpenAPI document lists `sort` with its three values."""
    document = api.get("/api/v1/openapi.json").json()
    params = document["paths"]["/api/v1/candidates"]["get"]["parameters"]
    [sort] = [p for p in params if p["name"] == "sort"]
    assert sort["schema"]["enum"] == ["latest", "score", "name"]
