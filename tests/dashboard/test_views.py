"""The review pages: interviews, candidates, audio, transcripts, scores and retries."""

from __future__ import annotations

import pytest
from rq import Queue
from sqlalchemy import func, select

from ivr.jobs import FETCH_RECORDING
from tests.dashboard.conftest import (
    AUDIO_BYTES,
    add_answer,
    count_queries,
    flashes,
    store_audio,
    submit,
)
from tests.dashboard.html import parse
from tests.factories import make_candidate, make_interview, make_score, make_user
from voice.models import AnswerStatus, CandidateStatus, InterviewReviewer, Role, Score

# ---------------------------------------------------------------- interviews


def test_interviews_list_shows_only_own_organisation(signed_in, client):
    """The list holds the organisation's interviews and none of another's."""
    page = parse(client.get("/").data)
    cards = page.find_all("li", cls="interview-card")
    assert [card.one("a").text() for card in cards] == ["Warehouse associate"]
    assert cards[0].one("a").attrs["href"] == f"/interviews/{signed_in.interview.id}"
    stats = {
        div.one("dt").text(): div.one("dd").text() for div in cards[0].one("dl").find_all("div")
    }
    assert stats == {"Candidates": "1", "Completed": "1", "In progress": "0"}


def test_interviews_empty_state(db, auth, client):
    """An organisation with no interviews offers to build one or import a file, in
    sentences that stand on their own (no dangling "Or"), and names the command too."""
    from tests.factories import make_org

    make_user(db, make_org(db))
    db.commit()
    auth.login()
    page = parse(client.get("/").data)
    empty = page.one("section", cls="empty-state")
    assert empty.one("h2").text() == "No interviews yet"
    links = {a.text(): a.attrs["href"] for a in empty.find_all("a")}
    assert links == {"Build an interview": "/interviews/new", "Import a file": "/interviews/import"}
    assert "screenline interview import FILE.yaml" in empty.text()
    assert not any(p.text().startswith("Or ") for p in empty.find_all("p"))
    assert client.get(links["Import a file"]).status_code == 200


def test_a_reviewer_with_nothing_shared_is_told_how_sharing_works(signed_in, db, client, auth):
    """A reviewer of an organisation that has interviews, none shared with them, reads that
    none are shared yet and how a manager shares one; nothing offers to build or import."""
    org = signed_in.user.organization
    reviewer = make_user(db, org, email="rev@acme.test", role=Role.REVIEWER)
    db.commit()
    auth.logout()
    auth.login("rev@acme.test")
    page = parse(client.get("/").data)
    head = page.one("div", cls="page-head")
    assert head.one("p").text() == "Acme Warehousing · 0 interviews shared with you"
    empty = page.one("section", cls="empty-state")
    assert empty.one("h2").text() == "No interviews are shared with you yet"
    assert "Edit page: Reviewers" in empty.text()
    assert empty.find_all("a") == []
    assert "import" not in empty.text().lower()

    db.add(InterviewReviewer(interview_id=signed_in.interview.id, user_id=reviewer.id))
    db.commit()
    page = parse(client.get("/").data)
    head = page.one("div", cls="page-head")
    assert head.one("p").text() == "Acme Warehousing · 1 interview shared with you"
    assert page.find("section", cls="empty-state") is None


# ---------------------------------------------------------------- one interview


def candidate_cells(page) -> dict[str, dict[str, str]]:
    rows = page.one("table").one("tbody").find_all("tr")
    return {
        row.one("th").text(): {
            cell.attrs["data-label"]: cell.text() for cell in row.find_all(data_label=True)
        }
        for row in rows
    }


