"""An interview whose deadline has passed: worded "closed on", labelled Closed, warned
about when saved, previewed as the closed message, and offered no bulk invitation."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from dashboard.cli import main
from dashboard.presenters import deadline_words
from ivr.phrases import say
from tests.dashboard.conftest import flashes
from tests.dashboard.html import parse
from tests.dashboard.test_builder import created, interview_form, token
from tests.factories import make_interview, make_org
from tests.support import env_for
from voice.deadlines import passed_deadline_warning
from voice.interviews import clean_interview

PAST = datetime(2020, 1, 1, 10, 0, tzinfo=UTC)
FUTURE = datetime(2099, 6, 30, 17, 30, tzinfo=UTC)
WARNING = (
    "The deadline (Jan 1, 2020, 10:00 AM UTC) has passed: "
    "callers will hear that the interview is closed."
)


def title_pills(node) -> list[str]:
    """The status labels shown beside a heading."""
    return [pill.text() for pill in node.find_all("span", cls="pill")]


# ---------------------------------------------------------------- the wording


def test_deadline_words_say_closes_before_and_closed_on_after(signed_in):
    """One helper words the deadline: "closes" while ahead, "closed on" once it is reached."""
    interview = signed_in.interview
    interview.deadline = PAST
    assert str(deadline_words(interview, datetime(2019, 12, 31, tzinfo=UTC))) == (
        "closes Jan 1, 2020, 10:00 AM UTC"
    )
    assert str(deadline_words(interview, PAST)) == "closed on Jan 1, 2020, 10:00 AM UTC"
    assert deadline_words(interview, PAST).closed
    interview.deadline = None
    assert deadline_words(interview) is None


def test_the_warning_follows_is_closed_to_the_minute():
    """No warning for a deadline still ahead or none; the sentence once it is reached."""
    assert passed_deadline_warning(None, PAST) is None
    assert passed_deadline_warning(PAST, datetime(2020, 1, 1, 9, 59, tzinfo=UTC)) is None
    assert passed_deadline_warning(PAST, PAST) == WARNING


def test_settings_warn_about_a_past_deadline_but_are_valid():
    """clean_interview accepts a past deadline (it may be on purpose) and warns about it."""
    spec = {
        "title": "Forklift driver, days",
        "phone_number": "+15550100888",
        "deadline": "2020-01-01T10:00:00Z",
        "questions": ["Have you driven a forklift?"],
    }
    assert clean_interview(spec).warnings() == [WARNING]
    assert clean_interview(spec | {"deadline": "2099-01-01T00:00:00Z"}).warnings() == []


# ---------------------------------------------------------------- the pages


def test_the_interview_page_says_closed_once_the_deadline_passed(signed_in, db, client):
    """Past deadline: "closed on ..." and a Closed label; never "closes"."""
    signed_in.interview.deadline = PAST
    db.commit()
    page = parse(client.get(f"/interviews/{signed_in.interview.id}").data)
    head = page.one("div", cls="page-head")
    assert "Closed" in title_pills(head.one("h1"))
    line = head.one("p", cls="muted").text()
    assert "closed on Jan 1, 2020, 10:00 AM UTC" in line
    assert "closes" not in line


def test_the_interview_page_says_closes_while_open(signed_in, db, client):
    """Future deadline: "closes ..." and no Closed label."""
    signed_in.interview.deadline = FUTURE
    db.commit()
    page = parse(client.get(f"/interviews/{signed_in.interview.id}").data)
    head = page.one("div", cls="page-head")
    assert title_pills(head.one("h1")) == []
    assert "closes Jun 30, 2099, 5:30 PM UTC" in head.one("p", cls="muted").text()


def test_the_home_page_card_labels_a_closed_interview(signed_in, db, client):
    """The Interviews card of a closed interview says Closed and "closed on"; an open one
    says "closes" with no label."""
    org = signed_in.user.organization
    signed_in.interview.deadline = PAST
    make_interview(db, org, phone_number="+15550100555", title="Picker", deadline=FUTURE)
    db.commit()
    page = parse(client.get("/").data)
    cards = {
        card.one("h2").one("a").text(): card for card in page.find_all("li", cls="interview-card")
    }
    closed, open_ = cards["Warehouse associate"], cards["Picker"]
    assert title_pills(closed.one("h2")) == ["Closed"]
    assert "closed on Jan 1, 2020, 10:00 AM UTC" in closed.text()
    assert title_pills(open_.one("h2")) == []
    assert "closes Jun 30, 2099, 5:30 PM UTC" in open_.text()
    assert "closed" not in open_.text().lower()


def test_a_closed_interview_offers_no_bulk_invite(signed_in, db, client):
    """The interview page says it is closed instead of the Invite buttons."""
    url = f"/interviews/{signed_in.interview.id}"
    open_page = parse(client.get(url).data)
    buttons = [b.text() for b in open_page.find_all("button")]
    assert "Invite selected by SMS" in buttons
    assert "Invite everyone not yet invited" in buttons

    signed_in.interview.deadline = PAST
    db.commit()
    page = parse(client.get(url).data)
    buttons = [b.text() for b in page.find_all("button")]
    assert "Invite selected by SMS" not in buttons
    assert "Invite everyone not yet invited" not in buttons
    notice = page.one("p", id="invite-closed").text()
    apostrophe = "\N{RIGHT SINGLE QUOTATION MARK}"
    assert notice.startswith(f"The interview is closed: invitations can{apostrophe}t be sent.")


# ---------------------------------------------------------------- saving a past deadline


def test_the_builder_saves_a_past_deadline_with_a_warning(signed_in, db, client):
    """The interview is saved; the flash after saving says the deadline has passed, and
    the builder's deadline field says it is closed."""
    form = interview_form(
        token(client, "/interviews/new"),
        deadline="2020-01-01T10:00",
        reminders="",
        retention_days="",
    )
    response = client.post("/interviews/new", data=form)
    assert response.status_code == 302, response.data
    interview = created(db)
    assert interview.deadline == PAST
    assert WARNING in flashes(parse(client.get(response.headers["Location"]).data))
    page = parse(client.get(f"/interviews/{interview.id}/edit").data)
    hint = page.one("p", id="deadline-hint").text()
    assert hint.startswith("This interview closed on Jan 1, 2020, 10:00 AM UTC: callers hear")


