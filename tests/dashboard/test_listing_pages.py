"""The interview page's candidate list, page by page by keyset, with ties in its order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.dashboard.html import parse
from tests.factories import make_candidate, make_interview
from voice.models import CandidateStatus

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
PER_PAGE = 3


@pytest.fixture
def crowded(signed_in, db, monkeypatch):
    """An interview of 14 candidates whose times tie in groups, and the list's expected order."""
    monkeypatch.setattr("dashboard.views.CANDIDATES_PER_PAGE", PER_PAGE)
    interview = make_interview(db, signed_in.user.organization, phone_number="+15550100400")
    base = datetime(2026, 11, 1, 9, tzinfo=UTC)
    candidates = []
    for n in range(14):
        candidate = make_candidate(db, interview, name=f"Person {n:02d}", phone=None)
        candidate.created_at = base  # every one ties on creation time
        if n % 3 == 0:  # completed, two at each of a few times
            candidate.status = CandidateStatus.COMPLETED
            candidate.started_at = base + timedelta(hours=1)
            candidate.completed_at = base + timedelta(hours=2 + n // 6)
        elif n % 3 == 1:  # started, all at the same time
            candidate.status = CandidateStatus.IN_PROGRESS
            candidate.started_at = base + timedelta(hours=1)
        candidates.append(candidate)
    db.commit()
    expected = sorted(
        candidates,
        key=lambda c: (c.completed_at or EARLIEST, c.started_at or EARLIEST, c.created_at, c.id),
        reverse=True,
    )
    return interview, [c.name for c in expected]


def names(page) -> list[str]:
    """The candidates' names in the list, top to bottom."""
    return [row.one("th").text() for row in page.one("table").one("tbody").find_all("tr")]


def follow(client, page, rel: str):
    """The page its pager's `rel` link leads to, and that link's query arguments."""
    href = page.one("a", rel=rel).attrs["href"]
    return parse(client.get(href).data), parse_qs(urlsplit(href).query)


def test_following_next_shows_every_candidate_once_in_order_despite_ties(client, crowded):
    """Page N by its Next links holds the list's rows N*3+1 to N*3+3, ties ordered by id."""
    interview, expected = crowded
    page = parse(client.get(f"/interviews/{interview.id}").data)
    seen = [names(page)]
    for n in range(2, 6):
        page, query = follow(client, page, "next")
        assert query["page"] == [str(n)] and "after" in query
        assert f"Page {n} of 5" in page.one("nav", cls="pager").text()
        seen.append(names(page))
    assert seen == [expected[i : i + PER_PAGE] for i in range(0, len(expected), PER_PAGE)]
    assert page.find("a", rel="next") is None


def test_previous_goes_back_to_the_same_rows(client, crowded):
    """From page 4, Previous shows page 3's rows, and from page 2 it is the plain first page."""
    interview, expected = crowded
    page = parse(client.get(f"/interviews/{interview.id}").data)
    for _ in range(3):
        page, _ = follow(client, page, "next")
    back, query = follow(client, page, "prev")
    assert "before" in query and names(back) == expected[6:9]
    back, _ = follow(client, back, "prev")
    assert names(back) == expected[3:6]
    first, query = follow(client, back, "prev")
    assert "before" not in query and names(first) == expected[:3]


def test_an_old_page_number_link_still_works_by_offset(client, crowded):
    """?page=3 without a cursor shows the third page's rows."""
    interview, expected = crowded
    page = parse(client.get(f"/interviews/{interview.id}?page=3").data)
    assert names(page) == expected[6:9]


def test_a_cursor_from_another_interview_is_ignored(client, crowded, signed_in):
    """A candidate of another interview as cursor falls back to the page number."""
    interview, expected = crowded
    other = signed_in.candidate.id
    page = parse(client.get(f"/interviews/{interview.id}?page=2&after={other}").data)
    assert names(page) == expected[3:6]