def test_interview_page_lists_candidates_with_progress(signed_in, db, client):
    """Each candidate row shows phone, status, progress, transcription and mean score."""
    make_candidate(db, signed_in.interview, name="Ivy Invited", phone=None)
    make_score(db, signed_in.user, signed_in.candidate, 4)
    make_score(db, signed_in.user, signed_in.candidate, 5, answer=signed_in.transcribed)
    db.commit()
    page = parse(client.get(f"/interviews/{signed_in.interview.id}").data)
    assert page.one("h1").text() == "Warehouse associate"
    cells = candidate_cells(page)
    assert cells["Dana Diaz"] | {"Last activity": ""} == {
        "Candidate": "Dana Diaz",
        "Phone": "+15557654321",
        "Status": "Completed",
        "Progress": "2 / 2",
        "Transcription": "1 failed",
        "Mean score": "4.5 · 1 reviewer",
        "Last activity": "",
        "Keypad": "—",
        "Decision": "—",
        "Actions": "Manage",
    }
    assert cells["Ivy Invited"]["Status"] == "Not started Not invited yet"
    assert cells["Ivy Invited"]["Progress"] == "0 / 2"
    assert cells["Ivy Invited"]["Transcription"] == "Nothing yet"
    assert cells["Ivy Invited"]["Mean score"] == "—"
    link = page.one("a", href=f"/candidates/{signed_in.candidate.id}")
    assert link.text() == "Dana Diaz"
    summary = page.one("ul", cls="status-summary").text()
    assert "2 total" in summary


def test_the_candidate_list_comes_before_retention_and_says_a_legal_hold_at_the_top(
    signed_in, db, client
):
    """The retention card sits below the candidates (read rarely); a legal hold is still
    said at the top, beside the title, linking down to it. No "Abandoned 0" is listed."""
    url = f"/interviews/{signed_in.interview.id}"
    page = parse(client.get(url).data)
    order = [
        n.attrs.get("id") or n.tag
        for n in page.iter()
        if n.tag == "table" or n.attrs.get("id") == "retention"
    ]
    assert order == ["table", "retention"]
    assert page.one("h1").find("a", href="#retention") is None
    assert "Abandoned" not in page.one("ul", cls="status-summary").text()
    signed_in.interview.legal_hold = True
    db.commit()
    held = parse(client.get(url).data).one("h1").one("a", href="#retention")
    assert held.text() == "On legal hold"


def test_interview_empty_state(signed_in, db, client):
    """An interview with no candidates says how to add one."""
    empty = make_interview(db, signed_in.user.organization, phone_number="+15550100300")
    db.commit()
    page = parse(client.get(f"/interviews/{empty.id}").data)
    assert page.find("table") is None
    assert "screenline candidate add" in page.one("section", cls="empty-state").text()


def test_interview_page_paginates(signed_in, db, client, monkeypatch):
    """Candidates come a page at a time with links between pages."""
    monkeypatch.setattr("dashboard.views.CANDIDATES_PER_PAGE", 2)
    for n in range(3):
        make_candidate(db, signed_in.interview, name=f"Extra {n}", phone=None)
    db.commit()
    first = parse(client.get(f"/interviews/{signed_in.interview.id}").data)
    second = parse(client.get(f"/interviews/{signed_in.interview.id}?page=2").data)
    names = set(candidate_cells(first)) | set(candidate_cells(second))
    assert len(names) == 4
    assert first.one("a", rel="next").attrs["href"].endswith("page=2")
    assert second.one("a", rel="prev")


# ---------------------------------------------------------------- one candidate


def test_candidate_page_shows_player_transcript_and_forms(signed_in, client):
    """Per question: the audio player, timed transcript buttons, status and a score form."""
    answer = signed_in.transcribed
    page = parse(client.get(f"/candidates/{signed_in.candidate.id}").data)
    card = page.one("li", id=f"answer-{answer.id}")
    audio = card.one("audio")
    assert audio.attrs["src"] == f"/audio/answers/{answer.id}.mp3"
    assert "controls" in audio.attrs
    buttons = card.find_all("button", cls="segment")
    assert [(b.attrs["data-seek"], b.attrs["data-player"]) for b in buttons] == [
        ("0.00", audio.attrs["id"]),
        ("1.50", audio.attrs["id"]),
    ]
    assert [b.one("span", cls="segment-text").text() for b in buttons] == [
        "I drove a forklift",
        "for three years.",
    ]
    assert card.one("span", cls="pill").text() == "Transcribed"
    form = card.one("form", action=f"/answers/{answer.id}/score")
    radios = form.find_all("input", type="radio")
    assert [r.attrs["value"] for r in radios] == ["1", "2", "3", "4", "5"]
    assert all(form.one("label", for_=r.attrs["id"]) for r in radios)
    assert form.one("legend").text() == "Your score for this answer"
    note = form.one("textarea")
    assert form.one("label", for_=note.attrs["id"]).text() == "Note (optional)"
    assert form.form_fields()[f"answer-{answer.id}-csrf_token"]
    assert page.one("section", id="overall").one(
        "form", action=f"/candidates/{signed_in.candidate.id}/score"
    )
    scripts = [s.attrs.get("src") for s in page.find_all("script")]
    assert scripts == ["/static/app.js", "/static/review.js"]


