"""`/api/v1/candidates`: list with filters, get, add one or many, invite, call, decide, results.

Rows are reached only through dashboard/access.py with the key's organisation, so
another organisation's candidate (or interview named in a body) is 404, exactly as on
the dashboard. Adding goes through voice/candidates.py and the importer
(voice/candidate_import.py); invitations, "call me now" and decisions through the same
functions as the dashboard.
"""

from __future__ import annotations

import logging

import redis
from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from dashboard.access import get_visible, select_visible
from dashboard.api.auth import caller
from dashboard.api.fields import IDEMPOTENCY_KEY, paginate
from dashboard.api.hooks import guard
from dashboard.api.problems import Problem
from dashboard.api.schemas import (
    BatchSchema,
    CallSchema,
    CandidateCreateSchema,
    CandidateListArgs,
    CandidatePageSchema,
    CandidateSchema,
    CreatedCandidateSchema,
    DecisionArgs,
    DecisionSchema,
    ImportFileSchema,
    ImportFormSchema,
    ImportReportSchema,
    InvitationSchema,
    ResultsSchema,
)
from dashboard.candidates.invitations import send_invitations, write_invitations
from dashboard.review.decisions import apply_decision
from ivr.jobs import SEND_MESSAGE
from ivr.outbound import call_candidate
from ivr.services import db, services
from ivr.twilio_rest import TwilioError
from voice import audit
from voice.candidate_import import TableError, import_file, import_rows
from voice.candidates import add_candidate
from voice.models import AnswerStatus, Candidate, Interview
from voice.results import candidate_results

log = logging.getLogger(__name__)

blp = Blueprint(
    "api_candidates",
    __name__,
    url_prefix="/api/v1/candidates",
    description="Candidates: people invited to an interview, their progress and decision.",
)
guard(blp)


def _candidate(candidate_id: int, manage: bool = False) -> Candidate:
    return get_visible(db(), caller(), Candidate, candidate_id, manage=manage, options=())


def _interview(interview_id: int) -> Interview:
    return get_visible(db(), caller(), Interview, interview_id, manage=True, options=())


def _invite(candidates: list[Candidate]) -> tuple[int, str | None]:
    """Write and queue invitation texts; return (how many queued, why not if none)."""
    session = db()
    run = write_invitations(session, candidates, sent_by_id=caller().id or None)
    session.commit()
    send_invitations(run, services().enqueue)
    reasons = [reason for reason, names in run.skipped.items() if names]
    return len(run.queued), (reasons[0] if reasons and not run.queued else None)


@blp.route("")
class Candidates(MethodView):
    """The organisation's candidates."""

    @blp.arguments(CandidateListArgs, location="query")
    @blp.response(200, CandidatePageSchema)
    def get(self, args):
        """List candidates, oldest first, filtered by interview, status, decision or change time."""
        stmt = select_visible(caller(), Candidate)
        if "interview" in args:
            stmt = stmt.where(Candidate.interview_id == args["interview"])
        if "status" in args:
            stmt = stmt.where(Candidate.status == args["status"])
        if "decision" in args:
            stmt = stmt.where(Candidate.decision == args["decision"])
        if "updated_since" in args:
            stmt = stmt.where(Candidate.updated_at >= args["updated_since"])
        return paginate(db(), stmt, Candidate.id, args["limit"], args.get("cursor"))

    @blp.arguments(CandidateCreateSchema)
    @blp.response(201, CreatedCandidateSchema)
    @blp.doc(parameters=[IDEMPOTENCY_KEY])
    def post(self, args):
        """Add a candidate to an interview (a fresh PIN), and text the invitation if asked."""
        session = db()
        interview = _interview(args["interview_id"])
        try:
            candidate = add_candidate(
                session,
                interview,
                args["name"],
                args.get("phone"),
                email=args.get("email"),
                extra_time=args["extra_time"],
                slow_speech=args["slow_speech"],
            )
        except ValueError as exc:
            raise Problem("validation-error", str(exc), errors={"": str(exc)}) from None
        candidate.external_id = args.get("external_id") or None
        session.commit()
        invited = False
        if args["invite"]:
            invited = _invite([candidate])[0] > 0
        fields = CandidateSchema().fields
        return {name: getattr(candidate, name) for name in fields} | {"invited": invited}


def _report(report) -> dict:
    return {
        "added": report.added,
        "merged": [{"row": r, "phone": p, "how": h} for r, p, h in report.merged],
        "rejected": [{"row": r, "value": v, "reason": why} for r, v, why in report.rejected],
    }


def _as_rows(rows: list[dict]) -> list[list[str]]:
    """JSON candidates as the importer's rows: a header, then one row each."""
    fields = ("name", "phone", "email", "external_id")
    return [list(fields), *([str(row.get(k) or "") for k in fields] for row in rows)]


def _unreadable(exc: ValueError) -> Problem:
    """A file (or list) the importer cannot read as a table, as a validation problem."""
    return Problem("validation-error", str(exc), errors={"file": str(exc)})


@blp.route("/batch")
class CandidateBatch(MethodView):
    """Many candidates at once, from JSON."""

    @blp.arguments(BatchSchema)
    @blp.response(201, ImportReportSchema)
    @blp.doc(parameters=[IDEMPOTENCY_KEY])
    def post(self, args):
        """Add many candidates through the spreadsheet importer (merge by phone, every
        rejected row reported with its reason)."""
        session = db()
        interview = _interview(args["interview_id"])
        try:
            report = import_rows(session, interview, _as_rows(args["candidates"]), None)
        except TableError as exc:
            raise _unreadable(exc) from None
        session.commit()
        return _report(report)


