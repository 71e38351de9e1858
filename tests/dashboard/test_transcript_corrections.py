"""Checking and correcting a transcript on the candidate page: the flag leaves the lists,
a correction is what search, the CSV, the API and share links read, the machine's text
stays, and only the organisation's users, with the form's CSRF token, can do either."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.dashboard.conftest import add_answer, flashes
from tests.dashboard.html import parse
from tests.dashboard.review_support import csrf_token, teammate
from tests.factories import make_candidate
from voice import erasure
from voice.apikeys import create_key
from voice.corrections import MAX_CHARS
from voice.dates import short_date
from voice.models import Answer, AnswerStatus, AuditEvent, CandidateStatus, Role

MACHINE = "Trabajé tres años en un almacén manejando montacargas."
CORRECTED = "Trabajé tres años en una bodega manejando montacargas eléctricos."


@pytest.fixture
def flagged(signed_in, db):
    """A second completed candidate whose Spanish answer to an English interview is
    flagged; the organisation reads dates in Chicago."""
    signed_in.user.organization.time_zone = "America/Chicago"
    signed_in.user.name = "Morgan Manager"
    candidate = make_candidate(db, signed_in.interview, name="Lucía López", phone=None)
    candidate.status = CandidateStatus.COMPLETED
    answer = add_answer(
        db,
        candidate,
        1,
        status=AnswerStatus.TRANSCRIBED,
        recording_sid="RE" + "7" * 32,
        transcript=MACHINE,
        segments=[{"start": 0.0, "end": 4.0, "text": MACHINE}],
        transcript_language="es",
        transcript_flags=["language"],
        transcript_flagged=True,
    )
    db.commit()
    return answer


def card(client, answer):
    """The answer's card on its candidate page."""
    page = parse(client.get(f"/candidates/{answer.candidate_id}").data)
    return page.one("li", id=f"answer-{answer.id}")


def fresh(db, answer) -> Answer:
    db.expire_all()
    return db.get(Answer, answer.id)


def audit(db, action: str) -> list[AuditEvent]:
    return db.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def to_check(client, signed_in, answer) -> tuple[list[str], str]:
    """The answer ids under "Transcripts to check" on the review queue, and the answer's
    candidate's row on the interview's candidate list."""
    queue = parse(client.get("/review").data).one("section", id="flagged")
    listed = [li.attrs["data-answer-id"] for li in queue.find_all("li")]
    page = parse(client.get(f"/interviews/{signed_in.interview.id}").data)
    row = page.one("tr", data_candidate_id=str(answer.candidate_id))
    return listed, row.text()


def post_form(client, form_card, action: str, **values):
    """Post the card's form with this action, as a browser would, some fields changed."""
    form = form_card.one("form", action=action)
    return client.post(action, data=form.form_fields() | values)


def test_mark_checked_clears_the_flag_from_the_lists_and_says_who(signed_in, flagged, db, client):
    """ "Mark transcript checked" takes the answer off "Transcripts to check" and the
    interview's "1 transcript to check", keeps the machine's flags, says who checked it
    and when (the organisation's day), comes back to the answer, and is audited."""
    listed, row = to_check(client, signed_in, flagged)
    assert listed == [str(flagged.id)] and "1 transcript to check" in row
    before = card(client, flagged)
    assert before.one("p", cls="transcript-flag")
    action = f"/answers/{flagged.id}/transcript/checked"
    assert before.one("form", action=action).one("button").text() == "Mark transcript checked"

    response = post_form(client, before, action)

    assert response.status_code == 302
    assert urlsplit(response.location).path == f"/candidates/{flagged.candidate_id}"
    assert urlsplit(response.location).fragment == f"answer-{flagged.id}"
    listed, row = to_check(client, signed_in, flagged)
    assert listed == [] and "to check" not in row
    queue = parse(client.get("/review").data).one("section", id="flagged")
    assert "No transcript is waiting for you to check." in queue.text()
    answer = fresh(db, flagged)
    assert not answer.transcript_flagged and answer.transcript_flags == ["language"]
    assert answer.transcript_checked_by_id == signed_in.user.id
    after = card(client, flagged)
    assert after.find("p", cls="transcript-flag") is None
    assert after.find("form", action=action) is None
    day = short_date(answer.transcript_checked_at, "America/Chicago", "en-US")
    assert after.one("p", cls="transcript-review").text() == (
        f"Checked by Morgan Manager on {day} (the machine flagged it: answered in Spanish)"
    )
    assert answer.transcript == MACHINE
    [event] = audit(db, "transcript_checked")
    assert (event.answer_id, event.candidate_id) == (flagged.id, flagged.candidate_id)
    assert event.actor_id == signed_in.user.id and event.detail == {"flags": ["language"]}
    # Checked already: a second post changes nothing and writes nothing.
    again = client.post(action, data={"csrf_token": csrf_token(client)}, follow_redirects=True)
    assert "has nothing left to check" in " ".join(flashes(parse(again.data)))
    assert len(audit(db, "transcript_checked")) == 1


