"""The candidate page's header, as a reviewer reads it: how many questions are answered,
the language the interview was taken in, the invitation's state, and the next-unreviewed
button's shortcut."""

from __future__ import annotations

from tests.dashboard.conftest import add_answer
from tests.dashboard.html import parse
from tests.factories import make_candidate, make_interview, make_user
from voice.models import AnswerStatus, CandidateStatus, Message, Role, utcnow

FIVE = ("Your last job?", "Why us?", "When can you start?", "Nights?", "Anything else?")


def facts(client, candidate_id: int) -> dict[str, str]:
    """The page's facts list, label -> visible text."""
    page = parse(client.get(f"/candidates/{candidate_id}").data)
    rows = page.one("dl", cls="facts").find_all("div")
    return {row.one("dt").text(): row.one("dd").text() for row in rows}


def test_answers_without_audio_are_not_counted_as_answered(signed_in, db, client):
    """2 recorded answers and 3 that Twilio kept no audio for read "Answered 2 / 5", on the
    candidate page and in the interview's progress column alike."""
    interview = make_interview(
        db, signed_in.user.organization, questions=FIVE, phone_number="+15550100555"
    )
    candidate = make_candidate(db, interview, name="Noa Quiet", phone="+15557650500")
    candidate.status = CandidateStatus.COMPLETED
    candidate.completed_at = utcnow()
    add_answer(db, candidate, 1, status=AnswerStatus.TRANSCRIBED, transcript="Forklift.")
    add_answer(db, candidate, 2, status=AnswerStatus.TRANSCRIBED, transcript="Close to home.")
    for position in (3, 4, 5):
        add_answer(db, candidate, position, status=AnswerStatus.NO_AUDIO)
    db.commit()

    assert facts(client, candidate.id)["Answered"] == "2 / 5"
    page = parse(client.get(f"/interviews/{interview.id}").data)
    row = page.one("table").one("tbody").one("tr")
    assert row.one("td", data_label="Progress").text() == "2 / 5"


def test_a_keypad_answer_counts_as_answered(signed_in, db, client):
    """A keyed-in answer holds something to review: it counts, a no-audio one does not."""
    interview = make_interview(
        db,
        signed_in.user.organization,
        questions=({"kind": "yes_no", "prompt": "Are you 18 or over?"}, "Why us?"),
        phone_number="+15550100556",
    )
    candidate = make_candidate(db, interview, name="Kai Keys", phone="+15557650501")
    candidate.status = CandidateStatus.COMPLETED
    add_answer(db, candidate, 1, status=AnswerStatus.KEYPAD, digits="1")
    add_answer(db, candidate, 2, status=AnswerStatus.NO_AUDIO)
    db.commit()
    assert facts(client, candidate.id)["Answered"] == "1 / 2"


def test_the_language_taken_in_is_named_when_not_the_main_one(signed_in, db, client):
    """A candidate who took an English interview in Spanish reads "Taken in Spanish";
    one who took it in English sees no language line."""
    candidate = signed_in.candidate
    page = parse(client.get(f"/candidates/{candidate.id}").data)
    assert page.find("p", id="taken-in") is None
    assert "Taken in" not in page.one("div", cls="page-head").text()

    candidate.language = "es-MX"
    db.commit()
    page = parse(client.get(f"/candidates/{candidate.id}").data)
    assert (
        page.one("p", id="taken-in").text()
        == "Taken in Spanish; the questions below are in English."
    )

    candidate.language = "en-GB"
    db.commit()
    page = parse(client.get(f"/candidates/{candidate.id}").data)
    assert page.one("p", id="taken-in").text().startswith("Taken in English (en-GB);")


def test_not_invited_yet_is_shown_only_before_the_candidate_starts(signed_in, db, client):
    """A candidate who called in without a text reads no "Not invited yet" once in
    progress or completed; one not started still does, and a sent text is still shown."""
    candidate = make_candidate(db, signed_in.interview, name="Cal Caller", phone="+15557650502")
    db.commit()
    assert facts(client, candidate.id)["Invitation"] == "Not invited yet"

    for status in (CandidateStatus.IN_PROGRESS, CandidateStatus.COMPLETED):
        candidate.status = status
        candidate.started_at = candidate.completed_at = utcnow()
        db.commit()
        shown = facts(client, candidate.id)
        assert "Invitation" not in shown
        assert "Not invited yet" not in " ".join(shown.values())
    assert facts(client, candidate.id)["Completed"] == "just now"

    db.add(
        Message(
            candidate_id=candidate.id,
            kind="invitation",
            to=candidate.phone,
            body="Call us",
            message_sid="SM" + "2" * 32,
            sent_at=utcnow(),
        )
    )
    db.commit()
    assert facts(client, candidate.id)["Invitation"] == "Texted just now"


