"""The review queue's one rule (voice.reviews): who is reviewed, who is partly scored, and
"Next unreviewed", the queue's counts and the funnel all agreeing with it."""

from __future__ import annotations

from datetime import timedelta

from tests.dashboard.conftest import add_answer, flashes, store_audio
from tests.dashboard.html import parse
from tests.dashboard.review_support import csrf_token, teammate
from tests.dashboard.test_review import completed, sign_in_as
from tests.factories import make_candidate, make_interview
from voice.erasure import erase_candidate
from voice.models import AnswerStatus, CriterionScore, RubricCriterion, Score, utcnow


def spoken(db, settings, candidate, position: int, text: str):
    """A transcribed answer with a playback copy: something to hear and read."""
    answer = add_answer(
        db,
        candidate,
        position,
        status=AnswerStatus.TRANSCRIBED,
        recording_sid=f"RE{candidate.id:016d}{position:016d}",
        transcript=text,
        playback_seconds=2.0,
    )
    store_audio(settings, answer)
    return answer


def three_answers(db, settings, interview, name: str, hours_ago: int):
    """A completed candidate with three scorable answers and one Twilio kept no audio for."""
    candidate = completed(db, interview, name, hours_ago=hours_ago)
    answers = [spoken(db, settings, candidate, n, f"Answer {n}.") for n in (1, 2, 3)]
    add_answer(db, candidate, 4, status=AnswerStatus.NO_AUDIO, recording_sid=None)
    return candidate, answers


