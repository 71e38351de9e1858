"""The API's results shapes: a candidate's results document (calls, answers with their
transcripts, segments, keypad digits and scores) and an answer's audio link, as
marshmallow schemas that document the OpenAPI file and dump voice/results.py's rows."""

from __future__ import annotations

import marshmallow as ma

from dashboard.api.fields import Timestamp
from ivr.fields import CALL_DIRECTIONS, CALL_STATUSES
from voice.models import AnswerStatus, CandidateStatus, DecisionKind, QuestionKind

F = ma.fields


class ScoreSchema(ma.Schema):
    """A reviewer's 1-5 score."""

    reviewer = F.String(required=True)
    value = F.Integer(required=True)
    note = F.String(required=True)


class AnswerResultSchema(ma.Schema):
    """One answer (or retake): its transcript, timed segments or keypad digits, and scores."""

    id = F.Integer(required=True)
    question_id = F.Integer(required=True)
    question = F.String(required=True)
    kind = F.String(required=True, validate=ma.validate.OneOf(QuestionKind.ALL))
    position = F.Integer(required=True)
    attempt = F.Integer(required=True)
    kept = F.Boolean(required=True)
    digits = F.String(allow_none=True)
    recording_sid = F.String(allow_none=True)
    duration_seconds = F.Integer(
        allow_none=True,
        metadata={
            "description": "The recording's length as Twilio gave it; null if unknown "
            "or a keypad answer (nothing is recorded)."
        },
    )
    status = F.String(
        required=True,
        validate=ma.validate.OneOf(AnswerStatus.ALL),
        metadata={
            "description": "Where the answer is in the pipeline; `keypad` for a keypad "
            "answer (`digits` holds it)."
        },
    )
    error = F.String(allow_none=True)
    transcript = F.String(
        allow_none=True,
        metadata={
            "description": "The transcript: a person's correction when there is one "
            "(`machine_transcript` then holds the speech model's own text)."
        },
    )
    machine_transcript = F.String(
        allow_none=True,
        metadata={
            "description": "The speech model's own text, when a person corrected the "
            "transcript; null otherwise."
        },
    )
    transcript_edited_at = Timestamp(
        allow_none=True,
        metadata={"description": "When a person last corrected the transcript; null if never."},
    )
    transcript_checked_at = Timestamp(
        allow_none=True,
        metadata={
            "description": "When a person checked the transcript (marked it checked, or "
            "corrected it): a flagged one is then no longer to check. Null if nobody did."
        },
    )
    segments = F.List(
        F.Dict(keys=F.String()),
        metadata={
            "description": "The transcript's timed pieces: [{start, end, text}], start "
            "and end in seconds from the answer's start; always the speech model's."
        },
    )
    stt_engine = F.String(allow_none=True)
    scores = F.List(F.Nested(ScoreSchema))
    transcript_language = F.String(allow_none=True)
    detected_language = F.String(allow_none=True)
    detected_language_probability = F.Float(allow_none=True)
    flags = F.List(
        F.String(),
        metadata={
            "description": "The transcript's reliability flags (voice/reliability.py; kept "
            "for the record once a person checked it: see `transcript_checked_at`), then "
            "retake, not kept, no audio, failed, knockout, processing."
        },
    )
    flag_reasons = F.List(
        F.String(), metadata={"description": "The reliability flags as a reviewer reads them."}
    )
    has_audio = F.Boolean(metadata={"description": "Whether GET /answers/{id}/audio works."})


class CallResultSchema(ma.Schema):
    """One call of the candidate."""

    call_sid = F.String(required=True)
    direction = F.String(
        validate=ma.validate.OneOf(CALL_DIRECTIONS.split()),
        metadata={"description": 'Twilio\'s Direction: `outbound-api` for "call me now".'},
    )
    status = F.String(
        validate=ma.validate.OneOf(CALL_STATUSES.split()),
        metadata={"description": "Twilio's CallStatus, as last reported."},
    )
    outcome = F.String(
        metadata={
            "description": "How the call ended, in a few lowercase words; empty while it is "
            "under way. Not a closed list: for example `completed`, `screened out`, `no "
            "consent`, `wrong PIN`, `busy`, `no answer`, `voicemail`, or `hung up at "
            "question N` (N the question's number, counted from 1)."
        }
    )
    reached_question = F.Integer()
    language = F.String(allow_none=True)
    duration_seconds = F.Integer(allow_none=True)
    consent = F.Dict(
        keys=F.String(),
        allow_none=True,
        metadata={
            "description": "The consent record: {text (as spoken), language, key (`1` "
            "agreed, `2` declined, null none), agreed (boolean), at (ISO 8601 UTC or "
            "null)}; null when the call never reached the question."
        },
    )


class ResultsSchema(ma.Schema):
    """A candidate's results: calls, answers, scores and decision."""

    id = F.Integer(required=True)
    name = F.String(required=True)
    phone = F.String(allow_none=True)
    status = F.String(required=True, validate=ma.validate.OneOf(CandidateStatus.ALL))
    screened_out_reason = F.String(allow_none=True)
    language = F.String(allow_none=True)
    extra_time = F.Float()
    slow_speech = F.Boolean()
    decision = F.String(allow_none=True, validate=ma.validate.OneOf(DecisionKind.ALL))
    started_at = Timestamp(allow_none=True)
    completed_at = Timestamp(allow_none=True)
    calls = F.List(F.Nested(CallResultSchema))
    answers = F.List(F.Nested(AnswerResultSchema))
    overall_scores = F.List(F.Nested(ScoreSchema))
    mean_score = F.Float(allow_none=True)


class AudioLinkSchema(ma.Schema):
    """A short-lived link to an answer's audio (MP3), usable without a key until it expires."""

    url = F.String(required=True)
    expires_at = Timestamp(required=True)
