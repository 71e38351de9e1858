"""`/api/v1/candidates/{id}/...`: a candidate's results, and invite, "call me now" and decide.

Routes on the candidates blueprint (dashboard/api/candidates.py), through the same
functions as the dashboard: invitations, ivr.outbound, apply_decision, voice.results.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import redis
from flask import request
from flask.views import MethodView

from dashboard.access import get_visible
from dashboard.api.auth import caller
from dashboard.api.candidates import blp, candidate_row, invite
from dashboard.api.fields import IDEMPOTENCY_KEY
from dashboard.api.problems import Problem
from dashboard.api.result_schemas import ResultsSchema
from dashboard.api.schemas import (
    CallSchema,
    DecisionArgs,
    DecisionSchema,
    InvitationSchema,
)
from dashboard.candidates.invitations import not_sent_words
from dashboard.review.decisions import apply_decision
from ivr.jobs import SEND_MESSAGE
from ivr.outbound import CallUnderWay, NothingToAsk, call_candidate
from ivr.services import db, services
from ivr.twilio_rest import TwilioError
from voice import audit
from voice.candidates import interview_over
from voice.models import AnswerStatus, Candidate
from voice.results import candidate_results

log = logging.getLogger(__name__)


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
    @blp.alt_response(409, response="CONFLICT")
    @blp.doc(parameters=[IDEMPOTENCY_KEY])
    def post(self, candidate_id: int):
        """Text the candidate their invitation (never twice: a second call queues nothing).

        202 with `queued` true once the text is queued, false with the `reason` when
        nothing was (`already invited`, `no phone number`). 409 `candidate-erased` once
        the candidate's erasure began, and 409 `interview-over` once they finished the
        interview (completed or screened out) or its deadline passed (`detail` says
        which): nothing is queued.
        """
        candidate = candidate_row(candidate_id, manage=True, change=True)
        if (over := interview_over(candidate, datetime.now(UTC))) is not None:
            raise Problem("interview-over", not_sent_words(candidate, over))
        queued, reason = invite([candidate])
        return {"queued": queued > 0, "reason": reason}


@blp.route("/<int:candidate_id>/call")
class CandidateCall(MethodView):
    """ "Call me now"."""

    @blp.response(202, CallSchema)
    @blp.alt_response(409, response="CONFLICT")
    @blp.doc(parameters=[IDEMPOTENCY_KEY])
    def post(self, candidate_id: int):
        """Have Twilio ring the candidate into the interview now.

        409 `candidate-erased` once the candidate's erasure began, and 409
        `call-in-progress` while a call to the candidate is still queued, ringing or in
        progress, and 409 `interview-over` once the candidate has finished the interview
        (completed or screened out) or its deadline has passed: no call is placed.
        """
        candidate = get_visible(db(), caller(), Candidate, candidate_id, manage=True, change=True)
        try:
            sid = call_candidate(services().twilio, services().settings.public_url, candidate)
        except CallUnderWay as exc:
            raise Problem("call-in-progress", str(exc)) from None
        except NothingToAsk as exc:
            raise Problem("interview-over", str(exc)) from None
        except ValueError as exc:
            raise Problem("validation-error", str(exc), errors={"phone": str(exc)}) from None
        except TwilioError as exc:
            log.warning("API call to candidate %s failed: %s", candidate.id, exc)
            raise Problem("upstream-error", f"Twilio could not place the call: {exc}") from None
        db().commit()  # the attempt, as the candidate's call (ivr.outbound)
        return {"call_sid": sid}


@blp.route("/<int:candidate_id>/decision")
class CandidateDecision(MethodView):
    """The hiring decision."""

    @blp.arguments(DecisionArgs)
    @blp.response(200, DecisionSchema)
    @blp.alt_response(409, response="CONFLICT")
    @blp.doc(parameters=[IDEMPOTENCY_KEY])
    def post(self, args, candidate_id: int):
        """Advance, hold or reject the candidate, texting them (with feedback) if asked.

        409 `candidate-erased` once the candidate's erasure began: nothing is recorded.
        """
        session = db()
        candidate = candidate_row(candidate_id, manage=True, change=True)
        outcome = apply_decision(
            session,
            [candidate],
            args["decision"],
            caller().id or None,
            notify=args["notify"],
            feedback=args["feedback"].strip(),
            api_key_id=caller().key_id,
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