def test_a_correction_is_what_search_the_csv_the_api_and_share_links_show(
    signed_in, flagged, db, client, app
):
    """The edited text replaces the machine's in search (its stored search document),
    the CSV export, the API's answer and a share link's page; the machine's text stays,
    shown as "Machine transcript"; saving also checks it, and is audited without the text."""
    action = f"/answers/{flagged.id}/transcript"
    form_card = card(client, flagged)
    edit = form_card.one("details", cls="transcript-edit")
    assert edit.one("summary").text() == "Edit transcript"
    textarea = edit.one("textarea", id=f"transcript-{flagged.id}-text")
    assert edit.one("label", for_=f"transcript-{flagged.id}-text").text() == "Transcript"
    assert textarea.text() == MACHINE

    response = post_form(client, form_card, action, **{f"transcript-{flagged.id}-text": CORRECTED})

    assert response.status_code == 302
    assert urlsplit(response.location).fragment == f"answer-{flagged.id}"
    answer = fresh(db, flagged)
    assert (answer.transcript, answer.machine_transcript) == (CORRECTED, MACHINE)
    assert answer.transcript_edited_by_id == signed_in.user.id
    assert not answer.transcript_flagged and answer.transcript_flags == ["language"]
    assert answer.transcript_checked_at == answer.transcript_edited_at

    said = flashes(parse(client.get(response.location).data))
    assert said == ["Your correction of question 1's transcript is saved."]
    shown = card(client, flagged)
    assert shown.one("p", cls="transcript-text").text() == CORRECTED
    machine = shown.one("details", cls="machine-transcript")
    assert machine.one("summary").text() == "Machine transcript"
    assert MACHINE in machine.text()
    day = short_date(answer.transcript_edited_at, "America/Chicago", "en-US")
    assert shown.one("span", cls="transcript-edited").text() == f"Edited by Morgan Manager on {day}"
    assert shown.find("form", action=f"/answers/{flagged.id}/transcript/checked") is None
    assert to_check(client, signed_in, flagged)[0] == []

    # Search: the new words are found, the machine's replaced ones are not.
    hits = parse(client.get("/search?q=bodega+eléctricos").data).find_all("li", cls="search-hit")
    assert [h.attrs["data-answer-id"] for h in hits] == [str(flagged.id)]
    assert hits[0].find("p", cls="transcript-flag") is None
    assert parse(client.get("/search?q=almacén").data).find_all("li", cls="search-hit") == []

    export = client.get(f"/interviews/{signed_in.interview.id}/export.csv")
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    row = {r["name"]: r for r in rows}["Lucía López"]
    assert row["q1_answer"] == CORRECTED and row["q1_transcript_flag"] == ""

    _, key = create_key(db, signed_in.user.organization, "ATS")
    db.commit()
    api = app.test_client().get(
        f"/api/v1/candidates/{flagged.candidate_id}/results",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert api.status_code == 200, api.data
    [item] = [a for a in api.get_json()["answers"] if a["id"] == flagged.id]
    assert item["transcript"] == CORRECTED and item["machine_transcript"] == MACHINE
    assert item["transcript_edited_at"] and item["transcript_checked_at"]

    share = client.post(
        "/share",
        data={
            "csrf_token": csrf_token(client),
            "candidate_ids": [flagged.candidate_id],
            "days": "7",
        },
    )
    path = urlsplit(parse(share.data).one("input", id="share-url").attrs["value"]).path
    visitor = app.test_client()
    name_form = parse(visitor.get(path).data).one("form", action=path)
    visitor.post(path, data=name_form.form_fields() | {"viewer": "Pat"})
    shared = parse(visitor.get(path).data).one("li", id=f"answer-{flagged.id}")
    assert shared.one("p", cls="transcript-text").text() == CORRECTED
    assert MACHINE not in shared.text()

    [event] = audit(db, "transcript_edited")
    assert event.answer_id == flagged.id and event.actor_id == signed_in.user.id
    assert event.detail == {"restored": False, "characters": len(CORRECTED)}
    assert "bodega" not in str(event.detail) + str(event.subject_data)


def test_restoring_the_machine_transcript_undoes_the_correction(signed_in, flagged, db, client):
    """ "Restore the machine transcript" puts the machine's text back (and into search);
    the transcript stays checked."""
    action = f"/answers/{flagged.id}/transcript"
    post_form(client, card(client, flagged), action, **{f"transcript-{flagged.id}-text": CORRECTED})
    restore = card(client, flagged).one("button", name=f"transcript-{flagged.id}-restore")
    assert restore.text() == "Restore the machine transcript"

    response = post_form(
        client, card(client, flagged), action, **{f"transcript-{flagged.id}-restore": "1"}
    )

    assert response.status_code == 302
    answer = fresh(db, flagged)
    assert (answer.transcript, answer.machine_transcript) == (MACHINE, None)
    assert answer.transcript_edited_at is None and answer.transcript_checked_at is not None
    assert not answer.transcript_flagged
    hits = parse(client.get("/search?q=almacén").data).find_all("li", cls="search-hit")
    assert [h.attrs["data-answer-id"] for h in hits] == [str(flagged.id)]
    shown = card(client, flagged)
    assert shown.find("details", cls="machine-transcript") is None
    assert shown.one("span", cls="transcript-checked")
    assert [e.detail["restored"] for e in audit(db, "transcript_edited")] == [False, True]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   \r\n  ", "Type the transcript's text: it cannot be empty."),
        ("a" * (MAX_CHARS + 1), f"A transcript can be at most {MAX_CHARS:,} characters"),
    ],
)
def test_an_empty_or_too_long_transcript_is_refused_and_nothing_is_lost(
    signed_in, flagged, db, client, text, message
):
    """Empty text, or text over the limit: 422, the form open again with the message and
    what was typed; the transcript, its flag and the audit trail are as they were."""
    action = f"/answers/{flagged.id}/transcript"
    response = post_form(
        client, card(client, flagged), action, **{f"transcript-{flagged.id}-text": text}
    )

    assert response.status_code == 422
    page = parse(response.data)
    edit = page.one("li", id=f"answer-{flagged.id}").one("details", cls="transcript-edit")
    assert "open" in edit.attrs
    error = edit.one("p", cls="field-error")
    assert error.text().startswith(message)
    textarea = edit.one("textarea", id=f"transcript-{flagged.id}-text")
    assert textarea.attrs["aria-describedby"] == error.attrs["id"]
    if text.strip():
        assert textarea.text() == text
    assert "The transcript of question 1 was not saved." in flashes(page)
    answer = fresh(db, flagged)
    assert (answer.transcript, answer.machine_transcript) == (MACHINE, None)
    assert answer.transcript_flagged and answer.transcript_checked_at is None
    assert audit(db, "transcript_edited") == []


