"""`/api/v1/candidates`: list with filters, get, add one or many, erase one.

A candidate's results, invitation, "call me now" and decision are candidate_actions.py's,
on this blueprint. Rows are reached only through dashboard/access.py with the key's
organisation, so another organisation's candidate (or interview named in a body) is 404,
exactly as on the dashboard. Adding goes through voice/candidates.py and the importer
(voice/candidate_import.py), and erasing through voice/erasure.py
(candidate_erasure.py), as the dashboard's and the command line's do.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask.views import MethodView
from sqlalchemy import Select
from sqlalchemy.orm import Session

from dashboard.access import get_visible, select_visible
from dashboard.api.auth import caller
from dashboard.api.body import ApiBlueprint
from dashboard.api.candidate_erasure import erase
from dashboard.api.fields import IDEMPOTENCY_KEY, decode_cursor, encode_cursor, paginate
from dashboard.api.hooks import guard
from dashboard.api.problems import Problem
from dashboard.api.schemas import (
    BatchSchema,
    CandidateCreateSchema,
    CandidateListArgs,
    CandidatePageSchema,
    CandidateSchema,
    CreatedCandidateSchema,
    ErasureSchema,
    ImportFileSchema,
    ImportFormSchema,
    ImportReportSchema,
)
from dashboard.candidates.invitations import (
    closed_to_invitations,
    send_invitations,
    write_invitations,
)
from ivr.services import db, services
from voice.candidate_import import TableError, import_file, import_rows
from voice.candidate_order import candidate_order
from voice.candidates import CandidateFieldError, DuplicatePhone, add_candidate
from voice.models import Candidate, Interview

log = logging.getLogger(__name__)

blp = ApiBlueprint(
    "api_candidates",
    __name__,
    url_prefix="/api/v1/candidates",
    description="Candidates: people invited to an interview, their progress and decision.",
)
guard(blp)


def candidate_row(candidate_id: int, manage: bool = False, change: bool = False) -> Candidate:
    """The key's organisation's candidate (problem 404 otherwise); `manage` for writes;
    `change` for an action an erased candidate refuses (problem 409 candidate-erased)."""
    return get_visible(
        db(), caller(), Candidate, candidate_id, manage=manage, options=(), change=change
    )


def _interview(interview_id: int) -> Interview:
    return get_visible(db(), caller(), Interview, interview_id, manage=True, options=())


def invite(candidates: list[Candidate]) -> tuple[int, str | None]:
    """Write and queue invitation texts; return (how many queued, why not if none)."""
    session = db()
    run = write_invitations(
        session, candidates, sent_by_id=caller().id or None, sent_by_api_key_id=caller().key_id
    )
    session.commit()
    send_invitations(run, services().enqueue)
    reasons = [reason for reason, names in run.skipped.items() if names]
    return len(run.queued), (reasons[0] if reasons and not run.queued else None)


def _filtered(stmt: Select, args: dict) -> Select:
    """`stmt` narrowed by the list's status, decision and updated_since filters."""
    if "status" in args:
        stmt = stmt.where(Candidate.status == args["status"])
    if "decision" in args:
        stmt = stmt.where(Candidate.decision == args["decision"])
    if "updated_since" in args:
        stmt = stmt.where(Candidate.updated_at >= args["updated_since"])
    return stmt


def ordered_page(
    session: Session, sort: str, scope: Select, stmt: Select, limit: int, cursor: str | None
) -> dict:
    """One page of `stmt` (visible candidates, filtered) in the order `sort` names
    (voice.candidate_order), as the list envelope. `scope`, a SELECT of candidate ids,
    holds the candidates the order reads (visible, in the interview asked for); the
    cursor's candidate must be one of them, else problem 400 invalid-cursor. The cursor
    carries the last candidate shown; the page starts just past its position in the
    order, by keyset."""
    order = candidate_order(sort, scope)
    stmt = order.joined(stmt)
    position = None
    if cursor:
        position = order.position(session, decode_cursor(cursor), Candidate.id.in_(scope))
        if position is None:
            raise Problem("invalid-cursor")
    rows = list(session.scalars(order.page(stmt, position).limit(limit + 1)))
    has_more = len(rows) > limit
    rows = rows[:limit]
    return {
        "data": rows,
        "has_more": has_more,
        "next_cursor": encode_cursor(rows[-1].id) if has_more else None,
    }


