"""Candidates in bulk: CSV import, invitations, filters, accommodations, "Call me now"."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from rq import Queue
from sqlalchemy import func, select, update

from dashboard.candidates import Filters
from ivr.jobs import SEND_MESSAGE
from ivr.twilio_rest import TwilioError
from tests.dashboard.conftest import add_answer, flashes
from tests.dashboard.html import parse
from tests.factories import make_candidate, make_user
from voice.candidate_import import import_file
from voice.candidates import NEEDS_NAME, NEEDS_PHONE
from voice.messages import INVITATION
from voice.models import Call, Candidate, CandidateStatus, Message, Score


def token(client, url: str) -> str:
    return parse(client.get(url).data).find("input", name="csrf_token").attrs["value"]


def names(page) -> list[str]:
    return [row.one("th").text() for row in page.one("table").one("tbody").find_all("tr")]


CSV = """Name,Phone,Email,External ID
Ana Alvarez,(555) 201-0001,ana@example.com,A-1
Ben Brown,+1 555 201 0002,,B-2
No Phone,,x@example.com,
,5552010004,,
Bad Number,12,,
Ana Again,555.201.0001,,A-9
Dana Dup,+15557654321,dana@example.com,
"""


def test_import_normalises_rejects_and_merges(signed_in, db):
    """Phones become E.164; bad rows are reported with a reason; duplicates merge."""
    report = import_file(db, signed_in.interview, CSV.encode())
    db.commit()
    assert [(c.name, c.phone, c.email, c.external_id) for c in report.added] == [
        ("Ana Alvarez", "+15552010001", "ana@example.com", "A-1"),
        ("Ben Brown", "+15552010002", None, "B-2"),
    ]
    assert [(r.row, r.reasons) for r in report.rejected] == [
        (4, [NEEDS_PHONE]),
        (5, [NEEDS_NAME]),
        (6, ["“12” is not a phone number we can call (it is too short for a +1 number)."]),
    ]
    merged = {row: how for row, _, how in report.merged}
    assert merged[7] == "merged into Ana Alvarez"
    assert merged[8] == "merged into Dana Diaz (added email)"
    phones = db.scalars(
        select(Candidate.phone).where(Candidate.interview_id == signed_in.interview.id)
    ).all()
    assert len(phones) == len(set(phones)) == 3
    assert all(len(c.pin) == 6 for c in report.added)


def test_import_without_a_header_reads_name_phone_email_id(signed_in, db):
    """A file without a header row is read as name, phone, email, external id."""
    report = import_file(db, signed_in.interview, b"Cy Cole,5552010009,cy@example.com,C-3\n")
    assert [(c.name, c.phone, c.external_id) for c in report.added] == [
        ("Cy Cole", "+15552010009", "C-3")
    ]


def test_import_page_shows_the_report(signed_in, db, client):
    """Uploading a CSV shows counts and a table of rejected rows with reasons."""
    url = f"/interviews/{signed_in.interview.id}/import"
    response = client.post(url, data={"csrf_token": token(client, url), "pasted": CSV})
    assert response.status_code == 200
    report = parse(response.data).one("section", cls="import-report")
    assert [li.text() for li in report.one("ul", cls="report-counts").find_all("li")] == [
        "2 added",
        "2 merged duplicates",
        "3 rejected",
    ]
    rows = report.one("table", id="rejected").one("tbody").find_all("tr")
    assert rows[0].one("td", data_label="Reason").text() == NEEDS_PHONE


def test_import_with_nothing_is_a_clear_error(signed_in, client):
    """Importing nothing explains what to do."""
    url = f"/interviews/{signed_in.interview.id}/import"
    response = client.post(url, data={"csrf_token": token(client, url), "pasted": " "})
    assert response.status_code == 422
    assert "Choose a CSV or Excel file" in parse(response.data).one("p", cls="alert").text()


def test_an_empty_file_is_called_empty_not_missing(signed_in, client):
    """An empty uploaded file is reported as empty, not as if no file was chosen."""
    url = f"/interviews/{signed_in.interview.id}/import"
    for content, said in ((b"", "The file is empty."), (b"\n\n , \n", "The file has no rows.")):
        data = {"csrf_token": token(client, url), "file": (io.BytesIO(content), "list.csv")}
        response = client.post(url, data=data, content_type="multipart/form-data")
        assert response.status_code == 422
        assert parse(response.data).one("p", cls="alert").text() == said


def test_a_binary_or_unreadable_csv_is_explained_not_a_server_error(signed_in, db, client):
    """A binary upload is "not a table"; a field past the csv module's limit is a file error."""
    url = f"/interviews/{signed_in.interview.id}/import"
    binary = {
        "csrf_token": token(client, url),
        "file": (io.BytesIO(b"\x89PNG\r\n\x1a\n\x00\x00IHDR"), "photo.csv"),
    }
    response = client.post(url, data=binary, content_type="multipart/form-data")
    assert response.status_code == 422
    alert = parse(response.data).one("p", cls="alert").text()
    assert alert.startswith("This file is not a table we can read.")
    huge = 'name,phone\n"' + "x" * 200_000 + '",5552010001\n'
    response = client.post(url, data={"csrf_token": token(client, url), "pasted": huge})
    assert response.status_code == 422
    alert = parse(response.data).one("p", cls="alert").text()
    assert alert.startswith("The file could not be read as CSV")
    added = select(func.count(Candidate.id)).where(Candidate.interview_id == signed_in.interview.id)
    assert db.scalar(added) == 1  # only the candidate the interview already had


