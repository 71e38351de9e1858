"""The interview builder: create, edit, reorder, validate, share and preview."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from dashboard.labels import INTERVIEW_LABELS, QUESTION_LABELS
from tests.dashboard.conftest import flashes
from tests.dashboard.html import parse
from tests.factories import make_interview, make_user
from voice.interviews import INTERVIEW_KEYS, QUESTION_KEYS, InterviewSpecError, clean_interview
from voice.models import Interview, InterviewReviewer, Question, Role


def token(client, url: str) -> str:
    return parse(client.get(url).data).find("input", name="csrf_token").attrs["value"]


def interview_form(csrf: str, **overrides) -> dict[str, str]:
    """A builder form with a yes/no knockout question then a voice question."""
    data = {
        "csrf_token": csrf,
        "action": "save",
        "title": "Line cook, weekends",
        "phone_number": "(555) 010-0777",
        "languages": "en-US",
        "voice": "Polly.Joanna",
        "intro": "Thanks for calling Acme Kitchens.",
        "job_details": "Pay is $19 an hour.",
        "closing": "We will text you within a week.",
        "deadline": "2030-12-31T23:59",
        "reminders": "48h, 4h",
        "retakes": "1",
        "practice": "1",
        "retention_days": "90",
        "q-0-id": "",
        "q-0-kind": "yes_no",
        "q-0-prompt": "Are you 18 or older?",
        "q-0-must_be": "yes",
        "q-1-id": "",
        "q-1-kind": "voice",
        "q-1-prompt": "Tell us about a busy shift.",
        "q-1-max_seconds": "90",
        "q-1-min_seconds": "3",
        "q-1-think_seconds": "10",
        "q-1-retakes": "2",
    }
    return data | overrides


def created(db) -> Interview:
    db.expire_all()
    return db.scalar(select(Interview).where(Interview.title == "Line cook, weekends"))


def test_builder_creates_interview_with_knockout_and_voice_questions(signed_in, db, client):
    """Saving the builder creates the interview with every setting and question kind."""
    response = client.post("/interviews/new", data=interview_form(token(client, "/interviews/new")))
    assert response.status_code == 302
    interview = created(db)
    assert response.headers["Location"] == f"/interviews/{interview.id}"  # what comes next
    page = parse(client.get(response.headers["Location"]).data)
    assert "Interview “Line cook, weekends” created." in flashes(page)
    assert {a.text() for a in page.find_all("a", cls="btn")} >= {
        "Import candidates",
        "Preview call",
        "Edit",
    }
    assert interview.organization_id == signed_in.user.organization_id
    assert interview.phone_number == "+15550100777"
    assert (interview.retakes, interview.practice, interview.retention_days) == (1, True, 90)
    assert interview.reminders == ["48h", "4h"]
    assert interview.deadline.year == 2030
    assert interview.job_details == "Pay is $19 an hour."
    first, second = interview.questions
    assert (first.position, first.kind, first.must_be) == (1, "yes_no", "yes")
    assert (second.kind, second.max_seconds, second.min_seconds) == ("voice", 90, 3)
    assert (second.think_seconds, second.retakes) == (10, 2)


def test_builder_validation_reports_each_problem_and_saves_nothing(signed_in, db, client):
    """Bad values come back as a 422 with a message per field and a linked summary."""
    data = interview_form(
        token(client, "/interviews/new"),
        title="",
        phone_number="12",
        **{
            "q-0-kind": "number",
            "q-0-at_least": "40",
            "q-0-at_most": "20",
            "q-1-min_seconds": "90",
        },
    )
    response = client.post("/interviews/new", data=data)
    assert response.status_code == 422
    page = parse(response.data)
    summary = page.one("div", cls="error-summary")
    links = {a.attrs["href"] for a in summary.find_all("a")}
    assert {"#title", "#phone_number", "#q-0-at_most", "#q-1-min_seconds"} <= links
    assert page.one("input", id="title").attrs["aria-invalid"] == "true"
    assert "nobody could pass" in page.one("p", id="q-0-at_most-error").text()
    assert created(db) is None


def test_the_number_candidates_call_is_asked_for_as_the_twilio_number(signed_in, db, client):
    """A wrong "Number candidates call" asks for the Twilio number candidates ring, in
    international format; it never says "we can call" (that is for numbers we dial)."""
    data = interview_form(token(client, "/interviews/new"), phone_number="12")
    response = client.post("/interviews/new", data=data)
    assert response.status_code == 422
    page = parse(response.data)
    label = [node for node in page.find_all("label") if node.text() == "Number candidates call"]
    assert len(label) == 1
    field = page.one(id=label[0].attrs["for"])
    assert field.attrs["aria-invalid"] == "true"
    error = page.one(id=field.attrs["aria-describedby"].split()[-1]).text()
    assert error == (
        "“Number candidates call”: “12” is not a phone number (it is too short for a +1 "
        "number). Enter the Twilio number candidates call, in international format, such "
        "as +15551234567."
    )
    assert "we can call" not in page.text()
    assert created(db) is None


def test_builder_errors_name_fields_by_their_labels_not_file_keys(signed_in, db, client):
    """Each error on the form names its field as the page labels it, never by file key."""
    data = interview_form(
        token(client, "/interviews/new"),
        phone_number="555-CALL-NOW",
        languages="english",
        deadline="",
        reminders="soon",
        retakes="9",
        retention_days="0",
        **{"q-1-max_seconds": "2", "q-1-min_seconds": "x", "q-1-think_seconds": "500"},
        **{"q-1-retakes": "7"},
    )
    response = client.post("/interviews/new", data=data)
    assert response.status_code == 422
    page = parse(response.data)

    def error(field: str) -> str:
        return page.one("p", id=f"{field}-error").text()

    def label(field: str) -> str:
        return page.one("label", for_=field).text()

    assert error("phone_number") == (
        "“Number candidates call”: “555-CALL-NOW” is not a phone number (it has letters). "
        "Enter the Twilio number candidates call, in international format, such as "
        "+15551234567."
    )
    assert label("phone_number") == "Number candidates call"
    assert error("languages").startswith(f"“{label('languages')}”: 'english'")
    assert error("reminders") == (
        f"“{label('reminders')}”: 'soon' is not like 48h, 30m or 2d, "
        "and reminders are sent before the deadline: set a deadline too"
    )
    assert error("retakes") == f"“{label('retakes')}” must be a whole number from 0 to 5"
    assert error("retention_days") == (
        f"“{label('retention_days')}” must be a whole number from 1 to 3,650"
    )
    for field, bounds in (
        ("max_seconds", "5 to 3,600"),
        ("min_seconds", "0 to 3,600"),
        ("think_seconds", "0 to 120"),
        ("retakes", "0 to 5"),
    ):
        assert error(f"q-1-{field}") == (
            f"Question 2: “{label(f'q-1-{field}')}” must be a whole number from {bounds}"
        )
    summary = page.one("div", cls="error-summary").text()
    assert "_seconds" not in summary and "phone_number" not in summary
    assert created(db) is None


def test_a_repeated_language_is_the_only_error_and_the_form_stays_as_typed(signed_in, db, client):
    """A trial's "en-US, en-US" got "“Title” is required" beside a filled title and an extra
    "Texts in en-US" section with a "Question in en-US" box: the repeat was taken for a
    second language whose empty fields overwrote the default's. Now only the languages
    are wrong, and the form comes back as typed, without per-language fields."""
    data = {
        "csrf_token": token(client, "/interviews/new"),
        "action": "save",
        "title": "Lang test",
        "phone_number": "+15550100205",
        "languages": "en-US, en-US",
        "q-0-id": "",
        "q-0-kind": "voice",
        "q-0-prompt": "Tell us about your last job.",
    }
    response = client.post("/interviews/new", data=data)
    assert response.status_code == 422
    page = parse(response.data)
    errors = {p.attrs["id"]: p.text() for p in page.find_all("p", cls="field-error")}
    assert errors == {
        "languages-error": "“Languages offered”: en-US is listed twice; list each language once"
    }
    assert page.one("input", id="title").attrs["value"] == "Lang test"
    assert page.one("input", id="languages").attrs["value"] == "en-US, en-US"
    assert page.one("textarea", id="q-0-prompt").text() == "Tell us about your last job."
    assert page.find("input", id="tr-en-US-title") is None
    assert page.find("textarea", id="q-0-prompt-en-US") is None
    assert "Texts in" not in page.text()
    assert db.scalar(select(Interview).where(Interview.title == "Lang test")) is None

    # A repeat of a second language gives it one set of fields, kept as typed.
    data |= {"languages": "en-US, es-MX, es-MX", "tr-es-MX-title": "Prueba"}
    page = parse(client.post("/interviews/new", data=data).data)
    assert page.one("input", id="tr-es-MX-title").attrs["value"] == "Prueba"
    assert len(page.find_all("textarea", id="q-0-prompt-es-MX")) == 1
    assert (
        page.one("p", id="languages-error")
        .text()
        .endswith("es-MX is listed twice; list each language once")
    )
    assert page.find("p", id="title-error") is None


def test_a_language_in_the_wrong_case_is_refused_with_the_code_meant(signed_in, db, client):
    """ "EN-us" is refused saying which code was meant; "en-US en-GB" (a space between)
    is two languages, as the field's hint says."""
    data = interview_form(token(client, "/interviews/new"), languages="EN-us")
    page = parse(client.post("/interviews/new", data=data).data)
    assert page.one("p", id="languages-error").text() == (
        "“Languages offered”: 'EN-us' is not a language code as written; did you mean en-US? "
        "(the language in small letters, then the country's in capitals: en-US, es-MX)"
    )
    assert "commas or spaces" in page.one("p", id="languages-hint").text()
    response = client.post("/interviews/new", data=data | {"languages": "en-US en-GB"})
    assert response.status_code == 302
    assert created(db).offered_languages() == ["en-US", "en-GB"]


