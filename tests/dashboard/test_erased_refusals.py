"""An erased candidate is refused on the server at the dashboard's every write: scores,
rubric scores, comments, decisions (one or many), retries, accommodations, "Call me
now", exports (their copy and the interview's CSV), share links, invitations and legal
holds. The refusal is a flash and a redirect, and nothing is stored; the same posts
still work for a candidate who is not erased."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from rq import Queue
from sqlalchemy import func, select

import tests.dashboard.standin_app as standin
from dashboard.access import ERASED_MESSAGE
from tests.dashboard.conftest import World, flashes
from tests.dashboard.html import parse
from tests.factories import make_candidate
from voice import erasure
from voice.models import (
    Answer,
    AuditEvent,
    Call,
    Candidate,
    CandidateStatus,
    Comment,
    CriterionScore,
    Decision,
    Message,
    RubricCriterion,
    Score,
    ShareLink,
)

app, twilio = standin.app, standin.twilio  # the Twilio stand-in and the app using it


@pytest.fixture
def world_with_rubric(signed_in, db) -> World:
    """The signed-in world, with a rubric criterion on the first question (`criterion_id`),
    and its candidate part-way (so "call me now" and an invitation have something to ask)."""
    signed_in.candidate.status = CandidateStatus.IN_PROGRESS
    criterion = RubricCriterion(
        question_id=signed_in.transcribed.question_id, position=1, name="Clarity"
    )
    db.add(criterion)
    db.commit()
    signed_in.criterion_id = criterion.id  # type: ignore[attr-defined]
    return signed_in


def erase(db, world: World) -> None:
    """Erase the world's candidate (pending: the workers still owe the audio)."""
    erasure.erase_candidate(db, world.candidate)
    db.commit()
    assert world.candidate.erasure_requested_at is not None


def token(client) -> str:
    return parse(client.get("/").data).one("input", name="csrf_token").attrs["value"]


def stored(session_factory, redis_conn, twilio, world: World) -> dict:
    """Everything a refused action must leave as it was, for the world's organisation."""
    cid = world.candidate.id
    with session_factory() as s:

        def count(model, *where) -> int:
            return s.scalar(select(func.count()).select_from(model).where(*where))

        candidate = s.get(Candidate, cid)
        answer_ids = select(Answer.id).where(Answer.candidate_id == cid)
        return {
            "scores": count(Score, Score.candidate_id == cid),
            "criterion_scores": count(CriterionScore, CriterionScore.answer_id.in_(answer_ids)),
            "comments": count(Comment, Comment.candidate_id == cid),
            "decisions": count(Decision, Decision.candidate_id == cid),
            "messages": count(Message, Message.candidate_id == cid),
            "calls": count(Call, Call.candidate_id == cid),
            "share_links": count(ShareLink),
            # Opening a page is audited ("candidate_viewed"); no change may be.
            "audit": sorted(
                s.scalars(
                    select(AuditEvent.action).where(AuditEvent.action != "candidate_viewed")
                ).all()
            ),
            "candidate": (
                candidate.decision,
                candidate.extra_time,
                candidate.slow_speech,
                candidate.legal_hold,
            ),
            "answers": sorted(
                s.execute(select(Answer.id, Answer.status).where(Answer.candidate_id == cid)).all()
            ),
            "jobs": sum(q.count for q in Queue.all(connection=redis_conn)),
            "twilio_calls": len(twilio.outbound_calls),
        }


@dataclass(frozen=True)
class Action:
    """A dashboard post: its path, form, what it stores when allowed, and where a refusal
    sends the browser back to."""

    path: Callable[[World], str]
    form: Callable[[World], dict]
    stores: tuple[str, ...]  # keys of `stored` that change when the action is allowed
    back: Callable[[World], str] = lambda w: f"/candidates/{w.candidate.id}"
    refusal: str = ERASED_MESSAGE


def score_form(prefix: str, value: str = "4") -> dict:
    return {f"{prefix}-value": value, f"{prefix}-note": "Clear answer"}