def test_inviting_a_selection_queues_texts_and_skips_the_already_invited(
    signed_in, db, client, redis_conn
):
    """Invitations are queued once per candidate; a second invite is skipped and said so."""
    part_way(signed_in, db)
    other = make_candidate(db, signed_in.interview, name="Eve Early", phone="+15552010011")
    nophone = make_candidate(db, signed_in.interview, name="Nat Nophone", phone=None)
    db.commit()
    page_url = f"/interviews/{signed_in.interview.id}"
    url = f"{page_url}/invite"
    ids = [str(signed_in.candidate.id), str(other.id), str(nophone.id)]
    response = client.post(url, data={"csrf_token": token(client, page_url), "candidate_ids": ids})
    assert response.status_code == 302
    messages = db.scalars(select(Message).order_by(Message.candidate_id)).all()
    assert [(m.candidate_id, m.kind) for m in messages] == [
        (signed_in.candidate.id, INVITATION),
        (other.id, INVITATION),
    ]
    assert "PIN" in messages[0].body
    assert messages[0].sent_by_id == signed_in.user.id
    jobs = Queue(SEND_MESSAGE.queue, connection=redis_conn).jobs
    assert sorted(job.args[0] for job in jobs) == [m.id for m in messages]
    shown = flashes(parse(client.get(page_url).data))
    assert "Invitation texts queued for 2 candidates." in shown
    assert "Skipped 1 (no phone number): Nat Nophone." in shown
    client.post(url, data={"csrf_token": token(client, page_url), "all": "1"})
    shown = flashes(parse(client.get(page_url).data))
    assert "Skipped 2 (already invited): Dana Diaz, Eve Early." in shown
    assert len(Queue(SEND_MESSAGE.queue, connection=redis_conn).jobs) == 2


def test_inviting_skips_those_with_nothing_left_to_answer(signed_in, db, client, redis_conn):
    """Invite all: a candidate who finished (completed or screened out) is skipped and
    named; once the deadline has passed, nobody is texted to call a closed line."""
    done = signed_in.candidate  # completed in the fixture
    out = make_candidate(db, signed_in.interview, name="Oz Out", phone="+15552010012")
    out.status = CandidateStatus.SCREENED_OUT
    fresh = make_candidate(db, signed_in.interview, name="Fay Fresh", phone="+15552010013")
    db.commit()
    page_url = f"/interviews/{signed_in.interview.id}"
    url = f"{page_url}/invite"
    client.post(url, data={"csrf_token": token(client, page_url), "all": "1"})
    shown = flashes(parse(client.get(page_url).data))
    assert "Invitation texts queued for 1 candidate." in shown
    assert f"Skipped 1 (finished the interview): {done.name}." in shown
    assert "Skipped 1 (screened out): Oz Out." in shown
    assert db.scalars(select(Message.candidate_id)).all() == [fresh.id]
    late = make_candidate(db, signed_in.interview, name="Lu Late", phone="+15552010014")
    signed_in.interview.deadline = datetime.now(UTC) - timedelta(hours=1)
    db.commit()
    client.post(url, data={"csrf_token": token(client, page_url), "candidate_ids": [late.id]})
    assert flashes(parse(client.get(page_url).data)) == ["Skipped 1 (interview closed): Lu Late."]
    assert db.scalars(select(Message.candidate_id)).all() == [fresh.id]
    assert len(Queue(SEND_MESSAGE.queue, connection=redis_conn).jobs) == 1


