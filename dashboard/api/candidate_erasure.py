"""`DELETE /api/v1/candidates/{id}`: erase a candidate on request (GDPR art. 17), by API.

Applicant tracking systems forward erasure requests; this takes them through the one
erasure path the dashboard's button and `screenline candidate erase` take
(voice.erasure.erase_candidate), so the rules (legal hold), what goes, the audit entry
and the workers' job are the same whichever door a request came in by.

The answer follows RFC 9110 section 9.3.5 on DELETE: 202 Accepted while something is
still owed outside the database (audio files, Twilio's copies; the workers delete them),
with the body `screenline candidate erase --json` prints; 204 No Content once nothing
is. Repeating the request is harmless and answers where the erasure stands now, so a
client may poll with it.
"""

from __future__ import annotations

import dataclasses
import logging

from flask import Response, request
from redis.exceptions import RedisError

from dashboard.api.auth import caller
from dashboard.api.problems import Problem
from ivr.jobs import ERASE_CANDIDATE
from ivr.services import db, services
from voice import audit, erasure
from voice.models import Candidate

log = logging.getLogger(__name__)


def erase(candidate: Candidate) -> dict | Response:
    """Erase the key's organisation's `candidate` now, and queue the workers' job.

    Returns the erasure state as a dict for ErasureSchema (202: something is owed), or
    an empty 204 response when nothing is. Raises Problem 409 legal-hold when the
    candidate or their interview is on legal hold and no erasure had begun (nothing is
    changed then). Audited as "erasure" by the API key, as the dashboard audits it by
    the admin.
    """
    session = db()
    who = caller()
    actor = audit.Actor.api_key(who.key_id, who.key_name, (request.remote_addr or "")[:64])
    try:
        state = erasure.erase_candidate(session, candidate, actor=actor)
    except erasure.ErasureRefused as exc:  # raised before anything changed
        text = str(exc)
        raise Problem("legal-hold", text[0].upper() + text[1:] + ".") from None
    session.commit()
    if state.state == erasure.ERASED:
        return Response(status=204)
    queued = True
    try:
        services().enqueue(ERASE_CANDIDATE, candidate.id)
    except RedisError as exc:  # the workers' sweep queues every pending erasure
        log.warning("erasure of candidate %s not queued: %s", candidate.id, exc)
        queued = False
    return dataclasses.asdict(state) | {"queued": queued}
