"""Funnel, where calls end, drop-off by question, answer lengths and review waits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.dashboard.html import parse
from tests.factories import make_call, make_candidate
from voice.models import CandidateStatus, Score


def chart(page, heading_id) -> dict[str, str]:
    section = page.one("section", aria_labelledby=heading_id)
    return {
        row.one("th").text(): row.one("td", cls="bar-value").text()
        for row in section.one("table").find_all("tr")
    }


def test_insights_draw_the_funnel_outcomes_and_drop_off(signed_in, db, client):
    """The insights page charts the funnel, call outcomes, drop-off and answer lengths."""
    interview = signed_in.interview
    dana = signed_in.candidate
    dana.completed_at = datetime.now(UTC) - timedelta(hours=5)
    dana.decision = "advance"
    quitter = make_candidate(db, interview, name="Quinn Quit", phone=None)
    quitter.status = CandidateStatus.IN_PROGRESS
    make_candidate(db, interview, name="Never Called", phone=None)
    make_call(db, interview, dana, "completed")
    make_call(db, interview, quitter, "hung up at question 2")
    make_call(db, interview, None, "no consent", consented=False)
    score = Score(reviewer=signed_in.user, candidate_id=dana.id, value=4)
    score.created_at = datetime.now(UTC) - timedelta(hours=2)
    db.add(score)
    db.commit()
    page = parse(client.get(f"/interviews/{interview.id}/insights").data)
    assert chart(page, "funnel-chart") == {
        "Added": "3",
        "Called": "2",
        "Consented": "2",
        "Completed": "1",
        "Reviewed": "1",
        "Advanced": "1",
    }
    assert chart(page, "outcomes-chart") == {  # worded by presenters.call_words
        "Completed": "1",
        "Hung up at question 2": "1",
        "No consent": "1",
    }
    assert chart(page, "drop-chart") == {"Q1": "0", "Q2": "1"}
    assert chart(page, "length-chart")["Q1"] == "3 s"
    figures = {
        div.one("dt").text(): div.one("dd").text()
        for div in page.one("dl", cls="key-figures").find_all("div")
    }
    assert figures["Completion to first review"] == "3.0 h"
    assert figures["Median answer"] == "3 s"


def test_interview_page_shows_the_funnel_counts(signed_in, client):
    """The interview page shows funnel counts and links to the charts."""
    page = parse(client.get(f"/interviews/{signed_in.interview.id}").data)
    steps = page.one("ol", cls="funnel-steps").find_all("li")
    assert steps[0].text() == "1 Added"
    assert page.one("section", cls="funnel-mini").one(
        "a", href=f"/interviews/{signed_in.interview.id}/insights"
    )


def test_insights_of_an_empty_interview_say_so(signed_in, db, client):
    """With no calls the charts say there is nothing yet instead of drawing empty bars."""
    page = parse(client.get(f"/interviews/{signed_in.interview.id}/insights").data)
    outcomes = page.one("section", aria_labelledby="outcomes-chart")
    assert outcomes.find("table") is None
    assert [p.text() for p in outcomes.find_all("p")][-1] == "No calls yet."