def test_inviting_goes_back_to_the_list_as_it_was_filtered(signed_in, db, client, redis_conn):
    """Invite selected, and Invite everyone, lead back to the interview's list with its
    filters and order (the forms' `next`); a `next` to another page or site is ignored."""
    fresh = make_candidate(db, signed_in.interview, name="Fay Fresh", phone="+15552010013")
    db.commit()
    page_url = f"/interviews/{signed_in.interview.id}"
    listed = f"{page_url}?status=invited&sort=name"
    page = parse(client.get(listed).data)
    selected = page.one("form", id="bulk").form_fields()
    everyone = page.one("form", cls="invite-all").form_fields()
    assert selected["next"] == everyone["next"] == listed
    for data in (selected, selected | {"candidate_ids": [fresh.id]}, everyone):
        response = client.post(f"{page_url}/invite", data=data)
        assert response.status_code == 302
        assert response.headers["Location"] == listed
    assert db.scalars(select(Message.candidate_id)).all() == [fresh.id]
    for elsewhere in ("https://evil.test" + page_url, "//evil.test" + page_url, "/review"):
        response = client.post(f"{page_url}/invite", data=selected | {"next": elsewhere})
        assert response.headers["Location"] == page_url, elsewhere


def test_inviting_with_ids_that_name_no_row_asks_for_a_selection(signed_in, client):
    """Posted ids too big for the database, or not numbers, are ignored, never a 500."""
    page_url = f"/interviews/{signed_in.interview.id}"
    data = {"csrf_token": token(client, page_url), "candidate_ids": ["9" * 20, "²", "-3"]}
    response = client.post(f"{page_url}/invite", data=data)
    assert response.status_code == 302
    assert "Select at least one candidate to invite." in flashes(parse(client.get(page_url).data))


def test_filters_narrow_the_list(signed_in, db, client):
    """Status, decision, score, reviewer and date filters narrow the candidate list."""
    base = f"/interviews/{signed_in.interview.id}"
    old = make_candidate(db, signed_in.interview, name="Old Otto", phone=None)
    old.created_at = datetime(2020, 1, 5, tzinfo=UTC)
    rejected = make_candidate(db, signed_in.interview, name="Rita Rejected", phone=None)
    rejected.decision = "reject"
    helper = make_user(db, signed_in.user.organization, email="second@acme.test")
    db.add(Score(reviewer=helper, candidate_id=signed_in.candidate.id, value=4))
    db.add(Score(reviewer=signed_in.user, candidate_id=rejected.id, value=2))
    db.commit()
    get = lambda query: names(parse(client.get(f"{base}?{query}").data))  # noqa: E731
    assert get("status=completed") == ["Dana Diaz"]
    assert get("decision=reject") == ["Rita Rejected"]
    assert set(get("decision=none")) == {"Dana Diaz", "Old Otto"}
    assert get("min_score=3.5") == ["Dana Diaz"]
    assert get(f"reviewer={helper.id}") == ["Dana Diaz"]
    assert get("until=2020-01-31") == ["Old Otto"]
    today = datetime.now(UTC).date()
    assert "Old Otto" not in get(f"since={(today - timedelta(days=1)).isoformat()}")
    page = parse(client.get(f"{base}?min_score=9").data)
    assert "Minimum score must be a number from 1 to 5." in page.one("form", cls="filters").text()