def test_candidate_page_shows_failure_with_retry(signed_in, client):
    """A failed answer shows its error and a Retry button posting with a CSRF token."""
    answer = signed_in.failed
    page = parse(client.get(f"/candidates/{signed_in.candidate.id}").data)
    card = page.one("li", id=f"answer-{answer.id}")
    assert card.one("span", cls="pill").text() == "Failed"
    assert card.one("p", cls="error-detail").text() == "Download failed: HTTP 404 from Twilio"
    form = card.one("form", action=f"/answers/{answer.id}/retry")
    assert form.attrs["method"] == "post"
    assert form.one("button").text() == "Retry"
    assert form.form_fields()["csrf_token"]
    assert card.find("audio") is None


def test_candidate_page_prefills_current_users_scores(signed_in, db, client):
    """The signed-in reviewer sees their own scores checked, not another reviewer's."""
    colleague = make_user(db, signed_in.user.organization, email="colleague@acme.test")
    answer = signed_in.transcribed
    db.add(
        Score(
            reviewer=signed_in.user,
            candidate_id=signed_in.candidate.id,
            answer_id=answer.id,
            value=4,
            note="Clear and specific",
        )
    )
    db.add(
        Score(reviewer=colleague, candidate_id=signed_in.candidate.id, answer_id=answer.id, value=2)
    )
    db.add(Score(reviewer=colleague, candidate_id=signed_in.candidate.id, value=1))
    db.commit()
    page = parse(client.get(f"/candidates/{signed_in.candidate.id}").data)
    form = page.one("form", action=f"/answers/{answer.id}/score")
    fields = form.form_fields()
    assert fields[f"answer-{answer.id}-value"] == "4"
    assert fields[f"answer-{answer.id}-note"] == "Clear and specific"
    assert "Team average 3.0 from 2 reviewers" in form.text()
    overall = page.one("form", action=f"/candidates/{signed_in.candidate.id}/score")
    assert "overall-value" not in overall.form_fields()


# ---------------------------------------------------------------- other organisations


def other_org_requests(world):
    return [
        ("get", f"/interviews/{world.stranger_interview.id}"),
        ("get", f"/candidates/{world.stranger_candidate.id}"),
        ("get", f"/audio/answers/{world.stranger_answer.id}.mp3"),
        ("post", f"/answers/{world.stranger_answer.id}/score"),
        ("post", f"/answers/{world.stranger_answer.id}/retry"),
        ("post", f"/candidates/{world.stranger_candidate.id}/score"),
    ]


def test_another_organisations_rows_are_404(signed_in, client, db, redis_conn):
    """Interview, candidate, audio, scoring and retry of another organisation answer 404."""
    page = parse(client.get(f"/candidates/{signed_in.candidate.id}").data)
    token = page.find("input", name="csrf_token").attrs["value"]
    for method, path in other_org_requests(signed_in):
        if method == "get":
            response = client.get(path)
        else:
            response = client.post(
                path,
                data={
                    "csrf_token": token,
                    "overall-value": "5",
                    f"answer-{signed_in.stranger_answer.id}-value": "5",
                },
            )
        assert response.status_code == 404, path
        assert b"Sam Secret" not in response.data
    assert db.scalar(select(func.count(Score.id))) == 0
    assert Queue("recordings", connection=redis_conn).count == 0


@pytest.mark.parametrize(
    "path", ["/interviews/999999", "/candidates/999999", "/audio/answers/999999.mp3"]
)
def test_missing_rows_are_404(signed_in, client, path):
    """Ids that exist nowhere answer 404 too (the same as another organisation's)."""
    assert client.get(path).status_code == 404


# ---------------------------------------------------------------- audio


