"""Everything held about one candidate, as one JSON-ready document (`candidate.json`).

The document is the data half of a candidate's own copy (voice/candidate_export.py
adds the audio and the readable text files). Its shape is stable: a change that
renames or removes a field raises FORMAT_VERSION; adding a field does not.

Shape (format_version 1; every time is RFC 3339 in UTC, e.g. "2026-11-30T08:40:54Z",
or null; ids are the database's):

    {"format_version": 1, "exported_at": time,
     "candidate": {id, name, phone, email, external_id, pin, status,
                   screened_out_reason, language, extra_time, slow_speech, decision,
                   decided_at, created_at, started_at, completed_at},
     "interview": {id, title, organization, phone_number, languages,
                   questions: [{id, position, kind, prompt, translations, max_seconds,
                                min_seconds, must_be, at_least, at_most,
                                rubric: [{id, name, description}]}]},
     "calls": [{id, call_sid, direction, from, to, status, outcome, language,
                reached_question, started_at, ended_at, duration_seconds,
                consent: {text, language, key, agreed, at} | null}],
     "answers": [{id, question_id, question_position, question, kind, call_sid,
                  attempt, kept, status, error, recorded_at, announced_at,
                  transcribed_at, duration_seconds, playback_seconds,
                  keypad: {digits, meaning} | null, transcript (a person's
                  correction, if any), machine_transcript (the speech model's text
                  when corrected, else null),
                  segments: [{start, end, text}] (seconds from the answer's start),
                  stt_engine, transcript_language ("es"), transcript_flags (why the
                  transcript may be unreliable, as words: ["answered in Spanish"]),
                  audio: {original, playback} (each: {key, file} | null;
                  file is the ZIP path, null when the file is missing),
                  scores: [score], criterion_scores: [{criterion, value, by,
                  created_at, updated_at}], comments: [comment]}],
     "overall_scores": [score], "comments": [comment],
     "decisions": [{decision, feedback, by, at}],
     "messages": [{kind, to, body, state ("sent" | "failed" | "not sent"),
                   message_sid, error, created_at, sent_at, sent_by}],
     "share_links": [{id, label, created_by, created_at, expires_at, revoked_at,
                      views: [{viewer, opened_at}]}],
     "missing_audio": [{answer_id, copy, key, reason}]}

with score = {value (1-5), note, by, created_at, updated_at} and
comment = {body, by, at}. "by" is the teammate's name, else their e-mail, else
null (a removed account); "Screenline" for messages sent automatically. A share
link's visitors are listed by the name they gave; their IP addresses and browsers,
data about other people, are not part of a candidate's copy.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from voice.apikeys import key_words
from voice.models import (
    Answer,
    ApiKey,
    Call,
    Candidate,
    Comment,
    CriterionScore,
    Decision,
    Message,
    Question,
    QuestionKind,
    RubricCriterion,
    Score,
    ShareLink,
    ShareView,
    User,
)
from voice.reliability import describe

FORMAT_VERSION = 1


def rfc3339(value: datetime | None) -> str | None:
    """An aware datetime as RFC 3339 in UTC ("...Z"), or None."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def keypad_meaning(kind: str, digits: str | None) -> str | int | None:
    """What a keypad answer means: "yes" (1) or "no" (2) for a yes/no question, the
    number for a number question; None when nothing (or nothing readable) was typed."""
    if not digits:
        return None
    if kind == QuestionKind.YES_NO:
        return {"1": "yes", "2": "no"}.get(digits)
    return int(digits) if digits.isdigit() else None


