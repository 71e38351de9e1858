"""An interview's results as plain data: every candidate, their answers and scores."""

from __future__ import annotations

from statistics import mean
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from voice.models import Answer, AnswerStatus, Call, Candidate, Interview, Score
from voice.reliability import describe


def interview_results(session: Session, interview: Interview) -> dict[str, Any]:
    """Everything a script needs about one interview, JSON-ready.

    Each question has its `kind` ("voice", "yes_no", "number") and `max_seconds`, the
    recording's limit in seconds, null for a keypad question (nothing is recorded).
    """
    candidates = session.scalars(
        select(Candidate)
        .where(Candidate.interview_id == interview.id)
        .options(
            selectinload(Candidate.answers).selectinload(Answer.question),
            selectinload(Candidate.calls),
        )
        .order_by(Candidate.id)
    ).all()
    scores = session.scalars(
        select(Score)
        .join(Candidate, Score.candidate_id == Candidate.id)
        .where(Candidate.interview_id == interview.id)
        .options(selectinload(Score.reviewer))
    ).all()
    by_candidate: dict[int, list[Score]] = {}
    for score in scores:
        by_candidate.setdefault(score.candidate_id, []).append(score)
    return {
        "interview": {
            "id": interview.id,
            "title": interview.title,
            "phone_number": interview.phone_number,
            "questions": [
                {
                    "id": q.id,
                    "position": q.position,
                    "prompt": q.prompt,
                    "kind": q.kind,
                    # A keypad question records nothing, so it has no length limit.
                    "max_seconds": None if q.is_keypad else q.max_seconds,
                }
                for q in interview.questions
            ],
        },
        "candidates": [_candidate(c, by_candidate.get(c.id, [])) for c in candidates],
    }


def candidate_results(session: Session, candidate: Candidate) -> dict[str, Any]:
    """One candidate's results, JSON-ready: the same shape as a candidate of `interview_results`
    (calls, answers with transcripts and segments, keypad digits, scores, decision)."""
    scores = session.scalars(
        select(Score)
        .where(Score.candidate_id == candidate.id)
        .options(selectinload(Score.reviewer))
    ).all()
    return _candidate(candidate, list(scores))


def _candidate(candidate: Candidate, scores: list[Score]) -> dict[str, Any]:
    overall = [s for s in scores if s.answer_id is None]
    return {
        "id": candidate.id,
        "name": candidate.name,
        "phone": candidate.phone,
        "status": candidate.status,
        "screened_out_reason": candidate.screened_out_reason,
        "language": candidate.language,
        "extra_time": candidate.extra_time,
        "slow_speech": candidate.slow_speech,
        "decision": candidate.decision,
        "started_at": _iso(candidate.started_at),
        "completed_at": _iso(candidate.completed_at),
        "calls": [
            {
                "call_sid": c.call_sid,
                "direction": c.direction,
                "status": c.status,
                "outcome": c.outcome,
                "reached_question": c.reached_position,
                "language": c.language,
                "duration_seconds": c.duration_seconds,
                "consent": call_consent(c),
            }
            for c in candidate.calls
        ],
        "answers": [
            _answer(a, [s for s in scores if s.answer_id == a.id])
            for a in sorted(candidate.answers, key=lambda a: (a.question.position, a.attempt))
        ],
        "overall_scores": [_score(s) for s in overall],
        "mean_score": round(mean(s.value for s in scores), 2) if scores else None,
    }


def call_consent(call: Call) -> dict[str, Any] | None:
    """A call's consent record, JSON-ready; None when the call never reached the question.

    Returns {"text": words as spoken, "language": "en-US", "key": "1" (agreed) / "2"
    (declined) / None (no key pressed), "agreed": bool, "at": ISO-8601 UTC time of the
    first press or None}.
    """
    if call.consent_text is None:
        return None
    return {
        "text": call.consent_text,
        "language": call.consent_language,
        "key": call.consent_key,
        "agreed": call.consent_key == "1",
        "at": _iso(call.consent_at),
    }


def _answer(answer: Answer, scores: list[Score]) -> dict[str, Any]:
    # An erased answer has no transcript left to be unsure of: its old flags are not
    # reported (erasure leaves the column as it was).
    flags = [] if answer.status == AnswerStatus.ERASED else list(answer.transcript_flags or [])
    return {
        "id": answer.id,
        "question_id": answer.question_id,
        "question": answer.question.prompt,
        "kind": answer.question.kind,
        "position": answer.question.position,
        "attempt": answer.attempt,
        "kept": answer.kept,
        "digits": answer.digits,
        "recording_sid": answer.recording_sid,
        "duration_seconds": answer.duration_seconds,
        "status": answer.status,
        "error": answer.error,
        "transcript": answer.transcript,
        "machine_transcript": answer.machine_transcript,
        "transcript_edited_at": _iso(answer.transcript_edited_at),
        "transcript_checked_at": _iso(answer.transcript_checked_at),
        "segments": answer.segments or [],
        "stt_engine": answer.stt_engine,
        "transcript_language": answer.transcript_language,
        "detected_language": answer.detected_language,
        "detected_language_probability": answer.detected_language_probability,
        "flags": flags,
        "flag_reasons": describe(flags, answer.transcript_language),
        "scores": [_score(s) for s in scores],
    }


def answer_length(playback_seconds: float | None, duration_seconds: int | None) -> float | None:
    """How long an answer is, in seconds, as a person is shown it: the playable file's
    length (`Answer.playback_seconds`, measured from the compact copy the dashboard
    plays) when known, else Twilio's RecordingDuration (`Answer.duration_seconds`, whole
    seconds, counted by Twilio from the start of <Record> before the silence is trimmed);
    None when neither is known (Twilio's -1 is stored as None).

    One rule, so the CLI's results and the candidate page agree on the length of the file
    a reviewer listens to; dashboard.insights.answer_lengths is its SQL form (coalesce).
    """
    return playback_seconds if playback_seconds is not None else duration_seconds


def _score(score: Score) -> dict[str, Any]:
    return {"reviewer": score.reviewer.email, "value": score.value, "note": score.note}


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def unsettled_answers(session: Session, caller: str, since) -> int | None:
    """How many answers recorded on calls from `caller` since `since` are still in the
    pipeline; None when there has been no such call yet."""
    calls = session.scalars(
        select(Call.id).where(Call.from_number == caller).where(Call.started_at >= since)
    ).all()
    if not calls:
        return None
    return len(
        session.scalars(
            select(Answer.id)
            .where(Answer.call_id.in_(calls))
            .where(Answer.status.in_(AnswerStatus.IN_PIPELINE))
        ).all()
    )