def test_filters_survive_paging(signed_in, db, client, monkeypatch):
    """Pager links keep the filters."""
    monkeypatch.setattr("dashboard.views.CANDIDATES_PER_PAGE", 1)
    for n in range(2):
        make_candidate(db, signed_in.interview, name=f"Invitee {n}", phone=None)
    db.commit()
    page = parse(client.get(f"/interviews/{signed_in.interview.id}?status=invited").data)
    href = page.one("a", rel="next").attrs["href"]
    assert "status=invited" in href and "page=2" in href
    assert Filters.from_args({"status": "bogus"}).status == ""
    ticked = Filters.from_args({"flagged": "", "unscored": "1"})  # an unticked box is blank
    assert (ticked.flagged, ticked.unscored, ticked.errors) == (False, True, [])


def test_keypad_answers_and_screened_out_reason_show_in_the_list(signed_in, db, client):
    """Keypad answers and why a candidate was screened out appear on their row."""
    interview = signed_in.interview
    person = make_candidate(db, interview, name="Kim Keypad", phone=None)
    interview.questions[0].kind = "yes_no"
    person.status = CandidateStatus.SCREENED_OUT
    person.screened_out_reason = "Answered no to: Are you 18 or older?"
    add_answer(db, person, 1, status="keypad", digits="2")
    db.commit()
    page = parse(client.get(f"/interviews/{interview.id}").data)
    row = page.one("tr", data_candidate_id=str(person.id))
    assert row.one("td", data_label="Keypad").text() == "Q1: No"
    assert row.one("span", cls="reason").text() == "Answered no to: Are you 18 or older?"


def test_interview_page_offers_bulk_invite_and_decide(signed_in, client):
    """The bulk form carries candidate checkboxes, invite, and the decide controls."""
    page = parse(client.get(f"/interviews/{signed_in.interview.id}").data)
    bulk = page.one("form", id="bulk")
    assert bulk.attrs["action"] == f"/interviews/{signed_in.interview.id}/invite"
    boxes = page.find_all("input", form="bulk", name="candidate_ids")
    assert [b.attrs["value"] for b in boxes] == [str(signed_in.candidate.id)]
    assert boxes[0].attrs["aria-label"] == "Select Dana Diaz"
    decide = bulk.one("button", formaction=f"/interviews/{signed_in.interview.id}/decisions")
    assert decide.text() == "Apply decision"
    assert bulk.one("select", name="decision")
    assert bulk.one("input", name="notify")


def test_accommodations_are_saved_and_validated(signed_in, db, client):
    """Extra time (1 to 4) and slow speech are saved; a bad multiplier is explained."""
    candidate = signed_in.candidate
    manage = f"/candidates/{candidate.id}/manage"
    url = f"/candidates/{candidate.id}/accommodations"
    bad = client.post(url, data={"csrf_token": token(client, manage), "extra_time": "9"})
    assert bad.status_code == 422
    assert parse(bad.data).one("p", id="extra_time-error").text().startswith("Extra time")
    good = client.post(
        url,
        data={"csrf_token": token(client, manage), "extra_time": "1.5", "slow_speech": "1"},
    )
    assert good.status_code == 302
    db.refresh(candidate)
    assert (candidate.extra_time, candidate.slow_speech) == (1.5, True)


@pytest.mark.parametrize("stored", ["a@b", "<script>@x.com", "ana@example", "bad@"])
def test_a_stored_address_the_rule_now_refuses_still_shows_and_saves(signed_in, db, client, stored):
    """The email rule checks input only: a candidate stored before it with an odd address
    opens (as text, never markup), and saving their accommodations keeps the address."""
    candidate = signed_in.candidate
    db.execute(update(Candidate).where(Candidate.id == candidate.id).values(email=stored))
    db.commit()
    manage = f"/candidates/{candidate.id}/manage"
    response = client.get(manage)
    assert response.status_code == 200
    head = parse(response.data).one("div", cls="page-head")
    assert f" · {stored}" in head.one("p", cls="muted").text()
    assert client.get(f"/candidates/{candidate.id}").status_code == 200
    saved = client.post(
        f"/candidates/{candidate.id}/accommodations",
        data={"csrf_token": token(client, manage), "extra_time": "2"},
    )
    assert saved.status_code == 302
    db.refresh(candidate)
    assert (candidate.email, candidate.extra_time) == (stored, 2.0)


