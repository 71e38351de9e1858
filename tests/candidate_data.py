"""A candidate with one of everything Screenline holds, real audio in the store included."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from tests.factories import make_candidate, make_interview, make_org, make_user
from tests.voice.samples import SENTENCES, phone_speech
from voice.audio import normalise
from voice.models import (
    Answer,
    AnswerStatus,
    Call,
    Candidate,
    CandidateStatus,
    Comment,
    CriterionScore,
    Decision,
    Message,
    Role,
    RubricCriterion,
    Score,
    ShareLink,
    ShareView,
    User,
)
from voice.store import AudioStore, answer_key

CONSENT_WORDS = "This call is recorded so the employer can hear your answers. Press 1 to agree."
CONSENT_AT = datetime(2026, 11, 30, 14, 2, 5, tzinfo=UTC)
SEGMENTS = [
    {"start": 0.0, "end": 2.4, "text": "I worked at a grocery store for three years,"},
    {"start": 2.4, "end": 4.1, "text": "mostly on the night shift."},
]


@dataclass
class Everything:
    """The rows made, and the audio bytes stored for the kept spoken answer."""

    manager: User
    reviewer: User
    candidate: Candidate
    call: Call
    yes_no: Answer
    number: Answer
    first_take: Answer  # a retake replaced it: original audio only, not kept
    spoken: Answer  # the kept answer, original and playback stored
    original: bytes
    playback: bytes


def make_everything(db: Session, store: AudioStore, org_name: str = "Acme Warehousing"):
    """An interview (yes/no, number and spoken questions), a candidate who answered every
    one on a call with consent, a retake, scores, a rubric score, comments, a decision,
    an SMS sent and one that failed, and a share link that was opened."""
    org = make_org(db, org_name)
    manager = make_user(db, org, email="manager@acme.test")
    reviewer = make_user(db, org, email="rev@acme.test", role=Role.REVIEWER)
    reviewer.name = "Riley Reviewer"
    interview = make_interview(
        db,
        org,
        questions=[
            {"kind": "yes_no", "prompt": "Are you 18 or older?", "must_be": "yes"},
            {"kind": "number", "prompt": "How many hours a week?", "at_least": 20},
            {"prompt": "Tell us about your last job.", "max_seconds": 60},
        ],
    )
    q_yes, q_number, q_spoken = interview.questions
    candidate = make_candidate(db, interview)
    candidate.email = "dana@example.com"
    candidate.status = CandidateStatus.COMPLETED
    candidate.started_at = CONSENT_AT
    candidate.completed_at = CONSENT_AT + timedelta(minutes=4)
    candidate.decision = "advance"
    call = Call(
        call_sid="CA" + "a" * 32,
        interview_id=interview.id,
        candidate_id=candidate.id,
        from_number="+15557654321",
        to_number=interview.phone_number,
        status="completed",
        outcome="completed",
        consented=True,
        consent_text=CONSENT_WORDS,
        consent_language="en-US",
        consent_key="1",
        consent_at=CONSENT_AT,
        started_at=CONSENT_AT - timedelta(seconds=10),
        ended_at=CONSENT_AT + timedelta(minutes=4),
        duration_seconds=250,
    )
    db.add(call)
    db.flush()

    def answer(question, **fields) -> Answer:
        row = Answer(candidate=candidate, question=question, call_id=call.id, **fields)
        db.add(row)
        db.flush()
        return row

    yes_no = answer(q_yes, digits="1", status=AnswerStatus.KEYPAD)
    number = answer(q_number, digits="40", status=AnswerStatus.KEYPAD)
    original = phone_speech(SENTENCES[0])
    playback = normalise(original).playback_mp3
    first_take = answer(
        q_spoken,
        attempt=1,
        kept=False,
        recording_sid="RE" + "1" * 32,
        status=AnswerStatus.STORED,
    )
    first_take.original_key = store.put(answer_key(first_take.id, "original.wav"), original)
    spoken = answer(
        q_spoken,
        attempt=2,
        recording_sid="RE" + "2" * 32,
        status=AnswerStatus.TRANSCRIBED,
        transcript=" ".join(s["text"] for s in SEGMENTS),
        segments=SEGMENTS,
        stt_engine="whisper",
        duration_seconds=5,
        playback_seconds=4.1,
    )
    spoken.original_key = store.put(answer_key(spoken.id, "original.wav"), original)
    spoken.playback_key = store.put(answer_key(spoken.id, "playback.mp3"), playback)

    criterion = RubricCriterion(question_id=q_spoken.id, position=1, name="Experience")
    db.add(criterion)
    db.flush()
    db.add_all(
        [
            Score(
                reviewer=reviewer,
                candidate_id=candidate.id,
                answer_id=spoken.id,
                value=4,
                note="Clear and specific.",
            ),
            Score(reviewer=manager, candidate_id=candidate.id, value=5, note="Strong overall."),
            CriterionScore(
                reviewer_id=reviewer.id, answer_id=spoken.id, criterion_id=criterion.id, value=3
            ),
            Comment(candidate_id=candidate.id, author_id=manager.id, body="Call her back."),
            Comment(
                candidate_id=candidate.id,
                answer_id=spoken.id,
                author_id=reviewer.id,
                body="Nights suit us.",
            ),
            Decision(
                candidate_id=candidate.id,
                decision="advance",
                decided_by_id=manager.id,
                feedback="Welcome to the next round.",
            ),
            Message(
                candidate_id=candidate.id,
                kind="invitation",
                to=candidate.phone,
                body="Call +15550100200 with PIN 123456.",
                message_sid="SM" + "b" * 32,
                sent_at=CONSENT_AT - timedelta(days=1),
            ),
            Message(
                candidate_id=candidate.id,
                kind="decision:advance",
                to=candidate.phone,
                body="Good news: you move to the next round.",
                sent_by_id=manager.id,
                error="Twilio refused the number",
            ),
        ]
    )
    link = ShareLink(
        organization_id=org.id,
        token_hash="c" * 64,
        label="For the store manager",
        candidate_ids=[candidate.id],
        created_by_id=manager.id,
        expires_at=CONSENT_AT + timedelta(days=7),
    )
    db.add(link)
    db.flush()
    db.add(ShareView(share_link_id=link.id, viewer="Sam Store", ip_address="203.0.113.9"))
    db.commit()
    return Everything(
        manager, reviewer, candidate, call, yes_no, number, first_take, spoken, original, playback
    )
