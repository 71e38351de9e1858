"""The "Add a candidate" page (dashboard/candidates/add_one.py): one person added from the
dashboard under voice/candidates.py's rules, with per-field errors, the invitation path,
and the import page's access rules."""

from __future__ import annotations

from datetime import UTC, datetime

from rq import Queue
from sqlalchemy import select

from ivr.jobs import SEND_MESSAGE
from tests.dashboard.conftest import flashes
from tests.dashboard.html import parse
from tests.dashboard.review_support import csrf_token, teammate
from tests.factories import make_interview
from voice.candidates import NEEDS_PHONE
from voice.messages import INVITATION
from voice.models import AuditEvent, Candidate, Message, Role

CLOSED_DAY = datetime(2026, 3, 3, 17, 0, tzinfo=UTC)


def add_url(interview) -> str:
    return f"/interviews/{interview.id}/candidates/new"


def add(client, interview, **values):
    """Fill in the page's form as a person would (the CSRF token from the page) and send it."""
    url = add_url(interview)
    form = parse(client.get(url).data).one("form", action=url)
    return client.post(url, data=form.form_fields() | values)


def people(db, interview) -> list[tuple[str, str | None, str | None, str | None]]:
    db.expire_all()
    return [
        (c.name, c.phone, c.email, c.external_id)
        for c in db.scalars(
            select(Candidate).where(Candidate.interview_id == interview.id).order_by(Candidate.id)
        )
    ]


def field_error(page, name: str) -> str:
    return page.one("p", cls="field-error", id=f"{name}-error").text()


def typed(page, name: str) -> str:
    return page.one("input", name=name).attrs.get("value", "")


def test_the_form_has_labelled_fields_and_the_interview_page_links_it(signed_in, client):
    """Name, Phone, Email, External ID and "Text the invitation now" are labelled; the
    interview page's actions link the form next to "Import candidates"."""
    interview = signed_in.interview
    form = parse(client.get(add_url(interview)).data).one("form", action=add_url(interview))
    labels = {
        label.attrs["for"]: label.text() for label in form.find_all("label") if "for" in label.attrs
    }
    assert labels == {
        "name": "Name",
        "phone": "Phone",
        "email": "Email (optional)",
        "external_id": "External ID (optional)",
    }
    assert form.one("label", cls="check").text() == "Text the invitation now"
    assert "United States (US)" in form.one("p", id="phone-hint").text()
    actions = parse(client.get(f"/interviews/{interview.id}").data).one(
        "nav", aria_label="Interview actions"
    )
    assert [a.text() for a in actions.find_all("a")][-2:] == [
        "Add a candidate",
        "Import candidates",
    ]
    assert actions.one("a", href=add_url(interview))


def test_an_empty_interview_offers_the_form_before_the_command_line(signed_in, db, client):
    """A new interview's empty state links "Add a candidate"; the CLI line is secondary."""
    empty = make_interview(db, signed_in.user.organization, phone_number="+15550100333")
    db.commit()
    state = parse(client.get(f"/interviews/{empty.id}").data).one("section", cls="empty-state")
    buttons = [a.text() for a in state.find_all("a", cls="btn")]
    assert buttons == ["Import a CSV of candidates", "Add a candidate"]
    assert state.one("a", href=add_url(empty))
    assert "screenline candidate add" in state.one("p", cls="small").text()


def test_adding_in_e164_goes_to_their_page_with_name_and_pin(signed_in, db, client):
    """A valid form adds the candidate (email and external id kept) and goes to their page,
    whose flash names them with their PIN; nothing is texted without the box ticked."""
    interview = signed_in.interview
    response = add(
        client,
        interview,
        name="  Ana Alvarez ",
        phone="+1 555 201 0001",
        email="ana@example.com",
        external_id="ATS-77",
    )
    assert response.status_code == 302
    ana = db.scalar(select(Candidate).where(Candidate.name == "Ana Alvarez"))
    assert response.headers["Location"].endswith(f"/candidates/{ana.id}")
    assert (ana.phone, ana.email, ana.external_id, ana.status) == (
        "+15552010001",
        "ana@example.com",
        "ATS-77",
        "invited",
    )
    assert len(ana.pin) == 6
    page = parse(client.get(response.headers["Location"]).data)
    assert flashes(page) == [
        f"Ana Alvarez is added. Their PIN is {ana.pin}; they call {interview.phone_number}."
    ]
    assert db.scalars(select(Message)).all() == []


