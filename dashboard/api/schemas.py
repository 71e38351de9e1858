"""The API's JSON shapes as marshmallow schemas: they document the OpenAPI file and dump rows.

Request schemas (bodies, forms, query strings) are made of dashboard/api/inputs.py's
fields, which apply the domain's rules (voice/candidates.py, voice/phones.py,
voice/webhooks.py) while the whole request is checked, so one 422 names every bad
field, each with what to send. An interview in the interview file format is documented
here but checked by voice/interviews.py, so the API answers with the same messages as
the YAML import and the builder.
"""

from __future__ import annotations

import marshmallow as ma

from dashboard.api.auth import caller
from dashboard.api.fields import PageArgs, Timestamp, page_schema
from dashboard.api.inputs import (
    Choice,
    EmailAddress,
    ExtraTime,
    Flag,
    ListOf,
    Phone,
    Text,
    WholeNumber,
)
from ivr.services import db
from voice import erasure
from voice.candidate_order import SORTS
from voice.candidates import MAX_CANDIDATE_NAME, MAX_EXTERNAL_ID, check_external_id, check_name
from voice.erasure import ERASED
from voice.erasure import PENDING as ERASURE_PENDING
from voice.models import (
    MAX_ROW_ID,
    CandidateStatus,
    DecisionKind,
    Organization,
    QuestionKind,
)

F = ma.fields
MAX_BATCH = 20_000  # candidates in one batch


def interview_id(**kwargs) -> WholeNumber:
    """An interview's id in a request."""
    return WholeNumber(1, MAX_ROW_ID, example=12, what="an interview's id", **kwargs)


def organisation_country() -> str | None:
    """The country a phone number without its country code is read in: the calling key's
    organisation's default country (as voice.candidates.add_candidate reads it)."""
    org = db().get(Organization, caller().organization_id)
    return org.default_country if org else None


TEXT = {
    "description": "Text for every language, or a map of language code to text.",
    "oneOf": [
        {"type": "string"},
        {"type": "object", "additionalProperties": {"type": "string"}},
    ],
}


class QuestionSpecSchema(ma.Schema):
    """One question in the interview file format."""

    kind = F.String(validate=ma.validate.OneOf(QuestionKind.ALL), metadata={"example": "voice"})
    prompt = F.Raw(required=True, metadata=TEXT)
    max_seconds = F.Integer(
        allow_none=True,
        metadata={
            "description": "5 to 3600; the recording stops here. Null for a keypad question "
            "(yes_no, number), which records nothing."
        },
    )
    min_seconds = F.Integer(
        allow_none=True,
        metadata={
            "description": "Shorter answers are asked again; below max_seconds. Null for a "
            "keypad question."
        },
    )
    think_seconds = F.Integer(
        allow_none=True, metadata={"description": "0 to 120. Null for a keypad question."}
    )
    retakes = F.Integer(allow_none=True, metadata={"description": "0 to 5."})
    must_be = F.String(allow_none=True, metadata={"description": "yes_no knockout: yes or no."})
    at_least = F.Integer(allow_none=True)
    at_most = F.Integer(allow_none=True)