def test_a_language_name_is_refused_against_languages_and_nothing_else_hides(signed_in, db, client):
    """Languages "english" with a filled question was refused as "Question 1: “Question,
    as read aloud” is required (in en-US at least)", and a too-long question and greeting
    went unsaid: now the Languages field says "english" is not a code and what to write,
    the question is not called missing, and both lengths are reported at once, as they are
    with en-US."""
    data = {
        "csrf_token": token(client, "/interviews/new"),
        "action": "save",
        "title": "Warehouse associate",
        "phone_number": "+15550100204",
        "languages": "english",
        "q-0-id": "",
        "q-0-kind": "voice",
        "q-0-prompt": "Tell us about your last job.",
    }
    response = client.post("/interviews/new", data=data)
    assert response.status_code == 422
    page = parse(response.data)
    assert page.one("p", id="languages-error").text() == (
        "“Languages offered”: 'english' is not a language code; for English write en-US "
        "(a language code, then a country's if you like: en-US, es-US, es-MX)"
    )
    assert page.find("p", id="q-0-prompt-error") is None
    assert "required" not in page.one("div", cls="error-summary").text()
    assert page.one("textarea", id="q-0-prompt").text() == "Tell us about your last job."

    data |= {"q-0-prompt": "Q" * 2000, "intro": "G" * 5000}
    page = parse(client.post("/interviews/new", data=data).data)
    assert page.one("p", id="languages-error").text().startswith("“Languages offered”: 'english'")
    assert page.one("p", id="q-0-prompt-error").text() == (
        "Question 1: “Question, as read aloud” is 2,000 characters long; at most 1,000 fit"
    )
    assert page.one("p", id="intro-error").text() == (
        "“Greeting” is 5,000 characters long; at most 2,000 fit"
    )
    assert page.one("textarea", id="intro").text() == "G" * 5000  # kept as typed
    assert created(db) is None