def test_a_national_number_is_read_in_the_organisations_country(signed_in, db, client):
    """Without a country code a number is read in the organisation's country (US, then GB)."""
    interview = signed_in.interview
    assert add(client, interview, name="Ben Brown", phone="(555) 201-0002").status_code == 302
    signed_in.user.organization.default_country = "GB"
    db.commit()
    page = parse(client.get(add_url(interview)).data)
    assert "United Kingdom (GB)" in page.one("p", id="phone-hint").text()
    assert add(client, interview, name="Cy Cole", phone="07700 900123").status_code == 302
    assert people(db, interview)[-2:] == [
        ("Ben Brown", "+15552010002", None, None),
        ("Cy Cole", "+447700900123", None, None),
    ]


def test_a_bad_phone_is_422_with_its_message_and_every_field_kept(signed_in, db, client):
    """A phone that is not a number: 422, the import's sentence beside the field and in the
    summary, and what was typed refilled (the box stays ticked); nothing is added."""
    interview = signed_in.interview
    before = people(db, interview)
    response = add(
        client,
        interview,
        name="Dee Dial",
        phone="555-CALL-ME",
        email="dee@example.com",
        external_id="D-1",
        invite="1",
    )
    assert response.status_code == 422
    page = parse(response.data)
    sentence = "“555-CALL-ME” is not a phone number we can call (it has letters)."
    assert field_error(page, "phone") == sentence
    assert page.one("input", name="phone").attrs["aria-invalid"] == "true"
    summary = page.one("div", cls="error-summary")
    assert [li.text() for li in summary.find_all("li")] == [sentence]
    assert [typed(page, n) for n in ("name", "phone", "email", "external_id")] == [
        "Dee Dial",
        "555-CALL-ME",
        "dee@example.com",
        "D-1",
    ]
    assert "checked" in page.one("input", name="invite").attrs
    assert people(db, interview) == before


def test_long_typed_text_comes_back_whole_and_is_checked_whole(signed_in, db, client):
    """Fields past 1,000 characters are refilled in full (422), and checked as typed: an
    email after 1,000 spaces is refused, not cut to blank and dropped; no one is added."""
    interview = signed_in.interview
    before = people(db, interview)
    name = "Dana " + "D" * 4995
    email = " " * 1000 + "dana-at-example"
    external_id = "ATS-" + "9" * 1496
    response = add(
        client, interview, name=name, phone="+15552010020", email=email, external_id=external_id
    )
    assert response.status_code == 422
    page = parse(response.data)
    assert [typed(page, n) for n in ("name", "email", "external_id")] == [
        name,
        email,
        external_id,
    ]
    assert field_error(page, "name") == "A candidate's name has at most 200 characters."
    assert field_error(page, "email") == (
        "“dana-at-example” is not an email address. Use one such as ana@example.com."
    )
    assert field_error(page, "external_id") == "An external id has at most 100 characters."
    assert people(db, interview) == before


def test_every_field_is_checked_at_once(signed_in, db, client):
    """A missing name and phone, an email that is not an address and an over-long external
    id are each named beside their field, in one answer."""
    response = add(
        client,
        signed_in.interview,
        name=" ",
        phone="",
        email="ana-at-example",
        external_id="x" * 101,
    )
    assert response.status_code == 422
    page = parse(response.data)
    assert field_error(page, "name") == "A candidate needs a name."
    assert field_error(page, "phone") == NEEDS_PHONE
    # The same sentence as the command line's, the API's and an imported list's.
    assert field_error(page, "email") == (
        "“ana-at-example” is not an email address. Use one such as ana@example.com."
    )
    assert field_error(page, "external_id") == "An external id has at most 100 characters."
    summary = page.one("div", cls="error-summary").find_all("a")
    assert [a.attrs["href"] for a in summary] == ["#name", "#phone", "#email", "#external_id"]


