"""What the call flow records shows on the candidate page, and the builder's preview of the call."""

from __future__ import annotations

import uuid

from ivr.script import call_script
from tests.dashboard.html import parse
from tests.factories import make_candidate, make_interview, make_org, make_user
from tests.ivr.twilio_actions import TwilioActions, said
from voice.call_length import expected_minutes
from voice.messages import invitation_text
from voice.models import Answer, AnswerStatus, CandidateStatus


def test_keypad_answers_knockout_reason_and_missing_model_are_explained(db, client, auth):
    """Reviewers see keypad answers, why a candidate was screened out, and why no transcript."""
    org = make_org(db)
    make_user(db, org)
    interview = make_interview(
        db,
        org,
        questions=[
            {"kind": "yes_no", "prompt": "Are you 18 or older?", "must_be": "yes"},
            {"prompt": "Why this job?"},
        ],
    )
    candidate = make_candidate(db, interview)
    candidate.status = CandidateStatus.SCREENED_OUT
    candidate.screened_out_reason = "Answered no to: Are you 18 or older?"
    yes_no, spoken = interview.questions
    db.add_all(
        [
            Answer(
                candidate_id=candidate.id,
                question_id=yes_no.id,
                digits="2",
                status=AnswerStatus.KEYPAD,
            ),
            Answer(
                candidate_id=candidate.id,
                question_id=spoken.id,
                recording_sid="RE9",
                duration_seconds=6,
                status=AnswerStatus.UNTRANSCRIBED,
                error="the whisper model 'tiny.en' is English-only and cannot transcribe 'es-MX'",
            ),
        ]
    )
    db.commit()
    auth.login()
    page = parse(client.get(f"/candidates/{candidate.id}").get_data(as_text=True))
    text = page.text()
    assert "Screened out: Answered no to: Are you 18 or older?" in text
    assert "Answered on the keypad: No" in " ".join(text.split())
    assert "no speech model is set up" in text and "es-MX" in text


def test_the_preview_says_word_for_word_what_the_call_says(db, client, settings, auth):
    """Every step of the builder's preview is the text the TwiML speaks at that step."""
    org = make_org(db)
    make_user(db, org)
    interview = make_interview(
        db,
        org,
        languages=["en-US", "es-MX"],
        practice=True,
        job_details="Pay is nineteen dollars an hour.",
        questions=[
            {"kind": "yes_no", "prompt": "Are you 18 or older?", "must_be": True},
            {"prompt": "Tell us about you.", "think_seconds": 5, "max_seconds": 90},
            {"kind": "number", "prompt": "Hours a week?", "at_least": 20},
        ],
    )
    for position, question in zip((10, 20, 30), interview.questions, strict=True):
        question.position = position  # gaps, as after edits: the call counts 1, 2, 3
    candidate = make_candidate(db, interview)
    db.commit()
    auth.login()
    page = parse(client.get(f"/interviews/{interview.id}/preview").get_data(as_text=True))
    shown = {
        step.one("h2").text(): step.one("p", cls="script-spoken").text().strip("“”")
        for step in page.find_all("li", cls="script-step")
    }
    assert shown == {step.title: step.spoken for step in call_script(interview, "en-US")}

    twilio = TwilioActions(client, settings)
    heard = {"Language menu": said(root := twilio.twiml("/ivr/voice", CallStatus="ringing"))}
    heard["Greeting + consent"] = said(root := twilio.twiml(action(root), Digits="1"))
    root = twilio.twiml(action(root), Digits="1")
    heard["How it works"] = said(root).removeprefix(f"Thank you, {candidate.name.split()[0]}. ")
    practice = twilio.twiml(root.find("Redirect").text)
    playback = record(twilio, practice, seconds=3)
    menu = twilio.twiml(playback.find("Redirect").text)
    heard["Practice question"] = " ".join(map(said, (practice, playback, menu)))
    root = twilio.twiml(twilio.twiml(action(menu), Digits="2").find("Redirect").text)
    heard["Question 1"] = said(root)
    root = twilio.twiml(twilio.twiml(action(root), Digits="1").find("Redirect").text)
    heard["Question 2"] = said(root.find("Gather"))
    root = twilio.twiml(record(twilio, root, seconds=20).find("Redirect").text)
    heard["Question 3"] = said(root)
    heard["Closing"] = said(twilio.twiml(action(root), Digits="25"))

    assert heard == {
        "Language menu": shown["Language menu"],
        "Greeting + consent": shown["Greeting"] + " " + shown["Recording consent"],
        "How it works": shown["How it works"],
        "Practice question": shown["Practice question"],
        "Question 1": shown["Question 1"],
        "Question 2": shown["Question 2"],
        "Question 3": shown["Question 3"],
        "Closing": shown["Closing"],
    }
    anonymous = TwilioActions(client, settings, from_="anonymous")
    root = anonymous.twiml("/ivr/voice", CallStatus="ringing")
    root = anonymous.twiml(action(anonymous.twiml(action(root), Digits="1")), Digits="1")
    assert said(root) == shown["PIN (only when the caller's number is not known)"]

    candidate.status = CandidateStatus.COMPLETED
    db.commit()
    again = TwilioActions(client, settings)
    root = again.twiml(action(again.twiml("/ivr/voice", CallStatus="ringing")), Digits="1")
    assert said(root) == shown["Calling again after finishing"]