def part_way(world, db) -> None:
    """Make the world's candidate (completed in the fixture) one with questions left, so
    "call me now" has something to ask (ivr.outbound.nothing_to_ask)."""
    world.candidate.status = CandidateStatus.IN_PROGRESS
    db.commit()


def test_call_me_now_asks_twilio_to_call(signed_in, app, client, db, monkeypatch):
    """Call me now places an outbound call with the IVR's URLs and keeps it as the candidate's."""
    part_way(signed_in, db)
    calls = []
    twilio = app.extensions["screenline"].twilio
    monkeypatch.setattr(twilio, "create_call", lambda **kw: calls.append(kw) or "CA123")
    manage = f"/candidates/{signed_in.candidate.id}/manage"
    response = client.post(
        f"/candidates/{signed_in.candidate.id}/call", data={"csrf_token": token(client, manage)}
    )
    assert response.status_code == 302
    assert calls == [
        {
            "to": "+15557654321",
            "from_": "+15550100200",
            "url": f"http://screenline.test/ivr/voice?candidate={signed_in.candidate.id}",
            "status_callback": f"http://screenline.test/ivr/status?candidate={signed_in.candidate.id}",
            "machine_detection": "DetectMessageEnd",
        }
    ]
    call = db.scalar(select(Call).where(Call.call_sid == "CA123"))
    assert (call.candidate_id, call.direction, call.status) == (
        signed_in.candidate.id,
        "outbound-api",
        "queued",
    )
    assert "Calling Dana Diaz at +15557654321 now." in flashes(parse(client.get(manage).data))


def test_call_me_now_is_refused_while_a_call_is_under_way(signed_in, app, client, db, monkeypatch):
    """Pressed again while the first call is queued: the page says so and Twilio is asked
    once; a call queued longer than the bound no longer blocks the candidate."""
    part_way(signed_in, db)
    calls = []
    twilio = app.extensions["screenline"].twilio
    monkeypatch.setattr(
        twilio, "create_call", lambda **kw: calls.append(kw) or f"CA{len(calls):032d}"
    )
    candidate = signed_in.candidate
    manage = f"/candidates/{candidate.id}/manage"
    press = f"/candidates/{candidate.id}/call"
    assert client.post(press, data={"csrf_token": token(client, manage)}).status_code == 302
    assert "Calling Dana Diaz at +15557654321 now." in flashes(parse(client.get(manage).data))
    for _ in range(2):
        assert client.post(press, data={"csrf_token": token(client, manage)}).status_code == 302
        assert flashes(parse(client.get(manage).data)) == [
            "Dana Diaz is already being called (the call is waiting at Twilio to be placed); "
            "try again once that call ends."
        ]
    assert len(calls) == 1
    first = db.scalar(select(Call).where(Call.candidate_id == candidate.id))
    first.started_at = datetime.now(UTC) - timedelta(minutes=11)  # stuck in "queued"
    db.commit()
    client.post(press, data={"csrf_token": token(client, manage)})
    assert "Calling Dana Diaz at +15557654321 now." in flashes(parse(client.get(manage).data))
    assert len(calls) == 2


@pytest.mark.parametrize(
    ("status", "refusal"),
    [
        ("completed", "Dana Diaz has finished the interview, so there is nothing left to ask."),
        ("screened out", "Dana Diaz was screened out, so there is nothing left to ask Dana."),
    ],
)
def test_call_me_now_is_not_offered_once_the_candidate_finished(
    signed_in, app, client, db, monkeypatch, status, refusal
):
    """A finished candidate's Manage page says why in place of the button; a post anyway
    (an old tab) is refused with the same sentence and Twilio is not asked."""
    calls = []
    monkeypatch.setattr(
        app.extensions["screenline"].twilio, "create_call", lambda **kw: calls.append(kw) or "CA1"
    )
    candidate = signed_in.candidate
    candidate.status = status
    db.commit()
    manage = f"/candidates/{candidate.id}/manage"
    page = parse(client.get(manage).data)
    card = page.one("section", aria_labelledby="call-heading")
    assert card.one("p", id="call-refusal").text() == refusal
    assert card.find_all("button") == []
    client.post(f"/candidates/{candidate.id}/call", data={"csrf_token": token(client, manage)})
    assert flashes(parse(client.get(manage).data)) == [refusal]
    assert calls == []
    assert db.scalars(select(Call).where(Call.candidate_id == candidate.id)).all() == []