@blp.route("/import")
class CandidateImport(MethodView):
    """Many candidates at once, from an uploaded spreadsheet."""

    @blp.arguments(ImportFormSchema, location="form")
    @blp.arguments(ImportFileSchema, location="files")
    @blp.response(201, ImportReportSchema)
    @blp.doc(parameters=[IDEMPOTENCY_KEY])
    def post(self, form, files):
        """Import a CSV or .xlsx file as the dashboard's import does (voice/candidate_import.py)."""
        session = db()
        interview = _interview(form["interview_id"])
        try:
            report = import_file(session, interview, files["file"].read())
        except TableError as exc:  # not a table: one sentence (voice/tables.py)
            raise _unreadable(exc) from None
        session.commit()
        return _report(report)


@blp.route("/<int:candidate_id>")
class CandidateById(MethodView):
    """One candidate."""

    @blp.response(200, CandidateSchema)
    def get(self, candidate_id: int):
        """Get a candidate."""
        return _candidate(candidate_id)


@blp.route("/<int:candidate_id>/results")
class CandidateResults(MethodView):
    """What the candidate answered."""

    @blp.response(200, ResultsSchema)
    def get(self, candidate_id: int):
        """Get a candidate's calls, answers (transcripts, segments, keypad), scores and decision."""
        candidate = get_visible(db(), caller(), Candidate, candidate_id)
        results = candidate_results(db(), candidate)
        answers = {a.id: a for a in candidate.answers}
        for item in results["answers"]:
            item["flags"] = [*item.get("flags", []), *_flags(answers[item["id"]], candidate)]
            item["has_audio"] = bool(answers[item["id"]].playback_key)
        return results


def _flags(answer, candidate: Candidate) -> list[str]:
    flags = []
    if answer.attempt > 1:
        flags.append("retake")
    if not answer.kept:
        flags.append("not kept")
    if answer.status == AnswerStatus.NO_AUDIO:
        flags.append("no audio")
    if answer.status == AnswerStatus.FAILED:
        flags.append("failed")
    if answer.status in AnswerStatus.IN_PIPELINE:
        flags.append("processing")
    if answer.digits is not None and answer.question.knockout_reason(answer.digits):
        flags.append("knockout")
    return flags


@blp.route("/<int:candidate_id>/invite")
class CandidateInvite(MethodView):
    """The invitation text."""

    @blp.response(202, InvitationSchema)
    @blp.doc(parameters=[IDEMPOTENCY_KEY])
    def post(self, candidate_id: int):
        """Text the candidate their invitation (never twice: a second call queues nothing)."""
        queued, reason = _invite([_candidate(candidate_id, manage=True)])
        return {"queued": queued > 0, "reason": reason}


@blp.route("/<int:candidate_id>/call")
class CandidateCall(MethodView):
    """ "Call me now"."""

    @blp.response(202, CallSchema)
    @blp.doc(parameters=[IDEMPOTENCY_KEY])
    def post(self, candidate_id: int):
        """Have Twilio ring the candidate into the interview now."""
        candidate = get_visible(db(), caller(), Candidate, candidate_id, manage=True)
        try:
            sid = call_candidate(services().twilio, services().settings.public_url, candidate)
        except ValueError as exc:
            raise Problem("validation-error", str(exc), errors={"phone": str(exc)}) from None
        except TwilioError as exc:
            log.warning("API call to candidate %s failed: %s", candidate.id, exc)
            raise Problem("upstream-error", f"Twilio could not place the call: {exc}") from None
        return {"call_sid": sid}


@blp.route("/<int:candidate_id>/decision")
class CandidateDecision(MethodView):
    """The hiring decision."""

    @blp.arguments(DecisionArgs)
    @blp.response(200, DecisionSchema)
    @blp.doc(parameters=[IDEMPOTENCY_KEY])
    def post(self, args, candidate_id: int):
        """Advance, hold or reject the candidate, texting them (with feedback) if asked."""
        session = db()
        candidate = _candidate(candidate_id, manage=True)
        outcome = apply_decision(
            session,
            [candidate],
            args["decision"],
            caller().id or None,
            notify=args["notify"],
            feedback=args["feedback"].strip(),
        )
        texted = {message.candidate_id for message in outcome.queued}
        for changed in outcome.changed:  # as the dashboard audits a decision
            who = caller()
            audit.record(
                session,
                who.organization_id,
                "decision",
                audit.Actor.api_key(who.key_id, who.key_name, (request.remote_addr or "")[:64]),
                candidate_id=changed.id,
                interview_id=changed.interview_id,
                detail={"decision": args["decision"], "texted": changed.id in texted},
                subject={"name": changed.name},
            )
        session.commit()
        for message in outcome.queued:
            try:
                services().enqueue(SEND_MESSAGE, message.id)
            except redis.RedisError:  # the sweep sends committed messages later
                log.exception("could not enqueue %s for message %s", SEND_MESSAGE.name, message.id)
        return {
            "candidate": candidate,
            "changed": outcome.decided > 0,
            "texted": bool(outcome.queued),
        }
