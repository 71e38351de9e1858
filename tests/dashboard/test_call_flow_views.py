"""What the call flow records shows on the candidate page: keypad answers, knockouts, languages."""

from __future__ import annotations

from tests.dashboard.html import parse
from tests.factories import make_candidate, make_interview, make_org, make_user
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