def test_a_phone_already_in_the_interview_names_and_links_its_candidate(signed_in, db, client):
    """Dana Diaz has +15557654321: adding it again (written nationally) is refused, 422,
    with the sentence `candidate add` gives, naming her as well as her candidate id (a
    new-user trial was told only "candidate 1") and linking to her page; the summary at
    the top says the same in plain text, linking to the field."""
    dana = signed_in.candidate
    response = add(client, signed_in.interview, name="Dana Again", phone="555 765 4321")
    assert response.status_code == 422
    page = parse(response.data)
    words = (
        f"+15557654321 already belongs to Dana Diaz (candidate {dana.id}) in this interview; "
        "one phone number is one candidate, so caller ID can recognise them."
    )
    error = page.one("p", cls="field-error", id="phone-error")
    assert error.text() == words
    [link] = error.find_all("a")
    assert (link.text(), link.attrs["href"]) == ("Dana Diaz", f"/candidates/{dana.id}")
    [summary] = page.one("div", cls="error-summary").find_all("a")
    assert (summary.text(), summary.attrs["href"]) == (words, "#phone")
    assert [p[0] for p in people(db, signed_in.interview)] == ["Dana Diaz"]


def test_a_duplicate_phones_candidate_name_is_escaped(signed_in, db, client):
    """The linked name is the candidate's as typed, never HTML."""
    dana = signed_in.candidate
    dana.name = "<b>Dana</b> & co"
    db.commit()
    response = add(client, signed_in.interview, name="Dana Again", phone="+15557654321")
    assert response.status_code == 422
    assert b"&lt;b&gt;Dana&lt;/b&gt; &amp; co" in response.data
    error = parse(response.data).one("p", cls="field-error", id="phone-error")
    assert error.one("a").text() == "<b>Dana</b> & co"


def test_ticking_text_the_invitation_queues_it_by_the_one_path(signed_in, db, client, redis_conn):
    """With "Text the invitation now" the invitation is written and its send job queued,
    as the Manage page's button does, and the page says so."""
    response = add(
        client, signed_in.interview, name="Eve Invited", phone="+15552010005", invite="1"
    )
    assert response.status_code == 302
    eve = db.scalar(select(Candidate).where(Candidate.name == "Eve Invited"))
    (message,) = db.scalars(select(Message).where(Message.candidate_id == eve.id)).all()
    assert (message.kind, message.to, message.sent_by_id) == (
        INVITATION,
        "+15552010005",
        signed_in.user.id,
    )
    assert eve.pin in message.body
    jobs = Queue(SEND_MESSAGE.queue, connection=redis_conn).jobs
    assert [(job.func_name, job.args) for job in jobs] == [(SEND_MESSAGE.name, (message.id,))]
    assert flashes(parse(client.get(response.headers["Location"]).data))[1] == (
        "Invitation text queued for Eve Invited at +15552010005."
    )


def test_a_closed_interview_refuses_the_invitation_and_adds_no_one(
    signed_in, db, client, redis_conn
):
    """Once the deadline passed, "Text the invitation now" is refused as `candidate add
    --invite` refuses it (422, the reason beside the box, nobody added, nothing queued);
    without the box the candidate is added (they are told it is closed if they call)."""
    interview = signed_in.interview
    interview.deadline = CLOSED_DAY
    db.commit()
    response = add(client, interview, name="Fay Late", phone="+15552010006", invite="1")
    assert response.status_code == 422
    page = parse(response.data)
    assert field_error(page, "invite") == (
        "The interview closed on March 3, 2026, so no invitation can be sent; extend its "
        "deadline first (nothing was added)."
    )
    assert typed(page, "name") == "Fay Late"
    assert [p[0] for p in people(db, interview)] == ["Dana Diaz"]
    assert db.scalars(select(Message)).all() == []
    assert Queue(SEND_MESSAGE.queue, connection=redis_conn).jobs == []
    assert add(client, interview, name="Fay Late", phone="+15552010006").status_code == 302
    assert [p[0] for p in people(db, interview)] == ["Dana Diaz", "Fay Late"]


def test_another_organisations_interview_is_not_found(signed_in, db, client):
    """Another organisation's interview is 404 to read and to post to; nothing is added."""
    stranger = signed_in.stranger_interview
    token = csrf_token(client, add_url(signed_in.interview))
    assert client.get(add_url(stranger)).status_code == 404
    data = {"csrf_token": token, "name": "Gil", "phone": "+15552010007"}
    assert client.post(add_url(stranger), data=data).status_code == 404
    assert [p[0] for p in people(db, stranger)] == ["Sam Secret"]


