"""`/api/v1/interviews`: list, get, create and update interviews in the interview file format.

Create and update go through `voice.interviews.clean_interview`, the rule set of the
YAML import and the builder, so the API refuses exactly what they refuse, with the same
messages (422 invalid fields, `errors` by field path such as "questions.2.max_seconds").
Update replaces the whole interview (PUT); question n keeps its row (and its answers),
and a question that candidates answered can't be removed.
"""

from __future__ import annotations

from flask.views import MethodView
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from dashboard.access import get_visible, select_visible
from dashboard.api.auth import caller
from dashboard.api.body import ApiBlueprint, json_body
from dashboard.api.fields import IDEMPOTENCY_KEY, PageArgs, paginate
from dashboard.api.hooks import guard
from dashboard.api.problems import Problem
from dashboard.api.schemas import (
    InterviewPageSchema,
    InterviewSchema,
    InterviewSpecSchema,
)
from dashboard.interviews.editor import answered_question_ids, save
from ivr.services import db
from voice.interview_numbers import TAKEN, number_taken
from voice.interview_spec import interview_spec
from voice.interviews import InterviewSpecError, clean_interview
from voice.models import Candidate, CandidateStatus, Interview, Question

blp = ApiBlueprint(
    "api_interviews",
    __name__,
    url_prefix="/api/v1/interviews",
    description="Interviews: the questions a number asks, in the interview file format.",
)
guard(blp)

SPEC_BODY = {
    "required": True,
    "content": {"application/json": {"schema": InterviewSpecSchema}},
}


def interview_json(interview: Interview) -> dict:
    """An interview as the API shows it: id, created_at, candidates and its settings."""
    count = db().scalar(
        select(func.count(Candidate.id)).where(Candidate.interview_id == interview.id)
    )
    return {"id": interview.id, "created_at": interview.created_at, "candidates": count} | (
        interview_spec(interview)
    )


def _summaries(rows: list[Interview]) -> list[dict]:
    ids = [i.id for i in rows]
    questions = dict(
        db()
        .execute(
            select(Question.interview_id, func.count(Question.id))
            .where(Question.interview_id.in_(ids))
            .group_by(Question.interview_id)
        )
        .all()
    )
    people = {
        row[0]: row[1:]
        for row in db().execute(
            select(
                Candidate.interview_id,
                func.count(Candidate.id),
                func.count(Candidate.id).filter(Candidate.status == CandidateStatus.COMPLETED),
            )
            .where(Candidate.interview_id.in_(ids))
            .group_by(Candidate.interview_id)
        )
    }
    return [
        {
            "id": i.id,
            "title": i.title,
            "phone_number": i.phone_number,
            "languages": i.offered_languages(),
            "questions": questions.get(i.id, 0),
            "candidates": people.get(i.id, (0, 0))[0],
            "completed": people.get(i.id, (0, 0))[1],
            "created_at": i.created_at,
        }
        for i in rows
    ]


def _spec_from_body() -> dict:
    body = json_body()  # 415 for a body not sent as JSON, 400 for one that does not parse
    if not isinstance(body, dict):
        raise Problem(
            "validation-error",
            "The body must be a JSON object in the interview file format.",
            errors={"": "the interview must be a mapping of settings to values"},
        )
    return body


def _invalid(exc: InterviewSpecError) -> Problem:
    return Problem(
        "validation-error",
        "The interview has problems: " + "; ".join(exc.lines()),
        errors=exc.errors,
    )


def _taken(session, number: str, interview_id: int | None = None) -> Problem:
    """422 for a number another interview took while this request was saving (the
    unique index's race), worded as voice.interview_numbers.number_taken words it."""
    taken = number_taken(session, number, caller().organization_id, interview_id)
    return Problem(
        "validation-error",
        errors={"phone_number": taken or f"phone_number {number} {TAKEN}"},
    )


@blp.route("")
class Interviews(MethodView):
    """The organisation's interviews."""

    @blp.arguments(PageArgs, location="query")
    @blp.response(200, InterviewPageSchema)
    def get(self, args):
        """List interviews, oldest first."""
        page = paginate(
            db(),
            select_visible(caller(), Interview),
            Interview.id,
            args["limit"],
            args.get("cursor"),
        )
        return page | {"data": _summaries(page["data"])}

    @blp.doc(requestBody=SPEC_BODY)
    @blp.response(201, InterviewSchema)
    @blp.doc(parameters=[IDEMPOTENCY_KEY])
    def post(self):
        """Create an interview from the interview file format (validated as the YAML import is)."""
        session = db()
        spec = _spec_from_body()
        try:
            settings = clean_interview(spec, session, organization_id=caller().organization_id)
        except InterviewSpecError as exc:
            raise _invalid(exc) from None
        try:
            interview = save(
                session, caller().organization_id, None, settings, [None] * len(settings.questions)
            )
            session.commit()
        except IntegrityError:  # the number was taken since the check
            session.rollback()
            raise _taken(session, settings.phone_number) from None
        session.expire(interview)  # load the questions save() wrote
        warnings = settings.warnings(organization=interview.organization)
        return interview_json(interview) | {"warnings": warnings}


@blp.route("/<int:interview_id>")
class InterviewById(MethodView):
    """One interview."""

    @blp.response(200, InterviewSchema)
    def get(self, interview_id: int):
        """Get an interview with its questions."""
        return interview_json(get_visible(db(), caller(), Interview, interview_id))

    @blp.doc(requestBody=SPEC_BODY)
    @blp.response(200, InterviewSchema)
    def put(self, interview_id: int):
        """Replace an interview's settings and questions (question n keeps its answers)."""
        session = db()
        interview = get_visible(session, caller(), Interview, interview_id, manage=True)
        spec = _spec_from_body()
        try:
            settings = clean_interview(
                spec, session, interview.id, organization_id=caller().organization_id
            )
        except InterviewSpecError as exc:
            raise _invalid(exc) from None
        saved_ids = [q.id for q in interview.questions]
        question_ids = [
            saved_ids[n] if n < len(saved_ids) else None for n in range(len(settings.questions))
        ]
        for qid, count in answered_question_ids(session, interview).items():
            if qid not in question_ids:
                raise Problem(
                    "validation-error",
                    errors={
                        "questions": f"A question that {count} "
                        f"{'candidate has' if count == 1 else 'candidates have'} answered "
                        "can't be removed: their answers would be lost."
                    },
                )
        try:
            saved = save(session, caller().organization_id, interview, settings, question_ids)
            session.commit()
        except IntegrityError:
            session.rollback()
            raise _taken(session, settings.phone_number, interview.id) from None
        session.expire(saved)
        return interview_json(saved) | {
            "warnings": settings.warnings(organization=saved.organization)
        }
