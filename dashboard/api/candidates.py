"""`/api/v1/candidates`: list with filters, get one.

Rows are reached only through dashboard/access.py with the key's organisation, so
another organisation's candidate is 404, exactly as on the dashboard.
"""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from dashboard.access import get_visible, select_visible
from dashboard.api.auth import authenticate, caller
from dashboard.api.fields import paginate
from dashboard.api.schemas import CandidateListArgs, CandidatePageSchema, CandidateSchema
from ivr.services import db
from voice.models import Candidate

blp = Blueprint(
    "api_candidates",
    __name__,
    url_prefix="/api/v1/candidates",
    description="Candidates: people invited to an interview, their progress and decision.",
)
blp.before_request(authenticate)


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


@blp.route("/<int:candidate_id>")
class CandidateById(MethodView):
    """One candidate."""

    @blp.response(200, CandidateSchema)
    def get(self, candidate_id: int):
        """Get a candidate."""
        return get_visible(db(), caller(), Candidate, candidate_id, options=())