def test_both_actions_need_the_csrf_token(signed_in, flagged, db, client):
    """A post without the form's CSRF token is refused (400) and changes nothing."""
    checked = client.post(f"/answers/{flagged.id}/transcript/checked")
    edited = client.post(
        f"/answers/{flagged.id}/transcript", data={f"transcript-{flagged.id}-text": CORRECTED}
    )
    assert (checked.status_code, edited.status_code) == (400, 400)
    answer = fresh(db, flagged)
    assert answer.transcript == MACHINE and answer.transcript_flagged
    assert audit(db, "transcript_checked") == audit(db, "transcript_edited") == []


def test_another_organisations_user_gets_404(world, db, client, auth):
    """Another organisation's user (and a reviewer the interview is not shared with)
    gets 404 for both actions, as for the answer's page; nothing changes."""
    world.transcribed.transcript_flags, world.transcribed.transcript_flagged = ["repetition"], True
    outsider = teammate(db, world.user.organization, "reviewer@acme.test", role=Role.REVIEWER)
    db.commit()
    for email in (world.stranger.email, outsider.email):
        auth.login(email)
        token = csrf_token(client)
        checked = client.post(
            f"/answers/{world.transcribed.id}/transcript/checked", data={"csrf_token": token}
        )
        edited = client.post(
            f"/answers/{world.transcribed.id}/transcript",
            data={"csrf_token": token, f"transcript-{world.transcribed.id}-text": "Hacked"},
        )
        assert (checked.status_code, edited.status_code) == (404, 404), email
        auth.logout()
    answer = fresh(db, world.transcribed)
    assert answer.transcript == "I drove a forklift for three years."
    assert answer.transcript_flagged and answer.machine_transcript is None