def test_the_builder_does_not_warn_about_a_future_deadline(signed_in, db, client):
    """A deadline ahead saves without the warning, and the field has no closed hint."""
    form = interview_form(token(client, "/interviews/new"), retention_days="")
    response = client.post("/interviews/new", data=form)
    assert response.status_code == 302, response.data
    assert not any(
        "has passed" in f for f in flashes(parse(client.get(response.headers["Location"]).data))
    )
    page = parse(client.get(f"{response.headers['Location']}/edit").data)
    assert page.one("p", id="deadline-hint").text() == "Empty: no deadline."


def test_the_dashboard_file_import_warns_about_a_past_deadline(signed_in, db, client):
    """The dashboard's "Import a file" with a past deadline: imported, the warning flashed."""
    body = (
        b'title: Forklift driver, days\nphone_number: "+15550100888"\n'
        b"deadline: 2020-01-01T10:00:00Z\nquestions:\n  - Have you driven a forklift?\n"
    )
    fields = {
        "csrf_token": token(client, "/interviews/import"),
        "file": (io.BytesIO(body), "past.yaml"),
    }
    response = client.post("/interviews/import", data=fields, content_type="multipart/form-data")
    assert response.status_code == 302, response.data
    assert WARNING in flashes(parse(client.get(response.headers["Location"]).data))


@pytest.mark.parametrize("as_json", [True, False])
def test_the_yaml_import_warns_about_a_past_deadline(settings, db, tmp_path, as_json):
    """`interview import` exits 0, and says the deadline has passed (JSON `warnings`, or
    a "warning:" line on stderr)."""
    make_org(db)
    db.commit()
    path = tmp_path / "past.yaml"
    path.write_text(
        'title: Forklift driver, days\nphone_number: "+15550100888"\n'
        "deadline: 2020-01-01T00:00:00Z\nquestions:\n  - Have you driven a forklift?\n"
    )
    env = {k: v for k, v in env_for(settings).items() if k.startswith(("SCREENLINE_", "TWILIO_"))}
    args = ["interview", "import", str(path)] + (["--json"] if as_json else [])
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    expected = WARNING.replace("10:00", "12:00")
    if as_json:
        assert json.loads(result.stdout)["warnings"] == [expected]
    else:
        assert f"warning: {expected}" in result.stderr.splitlines()


# ---------------------------------------------------------------- the preview


def test_preview_of_a_closed_interview_plays_the_closed_message(signed_in, db, client):
    """Preview call plays what a caller hears today: the IVR's closed phrase, alone."""
    signed_in.interview.deadline = PAST
    db.commit()
    page = parse(client.get(f"/interviews/{signed_in.interview.id}/preview").data)
    [step] = page.find_all("li", cls="script-step")
    spoken = step.one("p", cls="script-spoken").text()
    assert spoken == f"“{say('en-US', 'closed', deadline='January 1, 2020')}”"
    assert spoken.startswith("“Sorry, this interview closed on January 1")
    assert "Closed" in title_pills(page.one("h1"))
    assert "closed on Jan 1, 2020, 10:00 AM UTC" in page.one("p", id="expected-minutes").text()


def test_preview_of_an_open_interview_plays_the_interview(signed_in, db, client):
    """Before the deadline the preview is the whole call, greeting first."""
    signed_in.interview.deadline = FUTURE
    db.commit()
    page = parse(client.get(f"/interviews/{signed_in.interview.id}/preview").data)
    titles = [s.one("h2").text() for s in page.find_all("li", cls="script-step")]
    # The whole call, then what a finished candidate hears on calling again.
    assert titles[0] == "Greeting" and titles[-2:] == ["Closing", "Calling again after finishing"]
    assert title_pills(page.one("h1")) == []