@blp.route("")
class Candidates(MethodView):
    """The organisation's candidates."""

    @blp.arguments(CandidateListArgs, location="query")
    @blp.response(200, CandidatePageSchema)
    def get(self, args):
        """List candidates, filtered by interview, status, decision or change time.

        Oldest first (id order) unless `sort` names an order, the interview page's:
        `latest` (latest activity first), `score` (highest mean score first, candidates
        nobody scored last) or `name` (A-Z, ignoring case); ties by id. Another value is
        422 `validation-error`. `next_cursor` continues in the order it was made in: pass
        the same `sort` (and filters) with it.
        """
        stmt = select_visible(caller(), Candidate)
        if "interview" in args:
            stmt = stmt.where(Candidate.interview_id == args["interview"])
        if "sort" in args:
            # Means are worked out for the candidates the order reads, no others.
            scope = stmt.with_only_columns(Candidate.id)
            page = _filtered(stmt, args), args["limit"], args.get("cursor")
            return ordered_page(db(), args["sort"], scope, *page)
        stmt = _filtered(stmt, args)
        return paginate(db(), stmt, Candidate.id, args["limit"], args.get("cursor"))

    @blp.arguments(CandidateCreateSchema)
    @blp.response(201, CreatedCandidateSchema)
    @blp.alt_response(409, response="CONFLICT")
    @blp.doc(parameters=[IDEMPOTENCY_KEY])
    def post(self, args):
        """Add a candidate to an interview (a fresh PIN), and text the invitation if asked.

        The candidate may take the interview at once (`status` is `invited`); `invited`
        in the reply says whether an invitation text was queued (only with `invite:
        true` and a phone), and `reason` why not when `invite` was true and none was
        (`no phone number`). 409 `duplicate-phone` when the phone already belongs to a
        candidate of the interview (`detail` names their id), and 409 `interview-over`
        with `invite: true` once the interview's deadline has passed (`detail` names the
        day): nothing is added. The batch and import endpoints merge such rows instead.
        """
        session = db()
        interview = _interview(args["interview_id"])
        if args["invite"] and (closed := closed_to_invitations(interview, datetime.now(UTC))):
            raise Problem("interview-over", closed[0].upper() + closed[1:])
        try:
            candidate = add_candidate(
                session,
                interview,
                args["name"],
                args.get("phone"),
                email=args.get("email"),
                external_id=args.get("external_id"),
                extra_time=args["extra_time"],
                slow_speech=args["slow_speech"],
            )
        except DuplicatePhone as exc:
            raise Problem("duplicate-phone", str(exc), errors={"phone": str(exc)}) from None
        except CandidateFieldError as exc:
            raise Problem("validation-error", str(exc), errors={exc.field: str(exc)}) from None
        session.commit()
        invited, reason = False, None
        if args["invite"]:
            queued, reason = invite([candidate])
            invited = queued > 0
        fields = CandidateSchema().fields
        return {name: getattr(candidate, name) for name in fields} | {
            "invited": invited,
            "reason": reason,
        }


def _report(report, batch: bool = False) -> dict:
    """The import report as JSON: each merged and rejected row by its spreadsheet `row`
    and, for a JSON batch, its element's 0-based `index` in `candidates` too."""

    def where(row: int) -> dict[str, int]:
        return {"row": row, "index": row - BATCH_FIRST_ROW} if batch else {"row": row}

    return {
        "added": report.added,
        "merged": [where(r) | {"phone": p, "how": h} for r, p, h in report.merged],
        "rejected": [
            where(r.row) | {"value": r.raw, "reason": r.why, "reasons": r.reasons}
            for r in report.rejected
        ],
    }


# The batch and import endpoints' answer when nobody was added: the report, not 201.
NOBODY_ADDED = {
    "schema": ImportReportSchema,
    "description": "Nobody was added: every row was merged or rejected (see the report)",
    "success": True,
}