ACTIONS = {
    "score an answer": Action(
        lambda w: f"/answers/{w.transcribed.id}/score",
        lambda w: score_form(f"answer-{w.transcribed.id}"),
        ("scores", "audit"),
    ),
    "score overall": Action(
        lambda w: f"/candidates/{w.candidate.id}/score",
        lambda w: score_form("overall"),
        ("scores", "audit"),
    ),
    "score the rubric": Action(
        lambda w: f"/answers/{w.transcribed.id}/rubric",
        lambda w: {f"criterion-{w.criterion_id}": "5"},
        ("criterion_scores", "audit"),
    ),
    "comment": Action(
        lambda w: f"/candidates/{w.candidate.id}/comments",
        lambda w: {"body": "Strong on safety."},
        ("comments", "audit"),
    ),
    "comment on an answer": Action(
        lambda w: f"/candidates/{w.candidate.id}/comments",
        lambda w: {"body": "Good example.", "answer_id": str(w.transcribed.id)},
        ("comments", "audit"),
    ),
    "decide and text": Action(
        lambda w: f"/candidates/{w.candidate.id}/decision",
        lambda w: {"decision": "advance", "notify": "1", "feedback": "Well done"},
        ("decisions", "messages", "audit", "candidate", "jobs"),
    ),
    "decide in bulk": Action(
        lambda w: f"/interviews/{w.interview.id}/decisions",
        lambda w: {"decision": "reject", "candidate_ids": [str(w.candidate.id)]},
        ("decisions", "audit", "candidate"),
        back=lambda w: f"/interviews/{w.interview.id}",
    ),
    "retry a failed answer": Action(
        lambda w: f"/answers/{w.failed.id}/retry",
        lambda w: {},
        ("answers", "jobs"),
    ),
    "save accommodations": Action(
        lambda w: f"/candidates/{w.candidate.id}/accommodations",
        lambda w: {"extra_time": "2", "slow_speech": "1"},
        ("candidate",),
    ),
    "call me now": Action(
        lambda w: f"/candidates/{w.candidate.id}/call",
        lambda w: {},
        ("calls", "twilio_calls", "audit"),
    ),
    "export their data": Action(
        lambda w: f"/candidates/{w.candidate.id}/export",
        lambda w: {},
        ("audit",),
    ),
    "share a link": Action(
        lambda w: "/share",
        lambda w: {"candidate_ids": [str(w.candidate.id)], "days": "7"},
        ("share_links", "audit"),
        back=lambda w: "/share/links",
    ),
    "invite by SMS": Action(
        lambda w: f"/interviews/{w.interview.id}/invite",
        lambda w: {"candidate_ids": [str(w.candidate.id)]},
        ("messages", "jobs"),
        back=lambda w: f"/interviews/{w.interview.id}",
        refusal="Skipped 1 (erased): Erasure pending.",
    ),
    "text the invitation (Manage page)": Action(
        lambda w: f"/candidates/{w.candidate.id}/invite",
        lambda w: {},
        ("messages", "jobs"),
        back=lambda w: f"/candidates/{w.candidate.id}/manage",
        refusal="No invitation sent: this candidate's personal data, phone included, was erased.",
    ),
    "put on legal hold": Action(
        lambda w: f"/candidates/{w.candidate.id}/legal-hold",
        lambda w: {"hold": "1"},
        ("candidate", "audit"),
    ),
}


def post(client, world: World, action: Action, csrf: str):
    """Post the action's form with the session's CSRF token (score forms carry it under
    their prefix as well)."""
    form = action.form(world) | {"csrf_token": csrf, "overall-csrf_token": csrf}
    form[f"answer-{world.transcribed.id}-csrf_token"] = csrf
    return client.post(action.path(world), data=form)


@pytest.mark.parametrize("name", ACTIONS)
def test_an_erased_candidate_refuses_the_action_and_nothing_is_stored(
    name, world_with_rubric, db, client, session_factory, redis_conn, twilio
):
    """Each write on an erased candidate redirects with a clear flash (never a 500) and
    stores nothing: no row, no audit entry, no job queued, no call placed."""
    world, action = world_with_rubric, ACTIONS[name]
    erase(db, world)
    csrf = token(client)  # read before the snapshot: opening pages is audited too
    before = stored(session_factory, redis_conn, twilio, world)
    response = post(client, world, action, csrf)
    assert response.status_code == 302, response.data[:500]
    assert response.headers["Location"] == action.back(world)
    assert stored(session_factory, redis_conn, twilio, world) == before
    assert action.refusal in flashes(parse(client.get(response.headers["Location"]).data))