def test_a_reviewer_the_interview_is_shared_with_may_correct_it(world, db, client, auth):
    """As with scoring, a reviewer who may see the candidate may check and correct."""
    reviewer = teammate(
        db, world.user.organization, "reviewer@acme.test", Role.REVIEWER, [world.interview]
    )
    db.commit()
    auth.login(reviewer.email)
    response = post_form(
        client,
        card(client, world.transcribed),
        f"/answers/{world.transcribed.id}/transcript",
        **{f"transcript-{world.transcribed.id}-text": "I drove a forklift for four years."},
    )
    assert response.status_code == 302
    answer = fresh(db, world.transcribed)
    assert answer.transcript == "I drove a forklift for four years."
    assert answer.transcript_edited_by_id == reviewer.id


def test_an_answer_without_a_transcript_has_no_forms(signed_in, db, client):
    """A failed answer has no transcript to check or correct: no forms, and a post is
    turned away without a change."""
    failed = signed_in.failed
    shown = card(client, failed)
    assert shown.find("details", cls="transcript-edit") is None
    response = client.post(
        f"/answers/{failed.id}/transcript",
        data={"csrf_token": csrf_token(client), f"transcript-{failed.id}-text": "Something"},
    )
    assert response.status_code == 302
    assert fresh(db, failed).transcript is None


def test_erasure_removes_the_machine_transcript_too(signed_in, flagged, db, client):
    """Erasing the candidate removes the corrected text and the machine's."""
    post_form(
        client,
        card(client, flagged),
        f"/answers/{flagged.id}/transcript",
        **{f"transcript-{flagged.id}-text": CORRECTED},
    )
    erasure.erase_candidate(db, fresh(db, flagged).candidate)
    db.commit()
    answer = fresh(db, flagged)
    assert answer.transcript is None and answer.machine_transcript is None


def test_a_correction_is_found_by_search_on_sqlite(sqlite_dashboard):
    """On SQLite (the demo) the FTS5 triggers, rebuilt by migration 0023, follow a correction."""
    from tests.factories import make_interview

    session, client = sqlite_dashboard.session, sqlite_dashboard.client
    interview = make_interview(session, sqlite_dashboard.organization)
    candidate = make_candidate(session, interview)
    candidate.status = CandidateStatus.COMPLETED
    answer = add_answer(
        session, candidate, 1, status=AnswerStatus.TRANSCRIBED, transcript="I drove a truck."
    )
    session.commit()
    form_card = card(client, answer)
    response = post_form(
        client,
        form_card,
        f"/answers/{answer.id}/transcript",
        **{f"transcript-{answer.id}-text": "I drove a forklift."},
    )
    assert response.status_code == 302
    hits = parse(client.get("/search?q=forklift").data).find_all("li", cls="search-hit")
    assert [h.attrs["data-answer-id"] for h in hits] == [str(answer.id)]
    assert parse(client.get("/search?q=truck").data).find_all("li", cls="search-hit") == []
