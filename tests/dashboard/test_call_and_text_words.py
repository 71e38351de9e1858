"""Calls and texts in words for people (a new-user trial saw "in-progress", "no-answer" and
"decision:advance"): the Manage page while a "call me now" call is under way, the
candidate page's Calls and Texts lists, and the insights chart of how calls end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from dashboard.presenters import call_words, message_kind_words
from ivr.flow import FINAL_CALL_STATUSES, NOT_CONNECTED
from ivr.outbound import UNDER_WAY_WORDS
from tests.dashboard.conftest import flashes
from tests.dashboard.html import parse
from tests.dashboard.test_candidates import part_way, token
from voice.apikeys import create_key
from voice.candidate_record import candidate_record
from voice.models import Call, Candidate, CandidateStatus, Message


def call(db, candidate, n: int, status: str, outcome: str | None = None, minutes_ago: int = 0):
    """A call of the candidate's, `minutes_ago` old; "call me now" unless it is numbered 9."""
    row = Call(
        call_sid=f"CA{n:032d}",
        candidate_id=candidate.id,
        interview_id=candidate.interview_id,
        direction="inbound" if n == 9 else "outbound-api",
        status=status,
        outcome=outcome,
        started_at=datetime.now(UTC) - timedelta(minutes=minutes_ago),
    )
    db.add(row)
    db.commit()
    return row


def call_card(client, candidate_id: int):
    """The Manage page's "Call me now" card."""
    page = parse(client.get(f"/candidates/{candidate_id}/manage").data)
    return page.one("section", aria_labelledby="call-heading")


def test_the_manage_page_shows_a_call_under_way_instead_of_the_button(
    signed_in, app, client, db, monkeypatch
):
    """Right after "Call me now" the card says the call's state in words, links to the
    candidate's page to follow it and offers no second press; as the call rings the words
    follow its status; once it ends, the button is back."""
    part_way(signed_in, db)
    monkeypatch.setattr(
        app.extensions["screenline"].twilio, "create_call", lambda **kw: "CA" + "7" * 32
    )
    candidate = signed_in.candidate
    manage = f"/candidates/{candidate.id}/manage"
    client.post(f"/candidates/{candidate.id}/call", data={"csrf_token": token(client, manage)})
    page = parse(client.get(manage).data)
    assert "Calling Dana Diaz at +15557654321 now." in flashes(page)
    card = page.one("section", aria_labelledby="call-heading")
    assert card.one("p", id="call-under-way").text() == (
        f"Calling now: {UNDER_WAY_WORDS['queued']}"
    )
    assert card.find_all("button") == [] and card.find("form") is None
    follow = card.one("a", href=f"/candidates/{candidate.id}#calls")
    assert follow.text() == "Follow the call on Dana Diaz's page"

    placed = db.scalar(select(Call).where(Call.candidate_id == candidate.id))
    placed.status = "ringing"
    db.commit()
    assert call_card(client, candidate.id).one("p", id="call-under-way").text() == (
        "Calling now: ringing"
    )
    placed.status, placed.outcome = "no-answer", "no answer"
    db.commit()
    card = call_card(client, candidate.id)
    assert card.find("p", id="call-under-way") is None
    assert card.one("button").text() == "Call +15557654321 now"


def test_an_inbound_or_stale_call_does_not_hide_the_button(signed_in, client, db):
    """Only our own call still under way replaces the button (ivr.outbound.call_under_way):
    not the candidate's own call in, nor one queued past the bound (its callbacks lost)."""
    part_way(signed_in, db)
    candidate = signed_in.candidate
    call(db, candidate, 9, "in-progress")  # they called in themselves
    call(db, candidate, 1, "queued", minutes_ago=30)
    card = call_card(client, candidate.id)
    assert card.find("p", id="call-under-way") is None
    assert card.one("button").text() == "Call +15557654321 now"


def test_the_calls_list_words_every_status_and_outcome(signed_in, client, db):
    """The candidate page lists calls as people say them, never Twilio's raw words."""
    candidate = signed_in.candidate
    candidate.status = CandidateStatus.IN_PROGRESS
    lines = [
        ("completed", "completed", "Completed"),
        ("no-answer", None, "No answer"),  # the status callback's word, no outcome yet
        ("completed", "hung up at question 2", "Hung up at question 2"),
        ("completed", "wrong PIN", "Wrong PIN"),
        ("in-progress", None, "In progress"),
    ]
    for n, (status, outcome, _) in enumerate(lines, start=1):
        call(db, candidate, n, status, outcome, minutes_ago=10 * (len(lines) - n))
    card = parse(client.get(f"/candidates/{candidate.id}").data).one("section", id="calls")
    shown = [strong.text() for strong in card.find_all("strong", cls="call-outcome")]
    assert shown == [words for _, _, words in reversed(lines)]