@pytest.mark.parametrize("name", ACTIONS)
def test_the_same_action_works_for_a_candidate_not_erased(
    name, world_with_rubric, client, session_factory, redis_conn, twilio
):
    """The baseline for the refusals above: the same post, on a candidate not erased,
    stores what it is for (so each refusal is the erasure's doing, not a bad form)."""
    world, action = world_with_rubric, ACTIONS[name]
    csrf = token(client)
    before = stored(session_factory, redis_conn, twilio, world)
    response = post(client, world, action, csrf)
    assert response.status_code in (200, 302), response.data[:500]
    after = stored(session_factory, redis_conn, twilio, world)
    changed = {key for key in after if after[key] != before[key]}
    assert changed == set(action.stores)
    if response.status_code == 302:
        shown = flashes(parse(client.get(response.headers["Location"]).data))
        assert action.refusal not in shown


def test_a_fully_erased_candidate_is_refused_too(signed_in, db, client, session_factory):
    """Once nothing is owed (erased, not pending) a score and a decision are still refused."""
    erasure.erase_candidate(db, signed_in.candidate)
    erasure.settle(
        signed_in.candidate,
        answers=[signed_in.transcribed.id, signed_in.failed.id],
        recordings=list(signed_in.candidate.erasure_owed["recordings"]),
    )
    db.commit()
    assert signed_in.candidate.erased_at is not None
    csrf = token(client)
    cid = signed_in.candidate.id
    for path, form in (
        (f"/candidates/{cid}/score", {"overall-value": "5", "overall-csrf_token": csrf}),
        (f"/candidates/{cid}/decision", {"decision": "advance"}),
    ):
        response = client.post(path, data=form | {"csrf_token": csrf})
        assert response.status_code == 302 and response.headers["Location"] == f"/candidates/{cid}"
        assert ERASED_MESSAGE in flashes(parse(client.get(f"/candidates/{cid}").data))
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Score)) == 0
        assert s.scalar(select(func.count()).select_from(Decision)) == 0
        assert s.get(Candidate, cid).decision is None


def test_bulk_decisions_skip_an_erased_candidate_and_decide_the_rest(
    signed_in, db, client, session_factory
):
    """Deciding a selection with an erased candidate in it decides the others, leaves the
    erased one as it was, and says so."""
    other = make_candidate(db, signed_in.interview, name="Eve Early", phone="+15552010011")
    db.commit()
    erase(db, signed_in)
    csrf = token(client)
    response = client.post(
        f"/interviews/{signed_in.interview.id}/decisions",
        data={
            "csrf_token": csrf,
            "decision": "advance",
            "candidate_ids": [str(signed_in.candidate.id), str(other.id)],
        },
    )
    assert response.status_code == 302
    with session_factory() as s:
        decided = s.execute(select(Decision.candidate_id, Decision.decision)).all()
        assert decided == [(other.id, "advance")]
        assert s.get(Candidate, signed_in.candidate.id).decision is None
    shown = flashes(parse(client.get(response.headers["Location"]).data))
    assert "Decision saved: advance for 1 candidate." in shown
    assert "1 selected candidate is erased: nothing of theirs was changed." in shown


def test_a_share_link_leaves_out_an_erased_candidate(signed_in, db, client, session_factory):
    """A link made for a selection with an erased candidate in it names only the others."""
    other = make_candidate(db, signed_in.interview, name="Eve Early", phone="+15552010011")
    db.commit()
    erase(db, signed_in)
    response = client.post(
        "/share",
        data={
            "csrf_token": token(client),
            "days": "3",
            "candidate_ids": [str(signed_in.candidate.id), str(other.id)],
        },
    )
    assert response.status_code == 200
    page = parse(response.data)
    assert any("The link leaves them out." in text for text in flashes(page))
    with session_factory() as s:
        [link] = s.scalars(select(ShareLink)).all()
        assert link.candidate_ids == [other.id] and link.label == "Eve Early"