def test_every_setting_has_the_label_its_form_field_shows(signed_in, client):
    """Each file key maps to a label, and that label is the one on the builder page."""
    assert set(INTERVIEW_KEYS) == set(INTERVIEW_LABELS)
    assert set(QUESTION_KEYS) == set(QUESTION_LABELS)
    page = parse(client.get(f"/interviews/{signed_in.interview.id}/edit").data)
    labels = {node.attrs.get("for"): node.text() for node in page.find_all("label")}
    shown = 0
    for key, label in INTERVIEW_LABELS.items():
        if key in labels:
            assert labels[key] == label
            shown += 1
        elif key in ("practice", "delete_recordings_at_twilio"):
            assert page_checks(page, key) == [label]
            shown += 1
    assert shown == len(INTERVIEW_LABELS) - 2  # "language" and "questions" have no <label>
    assert page.one("h2", id="questions-heading").text() == INTERVIEW_LABELS["questions"]
    for key, label in QUESTION_LABELS.items():
        assert labels["q-0-" + key] == label


def page_checks(page, name: str) -> list[str]:
    """The text of the checkbox labels wrapping the input named `name`."""
    return [
        node.text()
        for node in page.find_all("label", cls="check")
        if node.find("input", name=name) is not None
    ]


def test_builder_knockout_and_text_errors_use_labels(signed_in, db, client):
    """Knockout bounds, a missing title and an over-long translation are worded by label."""
    data = interview_form(
        token(client, "/interviews/new"),
        title="",
        languages="en-US, es-MX",
        **{"tr-es-MX-intro": "x" * 2001, "q-0-kind": "number", "q-0-at_least": "40"},
        **{"q-0-at_most": "20", "q-0-prompt-es-MX": "y" * 1001},
    )
    page = parse(client.post("/interviews/new", data=data).data)
    assert page.one("p", id="title-error").text() == "“Title” is required"
    assert page.one("p", id="q-0-at_most-error").text() == (
        "Question 1: “Knockout: at most” (20) is below “Knockout: at least” (40), "
        "so nobody could pass"
    )
    assert page.one("p", id="tr-es-MX-intro-error").text() == (
        "“Greeting (es-MX)” is 2,001 characters long; at most 2,000 fit"
    )
    assert page.one("label", for_="tr-es-MX-intro").text() == "Greeting (es-MX)"
    assert page.one("p", id="q-0-prompt-es-MX-error").text() == (
        "Question 1: “Question in es-MX” is 1,001 characters long; at most 1,000 fit"
    )
    assert page.one("label", for_="q-0-prompt-es-MX").text() == "Question in es-MX"