def test_without_the_csrf_token_nothing_is_added(signed_in, db, client):
    """A post without the form's CSRF token is refused (400)."""
    response = client.post(
        add_url(signed_in.interview), data={"name": "Hal", "phone": "+15552010008"}
    )
    assert response.status_code == 400
    assert [p[0] for p in people(db, signed_in.interview)] == ["Dana Diaz"]


def test_a_reviewer_cannot_add_and_is_not_offered_the_form(signed_in, db, client, auth):
    """A reviewer the interview is shared with sees no "Add a candidate" link and is
    refused (403) the page and the post, as the import page refuses them."""
    interview = signed_in.interview
    teammate(db, signed_in.user.organization, "rev@acme.test", Role.REVIEWER, [interview])
    db.commit()
    auth.logout()
    assert auth.login("rev@acme.test").status_code == 302
    page = parse(client.get(f"/interviews/{interview.id}").data)
    assert page.find("a", href=add_url(interview)) is None
    assert client.get(add_url(interview)).status_code == 403
    assert client.get(f"/interviews/{interview.id}/import").status_code == 403
    token = csrf_token(client, f"/interviews/{interview.id}")
    data = {"csrf_token": token, "name": "Ida", "phone": "+15552010009"}
    assert client.post(add_url(interview), data=data).status_code == 403
    assert [p[0] for p in people(db, interview)] == ["Dana Diaz"]
    assert db.scalars(select(AuditEvent).where(AuditEvent.action == "candidate_added")).all() == []


def test_the_paste_hint_says_a_header_line_is_optional(signed_in, client):
    """The import page's paste hint no longer suggests a header row is required."""
    url = f"/interviews/{signed_in.interview.id}/import"
    hint = parse(client.get(url).data).one("p", id="pasted-hint").text()
    assert "name,phone,email,external_id" in hint
    assert "A header line naming the columns is optional." in hint


def test_fields_with_errors_are_marked_invalid_and_point_at_their_error(signed_in, client):
    """Each field with an error carries aria-invalid and names its error's id, and the
    style sheet reddens any such input as it does a textarea; a 201-character name is
    refused (never cut) and kept as typed."""
    name = "n" * 201
    response = add(client, signed_in.interview, name=name, phone="12", email="x")
    assert response.status_code == 422
    page = parse(response.data)
    assert field_error(page, "name") == "A candidate's name has at most 200 characters."
    assert typed(page, "name") == name
    for field in ("name", "phone", "email"):
        control = page.one("input", name=field)
        assert control.attrs["aria-invalid"] == "true"
        assert f"{field}-error" in control.attrs["aria-describedby"].split()
    assert "aria-invalid" not in page.one("input", name="external_id").attrs
    css = client.get("/static/app.css").get_data(as_text=True)
    assert ':is(input, select, textarea)[aria-invalid="true"] {' in css
    rule = css.index(':is(input, select, textarea)[aria-invalid="true"]')
    assert rule > css.index('input[type="tel"],\ninput[type="number"]')  # after, so it wins


def test_a_closed_interview_says_so_and_offers_no_invitation(signed_in, db, client):
    """After the deadline the form opens with a notice naming the day it closed (the
    organisation's zone) and how to reopen it, and has no "Text the invitation now"."""
    interview = signed_in.interview
    interview.deadline = CLOSED_DAY
    db.commit()
    page = parse(client.get(add_url(interview)).data)
    notice = page.one("p", id="closed-notice")
    assert notice.text() == (
        "This interview closed on March 3, 2026: callers will hear it is closed, and no "
        "invitation can be sent. Change the deadline on Edit to reopen it."
    )
    assert notice.one("a").attrs["href"] == f"/interviews/{interview.id}/edit"
    assert page.find("input", name="invite") is None
    assert "as soon as they are added" not in page.text()
    interview.deadline = None  # reopened
    db.commit()
    open_page = parse(client.get(add_url(interview)).data)
    assert open_page.find("p", id="closed-notice") is None
    assert open_page.find("input", name="invite") is not None