def score(client, answer_id: int, value: int):
    """Score one answer as review.js's keyboard scoring does (a JSON request)."""
    response = client.post(
        f"/answers/{answer_id}/score",
        data={f"answer-{answer_id}-value": value, "csrf_token": csrf_token(client)},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200, response.data
    return response


def queue_figures(client) -> tuple[str, dict[str, str]]:
    """The queue page's "Start reviewing (N)" and {interview title: its row's last cell}."""
    page = parse(client.get("/review").data)
    start = page.find("a", id="start-review")
    rows = {
        row.one("th").text(): " ".join(td.text() for td in row.find_all("td"))
        for row in page.find_all("tr", data_interview_id=True)
    }
    return (start.text() if start else ""), rows


def insight_figures(client, interview_id: int) -> dict[str, str]:
    page = parse(client.get(f"/interviews/{interview_id}/insights").data)
    return {
        div.one("dt").text(): div.one("dd").text()
        for div in page.one("dl", cls="key-figures").find_all("div")
    }


def funnel(client, interview_id: int) -> dict[str, str]:
    page = parse(client.get(f"/interviews/{interview_id}/insights").data)
    section = page.one("section", aria_labelledby="funnel-chart")
    return {
        row.one("th").text(): row.one("td", cls="bar-value").text()
        for row in section.one("table").find_all("tr")
    }


# ---------------------------------------------------------------- next unreviewed


def test_next_from_the_last_unscored_candidate_stays_and_says_so(signed_in, db, client):
    """Next on the only candidate left keeps them and says so, never "all caught up"."""
    interview = signed_in.interview
    jordan = signed_in.candidate
    sam = completed(db, interview, "Sam Okafor", hours_ago=2)
    db.add(Score(reviewer_id=signed_in.user.id, candidate_id=jordan.id, value=4))
    db.commit()
    response = client.get(f"/review/next?after={sam.id}", follow_redirects=True)
    assert response.request.path == f"/candidates/{sam.id}"
    shown = flashes(parse(response.data))
    assert "Sam Okafor is the last candidate waiting for your score." in shown
    assert not any("caught up" in f for f in shown)
    scoped = client.get(f"/review/next?after={sam.id}&interview_id={interview.id}")
    assert scoped.headers["Location"] == f"/candidates/{sam.id}?queue={interview.id}"
    start, _ = queue_figures(client)
    assert start == "Start reviewing (1)"


def test_next_wraps_to_earlier_waiting_candidates(signed_in, db, client):
    """With nobody after the current candidate, Next goes back to an earlier one."""
    interview = signed_in.interview
    signed_in.candidate.completed_at = utcnow() - timedelta(hours=9)
    later = completed(db, interview, "Lee Later", hours_ago=1)
    db.commit()
    location = client.get(f"/review/next?after={later.id}").headers["Location"]
    assert location == f"/candidates/{signed_in.candidate.id}"


def test_all_caught_up_only_when_the_queue_is_empty(signed_in, db, client):
    """ "All caught up" in one interview says how many still wait in the others."""
    org = signed_in.user.organization
    forklift = make_interview(db, org, phone_number="+15550100556", title="Forklift driver")
    db.add(Score(reviewer_id=signed_in.user.id, candidate_id=signed_in.candidate.id, value=4))
    completed(db, forklift, "Fay Forklift", hours_ago=3)
    db.commit()
    response = client.get(
        f"/review/next?interview_id={signed_in.interview.id}", follow_redirects=True
    )
    assert (
        "You're all caught up on Warehouse associate: every completed candidate has your "
        "score. 1 more is waiting for your score in other interviews."
    ) in flashes(parse(response.data))
    response = client.get("/review/next", follow_redirects=True)
    assert response.request.path.startswith("/candidates/")
    assert not any("caught up" in f for f in flashes(parse(response.data)))


# ---------------------------------------------------------------- reviewed, partly scored


def test_one_scored_answer_leaves_the_candidate_partly_scored(signed_in, db, client, settings):
    """Scoring one of three answers keeps the candidate in the queue, partly scored, and
    out of the funnel's Reviewed; scoring all three reviews them."""
    interview = make_interview(
        db,
        signed_in.user.organization,
        phone_number="+15550100557",
        title="Night picker",
        questions=("Q one?", "Q two?", "Q three?", "Q four?"),
    )
    lee, answers = three_answers(db, settings, interview, "Lee Park", hours_ago=2)
    db.add(Score(reviewer_id=signed_in.user.id, candidate_id=signed_in.candidate.id, value=4))
    db.commit()
    score(client, answers[2].id, 5)
    start, rows = queue_figures(client)
    assert start == "Start reviewing (1)"
    assert rows["Night picker"].startswith("1 ")
    page = parse(client.get("/review").data)
    partly = page.one("ul", cls="partly-list").one("li", data_candidate_id=str(lee.id))
    assert "partly scored (1 of 3)" in partly.text()
    assert funnel(client, interview.id)["Reviewed"] == "0"
    assert insight_figures(client, interview.id)["Waiting for a first review"] == "1"
    assert client.get(f"/review/next?interview_id={interview.id}").headers["Location"] == (
        f"/candidates/{lee.id}?queue={interview.id}"
    )
    score(client, answers[0].id, 3)
    score(client, answers[1].id, 4)
    start, rows = queue_figures(client)
    assert start == ""  # nothing left: no "Start reviewing" button
    assert rows["Night picker"].startswith("0 All scored")
    assert parse(client.get("/review").data).find("ul", cls="partly-list") is None
    assert funnel(client, interview.id)["Reviewed"] == "1"
    figures = insight_figures(client, interview.id)
    assert figures["Waiting for a first review"] == "0"
    assert figures["Waiting for your review"] == "0"


def test_an_overall_score_or_rubric_scores_review_the_candidate(signed_in, db, client, settings):
    """An overall score alone reviews a candidate; so do rubric scores on every answer."""
    interview = make_interview(
        db,
        signed_in.user.organization,
        phone_number="+15550100558",
        title="Night picker",
        questions=("Q one?", "Q two?", "Q three?", "Q four?"),
    )
    olive, _ = three_answers(db, settings, interview, "Olive Overall", hours_ago=3)
    _, answers = three_answers(db, settings, interview, "Rudy Rubric", hours_ago=2)
    db.add(Score(reviewer_id=signed_in.user.id, candidate_id=olive.id, value=2))
    for answer in answers:
        criterion = RubricCriterion(question_id=answer.question_id, name="Clarity", position=1)
        db.add(criterion)
        db.flush()
        db.add(
            CriterionScore(
                reviewer_id=signed_in.user.id,
                answer_id=answer.id,
                criterion_id=criterion.id,
                value=4,
            )
        )
    db.commit()
    _, rows = queue_figures(client)
    assert rows["Night picker"].startswith("0 All scored")
    assert funnel(client, interview.id)["Reviewed"] == "2"


def test_a_candidate_with_nothing_to_hear_needs_an_overall_score(signed_in, db, client):
    """A completed candidate whose answers hold no audio and no text stays in the queue
    until an overall score (scoring "every answer" of none reviews nobody)."""
    silent = completed(db, signed_in.interview, "Sid Silent", hours_ago=2)
    add_answer(db, silent, 1, status=AnswerStatus.NO_AUDIO, recording_sid=None)
    db.add(Score(reviewer_id=signed_in.user.id, candidate_id=signed_in.candidate.id, value=4))
    db.commit()
    assert client.get("/review/next").headers["Location"] == f"/candidates/{silent.id}"
    db.add(Score(reviewer_id=signed_in.user.id, candidate_id=silent.id, value=1))
    db.commit()
    assert client.get("/review/next").headers["Location"] == "/review"


# ---------------------------------------------------------------- funnel and queue agree


def test_funnel_and_queue_count_by_the_same_rule(signed_in, db, client, settings, app):
    """An erased candidate waits for nobody; "first review" (anyone's) and "your review"
    (this user's queue) differ only by what teammates have reviewed."""
    interview = signed_in.interview
    jordan = signed_in.candidate
    db.add(Score(reviewer_id=signed_in.user.id, candidate_id=jordan.id, value=4))
    sam = completed(db, interview, "Sam Okafor", hours_ago=3)
    lee = completed(db, interview, "Lee Park", hours_ago=2)
    dana = completed(db, interview, "Dana Erased", hours_ago=1)
    spoken(db, settings, sam, 1, "Nights suit me.")
    spoken(db, settings, lee, 1, "I like forklifts.")
    spoken(db, settings, dana, 1, "Please erase me later.")
    db.commit()
    erase_candidate(db, dana)
    db.commit()
    start, _ = queue_figures(client)
    figures = insight_figures(client, interview.id)
    assert start == "Start reviewing (2)"
    assert figures["Waiting for a first review"] == "2"
    assert figures["Waiting for your review"] == "2"
    rita = teammate(db, signed_in.user.organization, "rita@acme.test", interviews=[interview])
    db.add(Score(reviewer_id=rita.id, candidate_id=lee.id, value=3))
    db.commit()
    figures = insight_figures(client, interview.id)
    assert figures["Waiting for a first review"] == "1"
    assert figures["Waiting for your review"] == "2"
    assert "a teammate reviewed but you have not" in (
        parse(client.get(f"/interviews/{interview.id}/insights").data)
        .one("p", id="review-counts-note")
        .text()
    )
    rita_client = sign_in_as(app, "rita@acme.test")
    assert queue_figures(rita_client)[0] == "Start reviewing (2)"  # Jordan and Sam


def test_first_review_is_when_the_last_answer_was_scored(signed_in, db, client, settings):
    """Completion to first review runs to the score that completed the review."""
    interview = make_interview(
        db,
        signed_in.user.organization,
        phone_number="+15550100559",
        title="Night picker",
        questions=("Q one?", "Q two?", "Q three?", "Q four?"),
    )
    lee, answers = three_answers(db, settings, interview, "Lee Park", hours_ago=10)
    now = utcnow()
    for answer, hours_ago in zip(answers, (9, 8, 4), strict=True):
        mark = Score(
            reviewer_id=signed_in.user.id, candidate_id=lee.id, answer_id=answer.id, value=3
        )
        mark.created_at = now - timedelta(hours=hours_ago)
        db.add(mark)
    db.commit()
    assert insight_figures(client, interview.id)["Completion to first review"] == "6.0 h"


# ---------------------------------------------------------------- interviews without candidates


def test_queue_says_when_an_interview_has_nobody_to_score(signed_in, db, client):
    """An interview with no candidates says so, as does one nobody has completed."""
    org = signed_in.user.organization
    make_interview(db, org, phone_number="+15550100560", title="Forklift driver, days")
    started = make_interview(db, org, phone_number="+15550100561", title="Cashier")
    make_candidate(db, started, name="Ivy Invited", phone=None)
    db.add(Score(reviewer_id=signed_in.user.id, candidate_id=signed_in.candidate.id, value=4))
    db.commit()
    _, rows = queue_figures(client)
    assert rows["Forklift driver, days"] == "0 No candidates yet"
    assert rows["Cashier"] == "0 Nobody has completed it yet"
    assert rows["Warehouse associate"] == "0 All scored"