def test_builder_rejects_a_number_already_used(signed_in, db, client):
    """Two interviews can't answer the same phone number; the error names the
    organisation's own interview on it."""
    data = interview_form(token(client, "/interviews/new"), phone_number="+15550100200")
    response = client.post("/interviews/new", data=data)
    assert response.status_code == 422
    assert (
        "already answers “Warehouse associate”"
        in parse(response.data).one("p", id="phone_number-error").text()
    )


def test_builder_buttons_work_without_javascript(signed_in, db, client):
    """Add, move and remove re-render the form from what was posted, saving nothing."""
    csrf = token(client, "/interviews/new")
    moved = client.post("/interviews/new", data=interview_form(csrf, action="down:0"))
    assert moved.status_code == 200
    prompts = [
        t.text()
        for t in parse(moved.data).one("ol", id="question-list").find_all("textarea")
        if t.attrs["name"].endswith("prompt")
    ]
    assert prompts == ["Tell us about a busy shift.", "Are you 18 or older?"]
    added = parse(
        client.post("/interviews/new", data=interview_form(csrf, action="add:number")).data
    )
    rows = added.one("ol", id="question-list").find_all("li", cls="q-card")
    assert [row.attrs["data-kind"] for row in rows] == ["yes_no", "voice", "number"]
    removed = parse(
        client.post("/interviews/new", data=interview_form(csrf, action="remove:0")).data
    )
    assert len(removed.one("ol", id="question-list").find_all("li", cls="q-card")) == 1
    assert created(db) is None


