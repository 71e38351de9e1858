"""Twilio's callbacks: a recording is ready (or absent), a call has ended.

Their replies go to no caller: 204 when done, 400 naming the field when a required one
is missing or malformed (ivr/fields.py), and 204 after an unexpected error (logged).
"""

from __future__ import annotations

import logging

from flask import Response, request

from ivr import calls, flow
from ivr.jobs import FETCH_RECORDING, fetch_job_id
from ivr.services import db
from ivr.views.common import enqueue_after_commit, form_seconds, ivr, query_int
from ivr.views.webhook import no_content, webhook
from voice.models import Candidate, Question

log = logging.getLogger(__name__)


def missing(*names: str) -> Response | None:
    """A 400 naming the required fields that are absent or empty; None if all are there."""
    absent = [name for name in names if not request.form.get(name)]
    if not absent:
        return None
    sentence = " and ".join(absent) + (" is required." if len(absent) == 1 else " are required.")
    return Response(sentence, status=400, mimetype="text/plain")


@ivr.post("/recording")
@webhook(callback=True)
def recording():
    """Recording status callback: queue the download once the file exists (never here)."""
    if (refused := missing("RecordingSid", "CallSid")) is not None:
        return refused
    form = request.form
    recording_sid = form["RecordingSid"]
    session = db()
    call = calls.find_call(session, form["CallSid"])
    question = session.get(Question, query_int("q"))
    if call is None or call.candidate is None or question is None:
        log.warning("recording %s for an unknown call or question; ignored", recording_sid)
        return no_content()
    answer = flow.store_answer(
        session,
        call,
        call.candidate,
        question,
        recording_sid,
        form.get("RecordingUrl", ""),
        form_seconds("RecordingDuration"),
    )
    if form.get("RecordingStatus") != "completed":
        flow.mark_no_audio(answer, form.get("ErrorCode", ""))
        return no_content()
    if flow.mark_announced(answer):
        session.flush()  # the answer's id, for the job
        # If Redis is down the answer stays `announced` and the workers' sweep queues it.
        enqueue_after_commit(FETCH_RECORDING, answer.id, job_id=fetch_job_id(answer.id))
    return no_content()


@ivr.post("/status")
@webhook(callback=True)
def call_status():
    """Call status callback: record how the call ended (an outbound one, for its candidate)."""
    if (refused := missing("CallSid", "CallStatus")) is not None:
        return refused
    form = request.form
    call = calls.open_call(db(), form["CallSid"], form.to_dict())
    if dialled := query_int("candidate"):
        # "Call me now": our own (signed) StatusCallback URL names the candidate, since an
        # outbound call that is never answered never fetches its TwiML Url.
        calls.dialled(call, db().get(Candidate, dialled))
    if form["CallStatus"] in flow.FINAL_CALL_STATUSES:
        flow.call_ended(db(), call, form["CallStatus"], form.get("CallDuration"))
    return no_content()
