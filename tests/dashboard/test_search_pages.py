"""Search results a page at a time by keyset: Next and Previous followed, filters kept,
damaged links answered clearly; each transcript matched in its language; on PostgreSQL
and on SQLite."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select, update

from tests.dashboard.html import parse
from tests.factories import make_candidate, make_interview
from voice.models import Answer, AnswerStatus
from voice.search import search_transcripts

PER_PAGE = 3


@pytest.fixture(autouse=True)
def short_pages(monkeypatch):
    monkeypatch.setattr("dashboard.search.PER_PAGE", PER_PAGE)


def add_transcripts(session, organization, count: int, phone_number: str, **fields):
    """An interview with `count` candidates whose answers all mention a forklift, in three
    kinds of text (so ranks tie within each kind); returns the interview."""
    interview = make_interview(session, organization, phone_number=phone_number)
    for n in range(count):
        candidate = make_candidate(session, interview, name=f"Person {n:02d}", phone=None)
        session.add(
            Answer(
                candidate=candidate,
                question=interview.questions[0],
                status=AnswerStatus.TRANSCRIBED,
                transcript=("forklift " * (1 + n % 3)) + "on the night shift.",
                transcript_flagged=n % 2 == 0,
                transcript_flags=["unintelligible"] if n % 2 == 0 else [],
                **fields,
            )
        )
    session.commit()
    return interview


def answer_ids(page) -> list[int]:
    """The answers of the hits on the page, top to bottom."""
    return [int(hit.attrs["data-answer-id"]) for hit in page.find_all("li", cls="search-hit")]


def follow(client, page, rel: str):
    """The page its pager's `rel` link leads to, and that link's query arguments."""
    href = page.one("nav", cls="pager").one("a", rel=rel).attrs["href"]
    response = client.get(href)
    assert response.status_code == 200
    return parse(response.data), parse_qs(urlsplit(href).query)


def walk_next(client, url: str):
    """Every page from `url` by its Next links: each page's answers, and the last page."""
    page = parse(client.get(url).data)
    seen = [answer_ids(page)]
    while page.find("a", rel="next"):
        page, query = follow(client, page, "next")
        assert "after" in query and query["page"] == [str(len(seen) + 1)]
        assert f"page {len(seen) + 1}" in page.one(id="results-title").text()
        seen.append(answer_ids(page))
    return seen, page


def in_pages(ids: list[int]) -> list[list[int]]:
    return [ids[i : i + PER_PAGE] for i in range(0, len(ids), PER_PAGE)]


def test_next_links_show_every_hit_once_best_first(signed_in, db, client):
    """Next leads through every hit, three a page, in the order of one unpaged search
    (rank, then newest answer among equal ranks)."""
    org = signed_in.user.organization
    add_transcripts(db, org, 10, "+15550100401")  # and the world's own forklift answer
    expected = [h.answer_id for h in search_transcripts(db, org.id, "forklift", limit=100)]
    assert len(expected) == 11
    seen, _ = walk_next(client, "/search?q=forklift")
    assert seen == in_pages(expected)


def test_previous_links_go_back_through_the_same_hits(signed_in, db, client):
    """From page 4, Previous shows page 3's hits, then page 2's; page 2's leads to the plain
    first page, which has no Previous."""
    org = signed_in.user.organization
    add_transcripts(db, org, 10, "+15550100401")
    hits = search_transcripts(db, org.id, "forklift", limit=100)
    expected = in_pages([h.answer_id for h in hits])
    page = parse(client.get("/search?q=forklift").data)
    for _ in range(3):
        page, _ = follow(client, page, "next")
    page, query = follow(client, page, "prev")
    assert "before" in query and answer_ids(page) == expected[2]
    page, _ = follow(client, page, "prev")
    assert answer_ids(page) == expected[1]
    page, query = follow(client, page, "prev")
    assert query == {"q": ["forklift"]} and answer_ids(page) == expected[0]
    assert page.one("nav", cls="pager").find("a", rel="prev") is None


def test_filters_are_kept_from_page_to_page(signed_in, db, client):
    """Narrowed to one interview and to flagged transcripts, every page keeps both."""
    org = signed_in.user.organization
    add_transcripts(db, org, 4, "+15550100401")
    night = add_transcripts(db, org, 10, "+15550100402")
    expected = [
        h.answer_id
        for h in search_transcripts(
            db, org.id, "forklift", interview_id=night.id, flagged_only=True, limit=100
        )
    ]
    assert len(expected) == 5
    seen, last = walk_next(client, f"/search?q=forklift&interview_id={night.id}&flagged=1")
    assert seen == in_pages(expected)
    back, query = follow(client, last, "prev")
    assert query["interview_id"] == [str(night.id)] and query["flagged"] == ["1"]
    assert answer_ids(back) == expected[:3]