def _reported(report, batch: bool = False) -> tuple[dict, int]:
    """The import report and its status: 201 Created when any candidate was added, else
    200 (nothing was created; the report says what became of each row)."""
    return _report(report, batch), 201 if report.added else 200


# A batch's element 0 is the importer's row 2: _as_rows puts a header row (row 1) first.
BATCH_FIRST_ROW = 2


def _as_rows(rows: list[dict]) -> list[list[str]]:
    """JSON candidates as the importer's rows: a header, then one row each (element i is
    spreadsheet row i + BATCH_FIRST_ROW)."""
    fields = ("name", "phone", "email", "external_id")
    return [list(fields), *([str(row.get(k) or "") for k in fields] for row in rows)]


def _unreadable(exc: ValueError) -> Problem:
    """A file (or list) the importer cannot read as a table, as a validation problem."""
    return Problem("validation-error", str(exc), errors={"file": str(exc)})


@blp.route("/batch")
class CandidateBatch(MethodView):
    """Many candidates at once, from JSON."""

    @blp.arguments(BatchSchema)
    @blp.response(201, ImportReportSchema, description="Candidates were added")
    @blp.alt_response(200, **NOBODY_ADDED)
    @blp.doc(parameters=[IDEMPOTENCY_KEY])
    def post(self, args):
        """Add many candidates through the spreadsheet importer (merge by phone, every
        rejected element reported with all its reasons).

        Each merged or rejected element is named by `index`, its 0-based position in
        `candidates`; `row` (`index` + 2, as if the list were a spreadsheet under a
        header row) is kept for existing clients.

        201 when any candidate was added; 200 with the same report when none was (every
        row merged or rejected), as `screenline candidate import` adds nobody then.
        """
        session = db()
        interview = _interview(args["interview_id"])
        try:
            report = import_rows(session, interview, _as_rows(args["candidates"]), None)
        except TableError as exc:
            raise _unreadable(exc) from None
        session.commit()
        return _reported(report, batch=True)


@blp.route("/import")
class CandidateImport(MethodView):
    """Many candidates at once, from an uploaded spreadsheet."""

    @blp.arguments(ImportFormSchema, location="form")
    @blp.arguments(ImportFileSchema, location="files")
    @blp.response(201, ImportReportSchema, description="Candidates were added")
    @blp.alt_response(200, **NOBODY_ADDED)
    @blp.doc(parameters=[IDEMPOTENCY_KEY])
    def post(self, form, files):
        """Import a CSV or .xlsx file as the dashboard's import does (voice/candidate_import.py).

        201 when any candidate was added; 200 with the same report when none was (every
        row merged or rejected), as `screenline candidate import` adds nobody then.
        """
        session = db()
        interview = _interview(form["interview_id"])
        try:
            report = import_file(session, interview, files["file"].read())
        except TableError as exc:  # not a table: one sentence (voice/tables.py)
            raise _unreadable(exc) from None
        session.commit()
        return _reported(report)


@blp.route("/<int:candidate_id>")
class CandidateById(MethodView):
    """One candidate."""

    @blp.response(200, CandidateSchema)
    def get(self, candidate_id: int):
        """Get a candidate."""
        return candidate_row(candidate_id)

    @blp.response(202, ErasureSchema, description="Erased in the database; the rest is owed")
    @blp.alt_response(204, description="Erased: nothing is left anywhere", success=True)
    @blp.alt_response(409, response="CONFLICT")
    def delete(self, candidate_id: int):
        """Erase the candidate's personal data now (right to erasure, GDPR art. 17).

        The same erasure as the dashboard's and `screenline candidate erase`: personal
        data leaves the database at once and the candidate stays as an anonymous
        tombstone; the workers then delete the audio files and Twilio's copies. 202 with
        what is still owed while they work, 204 once nothing is; a repeat answers where
        it stands. 409 `legal-hold` if the candidate or their interview is on legal hold:
        an admin takes the hold off first.
        """
        return erase(candidate_row(candidate_id, manage=True))