def test_the_preview_counts_retakes_in_words_that_agree(db, client, auth):
    """One retake reads "up to 1 retake", two read "up to 2 retakes", none says nothing."""
    org = make_org(db)
    make_user(db, org)
    interview = make_interview(
        db,
        org,
        retakes=1,
        questions=[
            {"prompt": "One?"},
            {"prompt": "Two?", "retakes": 2},
            {"prompt": "No?", "retakes": 0},
        ],
    )
    db.commit()
    auth.login()
    page = parse(client.get(f"/interviews/{interview.id}/preview").get_data(as_text=True))
    keys = {
        step.one("h2").text(): step.find_all("p", cls="small")[0].text()
        for step in page.find_all("li", cls="script-step")
        if step.one("h2").text().startswith("Question")
    }
    then = "Keys: # ends the answer · then 1 keeps it, 2 records again"
    assert keys == {
        "Question 1": f"{then} (up to 1 retake)",
        "Question 2": f"{then} (up to 2 retakes)",
        "Question 3": "Keys: # ends the answer",
    }


def test_the_invitation_and_the_preview_give_one_estimate_of_the_call(db, client, auth):
    """Keypad questions count 30 s, spoken ones 2 min: the SMS and the preview agree."""
    org = make_org(db)
    make_user(db, org)
    interview = make_interview(
        db,
        org,
        questions=[
            {"prompt": "Tell us about you."},
            {"prompt": "Why this job?"},
            {"prompt": "A busy shift?"},
            *({"kind": "yes_no", "prompt": f"Can you do {n}?"} for n in range(4)),
            {"kind": "number", "prompt": "Hours a week?"},
        ],
    )
    candidate = make_candidate(db, interview)
    db.commit()
    auth.login()
    # 3 spoken x 2 min + 5 keypad x 30 s + 1 min around = 9.5, said as 10; was 8 x 2 = 16.
    assert expected_minutes(interview) == 10
    assert "It takes about 10 minutes." in invitation_text(candidate)
    page = parse(client.get(f"/interviews/{interview.id}/preview").get_data(as_text=True))
    assert page.one("p", id="expected-minutes").text().startswith("The call takes about 10 minutes")


def action(root) -> str:
    """The action URL of a document's <Gather>."""
    return root.find("Gather").get("action")


def record(twilio, root, seconds: int):
    """Post the action of the document's <Record> with a recording `seconds` long."""
    sid = "RE" + uuid.uuid4().hex
    return twilio.twiml(
        root.find("Record").get("action"),
        RecordingSid=sid,
        RecordingUrl=f"http://twilio.invalid/Recordings/{sid}",
        RecordingDuration=str(seconds),
        Digits="#",
    )