def test_the_flag_without_words_lists_flagged_transcripts_newest_first(signed_in, db, client):
    """?flagged=1 and no words lists every transcript still flagged, newest answer first,
    three a page by Next and back by Previous, the filters kept on every link."""
    org = signed_in.user.organization
    day = add_transcripts(db, org, 4, "+15550100401")
    night = add_transcripts(db, org, 10, "+15550100402")
    flagged = db.scalars(
        select(Answer.id).where(Answer.transcript_flagged.is_(True)).order_by(Answer.id.desc())
    ).all()
    assert len(flagged) == 7  # every other one of 4 and of 10
    for url in ("/search?flagged=1", "/search?q=&flagged=1", "/search?q=%21%3F&flagged=1"):
        first = parse(client.get(url).data)
        assert first.one(id="results-title").text() == "Transcripts that may be unreliable"
        assert answer_ids(first) == flagged[:PER_PAGE]
    hit = first.find_all("li", cls="search-hit")[0]
    assert hit.one("p", cls="transcript-flag").attrs["data-flags"] == "unintelligible"
    assert hit.one("p", cls="search-snippet").text() == db.get(Answer, flagged[0]).transcript
    seen, last = walk_next(client, "/search?flagged=1")
    assert seen == in_pages(flagged)
    back, query = follow(client, last, "prev")
    assert query["flagged"] == ["1"] and "q" not in query and "before" in query
    assert answer_ids(back) == flagged[3:6]
    back, query = follow(client, back, "prev")
    assert query == {"flagged": ["1"]} and answer_ids(back) == flagged[:3]
    narrowed, _ = walk_next(client, f"/search?flagged=1&interview_id={night.id}")
    in_night = [i for i in flagged if db.get(Answer, i).candidate.interview_id == night.id]
    assert len(in_night) == 5 and narrowed == in_pages(in_night)
    assert day.id != night.id
    response = client.get("/search?flagged=1&after=0.0_1&page=5")  # past the oldest
    assert response.status_code == 302 and response.headers["Location"] == "/search?flagged=1"
    db.execute(update(Answer).values(transcript_flagged=False))  # all checked
    db.commit()
    page = parse(client.get("/search?flagged=1").data)
    assert page.one(id="results-title").text() == (
        "No transcript that may be unreliable is left to check"
    )
    assert answer_ids(page) == []


@pytest.mark.parametrize(
    "cursor",
    [
        "after=banana",
        "after=0.1_x",
        "before=nan_4",
        "after=0.1_1&before=0.2_2",
        # an old-style page number that is none was taken silently (a trial found it)
        "page=abc",
        "page=0",
        "page=-1",
    ],
)
def test_a_damaged_page_link_gets_a_clear_400_and_the_first_page(signed_in, db, client, cursor):
    """A position that is not a rank and an answer id, or a page number that is no page's,
    is named (400), and the first page shown."""
    org = signed_in.user.organization
    add_transcripts(db, org, 4, "+15550100401")
    expected = [h.answer_id for h in search_transcripts(db, org.id, "forklift", limit=PER_PAGE)]
    response = client.get(f"/search?q=forklift&{cursor}&page=4")  # the first ?page= is read
    assert response.status_code == 400
    page = parse(response.data)
    message = page.one(id="page-link-error").text()
    assert "This page link" in message and "The first page of results is shown" in message
    assert answer_ids(page) == expected


def test_a_link_past_the_last_hit_leads_to_the_first_page(signed_in, db, client):
    """A position after every hit sends the browser to the first page of the same search."""
    interview_id = signed_in.interview.id
    response = client.get(f"/search?q=forklift&interview_id={interview_id}&after=0.0_1&page=7")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/search?q=forklift&interview_id={interview_id}"


def test_an_old_page_number_link_still_works(signed_in, db, client):
    """?page=2 without a position shows the second page's hits (by OFFSET)."""
    org = signed_in.user.organization
    add_transcripts(db, org, 6, "+15550100401")
    expected = [h.answer_id for h in search_transcripts(db, org.id, "forklift", limit=100)]
    assert answer_ids(parse(client.get("/search?q=forklift&page=2").data)) == expected[3:6]


def test_a_spanish_query_finds_spanish_inflections(signed_in, db, client):
    """ "almacenes" finds a Spanish answer saying "almacén", marked, with its language."""
    interview = make_interview(db, signed_in.user.organization, phone_number="+15550100403")
    candidate = make_candidate(db, interview, name="Lucía Ortega", phone=None)
    db.add(
        Answer(
            candidate=candidate,
            question=interview.questions[0],
            status=AnswerStatus.TRANSCRIBED,
            transcript="Trabajé tres años en un almacén de Monterrey.",
            transcript_language="es",
        )
    )
    db.commit()
    page = parse(client.get("/search?q=almacenes").data)
    [hit] = page.find_all("li", cls="search-hit")
    assert hit.one("a", cls="search-hit-link").text().startswith("Lucía Ortega at")
    snippet = hit.one("p", cls="search-snippet")
    assert snippet.attrs["lang"] == "es"
    assert [mark.text() for mark in snippet.find_all("mark")] == ["almacén"]


def test_pages_on_sqlite(sqlite_dashboard):
    """On SQLite, Next and Previous lead through the hits in the order of one unpaged search."""
    site = sqlite_dashboard
    add_transcripts(site.session, site.organization, 8, "+15550100401")
    expected = [
        h.answer_id
        for h in search_transcripts(site.session, site.organization.id, "forklift", limit=100)
    ]
    site.session.rollback()  # every SQLite transaction holds the write lock (voice.db)
    seen, last = walk_next(site.client, "/search?q=forklift")
    assert seen == in_pages(expected) and len(seen) == 3
    back, query = follow(site.client, last, "prev")
    assert "before" in query and answer_ids(back) == expected[3:6]
    assert site.client.get("/search?q=forklift&after=1_2_3x").status_code == 400