def test_the_candidate_page_offers_no_call_again_once_the_candidate_finished(signed_in, client, db):
    """An unanswered "call me now", then the candidate called in and finished: the Calls
    card lists both calls but no next step or Call again button."""
    candidate = signed_in.candidate
    db.add(
        Call(
            call_sid="CA" + "3" * 32,
            candidate_id=candidate.id,
            interview_id=candidate.interview_id,
            direction="outbound-api",
            status="no-answer",
            outcome="no answer",
        )
    )
    candidate.status = CandidateStatus.COMPLETED
    db.commit()
    card = parse(client.get(f"/candidates/{candidate.id}").data).one("section", id="calls")
    assert [li.text().split()[0] for li in card.find_all("li")][:1] == ["Call"]
    assert card.find("p", id="call-next-step") is None and card.find_all("button") == []


def test_call_me_now_reports_twilio_errors(signed_in, app, client, db, monkeypatch):
    """A Twilio error is shown to the user, not raised."""
    part_way(signed_in, db)

    def fail(**_kw):
        raise TwilioError("HTTP 400: The 'To' number is not a valid phone number.")

    monkeypatch.setattr(app.extensions["screenline"].twilio, "create_call", fail)
    manage = f"/candidates/{signed_in.candidate.id}/manage"
    client.post(
        f"/candidates/{signed_in.candidate.id}/call", data={"csrf_token": token(client, manage)}
    )
    shown = flashes(parse(client.get(manage).data))
    assert any("Twilio could not place the call" in text for text in shown)


def test_call_me_now_needs_csrf(signed_in, client):
    """Posting Call me now without the form's token is refused."""
    assert client.post(f"/candidates/{signed_in.candidate.id}/call").status_code == 400


def test_extra_time_has_one_range_on_the_page_and_in_the_rule(signed_in, db, client):
    """The page's input offers 1 to 4, the CLI's range; 4 is saved and 4.25 refused."""
    candidate = signed_in.candidate
    manage = f"/candidates/{candidate.id}/manage"
    field = parse(client.get(manage).data).one("input", id="extra_time")
    assert (field.attrs["min"], field.attrs["max"]) == ("1", "4")
    url = f"/candidates/{candidate.id}/accommodations"
    refused = client.post(url, data={"csrf_token": token(client, manage), "extra_time": "4.25"})
    assert parse(refused.data).one("p", id="extra_time-error").text() == (
        "Extra time is a multiplier from 1 (none) to 4."
    )
    saved = client.post(url, data={"csrf_token": token(client, manage), "extra_time": "4"})
    assert saved.status_code == 302
    db.refresh(candidate)
    assert candidate.extra_time == 4.0


def test_odd_query_strings_never_break_the_interview_page(signed_in, client):
    """Ids past the database range, odd digits and the last date are explained (422);
    a page number past the end leads to the first page."""
    base = f"/interviews/{signed_in.interview.id}"
    for query, status in (
        ("reviewer=²", 422),
        ("reviewer=" + "9" * 20, 422),
        ("page=" + "9" * 30, 302),  # past the last page: sent to the first
        ("until=9999-12-31&since=0001-01-01", 422),
        ("min_score=nan", 422),
    ):
        response = client.get(f"{base}?{query}")
        assert response.status_code == status, query
    page = parse(client.get(f"{base}?until=9999-12-31").data)
    assert "is not a date" in page.one("form", cls="filters").text()