class InterviewSpecSchema(ma.Schema):
    """An interview in the interview file format (README, "The interview file")."""

    title = F.Raw(required=True, metadata=TEXT | {"example": "Warehouse associate, nights"})
    phone_number = F.String(required=True, metadata={"example": "+15550100200"})
    languages = F.List(
        F.String(),
        metadata={"description": "A list of language codes; the first is the default."},
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
    warnings = F.List(
        F.String(),
        metadata={
            "description": "Create and update only: settings that were saved but deserve a "
            "second look, one sentence each (a deadline already passed, a retention period "
            "under a year), as the YAML import prints them; [] when none."
        },
    )


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


def _shown_pin(row) -> str | None:
    """A candidate's PIN as shown (voice.erasure.shown_pin); a dict row (a just-created
    candidate's reply, never erased) carries it as is."""
    return row.get("pin") if isinstance(row, dict) else erasure.shown_pin(row)


class CandidateSchema(ma.Schema):
    """A candidate: who they are, where they are in the interview, and the decision."""

    id = F.Integer(required=True)
    interview_id = F.Integer(required=True)
    name = F.String(required=True)
    phone = F.String(allow_none=True)
    email = F.String(allow_none=True)
    external_id = F.String(allow_none=True, metadata={"description": "Your system's id."})
    pin = F.Function(
        _shown_pin,
        allow_none=True,
        metadata={
            "type": "string",
            "description": "Typed on the call when caller ID is not theirs; null once the "
            "candidate's erasure began.",
        },
    )
    status = F.String(
        validate=ma.validate.OneOf(CandidateStatus.ALL),
        metadata={
            "description": "Where the candidate is in the interview. `invited`: may take the "
            "interview and has not started; it does not mean an invitation text was sent "
            "(POST /candidates/ID/invite sends one)."
        },
    )
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

    interview = interview_id(metadata={"description": "An interview's id."})
    status = Choice(CandidateStatus.ALL, what="a candidate status")
    decision = Choice(DecisionKind.ALL, what="a decision")
    updated_since = Timestamp(
        metadata={"description": "Only candidates changed at or after this time (RFC 3339)."}
    )
    sort = Choice(
        SORTS,
        what="a sort order",
        metadata={
            "description": "The list's order, as the interview page's: `latest` (latest "
            "activity first), `score` (highest mean score first, candidates nobody scored "
            "last) or `name` (A-Z, ignoring case); ties by id. Without it, oldest first. "
            "Pass the same `sort` with `cursor`."
        },
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
        metadata={
            "description": "Field path (`phone`, `candidates.2.name`) -> what is wrong with "
            "it and what to send instead, for every invalid field of the request at once.",
            "example": {
                "interview_id": "“abc” is not an interview's id. Use a whole number from 1 "
                "to 2147483647, such as 12.",
                "name": "This field is required.",
            },
        },
    )


class CandidateCreateSchema(ma.Schema):
    """A candidate to add to an interview (the rules of voice/candidates.py apply)."""

    interview_id = interview_id(required=True)
    name = Text(
        MAX_CANDIDATE_NAME,
        example="Alex Moreno",
        blank=False,
        rule=check_name,
        required=True,
        metadata={"example": "Alex Moreno"},
    )
    phone = Phone(
        organisation_country,
        allow_none=True,
        metadata={
            "example": "+15550001234",
            "description": "E.164; a number without its country code is read in the "
            "organisation's default country.",
        },
    )
    email = EmailAddress(allow_none=True, metadata={"example": "ana@example.com"})
    external_id = Text(
        MAX_EXTERNAL_ID,
        example="ATS-4711",
        rule=check_external_id,
        allow_none=True,
        metadata={"description": "Your system's id."},
    )
    extra_time = ExtraTime(
        load_default=1.0, metadata={"description": "Answer-time multiplier, 1 to 4."}
    )
    slow_speech = Flag(load_default=False)
    invite = Flag(
        load_default=False,
        metadata={
            "description": "Text the candidate their invitation now (otherwise nothing is "
            "sent; the reply's `invited` says whether a text was queued)."
        },
    )


class CreatedCandidateSchema(CandidateSchema):
    """A candidate just added, and whether an invitation was queued."""

    invited = F.Boolean(
        required=True,
        metadata={
            "description": "Whether an invitation text was queued by this request; `false` "
            "(with `status` `invited`) means no invitation message was sent: the candidate "
            "may still call in."
        },
    )
    reason = F.String(
        allow_none=True,
        metadata={
            "description": "Why no invitation was queued although `invite` was true (as "
            "POST /candidates/ID/invite words it, e.g. `no phone number`); null when one "
            "was, or none was asked for."
        },
    )


class BatchRowSchema(ma.Schema):
    """One row of a batch, as a spreadsheet row would have it."""

    # Text only: the importer checks each row's values and rejects a bad row with its reason.
    name = Text(1000, example="Alex Moreno", allow_none=True)
    phone = Text(1000, example="+15550001234", allow_none=True)
    email = Text(1000, example="ana@example.com", allow_none=True)
    external_id = Text(1000, example="ATS-4711", allow_none=True)


class BatchSchema(ma.Schema):
    """Many candidates for one interview, imported as the dashboard imports a spreadsheet."""

    interview_id = interview_id(required=True)
    candidates = ListOf(
        F.Nested(BatchRowSchema),
        1,
        MAX_BATCH,
        what="candidates",
        example='[{"name": "Alex Moreno", "phone": "+15550001234"}]',
        required=True,
    )


class ImportFormSchema(ma.Schema):
    """The form fields of a spreadsheet upload."""

    interview_id = interview_id(required=True)


class ImportFileSchema(ma.Schema):
    """The uploaded candidate list: CSV or .xlsx, with a header row (name, phone, email,
    external id) as the dashboard's import reads it."""

    file = ma.fields.Raw(
        required=True,
        metadata={"type": "string", "format": "binary", "description": "CSV or .xlsx."},
    )


ROW = (
    "The spreadsheet row (the header is row 1). In a JSON batch, element `index` + 2, "
    "as if the list were a spreadsheet under a header row; use `index` there."
)
INDEX = (
    "JSON batch only (POST /candidates/batch): the element's 0-based position in "
    "`candidates`. Absent for a file import."
)


class MergedRowSchema(ma.Schema):
    """A row whose phone was already in the interview: merged, not added."""

    row = F.Integer(required=True, metadata={"description": ROW, "example": 2})
    index = F.Integer(metadata={"description": INDEX, "example": 0})
    phone = F.String(required=True)
    how = F.String(required=True)


class RejectedRowSchema(ma.Schema):
    """A row not imported, and why: every field's problem at once."""

    row = F.Integer(required=True, metadata={"description": ROW, "example": 2})
    index = F.Integer(metadata={"description": INDEX, "example": 0})
    value = F.String(
        required=True, metadata={"description": 'The row as written, its cells joined by ", ".'}
    )
    reasons = F.List(
        F.String(),
        required=True,
        metadata={
            "description": "Every problem found in the row, one sentence each, in field "
            "order (name, phone, email, external id), worded as POST /candidates words them.",
            "example": [
                "“ana-at-example” is not an email address. Use one such as ana@example.com.",
                "An external id has at most 100 characters.",
            ],
        },
    )
    reason = F.String(
        required=True,
        metadata={"description": "`reasons` in one text, the sentences joined by a space."},
    )


class ImportReportSchema(ma.Schema):
    """What an import did, row by row."""

    added = F.List(F.Nested(CandidateSchema), required=True)
    merged = F.List(F.Nested(MergedRowSchema), required=True)
    rejected = F.List(F.Nested(RejectedRowSchema), required=True)


class InvitationSchema(ma.Schema):
    """Whether an invitation text was queued, and if not why."""

    queued = F.Boolean(required=True)
    reason = F.String(allow_none=True, metadata={"description": "Why nothing was queued."})


class CallSchema(ma.Schema):
    """An outbound call placed ("call me now")."""

    call_sid = F.String(required=True)


class ErasureOwedSchema(ma.Schema):
    """What an erasure still has to delete outside the database, counted."""

    answers = F.Integer(required=True, metadata={"description": "Answers whose audio is left."})
    recordings = F.Integer(required=True, metadata={"description": "Recordings at Twilio."})
    messages = F.Integer(required=True, metadata={"description": "Text messages at Twilio."})


class ErasureSchema(ma.Schema):
    """A candidate's erasure under way, as `screenline candidate erase --json` reports it."""

    id = F.Integer(required=True, attribute="candidate_id")
    interview_id = F.Integer(required=True)
    state = F.String(
        required=True,
        validate=ma.validate.OneOf((ERASURE_PENDING, ERASED)),
        metadata={"description": "pending while anything is owed; then erased."},
    )
    reason = F.String(required=True, metadata={"example": "erasure request"})
    requested_at = Timestamp(required=True)
    erased_at = Timestamp(allow_none=True)
    owed = F.Nested(ErasureOwedSchema, required=True)
    error = F.String(allow_none=True, metadata={"description": "The workers' last failure."})
    queued = F.Boolean(
        required=True,
        metadata={"description": "Whether the workers' job was queued (if not, their sweep will)."},
    )


class DecisionArgs(ma.Schema):
    """A decision on a candidate, optionally texted to them."""

    decision = Choice(DecisionKind.ALL, what="a decision", required=True)
    notify = Flag(load_default=False, metadata={"description": "Text the candidate."})
    feedback = Text(
        480,
        example="Thanks for your time",
        load_default="",
        metadata={"description": "Written feedback, sent inside the text (480 characters)."},
    )


class DecisionSchema(ma.Schema):
    """The decision recorded, and whether a text was queued."""

    candidate = F.Nested(CandidateSchema, required=True)
    changed = F.Boolean(required=True)
    texted = F.Boolean(required=True)