def test_audio_serves_the_whole_file_privately(signed_in, client):
    """A plain GET returns the MP3, marked cacheable only by the user's own browser."""
    response = client.get(f"/audio/answers/{signed_in.transcribed.id}.mp3")
    assert response.status_code == 200
    assert response.data == AUDIO_BYTES
    assert response.mimetype == "audio/mpeg"
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.cache_control.private
    assert not response.cache_control.public
    assert "Cookie" in response.vary


def test_audio_range_request_returns_206(signed_in, client):
    """A Range request returns 206 with just those bytes and a Content-Range header."""
    response = client.get(
        f"/audio/answers/{signed_in.transcribed.id}.mp3", headers={"Range": "bytes=100-299"}
    )
    assert response.status_code == 206
    assert response.data == AUDIO_BYTES[100:300]
    assert response.headers["Content-Range"] == f"bytes 100-299/{len(AUDIO_BYTES)}"
    assert response.headers["Content-Length"] == "200"


def test_audio_open_ended_range(signed_in, client):
    """An open-ended range (what a player sends when seeking) returns the rest of the file."""
    response = client.get(
        f"/audio/answers/{signed_in.transcribed.id}.mp3", headers={"Range": "bytes=4000-"}
    )
    assert response.status_code == 206
    assert response.data == AUDIO_BYTES[4000:]


def test_audio_unsatisfiable_range_is_416(signed_in, client):
    """A range past the end of the file is refused with 416."""
    response = client.get(
        f"/audio/answers/{signed_in.transcribed.id}.mp3", headers={"Range": "bytes=99999-"}
    )
    assert response.status_code == 416


def test_audio_without_file_is_404(signed_in, client):
    """An answer with no playback file (or a file gone from the store) is 404."""
    assert client.get(f"/audio/answers/{signed_in.failed.id}.mp3").status_code == 404


def test_audio_download_is_an_attachment(signed_in, client):
    """?download=1 asks the browser to save the file."""
    response = client.get(f"/audio/answers/{signed_in.transcribed.id}.mp3?download=1")
    assert response.headers["Content-Disposition"].startswith("attachment;")


# ---------------------------------------------------------------- scoring


def answer_scores(db, answer_id=None):
    query = select(Score).order_by(Score.id)
    query = query.where(Score.answer_id == answer_id if answer_id else Score.answer_id.is_(None))
    db.expire_all()
    return db.scalars(query).all()


def test_score_post_without_csrf_token_is_rejected(signed_in, db, client):
    """A score POST without the CSRF token is refused with 400 and saves nothing."""
    answer = signed_in.transcribed
    response = client.post(f"/answers/{answer.id}/score", data={f"answer-{answer.id}-value": "5"})
    assert response.status_code == 400
    assert answer_scores(db, answer.id) == []


def test_scoring_an_answer_creates_then_updates_one_row(signed_in, db, client):
    """Scoring twice leaves one row for this reviewer and answer, with the latest values."""
    answer = signed_in.transcribed
    url = f"/candidates/{signed_in.candidate.id}"
    action = f"/answers/{answer.id}/score"
    prefix = f"answer-{answer.id}"

    response = submit(
        client,
        parse(client.get(url).data),
        action,
        **{f"{prefix}-value": "3", f"{prefix}-note": "Hesitant"},
    )
    assert response.status_code == 302
    assert response.location == f"{url}#answer-{answer.id}"
    [score] = answer_scores(db, answer.id)
    assert (score.value, score.note, score.reviewer_id) == (3, "Hesitant", signed_in.user.id)

    page = parse(client.get(url).data)
    assert "Your score for question 1 is saved." in flashes(page)
    response = submit(client, page, action, **{f"{prefix}-value": "5", f"{prefix}-note": ""})
    assert response.status_code == 302
    [updated] = answer_scores(db, answer.id)
    assert (updated.id, updated.value, updated.note) == (score.id, 5, "")


def test_overall_score_creates_then_updates_one_row(signed_in, db, client):
    """The overall score is one row per reviewer per candidate."""
    url = f"/candidates/{signed_in.candidate.id}"
    action = f"{url}/score"
    submit(client, parse(client.get(url).data), action, **{"overall-value": "2"})
    submit(
        client,
        parse(client.get(url).data),
        action,
        **{"overall-value": "4", "overall-note": "Strong finish"},
    )
    [score] = answer_scores(db)
    assert (score.value, score.note, score.candidate_id) == (
        4,
        "Strong finish",
        signed_in.candidate.id,
    )
    page = parse(client.get(url).data)
    assert page.one("section", id="overall").one("form").form_fields()["overall-value"] == "4"