def candidate_record(
    session: Session,
    candidate: Candidate,
    audio_files: dict[tuple[int, str], str | None] | None = None,
    missing_audio: list[dict[str, Any]] | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Build the candidate.json document (the shape is in this module's docstring).

    `audio_files` maps (answer id, "original" or "playback") to the file's path in the
    ZIP, or None when the stored file is missing; `missing_audio` lists those missing
    files with the reason. Reads only; commits nothing.
    """
    audio_files = audio_files or {}
    users = _UserNames(session)
    interview = candidate.interview
    questions = list(interview.questions)
    answers = sorted(
        session.scalars(
            select(Answer)
            .where(Answer.candidate_id == candidate.id)
            .options(selectinload(Answer.question), selectinload(Answer.call))
        ),
        key=lambda a: (a.question.position, a.attempt, a.id),
    )
    answer_ids = [a.id for a in answers]
    scores = session.scalars(
        select(Score).where(Score.candidate_id == candidate.id).order_by(Score.id)
    ).all()
    criterion_scores: dict[int, list[CriterionScore]] = defaultdict(list)
    criteria = {
        c.id: c
        for c in session.scalars(
            select(RubricCriterion)
            .where(RubricCriterion.question_id.in_([q.id for q in questions]))
            .order_by(RubricCriterion.position, RubricCriterion.id)
        )
    }
    if answer_ids:
        for cs in session.scalars(
            select(CriterionScore)
            .where(CriterionScore.answer_id.in_(answer_ids))
            .order_by(CriterionScore.id)
        ):
            criterion_scores[cs.answer_id].append(cs)
    comments: dict[int | None, list[Comment]] = defaultdict(list)
    for comment in session.scalars(
        select(Comment)
        .where(Comment.candidate_id == candidate.id)
        .order_by(Comment.created_at, Comment.id)
    ):
        comments[comment.answer_id].append(comment)

    def score(s: Score) -> dict[str, Any]:
        return {
            "value": s.value,
            "note": s.note,
            "by": users.name(s.reviewer_id),
            "created_at": rfc3339(s.created_at),
            "updated_at": rfc3339(s.updated_at),
        }

    def comment(c: Comment) -> dict[str, Any]:
        return {"body": c.body, "by": users.name(c.author_id), "at": rfc3339(c.created_at)}

    def answer(a: Answer) -> dict[str, Any]:
        return {
            "id": a.id,
            "question_id": a.question_id,
            "question_position": a.question.position,
            "question": a.question.prompt,
            "kind": a.question.kind,
            "call_sid": a.call.call_sid if a.call else None,
            "attempt": a.attempt,
            "kept": a.kept,
            "status": a.status,
            "error": a.error,
            "recorded_at": rfc3339(a.created_at),
            "announced_at": rfc3339(a.announced_at),
            "transcribed_at": rfc3339(a.transcribed_at),
            "duration_seconds": a.duration_seconds,
            "playback_seconds": a.playback_seconds,
            "keypad": (
                {"digits": a.digits, "meaning": keypad_meaning(a.question.kind, a.digits)}
                if a.digits is not None
                else None
            ),
            "transcript": a.transcript,
            "machine_transcript": a.machine_transcript,
            "segments": _segments(a.segments),
            "stt_engine": a.stt_engine,
            "transcript_language": a.transcript_language,
            "transcript_flags": describe(a.transcript_flags, a.transcript_language),
            "audio": {
                copy: (
                    {"key": key, "file": audio_files.get((a.id, copy))}
                    if (key := getattr(a, f"{copy}_key"))
                    else None
                )
                for copy in ("original", "playback")
            },
            "scores": [score(s) for s in scores if s.answer_id == a.id],
            "criterion_scores": [
                {
                    "criterion": criteria[cs.criterion_id].name
                    if cs.criterion_id in criteria
                    else None,
                    "value": cs.value,
                    "by": users.name(cs.reviewer_id),
                    "created_at": rfc3339(cs.created_at),
                    "updated_at": rfc3339(cs.updated_at),
                }
                for cs in criterion_scores.get(a.id, [])
            ],
            "comments": [comment(c) for c in comments.get(a.id, [])],
        }

    return {
        "format_version": FORMAT_VERSION,
        "exported_at": rfc3339(now or datetime.now(UTC)),
        "candidate": _candidate(candidate),
        "interview": {
            "id": interview.id,
            "title": interview.title,
            "organization": interview.organization.name,
            "phone_number": interview.phone_number,
            "languages": interview.offered_languages(),
            "questions": [_question(q, criteria) for q in questions],
        },
        "calls": [_call(c) for c in _calls(session, candidate)],
        "answers": [answer(a) for a in answers],
        "overall_scores": [score(s) for s in scores if s.answer_id is None],
        "comments": [comment(c) for c in comments.get(None, [])],
        "decisions": [
            {
                "decision": d.decision,
                "feedback": d.feedback,
                "by": users.acting(d.decided_by_id, d.decided_by_api_key_id),
                "at": rfc3339(d.created_at),
            }
            for d in session.scalars(
                select(Decision)
                .where(Decision.candidate_id == candidate.id)
                .order_by(Decision.created_at, Decision.id)
            )
        ],
        "messages": [
            _message(m, users)
            for m in session.scalars(
                select(Message)
                .where(Message.candidate_id == candidate.id)
                .order_by(Message.created_at, Message.id)
            )
        ],
        "share_links": _share_links(session, candidate, users),
        "missing_audio": list(missing_audio or []),
    }


class _UserNames:
    """Teammates' display names by id, each looked up once."""

    def __init__(self, session: Session):
        self.session = session
        self.known: dict[int, str | None] = {}

    def name(self, user_id: int | None) -> str | None:
        """The user's name, else e-mail; None for no user (or a removed one)."""
        if user_id is None:
            return None
        if user_id not in self.known:
            user = self.session.get(User, user_id)
            self.known[user_id] = (user.name or user.email) if user else None
        return self.known[user_id]

    def acting(self, user_id: int | None, api_key_id: int | None) -> str | None:
        """Who acted: the API key (voice.apikeys.key_words) when a REST API request did,
        else the user's name as `name` gives it."""
        if api_key_id is not None and (key := self.session.get(ApiKey, api_key_id)):
            return key_words(key.name)
        return self.name(user_id)


def _candidate(c: Candidate) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "phone": c.phone,
        "email": c.email,
        "external_id": c.external_id,
        "pin": c.pin,
        "status": c.status,
        "screened_out_reason": c.screened_out_reason,
        "language": c.language,
        "extra_time": c.extra_time,
        "slow_speech": c.slow_speech,
        "decision": c.decision,
        "decided_at": rfc3339(c.decided_at),
        "created_at": rfc3339(c.created_at),
        "started_at": rfc3339(c.started_at),
        "completed_at": rfc3339(c.completed_at),
    }


def _question(q: Question, criteria: dict[int, RubricCriterion]) -> dict[str, Any]:
    return {
        "id": q.id,
        "position": q.position,
        "kind": q.kind,
        "prompt": q.prompt,
        "translations": dict(q.translations or {}),
        "max_seconds": q.max_seconds,
        "min_seconds": q.min_seconds,
        "must_be": q.must_be,
        "at_least": q.at_least,
        "at_most": q.at_most,
        "rubric": [
            {"id": c.id, "name": c.name, "description": c.description}
            for c in criteria.values()
            if c.question_id == q.id
        ],
    }


def _calls(session: Session, candidate: Candidate) -> list[Call]:
    return list(
        session.scalars(
            select(Call).where(Call.candidate_id == candidate.id).order_by(Call.started_at, Call.id)
        )
    )


def _call(c: Call) -> dict[str, Any]:
    consent = None
    if c.consent_text is not None:
        consent = {
            "text": c.consent_text,
            "language": c.consent_language,
            "key": c.consent_key,
            "agreed": c.consent_key == "1",
            "at": rfc3339(c.consent_at),
        }
    return {
        "id": c.id,
        "call_sid": c.call_sid,
        "direction": c.direction,
        "from": c.from_number,
        "to": c.to_number,
        "status": c.status,
        "outcome": c.outcome,
        "language": c.language,
        "reached_question": c.reached_position,
        "started_at": rfc3339(c.started_at),
        "ended_at": rfc3339(c.ended_at),
        "duration_seconds": c.duration_seconds,
        "consent": consent,
    }


def _segments(raw: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The stored segments as {start, end, text}, seconds as floats; malformed ones skipped."""
    out = []
    for segment in raw or []:
        try:
            start = float(segment["start"])
            end = float(segment.get("end", start))
            text = str(segment.get("text", "")).strip()
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
        out.append({"start": start, "end": end, "text": text})
    return out


def _message(m: Message, users: _UserNames) -> dict[str, Any]:
    if m.sent_at is not None:
        state = "sent"
    elif m.error:
        state = "failed"
    else:
        state = "not sent"
    return {
        "kind": m.kind,
        "to": m.to,
        "body": m.body,
        "state": state,
        "message_sid": m.message_sid,
        "error": m.error,
        "created_at": rfc3339(m.created_at),
        "sent_at": rfc3339(m.sent_at),
        "sent_by": (
            users.acting(m.sent_by_id, m.sent_by_api_key_id)
            if m.sent_by_id or m.sent_by_api_key_id
            else "Screenline"
        ),
    }


def _share_links(session: Session, candidate: Candidate, users: _UserNames) -> list[dict]:
    # candidate_ids is a JSON list: filtered here, the same way on SQLite and PostgreSQL.
    links = [
        link
        for link in session.scalars(
            select(ShareLink)
            .where(ShareLink.organization_id == candidate.interview.organization_id)
            .order_by(ShareLink.created_at, ShareLink.id)
        )
        if candidate.id in (link.candidate_ids or [])
    ]
    views: dict[int, list[ShareView]] = defaultdict(list)
    if links:
        for view in session.scalars(
            select(ShareView)
            .where(ShareView.share_link_id.in_([link.id for link in links]))
            .order_by(ShareView.opened_at, ShareView.id)
        ):
            views[view.share_link_id].append(view)
    return [
        {
            "id": link.id,
            "label": link.label,
            "created_by": users.name(link.created_by_id),
            "created_at": rfc3339(link.created_at),
            "expires_at": rfc3339(link.expires_at),
            "revoked_at": rfc3339(link.revoked_at),
            "views": [
                {"viewer": v.viewer, "opened_at": rfc3339(v.opened_at)} for v in views[link.id]
            ],
        }
        for link in links
    ]
