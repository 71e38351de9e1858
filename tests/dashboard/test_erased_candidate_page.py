"""An erased candidate's page and API record: said plainly, with no PIN and no actions
left that make no sense (scoring, deciding, exporting, sharing, commenting)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.dashboard.html import parse
from tests.factories import make_candidate
from voice import erasure
from voice.models import AnswerStatus, DecisionKind

ACTIONS = ("Export candidate data", "Create read-only link", "Save score", "Save decision")


def page_of(client, world):
    return parse(client.get(f"/candidates/{world.candidate.id}").data)


def erase_fully(db, world, when: datetime) -> None:
    """Erase the world's candidate, and settle what the workers would delete."""
    erasure.erase_candidate(db, world.candidate, now=when)
    erasure.settle(
        world.candidate,
        answers=[world.transcribed.id, world.failed.id],
        recordings=list(world.candidate.erasure_owed["recordings"]),
        now=when,
    )
    db.commit()


def test_before_erasure_the_page_offers_the_actions_and_the_pin(signed_in, db, client):
    """The baseline the erased page is compared with: PIN, actions, the flag all shown."""
    signed_in.transcribed.transcript_flags = ["low confidence"]
    signed_in.transcribed.transcript_flagged = True
    db.commit()
    page = page_of(client, signed_in)
    text = page.text()
    assert signed_in.candidate.pin in text
    assert all(action in text for action in ACTIONS)
    assert "Transcript may be unreliable" in text
    assert page.find("a", id="next-candidate") is not None
    assert page.find(id="erased-notice") is None


def test_an_erased_candidate_page_says_so_and_offers_nothing_to_do(signed_in, db, client):
    """Erased: a notice with the date and what remains; no PIN, no flag, no forms to
    score, decide, export, share or comment, no "Next unreviewed"."""
    signed_in.transcribed.transcript_flags = ["low confidence"]
    signed_in.transcribed.transcript_flagged = True
    db.commit()
    pin = signed_in.candidate.pin
    when = datetime.now(UTC) - timedelta(days=2)
    erase_fully(db, signed_in, when)
    assert signed_in.candidate.erased_at is not None

    page = page_of(client, signed_in)
    text = page.text()
    notice = page.one(id="erased-notice").text()
    assert f"This candidate was erased on {when:%b %-d, %Y} (erasure request)." in notice
    assert "anonymous record" in notice
    assert "PIN" not in [dt.text() for dt in page.find_all("dt")]
    assert pin not in text and f"E{signed_in.candidate.id}" not in text
    assert "Transcript may be unreliable" not in text
    assert text.count("Erased: the recording and its transcript are gone.") == 2
    for action in ACTIONS:
        assert action not in text
    assert page.find("a", id="next-candidate") is None
    assert page.find("form", cls="score-form") is None
    assert page.find("form", cls="comment-form") is None
    assert page.find("form", cls="decision-form") is None
    assert "the decision" not in text  # "Text Erased the decision" is gone with the form


def test_an_erased_keypad_answer_says_what_a_keypad_answer_loses(signed_in, db, client):
    """An erased keypad answer says its keyed-in answer is gone, not a recording."""
    signed_in.interview.questions[1].kind = "yes_no"
    signed_in.failed.status = AnswerStatus.KEYPAD
    signed_in.failed.digits = "1"
    signed_in.failed.recording_sid = None
    db.commit()
    erase_fully(db, signed_in, datetime.now(UTC))
    erased = [p.text() for p in page_of(client, signed_in).find_all("p", cls="erased-answer")]
    assert erased == [
        "Erased: the recording and its transcript are gone.",
        "Erased: the answer they keyed in is gone.",
    ]


def test_a_pending_erasure_page_says_what_is_still_owed(signed_in, db, client):
    """While files are still owed, the notice says the erasure began and what is left."""
    erasure.erase_candidate(db, signed_in.candidate)
    db.commit()
    page = page_of(client, signed_in)
    notice = page.one(id="erased-notice").text()
    assert "erasure began on" in notice
    assert "still deleting audio of 2 answers, 2 recordings at Twilio" in notice
    assert "Export candidate data" not in page.text()


def test_an_erased_candidate_without_a_decision_says_none_was_recorded(signed_in, db, client):
    """Erased and never decided: the Decision card says "No decision was recorded." rather
    than showing an empty card."""
    erase_fully(db, signed_in, datetime.now(UTC))
    card = page_of(client, signed_in).one("section", id="decision")
    assert card.one(id="no-decision").text() == "No decision was recorded."


def test_an_erased_candidate_keeps_the_decision_that_was_made(signed_in, db, client):
    """Erased after a decision: the card still names it (a decision is anonymous), and
    does not also claim that none was recorded."""
    signed_in.candidate.decision = DecisionKind.REJECT
    signed_in.candidate.decided_at = datetime.now(UTC)
    db.commit()
    erase_fully(db, signed_in, datetime.now(UTC))
    card = page_of(client, signed_in).one("section", id="decision")
    assert "Current decision: Reject" in card.text()
    assert card.find(id="no-decision") is None


def test_an_erased_candidates_manage_page_shows_the_notice_and_no_actions(signed_in, db, client):
    """The manage page of an erased candidate shows the erasure notice: no "no phone · PIN
    E<id>" placeholder, no "Call now", no accommodations form."""
    before = parse(client.get(f"/candidates/{signed_in.candidate.id}/manage").data)
    assert before.find(id="erased-notice") is None
    assert len(before.find_all("form", method="post")) >= 2  # call now, accommodations

    erase_fully(db, signed_in, datetime.now(UTC))
    page = parse(client.get(f"/candidates/{signed_in.candidate.id}/manage").data)
    text = page.text()
    assert "This candidate was erased on" in page.one(id="erased-notice").text()
    assert "PIN" not in text.replace("PIN, recordings", "")  # only the notice's list
    assert f"E{signed_in.candidate.id}" not in text
    assert "no phone" not in text and "Screenline calls" not in text
    assert "Call" not in [b.text().split(" ")[0] for b in page.find_all("button")]
    assert page.find("form", action=f"/candidates/{signed_in.candidate.id}/accommodations") is None
    assert page.find(id="extra_time") is None


def test_an_erased_candidates_row_says_erased_with_nothing_to_select_or_manage(
    signed_in, db, client
):
    """On the interview page an erased candidate's row shows "Erased" for progress and
    transcription, and has no selection checkbox and no Manage link; others keep theirs."""
    other = make_candidate(db, signed_in.interview, name="Kept Person", phone="+15550009999")
    db.commit()
    erase_fully(db, signed_in, datetime.now(UTC))
    page = parse(client.get(f"/interviews/{signed_in.interview.id}").data)
    row = page.one("tr", data_candidate_id=str(signed_in.candidate.id))
    assert row.one("td", cls="cell-progress").text() == "Erased"
    assert row.one("td", cls="cell-transcription").text() == "Erased"
    assert row.find("input", type="checkbox") is None
    assert "Manage" not in row.text()
    kept = page.one("tr", data_candidate_id=str(other.id))
    assert kept.find("input", type="checkbox") is not None
    assert "Manage" in kept.text()
    assert "Erased" not in kept.text()


def test_an_erased_candidates_scores_card_does_not_name_the_placeholder(signed_in, db, client):
    """Erased and never scored: the scores card says "No scores were recorded." and does
    not put the placeholder name in a sentence."""
    erase_fully(db, signed_in, datetime.now(UTC))
    card = page_of(client, signed_in).one("section", id="reviewers")
    assert "No scores were recorded." in card.text()
    assert signed_in.candidate.name not in card.text()