def test_editing_reorders_questions_and_keeps_their_ids(signed_in, db, client):
    """Reordering on edit moves the existing rows (answers stay attached)."""
    interview = signed_in.interview
    first, second = interview.questions
    url = f"/interviews/{interview.id}/edit"
    data = {
        "csrf_token": token(client, url),
        "action": "save",
        "title": "Warehouse associate",
        "phone_number": interview.phone_number,
        "languages": "en-US, es-MX",
        "retakes": "0",
        "tr-es-MX-intro": "Gracias por llamar.",
        "q-1-id": str(second.id),
        "q-1-kind": "voice",
        "q-1-prompt": second.prompt,
        "q-1-prompt-es-MX": "¿Por qué quiere este trabajo?",
        "q-1-max_seconds": "60",
        "q-0-id": str(first.id),
        "q-0-kind": "voice",
        "q-0-prompt": first.prompt,
        "q-0-max_seconds": "60",
    }
    assert client.post(url, data=data).status_code == 302
    db.expire_all()
    questions = db.scalars(
        select(Question).where(Question.interview_id == interview.id).order_by(Question.position)
    ).all()
    assert [q.id for q in questions] == [second.id, first.id]
    assert questions[0].translations == {"es-MX": "¿Por qué quiere este trabajo?"}
    refreshed = db.get(Interview, interview.id)
    assert refreshed.languages == ["en-US", "es-MX"]
    assert refreshed.translations["es-MX"]["intro"] == "Gracias por llamar."
    assert refreshed.translations["es-MX"]["voice"] == "Polly.Mia"


def test_an_answered_question_cannot_be_removed(signed_in, db, client):
    """Removing a question that has answers is refused, so no answer is lost."""
    interview = signed_in.interview
    first, _ = interview.questions
    url = f"/interviews/{interview.id}/edit"
    data = {
        "csrf_token": token(client, url),
        "action": "save",
        "title": "Warehouse associate",
        "phone_number": interview.phone_number,
        "languages": "en-US",
        "retakes": "0",
        "q-0-id": str(first.id),
        "q-0-kind": "voice",
        "q-0-prompt": first.prompt,
        "q-0-max_seconds": "60",
    }
    response = client.post(url, data=data)
    assert response.status_code == 422
    section = parse(response.data).one("section", id="questions")
    assert "can't be removed" in section.one("p", cls="field-error").text()
    db.expire_all()
    assert len(db.get(Interview, interview.id).questions) == 2


def test_preview_shows_the_whole_call_as_a_script(signed_in, db, client):
    """The preview lists greeting, consent, each question with its keys, and closing."""
    interview = signed_in.interview
    interview.questions[0].kind = "yes_no"
    interview.questions[0].must_be = "yes"
    db.commit()
    page = parse(client.get(f"/interviews/{interview.id}/preview").data)
    steps = page.find_all("li", cls="script-step")
    titles = [step.one("h2").text() for step in steps]
    assert titles[:2] == ["Greeting", "Recording consent"]
    assert titles[-2:] == ["Closing", "Calling again after finishing"]
    q1 = steps[titles.index("Question 1")]
    assert "press 1" in q1.one("p", cls="script-spoken").text()
    assert "screened out" in q1.one("p", cls="script-note").text()
    assert q1.one("button", data_say=True).attrs["data-say"].startswith("Question 1 of 2.")
    assert "/static/preview.js" in [s.attrs.get("src") for s in page.find_all("script")]


def test_reviewers_can_be_shared_an_interview(signed_in, db, client):
    """A manager chooses which reviewers may review the interview."""
    reviewer = make_user(db, signed_in.user.organization, email="rev@acme.test", role=Role.REVIEWER)
    db.commit()
    url = f"/interviews/{signed_in.interview.id}/reviewers"
    client.post(url, data={"csrf_token": token(client, url), "user_ids": [str(reviewer.id)]})
    assert db.scalars(select(InterviewReviewer.user_id)).all() == [reviewer.id]


