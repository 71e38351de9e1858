"""The API's JSON shapes as marshmallow schemas: they document the OpenAPI file and dump rows.

Request bodies that the domain validates itself (an interview in the interview file
format, candidates through voice/candidates.py) are documented by these schemas but
checked by the domain's rules, so the API answers with the same messages as the YAML
import, the builder and the CLI.
"""

from __future__ import annotations

import marshmallow as ma

from dashboard.api.fields import PageArgs, Timestamp, page_schema
from voice.models import CandidateStatus, DecisionKind, QuestionKind

F = ma.fields
TEXT = {"description": "Text for every language, or a map of language code to text."}


class QuestionSpecSchema(ma.Schema):
    """One question in the interview file format."""

    kind = F.String(validate=ma.validate.OneOf(QuestionKind.ALL), metadata={"example": "voice"})
    prompt = F.Raw(required=True, metadata=TEXT)
    max_seconds = F.Integer(metadata={"description": "5 to 3600; the recording stops here."})
    min_seconds = F.Integer()
    think_seconds = F.Integer(metadata={"description": "0 to 120."})
    retakes = F.Integer(allow_none=True, metadata={"description": "0 to 5."})
    must_be = F.String(allow_none=True, metadata={"description": "yes_no knockout: yes or no."})
    at_least = F.Integer(allow_none=True)
    at_most = F.Integer(allow_none=True)


class InterviewSpecSchema(ma.Schema):
    """An interview in the interview file format (README, "The interview file")."""

    title = F.String(required=True, metadata={"example": "Warehouse associate, nights"})
    phone_number = F.String(required=True, metadata={"example": "+15550100200"})
    languages = F.Raw(
        metadata={"description": "A list of language codes; the first is the default."}
    )
    voice = F.Raw(metadata=TEXT)
    intro = F.Raw(metadata=TEXT)
    closing = F.Raw(metadata=TEXT)
    job_details = F.Raw(metadata=TEXT)
    retakes = F.Integer()
    practice = F.Boolean()
    deadline = F.String(
        allow_none=True, metadata={"description": "RFC 3339, e.g. 2026-12-31T23:59:00Z"}
    )
    reminders = F.List(F.String(), metadata={"description": 'e.g. ["48h", "4h"]'})
    retention_days = F.Integer(allow_none=True)
    delete_recordings_at_twilio = F.Boolean()
    questions = F.List(F.Nested(QuestionSpecSchema), required=True)


class InterviewSchema(InterviewSpecSchema):
    """A saved interview: its id, when it was made, and its settings as in the file format."""

    id = F.Integer(required=True)
    created_at = Timestamp(required=True)
    candidates = F.Integer(metadata={"description": "How many candidates it has."})


class InterviewSummarySchema(ma.Schema):
    """One interview in a list."""

    id = F.Integer(required=True)
    title = F.String(required=True)
    phone_number = F.String(required=True)
    languages = F.List(F.String())
    questions = F.Integer(metadata={"description": "How many questions it has."})
    candidates = F.Integer()
    completed = F.Integer()
    created_at = Timestamp(required=True)


InterviewPageSchema = page_schema(InterviewSummarySchema, "InterviewPage")


class CandidateSchema(ma.Schema):
    """A candidate: who they are, where they are in the interview, and the decision."""

    id = F.Integer(required=True)
    interview_id = F.Integer(required=True)
    name = F.String(required=True)
    phone = F.String(allow_none=True)
    email = F.String(allow_none=True)
    external_id = F.String(allow_none=True, metadata={"description": "Your system's id."})
    pin = F.String(metadata={"description": "Typed on the call when caller ID is not theirs."})
    status = F.String(validate=ma.validate.OneOf(CandidateStatus.ALL))
    screened_out_reason = F.String(allow_none=True)
    decision = F.String(allow_none=True, validate=ma.validate.OneOf(DecisionKind.ALL))
    decided_at = Timestamp(allow_none=True)
    language = F.String(allow_none=True)
    created_at = Timestamp(required=True)
    started_at = Timestamp(allow_none=True)
    completed_at = Timestamp(allow_none=True)
    updated_at = Timestamp(required=True)


CandidatePageSchema = page_schema(CandidateSchema, "CandidatePage")


class CandidateListArgs(PageArgs):
    """Filters of the candidates list."""

    interview = F.Integer(
        validate=ma.validate.Range(1, 2**31 - 1), metadata={"description": "An interview's id."}
    )
    status = F.String(validate=ma.validate.OneOf(CandidateStatus.ALL))
    decision = F.String(validate=ma.validate.OneOf(DecisionKind.ALL))
    updated_since = Timestamp(
        metadata={"description": "Only candidates changed at or after this time (RFC 3339)."}
    )


class ProblemSchema(ma.Schema):
    """An error as RFC 9457 problem details."""

    type = F.String(
        required=True,
        metadata={"description": "A stable URI reference naming the kind of error."},
    )
    title = F.String(required=True)
    status = F.Integer(required=True)
    detail = F.String(required=True)
    instance = F.String(metadata={"description": "The path that was requested."})
    errors = F.Dict(
        keys=F.String(),
        values=F.String(),
        metadata={"description": "Field path -> what is wrong with it."},
    )
