"""A candidate holding every kind of personal data, for the retention and erasure tests.

The candidate's audio lies in the real audio store, their recordings and text messages
in the Twilio stand-in (so deleting them there can be seen), and the database holds
transcripts, keypad digits, comments, notes, a decision's feedback, calls with their
caller ID and a share link.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from ivr.standin import TwilioApiServer
from ivr.twilio_rest import TwilioRest
from tests.factories import make_candidate, make_interview, make_org, make_user
from voice.erasure import AUDIO_FILES
from voice.models import (
    Answer,
    AnswerStatus,
    Call,
    Candidate,
    CandidateStatus,
    Comment,
    Decision,
    Interview,
    Message,
    Score,
    ShareLink,
)
from voice.store import AudioStore, answer_key

NAME, PHONE, EMAIL = "Dana Diaz", "+15557654321", "dana@example.test"
TRANSCRIPT = "I drove a forklift for three years at Northwind."


@dataclass
class Person:
    """What was made: the candidate and the ids and keys that must go."""

    candidate: Candidate
    interview: Interview
    answers: list[Answer]
    recording_sids: list[str]
    message_sids: list[str]
    keys: list[str] = field(default_factory=list)


def make_person(
    db: Session,
    store: AudioStore,
    api: TwilioApiServer,
    *,
    interview: Interview | None = None,
    completed_days_ago: float = 400,
    name: str = NAME,
    phone: str = PHONE,
) -> Person:
    """A completed candidate with two spoken answers, a keypad answer and everything around.

    Committed. `interview` (default: a new one, with a yes/no question first) must have
    a yes/no question first and two spoken ones after it.
    """
    if interview is None:
        org = make_org(db)
        interview = make_interview(
            db,
            org,
            questions=[
                {"kind": "yes_no", "prompt": "Are you 18 or older?"},
                {"prompt": "Tell us about your last job.", "max_seconds": 60},
                {"prompt": "Why this job?", "max_seconds": 60},
            ],
        )
    org_id = interview.organization_id
    reviewer = make_user(db, interview.organization, email=f"r{uuid.uuid4().hex[:8]}@acme.test")
    candidate = make_candidate(db, interview, name=name, phone=phone)
    done = datetime.now(UTC) - timedelta(days=completed_days_ago)
    candidate.email = EMAIL
    candidate.status = CandidateStatus.COMPLETED
    candidate.created_at = done - timedelta(days=1)
    candidate.started_at = done - timedelta(minutes=10)
    candidate.completed_at = done
    candidate.decision = "reject"
    call = Call(
        call_sid="CA" + uuid.uuid4().hex,
        interview_id=interview.id,
        candidate_id=candidate.id,
        from_number=phone,
        to_number=interview.phone_number,
        outcome="completed",
        consented=True,
        started_at=done - timedelta(minutes=10),
        ended_at=done,
        last_reply="<Response><Say>Hi Dana</Say></Response>",
    )
    db.add(call)
    keypad = Answer(
        candidate=candidate,
        question=interview.questions[0],
        digits="1",
        status=AnswerStatus.KEYPAD,
    )
    db.add(keypad)
    rest = TwilioRest(api.account_sid, api.auth_token, api.url)
    person = Person(candidate, interview, [keypad], [], [])
    for question in interview.questions[1:3]:
        sid = "RE" + uuid.uuid4().hex
        api.add_recording(
            sid, account_sid=api.account_sid, call_sid=call.call_sid, wav=b"RIFF", seconds=3
        )
        answer = Answer(
            candidate=candidate,
            question=question,
            call=call,
            recording_sid=sid,
            recording_url=f"{api.url}/2010-04-01/Accounts/{api.account_sid}/Recordings/{sid}",
            status=AnswerStatus.TRANSCRIBED,
            transcript=TRANSCRIPT,
            segments=[{"start": 0.0, "end": 2.0, "text": TRANSCRIPT}],
            playback_seconds=2.0,
            duration_seconds=3,
        )
        db.add(answer)
        db.flush()
        for file in AUDIO_FILES:
            person.keys.append(store.put(answer_key(answer.id, file), b"audio of " + file.encode()))
        answer.original_key = answer_key(answer.id, "original.wav")
        answer.normalised_key = answer_key(answer.id, "speech.wav")
        answer.playback_key = answer_key(answer.id, "playback.mp3")
        person.answers.append(answer)
        person.recording_sids.append(sid)
    for kind in ("invitation", "receipt"):
        sid = rest.send_sms(phone, interview.phone_number, f"{kind} for {name}")
        db.add(
            Message(
                candidate_id=candidate.id,
                kind=kind,
                to=phone,
                body=f"{kind} for {name}",
                message_sid=sid,
                sent_at=done,
            )
        )
        person.message_sids.append(sid)
    db.add(Comment(candidate_id=candidate.id, author_id=reviewer.id, body=f"{name} said forklift"))
    db.add(Score(reviewer=reviewer, candidate_id=candidate.id, value=4, note="Dana was clear"))
    db.add(Decision(candidate_id=candidate.id, decision="reject", feedback="Dana, thanks"))
    db.add(
        ShareLink(
            organization_id=org_id,
            token_hash=uuid.uuid4().hex * 2,
            candidate_ids=[candidate.id],
            expires_at=datetime.now(UTC) + timedelta(days=3),
        )
    )
    db.commit()
    return person