def save_reviewers(client, interview_id: int, *emails: str) -> list[str]:
    """Open "Reviewers" from the interview's Edit page, tick the reviewers whose label
    shows these emails, press "Save reviewers"; return the page's flashes."""
    edit = parse(client.get(f"/interviews/{interview_id}/edit").data)
    actions = edit.one("nav", aria_label="Interview actions")
    [link] = [a for a in actions.find_all("a") if a.text() == "Reviewers"]
    url = link.attrs["href"]
    form = parse(client.get(url).data).one("form", cls="card")
    assert form.one("button", type="submit").text() == "Save reviewers"
    ticked = [
        box.attrs["value"]
        for label in form.find_all("label", cls="check")
        for box in label.find_all("input", type="checkbox")
        if any(email in label.text() for email in emails)
    ]
    assert len(ticked) == len(emails)
    data = {"csrf_token": form.one("input", name="csrf_token").attrs["value"], "user_ids": ticked}
    return flashes(parse(client.post(url, data=data, follow_redirects=True).data))


def test_saving_reviewers_says_how_many_in_plain_words(signed_in, db, client):
    """Saving says "1 reviewer can now review" (not "1 reviewers"), "2 reviewers" for
    two, that ticking nobody leaves the interview to admins and recruiters, and that
    saving the same choice again changed nothing."""
    org = signed_in.user.organization
    for email in ("ann@acme.test", "bo@acme.test"):
        make_user(db, org, email=email, role=Role.REVIEWER)
    db.commit()
    interview_id = signed_in.interview.id
    assert save_reviewers(client, interview_id, "ann@acme.test") == [
        "1 reviewer can now review this interview."
    ]
    assert save_reviewers(client, interview_id, "ann@acme.test", "bo@acme.test") == [
        "2 reviewers can now review this interview."
    ]
    assert save_reviewers(client, interview_id, "ann@acme.test", "bo@acme.test") == [
        "Nothing changed: 2 reviewers can review this interview, as before."
    ]
    assert save_reviewers(client, interview_id) == [
        "No reviewer can review this interview now: only admins and recruiters can see it."
    ]
    assert db.scalars(select(InterviewReviewer.user_id)).all() == []
    assert save_reviewers(client, interview_id) == [
        "No reviewer was ticked, so nothing changed: "
        "only admins and recruiters can see this interview."
    ]


def test_reviewers_may_not_build_interviews(signed_in, db, client, auth):
    """A reviewer gets 403 from the builder, even for an interview shared with them."""
    reviewer = make_user(db, signed_in.user.organization, email="rev@acme.test", role=Role.REVIEWER)
    db.add(InterviewReviewer(interview_id=signed_in.interview.id, user_id=reviewer.id))
    db.commit()
    auth.logout()
    auth.login("rev@acme.test")
    assert client.get("/interviews/new").status_code == 403
    assert client.get(f"/interviews/{signed_in.interview.id}/edit").status_code == 403
    assert client.get(f"/interviews/{signed_in.interview.id}/preview").status_code == 200


def test_edit_form_prefills_existing_questions(signed_in, db, client):
    """The edit form pre-fills existing questions with their ids and limits."""
    page = parse(client.get(f"/interviews/{signed_in.interview.id}/edit").data)
    rows = page.one("ol", id="question-list").find_all("li", cls="q-card")
    assert [row.one("input", type="hidden").attrs["value"] for row in rows] == [
        str(q.id) for q in signed_in.interview.questions
    ]
    assert page.one("input", id="q-0-max_seconds").attrs["value"] == "60"


# ---------------------------------------------------------------- one rule set with the file import