def test_every_call_status_and_outcome_reads_as_words():
    """Each CallStatus Twilio sends, and each outcome the flow leaves, starts with a capital
    and has no hyphen; an unknown value reads as itself, capitalised."""
    statuses = set(UNDER_WAY_WORDS) | set(FINAL_CALL_STATUSES) | set(NOT_CONNECTED)
    for status in statuses:
        words = call_words(status)
        assert "-" not in words and words[0].isupper(), (status, words)
    assert call_words("no-answer") == "No answer"
    assert call_words("in-progress") == "In progress"
    assert call_words("initiated") == "Being dialled"
    assert call_words(None) == "Still in progress"
    assert call_words("step limit") == "Step limit"


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("invitation", "Invitation"),
        ("receipt", "Receipt"),
        ("decision:advance", "Decision: Advance"),
        ("decision:reject", "Decision: Reject"),
        ("decision:hold:2", "Decision: Hold"),  # the second Hold text (review.decisions)
        ("decision:advance:12", "Decision: Advance"),
        ("reminder:48h", "Reminder (48 hours before)"),
        ("reminder:1d", "Reminder (1 day before)"),
        ("reminder:30m", "Reminder (30 minutes before)"),
        ("reminder:soon", "Reminder (soon before)"),  # not a label the rule takes
    ],
)
def test_every_message_kind_reads_as_words(kind, words):
    """voice.messages' kinds, as the Texts list shows them."""
    assert message_kind_words(kind) == words


def test_the_texts_list_words_each_kind(signed_in, client, db):
    """The candidate page's Texts list says "Decision: Advance", not "decision:advance";
    the raw kind stays only in the data attribute scripts use."""
    candidate = signed_in.candidate
    kinds = ["invitation", "reminder:48h", "decision:advance", "receipt"]
    for minutes, kind in enumerate(reversed(kinds)):
        db.add(
            Message(
                candidate_id=candidate.id,
                kind=kind,
                to=candidate.phone,
                body="Hello",
                created_at=datetime.now(UTC) - timedelta(minutes=minutes),
            )
        )
    db.commit()
    page = parse(client.get(f"/candidates/{candidate.id}").data)
    items = page.one("ol", cls="messages").find_all("li")
    assert [li.attrs["data-message-kind"] for li in items] == list(reversed(kinds))
    assert [li.one("span", cls="message-kind").text() for li in items] == [
        "Receipt",
        "Decision: Advance",
        "Reminder (48 hours before)",
        "Invitation",
    ]
    assert ":advance" not in page.one("ol", cls="messages").text()


def test_the_texts_list_names_each_decision_and_who_sent_it(signed_in, client, db, app):
    """A new-user trial decided Advance on the page, Hold in bulk, Advance through the API
    (a key), Hold on the page again, and read "Decision: advance:2 · by Screenline
    (automatic)" and "Decision: hold:2": each text reads as its decision's label, and the
    API's is sent "by API key “Greenhouse sync”", as the audit trail names the key."""
    candidate, manager = signed_in.candidate, signed_in.user
    _, key = create_key(db, manager.organization, "Greenhouse sync", created_by_id=manager.id)
    db.commit()
    page_url = f"/candidates/{candidate.id}"

    def on_page(decision: str) -> None:
        form = {"csrf_token": token(client, page_url), "decision": decision, "notify": "1"}
        response = client.post(f"{page_url}/decision", data=form)
        assert response.status_code == 302

    on_page("advance")
    response = client.post(
        f"/interviews/{candidate.interview_id}/decisions",
        data={
            "csrf_token": token(client, page_url),
            "candidate_ids": [candidate.id],
            "decision": "hold",
            "notify": "y",
        },
    )
    assert response.status_code == 302
    response = app.test_client().post(
        f"/api/v1/candidates/{candidate.id}/decision",
        json={"decision": "advance", "notify": True},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200, response.data
    on_page("hold")

    kinds = db.scalars(select(Message.kind).order_by(Message.id)).all()
    assert kinds == ["decision:advance", "decision:hold", "decision:advance:2", "decision:hold:2"]
    page = parse(client.get(page_url).data)
    items = page.one("ol", cls="messages").find_all("li")
    manager_name = manager.name or manager.email
    assert [
        (li.one("span", cls="message-kind").text(), li.text().split(" · ")[1]) for li in items
    ] == [
        ("Decision: Hold", f"by {manager_name}"),
        ("Decision: Advance", "by API key “Greenhouse sync”"),
        ("Decision: Hold", f"by {manager_name}"),
        ("Decision: Advance", f"by {manager_name}"),
    ]
    # The decision history names the key too, not the key's creator (migration 0027).
    section = page.one("section", id="decision")
    history = next(
        ol for ol in section.find_all("ol", cls="history") if "messages" not in ol.classes()
    )
    assert [li.text().split(" · ")[0] for li in history.find_all("li")] == [
        f"Hold by {manager_name}",
        "Advance by API key “Greenhouse sync”",
        f"Hold by {manager_name}",
        f"Advance by {manager_name}",
    ]
    # And so does the candidate's own copy of their data.
    record = candidate_record(db, db.get(Candidate, candidate.id))
    assert [d["by"] for d in record["decisions"]] == [
        manager_name,
        manager_name,
        "API key “Greenhouse sync”",
        manager_name,
    ]
    sent_by = {m["kind"]: m["sent_by"] for m in record["messages"]}
    assert sent_by["decision:advance:2"] == "API key “Greenhouse sync”"
    assert sent_by["decision:advance"] == sent_by["decision:hold:2"] == manager_name