@pytest.mark.parametrize("value", ["0", "6", "-1", "abc", "", None])
def test_score_outside_1_to_5_is_rejected(signed_in, db, client, value):
    """Values outside 1..5 (or none) save nothing and re-show the form with an error."""
    answer = signed_in.transcribed
    url = f"/candidates/{signed_in.candidate.id}"
    action = f"/answers/{answer.id}/score"
    page = parse(client.get(url).data)
    data = page.one("form", action=action).form_fields()
    if value is not None:
        data[f"answer-{answer.id}-value"] = value
    response = client.post(action, data=data)
    assert response.status_code == 422
    assert answer_scores(db, answer.id) == []
    shown = parse(response.data).one("form", action=action)
    assert shown.one("p", cls="field-error").text()
    assert shown.one("fieldset").attrs["aria-describedby"]


def test_note_too_long_is_rejected(signed_in, db, client):
    """A note over 2000 characters is refused."""
    answer = signed_in.transcribed
    page = parse(client.get(f"/candidates/{signed_in.candidate.id}").data)
    response = submit(
        client,
        page,
        f"/answers/{answer.id}/score",
        **{f"answer-{answer.id}-value": "3", f"answer-{answer.id}-note": "x" * 2001},
    )
    assert response.status_code == 422
    assert answer_scores(db, answer.id) == []


def test_two_reviewers_get_a_score_each(signed_in, db, client, auth):
    """Each reviewer's score is their own row."""
    make_user(db, signed_in.user.organization, email="second@acme.test")
    db.commit()
    answer = signed_in.transcribed
    url = f"/candidates/{signed_in.candidate.id}"
    action = f"/answers/{answer.id}/score"
    submit(client, parse(client.get(url).data), action, **{f"answer-{answer.id}-value": "2"})
    auth.logout()
    auth.login(email="second@acme.test")
    submit(client, parse(client.get(url).data), action, **{f"answer-{answer.id}-value": "4"})
    scores = answer_scores(db, answer.id)
    assert sorted(s.value for s in scores) == [2, 4]
    assert len({s.reviewer_id for s in scores}) == 2


# ---------------------------------------------------------------- retry


def test_retry_requeues_the_fetch(signed_in, db, client, redis_conn):
    """Retry resets the failed answer and puts the fetch job on the recordings queue."""
    answer = signed_in.failed
    url = f"/candidates/{signed_in.candidate.id}"
    response = submit(client, parse(client.get(url).data), f"/answers/{answer.id}/retry")
    assert response.status_code == 302
    db.refresh(answer)
    assert (answer.status, answer.attempts_failed, answer.error) == (
        AnswerStatus.ANNOUNCED,
        0,
        None,
    )
    jobs = Queue(FETCH_RECORDING.queue, connection=redis_conn).jobs
    assert [(job.func_name, job.args) for job in jobs] == [(FETCH_RECORDING.name, (answer.id,))]
    assert "Processing question 2 again." in flashes(parse(client.get(url).data))


def test_retry_of_an_answer_not_failed_queues_nothing(signed_in, client, redis_conn):
    """Retrying twice (or an answer that is fine) queues the fetch only once."""
    answer = signed_in.failed
    url = f"/candidates/{signed_in.candidate.id}"
    page = parse(client.get(url).data)
    token = page.one("form", action=f"/answers/{answer.id}/retry").form_fields()
    client.post(f"/answers/{answer.id}/retry", data=token)
    client.post(f"/answers/{answer.id}/retry", data=token)
    client.post(f"/answers/{signed_in.transcribed.id}/retry", data=token)
    assert Queue(FETCH_RECORDING.queue, connection=redis_conn).count == 1


def test_retry_without_csrf_token_is_rejected(signed_in, db, client, redis_conn):
    """A retry POST without the CSRF token is refused and queues nothing."""
    response = client.post(f"/answers/{signed_in.failed.id}/retry")
    assert response.status_code == 400
    assert Queue(FETCH_RECORDING.queue, connection=redis_conn).count == 0