def test_the_next_unreviewed_button_shows_its_real_shortcut(signed_in, client):
    """The button names Shift+N, as the shortcuts dialog does (plain n is next answer)."""
    page = parse(client.get(f"/candidates/{signed_in.candidate.id}").data)
    button = page.one("a", id="next-candidate")
    assert [key.text() for key in button.find_all("kbd")] == ["Shift", "N"]
    dialog = {
        row.one("dd").text(): row.one("dt").text()
        for row in page.one("dialog", id="shortcuts").find_all("div")
    }
    # The test parser joins text nodes with spaces: "Shift + N" is "Shift+N" on screen.
    assert dialog["Next unreviewed candidate"] == "Shift + N"
    assert button.text() == "Next unreviewed " + dialog["Next unreviewed candidate"]
    assert dialog["Next answer"] == "j / n"


def test_a_manager_reaches_the_manage_page_from_the_candidate_page(world, db, client, auth):
    """The candidate page links to Manage (call now, the invitation, accommodations) for
    those who may manage; a reviewer, who may not, sees no link."""
    auth.login()
    page = parse(client.get(f"/candidates/{world.candidate.id}").data)
    link = page.one("a", id="manage-link")
    assert link.attrs["href"] == f"/candidates/{world.candidate.id}/manage"
    assert link.text().startswith("Manage")
    auth.logout()
    make_user(db, world.user.organization, "rev@acme.test", role=Role.REVIEWER)
    db.commit()
    auth.login("rev@acme.test")
    assert (
        parse(client.get(f"/candidates/{world.candidate.id}").data).find(id="manage-link") is None
    )


def test_an_answers_length_is_the_playable_files_on_the_page_and_in_results(
    signed_in, db, client, settings
):
    """Twilio said 8 s (RecordingDuration) but the file a reviewer plays lasts 7.4 s: the
    candidate page and `screenline results` both read "0:07" (voice.results.answer_length),
    and --json keeps Twilio's duration_seconds."""
    import json

    from click.testing import CliRunner

    from dashboard.cli import main
    from tests.support import env_for

    answer = signed_in.transcribed
    answer.duration_seconds, answer.playback_seconds = 8, 7.4
    db.commit()
    page = parse(client.get(f"/candidates/{signed_in.candidate.id}").data)
    [meta] = page.find_all("p", cls="player-meta")
    assert meta.text().startswith("0:07 ·")

    env = {k: v for k, v in env_for(settings).items() if k.startswith(("SCREENLINE_", "TWILIO_"))}
    args = ["results", str(signed_in.interview.id)]
    text = CliRunner().invoke(main, args, env=env, catch_exceptions=False).output
    assert f"  Q1 (0:07, Transcribed): {answer.transcript}" in text.splitlines()
    out = CliRunner().invoke(main, [*args, "--json"], env=env, catch_exceptions=False)
    [found] = [
        a for a in json.loads(out.output)["candidates"][0]["answers"] if a["id"] == answer.id
    ]
    assert found["duration_seconds"] == 8


def test_answer_length_prefers_the_playable_file_then_twilio():
    """The playable file's length when known (even 0), else Twilio's; None when neither."""
    from dashboard.presenters import answer_clock
    from voice.results import answer_length

    assert answer_length(7.4, 8) == 7.4
    assert answer_length(0.0, 3) == 0.0
    assert answer_length(None, 8) == 8
    assert answer_length(None, None) is None
    assert (answer_clock(7.9, 8), answer_clock(None, 75), answer_clock(None, None)) == (
        "0:07",
        "1:15",
        None,
    )


def test_only_managers_see_a_candidates_pin(signed_in, db, client, auth):
    """The candidate page shows the PIN (the credential to call in as the candidate) to
    an admin and a recruiter; a reviewer the interview is shared with sees the phone and
    no PIN anywhere on the page."""
    from voice.models import InterviewReviewer

    org = signed_in.user.organization
    candidate = signed_in.candidate
    candidate.pin = "246813"  # digits found nowhere else on the page
    make_user(db, org, email="recruiter@acme.test", role=Role.RECRUITER)
    reviewer = make_user(db, org, email="rev@acme.test", role=Role.REVIEWER)
    db.add(InterviewReviewer(interview_id=signed_in.interview.id, user_id=reviewer.id))
    db.commit()

    assert facts(client, candidate.id)["PIN"] == candidate.pin  # the admin
    auth.logout()
    auth.login("recruiter@acme.test")
    assert facts(client, candidate.id)["PIN"] == candidate.pin
    auth.logout()
    auth.login("rev@acme.test")
    shown = facts(client, candidate.id)
    assert "PIN" not in shown
    assert shown["Phone"] == candidate.phone
    assert candidate.pin not in client.get(f"/candidates/{candidate.id}").get_data(as_text=True)