@pytest.mark.parametrize(
    ("query", "sentence"),
    [
        (
            "status=bogus",
            "“bogus” is not a status "
            "(use invited, in progress, completed, abandoned or screened out).",
        ),
        ("decision=zzz", "“zzz” is not a decision (use advance, hold, reject or none)."),
        ("reviewer=abc", "“abc” is not a reviewer's number."),
        # Checkbox filters took anything but "1" silently as unticked (a trial found it).
        (
            "flagged=banana",
            "“banana” is not a value for “Transcript may be unreliable” "
            "(use flagged=1, or leave it out).",
        ),
        (
            "unscored=yes",
            "“yes” is not a value for “Not scored by me” (use unscored=1, or leave it out).",
        ),
    ],
)
def test_a_filter_value_the_list_does_not_take_is_422_and_named(
    signed_in, db, client, query, sentence
):
    """?status=bogus and the like answer 422 naming the value and the choices, as the audit
    page does, and the list shows every candidate (the bad filter left out)."""
    other = make_candidate(db, signed_in.interview, name="Other Person", phone=None)
    other.decision = "reject"
    db.commit()
    response = client.get(f"/interviews/{signed_in.interview.id}?{query}")
    assert response.status_code == 422
    page = parse(response.data)
    errors = [p.text() for p in page.one("form", cls="filters").find_all("p", cls="field-error")]
    assert errors == [sentence]
    assert set(names(page)) == {signed_in.candidate.name, "Other Person"}


@pytest.mark.parametrize(
    ("query", "why"),
    [
        ("page=2&after=abc", "'abc' is not a candidate number"),
        ("after=-3", "'-3' is not a candidate number"),
        ("page=3&before=99999999999", "'99999999999' is not a candidate number"),
        ("page=2&after=2&before=5", "it names both a next and a previous page"),
        ("page=abc", "'abc' is not a page number"),  # was taken silently as page 1
        ("page=0", "'0' is not a page number"),
        ("page=-2&after=1", "'-2' is not a page number"),
    ],
)
def test_a_damaged_page_link_gets_a_clear_400_and_the_first_page(signed_in, db, client, query, why):
    """A damaged ?after=, ?before= or ?page= is named on the page (400) and the first page
    shown, as on the search and audit pages."""
    response = client.get(f"/interviews/{signed_in.interview.id}?{query}")
    assert response.status_code == 400
    page = parse(response.data)
    assert page.one(id="page-link-error").text() == (
        f"This page link is damaged: {why}. The first page is shown instead."
    )
    assert names(page) == [signed_in.candidate.name]


def test_the_candidate_page_says_what_to_do_after_an_unanswered_call(signed_in, client, db):
    """After "no answer", the Calls card shows the call, the next step, Call again and Text."""
    part_way(signed_in, db)
    candidate = signed_in.candidate
    db.add(
        Call(
            call_sid="CA" + "1" * 32,
            candidate_id=candidate.id,
            interview_id=candidate.interview_id,
            direction="outbound-api",
            status="no-answer",
            outcome="no answer",
        )
    )
    db.commit()
    page = parse(client.get(f"/candidates/{candidate.id}").data)
    card = page.one("section", id="calls")
    assert next(li.text() for li in card.find_all("li")).startswith("Call me now")
    assert card.one("strong", cls="call-outcome").text() == "No answer"
    assert card.one("p", id="call-next-step").text().startswith("No one answered. Call again")
    buttons = {b.text(): b for b in card.find_all("button")}
    assert set(buttons) == {"Call again", "Text the invitation"}
    actions = {f.attrs["action"] for f in card.find_all("form")}
    assert actions == {f"/candidates/{candidate.id}/call", f"/candidates/{candidate.id}/invite"}
    # Texting from here queues that one candidate's invitation and comes back here.
    form = next(f for f in card.find_all("form") if f.attrs["action"].endswith("/invite"))
    data = {i.attrs["name"]: i.attrs.get("value", "") for i in form.find_all("input")}
    response = client.post(form.attrs["action"], data=data)
    assert response.headers["Location"] == f"/candidates/{candidate.id}#calls"
    shown = flashes(parse(client.get(response.headers["Location"]).data))
    assert shown == [f"Invitation text queued for {candidate.name} at {candidate.phone}."]


def test_a_completed_call_needs_no_next_step(signed_in, client, db):
    """A call that ended "completed" is listed without advice or buttons."""
    candidate = signed_in.candidate
    db.add(
        Call(
            call_sid="CA" + "2" * 32,
            candidate_id=candidate.id,
            interview_id=candidate.interview_id,
            direction="outbound-api",
            status="completed",
            outcome="completed",
        )
    )
    db.commit()
    card = parse(client.get(f"/candidates/{candidate.id}").data).one("section", id="calls")
    assert card.find("p", id="call-next-step") is None and card.find_all("button") == []