# ---------------------------------------------------------------- bounded queries


def test_candidate_page_queries_do_not_grow_with_answers(signed_in, db, app, client, settings):
    """The candidate page uses the same number of queries for 2 or 8 questions."""
    client.get("/")  # warm the pool and the user loader's first connection
    with count_queries(app) as small:
        assert client.get(f"/candidates/{signed_in.candidate.id}").status_code == 200
    big_interview = make_interview(
        db,
        signed_in.user.organization,
        phone_number="+15550100400",
        questions=tuple(f"Question {n}?" for n in range(8)),
    )
    big = make_candidate(db, big_interview, name="Bo Big")
    for position in range(1, 9):
        answer = add_answer(
            db,
            big,
            position,
            status=AnswerStatus.TRANSCRIBED,
            segments=[{"start": 0, "end": 1, "text": "hello"}],
        )
        store_audio(settings, answer)
        db.add(Score(reviewer=signed_in.user, candidate_id=big.id, answer_id=answer.id, value=3))
    db.commit()
    with count_queries(app) as large:
        assert client.get(f"/candidates/{big.id}").status_code == 200
    # The user, the candidate with questions and answers, then one query per part of
    # the page (scores, rubric scores, criteria, comments, decisions, texts, calls, the
    # organisation's retention period), and the audit entry of the view (the chain's
    # lock, its last entry, the insert).
    assert len(large) == len(small) <= 17


def test_interview_page_queries_do_not_grow_with_candidates(signed_in, db, app, client):
    """The interview page uses the same number of queries for 1 or 12 candidates."""
    client.get("/")
    with count_queries(app) as small:
        client.get(f"/interviews/{signed_in.interview.id}")
    for n in range(11):
        candidate = make_candidate(db, signed_in.interview, name=f"Person {n}", phone=None)
        candidate.status = CandidateStatus.IN_PROGRESS
        add_answer(db, candidate, 1, status=AnswerStatus.STORED)
    db.commit()
    with count_queries(app) as large:
        client.get(f"/interviews/{signed_in.interview.id}")
    assert len(large) == len(small) <= 13


def test_interviews_list_queries_do_not_grow(signed_in, db, app, client):
    """The interviews list is one query however many interviews there are."""
    client.get("/")
    with count_queries(app) as small:
        client.get("/")
    for n in range(5):
        make_interview(db, signed_in.user.organization, phone_number=f"+1555010050{n}")
    db.commit()
    with count_queries(app) as large:
        client.get("/")
    assert len(large) == len(small) <= 3


def test_added_is_not_called_invited_until_the_invitation_text_went_out(signed_in, db, client):
    """A candidate never texted reads "Not started" / "Not invited yet" and "Added …" on
    their page, and the funnel starts at "Added"; once the text is sent the note goes and
    the candidate page says when it was texted."""
    from datetime import UTC, datetime

    from voice.messages import INVITATION
    from voice.models import Message

    ivy = make_candidate(db, signed_in.interview, name="Ivy Added", phone="+15557650000")
    db.commit()
    page = parse(client.get(f"/interviews/{signed_in.interview.id}").data)
    assert candidate_cells(page)["Ivy Added"]["Status"] == "Not started Not invited yet"
    assert page.one("ol", cls="funnel-steps").find_all("li")[0].text() == "2 Added"
    options = [o.text() for o in page.one("select", id="f-status").find_all("option")]
    assert "Not started" in options and "Invited" not in options
    facts = parse(client.get(f"/candidates/{ivy.id}").data).one("dl", cls="facts").text()
    assert "Added" in facts and "Not invited yet" in facts and "Invited" not in facts

    db.add(
        Message(
            candidate_id=ivy.id,
            kind=INVITATION,
            to=ivy.phone,
            body="Call +15550100200, PIN 1234",
            message_sid="SM" + "1" * 32,
            sent_at=datetime.now(UTC),
        )
    )
    db.commit()
    page = parse(client.get(f"/interviews/{signed_in.interview.id}").data)
    assert candidate_cells(page)["Ivy Added"]["Status"] == "Not started"
    state = parse(client.get(f"/candidates/{ivy.id}").data).one("dd", id="invitation-state")
    assert state.text() == "Texted just now"