def test_inviting_everyone_skips_an_erased_candidate(
    signed_in, db, client, session_factory, redis_conn
):
    """ "Invite all" texts the others and lists the erased candidate as skipped."""
    other = make_candidate(db, signed_in.interview, name="Eve Early", phone="+15552010011")
    db.commit()
    erase(db, signed_in)
    page_url = f"/interviews/{signed_in.interview.id}"
    client.post(f"{page_url}/invite", data={"csrf_token": token(client), "all": "1"})
    with session_factory() as s:
        assert s.scalars(select(Message.candidate_id)).all() == [other.id]
    shown = flashes(parse(client.get(page_url).data))
    assert "Invitation texts queued for 1 candidate." in shown
    assert "Skipped 1 (erased): Erasure pending." in shown


def test_the_interview_csv_leaves_out_erased_candidates(signed_in, db, client):
    """The interview's CSV export has a line for each candidate not erased, none for an
    erased one (not even the anonymous record)."""
    other = make_candidate(db, signed_in.interview, name="Eve Early", phone="+15552010011")
    db.commit()
    erase(db, signed_in)
    response = client.get(f"/interviews/{signed_in.interview.id}/export.csv")
    assert response.status_code == 200
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == [str(other.id)]
    assert "Erasure pending" not in response.get_data(as_text=True)


# ---------------------------------------------------------------- keyboard scoring (fetch)

JSON = {"Accept": "application/json", "X-Requested-With": "fetch"}

SCORE_POSTS = {
    "an answer": (lambda w: f"/answers/{w.transcribed.id}/score", lambda w: w.transcribed.id),
    "overall": (lambda w: f"/candidates/{w.candidate.id}/score", lambda w: None),
}


def audit_actions(session_factory) -> list[str]:
    with session_factory() as s:
        return sorted(s.scalars(select(AuditEvent.action)).all())


def score_post(client, world: World, name: str, csrf: str, headers: dict):
    path, answer_id = SCORE_POSTS[name]
    prefix = f"answer-{answer_id(world)}" if answer_id(world) else "overall"
    form = score_form(prefix) | {f"{prefix}-csrf_token": csrf, "csrf_token": csrf}
    return client.post(path(world), data=form, headers=headers)


@pytest.mark.parametrize("name", SCORE_POSTS)
def test_a_score_posted_by_the_page_script_is_answered_in_json(
    name, signed_in, client, session_factory
):
    """A score post accepting JSON (review.js) gets 200 JSON, is stored and audited as a
    score, and neither logs a candidate view nor leaves a flash for the next page."""
    csrf = token(client)
    before = audit_actions(session_factory)
    response = score_post(client, signed_in, name, csrf, JSON)
    assert response.status_code == 200, response.data[:500]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["saved"] is True and body["value"] == 4
    assert body["answer_id"] == SCORE_POSTS[name][1](signed_in)
    assert "is saved" in body["message"]
    with session_factory() as s:
        values = s.scalars(select(Score.value).where(Score.candidate_id == signed_in.candidate.id))
        assert list(values) == [4]
    assert audit_actions(session_factory) == sorted([*before, "score"])
    assert flashes(parse(client.get(f"/candidates/{signed_in.candidate.id}").data)) == []


@pytest.mark.parametrize("name", SCORE_POSTS)
def test_a_score_posted_by_the_page_script_on_an_erased_candidate_is_a_409_in_json(
    name, signed_in, db, client, session_factory, redis_conn, twilio
):
    """Erased: the JSON-accepting post gets 409 JSON with the refusal (no redirect to
    follow), stores nothing, logs no view and leaves no flash behind."""
    erase(db, signed_in)
    csrf = token(client)
    before = stored(session_factory, redis_conn, twilio, signed_in)
    before_audit = audit_actions(session_factory)
    response = score_post(client, signed_in, name, csrf, JSON)
    assert response.status_code == 409, response.data[:500]
    assert response.mimetype == "application/json"
    assert response.get_json() == {"error": "candidate-erased", "message": ERASED_MESSAGE}
    assert stored(session_factory, redis_conn, twilio, signed_in) == before
    assert audit_actions(session_factory) == before_audit
    assert flashes(parse(client.get(f"/candidates/{signed_in.candidate.id}").data)) == []


def test_a_score_form_posted_without_script_still_redirects_with_a_flash(signed_in, client):
    """A plain form post (a browser's own Accept header) keeps the redirect and flash."""
    csrf = token(client)
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    response = score_post(client, signed_in, "an answer", csrf, browser)
    assert response.status_code == 302
    shown = flashes(parse(client.get(response.headers["Location"]).data))
    assert any("is saved" in line for line in shown)