def test_builder_checks_the_same_limits_as_the_file_import(signed_in, db, client):
    """The form refuses what a file would: a 201-character title, min as long as max, 0 days."""
    data = interview_form(
        token(client, "/interviews/new"),
        title="T" * 201,
        retention_days="0",
        **{"q-1-min_seconds": "90", "q-1-max_seconds": "90"},
    )
    response = client.post("/interviews/new", data=data)
    assert response.status_code == 422
    page = parse(response.data)
    assert "at most 200 fit" in page.one("p", id="title-error").text()
    assert "from 1 to 3,650" in page.one("p", id="retention_days-error").text()
    assert page.one("p", id="q-1-min_seconds-error").text() == (
        "Question 2: “Shortest answer (seconds)” (90 s) must be shorter than "
        "“Answer time limit (seconds)” (90 s)"
    )
    spec = {
        "title": "T" * 201,
        "phone_number": "+15550100777",
        "retention_days": 0,
        "questions": [{"prompt": "Q", "min_seconds": 90, "max_seconds": 90}],
    }
    with pytest.raises(InterviewSpecError) as caught:
        clean_interview(spec)
    assert set(caught.value.errors) == {"title", "retention_days", "questions.1.min_seconds"}
    assert created(db) is None


def question_row(q: Question) -> tuple:
    """Every saved setting of a question, for comparing before and after."""
    names = ("id", "kind", "prompt", "translations", "max_seconds", "min_seconds")
    names += ("think_seconds", "retakes", "must_be", "at_least", "at_most")
    return tuple(getattr(q, name) for name in names)


def test_a_saved_interview_resaves_unchanged_through_the_form(signed_in, db, client):
    """An interview imported from a file comes back from the edit form exactly as it was."""
    interview = make_interview(
        db,
        signed_in.user.organization,
        phone_number="+15550100888",
        languages=["en-US", "es-MX"],
        intro={"en-US": "Hello.", "es-MX": "Hola."},
        practice=True,
        deadline="2031-01-02T03:04:00Z",
        reminders=["48h"],
        questions=[
            {"kind": "yes_no", "prompt": {"en-US": "18+?", "es-MX": "¿18+?"}, "must_be": "no"},
            {"kind": "number", "prompt": "Hours?", "at_least": 10, "at_most": 40},
            {"prompt": "Why?", "max_seconds": 75, "min_seconds": 4, "think_seconds": 6},
        ],
    )
    db.commit()
    columns = ("title", "languages", "intro", "translations", "practice", "deadline", "reminders")
    before = {name: getattr(interview, name) for name in columns}
    questions_before = [question_row(q) for q in interview.questions]
    url = f"/interviews/{interview.id}/edit"
    form = parse(client.get(url).data).one("form", id="builder-form")
    selected = {
        select.attrs["name"]: option.attrs.get("value", "")
        for select in form.find_all("select")
        for option in select.find_all("option")
        if "selected" in option.attrs
    }
    posted = form.form_fields() | selected | {"action": "save"}
    assert client.post(url, data=posted).status_code == 302
    db.expire_all()
    again = db.get(Interview, interview.id)
    assert {name: getattr(again, name) for name in columns} == before
    assert [question_row(q) for q in again.questions] == questions_before


# ---------------------------------------------------------------- importing a file in the browser


def upload(client, raw: bytes, filename: str = "job.yaml"):
    """Post an interview file to the import page, as the browser's file input does."""
    data = {
        "csrf_token": token(client, "/interviews/import"),
        "file": (io.BytesIO(raw), filename),
    }
    return client.post("/interviews/import", data=data, content_type="multipart/form-data")


def test_importing_a_file_creates_the_interview_and_opens_it(signed_in, db, client):
    """A good file creates the interview in the user's organisation and opens its page."""
    raw = (
        b"title: Line cook, weekends\nphone_number: '+15550100777'\n"
        b'practice: "false"\ndelete_recordings_at_twilio: "no"\n'
        b"questions:\n  - What kitchens have you worked in?\n"
    )
    response = upload(client, raw)
    interview = created(db)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/interviews/{interview.id}"
    assert interview.organization_id == signed_in.user.organization_id
    assert (interview.practice, interview.delete_recordings_at_twilio) == (False, False)
    assert [q.prompt for q in interview.questions] == ["What kitchens have you worked in?"]


@pytest.mark.parametrize(
    ("raw", "sentence"),
    [
        ("title: Café\nquestions: [Q]\n".encode("latin-1"), "job.yaml is not UTF-8 text"),
        (b"\x00\x01binary", "job.yaml is not a text file"),
        (b"title: [unclosed", "job.yaml is not valid YAML"),
        (b"- a list\n", "job.yaml must be a mapping of settings"),
    ],
)
def test_a_file_that_is_not_utf8_yaml_is_one_sentence_in_the_browser(
    signed_in, db, client, raw, sentence
):
    """Latin-1, binary, broken YAML or a list: a 422 page with one sentence, nothing saved."""
    response = upload(client, raw)
    assert response.status_code == 422
    alert = parse(response.data).one("div", id="import-problems")
    [paragraph] = alert.find_all("p")
    assert paragraph.text().startswith(sentence)
    assert alert.find("li") is None
    assert db.scalar(select(func.count(Interview.id))) == 2  # the two of the signed-in world


def test_an_uploaded_file_too_big_is_refused_with_its_real_size(signed_in, db, client):
    """A 1,500,000-byte file (under the 2 MB upload limit, over the 1,000,000-byte file
    limit) is refused naming its 1,500,000 bytes, not the 1,000,001 bytes read."""
    response = upload(client, b"# " + b"x" * 1_499_997 + b"\n", "mid.yaml")
    assert response.status_code == 422
    alert = parse(response.data).one("div", id="import-problems")
    [paragraph] = alert.find_all("p")
    assert (
        paragraph.text() == "mid.yaml is 1,500,000 bytes; an interview file is at most 1,000,000."
    )
    assert db.scalar(select(func.count(Interview.id))) == 2  # the two of the signed-in world


def test_bad_settings_in_an_uploaded_file_are_listed_by_field(signed_in, db, client):
    """Each bad setting is one line naming the field; nothing is imported."""
    raw = (
        f"title: {'T' * 300}\nphone_number: '+15550100777'\npractice: maybe\n"
        "questions:\n  - prompt: Q\n    max_seconds: 9000\n"
    ).encode()
    response = upload(client, raw)
    assert response.status_code == 422
    items = [
        li.text() for li in parse(response.data).one("div", id="import-problems").find_all("li")
    ]
    assert "title is 300 characters long; at most 200 fit" in items
    assert "practice must be true or false (or yes/no, on/off, 1/0), not 'maybe'" in items
    assert "question 1: max_seconds must be a whole number from 5 to 3,600" in items
    assert created(db) is None


def test_importing_needs_a_file_and_a_manager(signed_in, db, client, auth):
    """No file is explained; a reviewer may not import."""
    data = {"csrf_token": token(client, "/interviews/import")}
    response = client.post("/interviews/import", data=data)
    assert response.status_code == 422
    assert (
        "Choose an interview file" in parse(response.data).one("div", id="import-problems").text()
    )
    make_user(db, signed_in.user.organization, email="rev@acme.test", role=Role.REVIEWER)
    db.commit()
    auth.logout()
    auth.login("rev@acme.test")
    assert client.get("/interviews/import").status_code == 403


def test_odd_ids_posted_to_the_builder_are_refused_not_a_server_error(signed_in, db, client):
    """A question id in other digits, or one too big, gets a 400 or a re-rendered form."""
    url = f"/interviews/{signed_in.interview.id}/edit"
    first = signed_in.interview.questions[0]
    data = {
        "csrf_token": token(client, url),
        "action": "save",
        "title": "Warehouse associate",
        "phone_number": signed_in.interview.phone_number,
        "q-0-id": "²",
        "q-0-kind": "voice",
        "q-0-prompt": first.prompt,
    }
    assert client.post(url, data=data).status_code == 422  # a new question; answered ones stay
    assert client.post(url, data=data | {"q-0-id": "9" * 30}).status_code == 400
    reviewers = f"/interviews/{signed_in.interview.id}/reviewers"
    posted = {"csrf_token": token(client, reviewers), "user_ids": ["²", "9" * 30]}
    assert client.post(reviewers, data=posted).status_code == 302
