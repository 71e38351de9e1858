"""The one decorator every Twilio-facing route goes through, and the one commit it makes.

In order: the Twilio signature (403 otherwise); the posted fields against ivr/fields.py
(a bad field gets a plain 400 on a callback, a spoken apology on a call-flow route);
a retried delivery (same I-Twilio-Idempotency-Token) answered with the reply its first
delivery got, without running the view again; then the view, and one commit. When
SQLite reports "database is locked" the whole view runs again after a rollback, up to
LOCK_RETRIES times, since a caller must never hear an apology for a busy embedded
database; so does a view that lost a race to create a row (IntegrityError: a retried
first webhook racing its original, see calls.open_call), and the rerun finds the row;
and so does one whose PostgreSQL connection dropped (a restart, a proxy's timeout: the
pool discards it, voice/db.py), on a new connection. Every row is keyed on CallSid or
RecordingSid, so a rerun after a COMMIT whose outcome was lost with its connection
makes no second call or answer.
Anything else unexpected is rolled back and logged, and answered with a spoken apology
(call flow) or 204 (callbacks): never a 5xx, which Twilio reads to the caller as an
application error (TWILIO.md, "Timeouts, retries, failures").
Work that must follow the commit (enqueueing a job the worker will look up) is
registered with `after_commit`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import wraps

from flask import Response, current_app, g, request
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from ivr import calls, twiml
from ivr.fields import MAX_BODY_BYTES, problems
from ivr.phrases import say
from ivr.services import db
from ivr.signature import expected_urls, is_valid_twilio_request
from voice.db import is_connection_lost, is_database_locked

log = logging.getLogger(__name__)

LOCK_RETRIES = 3
LOCK_BACKOFF = 0.1  # seconds, times the attempt number, on top of SQLite's busy timeout
IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token"


def xml(document: str) -> Response:
    """A TwiML reply (text/xml)."""
    return Response(document, mimetype="text/xml")


def no_content() -> Response:
    """The reply to a callback whose answer Twilio ignores: 204."""
    return Response(status=204)


def apology() -> Response:
    """The spoken apology and a hang-up, for a call-flow request we cannot serve."""
    return xml(twiml.goodbye(twiml.Voice(), say(None, "internal_error")))


def after_commit(action: Callable[[], object]) -> None:
    """Run `action` once this webhook's transaction is committed (not at all if it fails)."""
    g.ivr_after_commit.append(action)


def remember_call(call) -> None:
    """Note the request's Call, so a retry of this request can be given the same reply."""
    g.ivr_call = call


def webhook(
    view: Callable | None = None,
    *,
    callback: bool = False,
    shortcut: Callable[[], Response | None] | None = None,
):
    """Guard a Twilio webhook view; `callback=True` for status callbacks (no TwiML reply).

    Use as `@webhook` (call-flow routes) or `@webhook(callback=True)`. The view returns
    its Response and never commits: this decorator does, once. A `shortcut` runs first,
    once the signature and fields are checked: its Response is the reply (it wrote what
    it wrote itself, ivr/first_reply.py); None sends the request through the view.
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            settings = current_app.extensions["screenline"].settings
            if not is_valid_twilio_request(
                settings.twilio_auth_token, settings.public_url, settings.trust_proxy
            ):
                return signature_refused(settings.public_url, settings.trust_proxy)
            found = problems(request.form, request.args)
            if found:
                log.warning("refused %s: %s", request.path, " ".join(found))
                if callback:
                    return Response(" ".join(found), status=400, mimetype="text/plain")
                return apology()
            if shortcut is not None and (response := _try(shortcut)) is not None:
                return response
            return _run(view, args, kwargs, callback)

        return guarded

    return decorate(view) if view is not None else decorate


PREFIX = "/ivr"  # the blueprint's url_prefix (ivr.views.common): every webhook is under it
# What each HTTP error under PREFIX says, in one line (Twilio's debugger logs the body).
ERROR_LINES = {
    400: "Bad request: {detail}",
    404: (
        "Not found: no Twilio webhook at {path}. A number's Voice URL is {prefix}/voice and "
        "its status callback {prefix}/status (no trailing slash)."
    ),
    405: "Method not allowed: {path} takes {allowed}, as Twilio's webhooks are configured.",
    413: "Too large: a webhook body is at most {limit} bytes, as Twilio's are.",
}


def is_webhook_path(path: str) -> bool:
    """Whether `path` is under the IVR's prefix, matched to a route or not ("/ivr/voice/")."""
    return path == PREFIX or path.startswith(PREFIX + "/")


def plain_error(error: HTTPException) -> Response:
    """An HTTP error under the IVR's prefix as one text/plain line with its status code
    (400, 404, 405, 413; any other as its name): Twilio shows the body in its debugger, so
    an HTML page would only be noise there. dashboard/app.py's error handlers call this."""
    code = error.code or 500
    methods = sorted(m for m in getattr(error, "valid_methods", None) or () if m != "OPTIONS")
    line = ERROR_LINES.get(code, "{name}.").format(
        name=error.name,
        path=request.path,
        prefix=PREFIX,
        allowed=" or ".join(methods) or "POST",
        limit=request.max_content_length or MAX_BODY_BYTES,
        detail=(error.description or error.name).strip(),
    )
    response = Response(line + "\n", status=code, mimetype="text/plain")
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def signature_refused(public_url: str, trust_proxy: bool) -> Response:
    """403, text/plain: one line saying the signature is missing or does not match, and the
    URL(s) it was checked against (ivr.signature.expected_urls), so whoever sets up a
    proxy sees which address SCREENLINE_PUBLIC_URL must name. Nothing secret is in it:
    the URL is the one the request was sent to, and the auth token never appears.
    """
    how = "not valid" if request.headers.get("X-Twilio-Signature") else "missing"
    against = " or ".join(expected_urls(public_url, trust_proxy))
    log.warning(
        "rejected %s: missing or wrong X-Twilio-Signature (checked %s)", request.path, against
    )
    return Response(
        f"Refused: the X-Twilio-Signature header is {how} for {against}. Twilio signs the "
        "URL it calls: set SCREENLINE_PUBLIC_URL to the address Twilio is given "
        "(behind a proxy, see SCREENLINE_TRUST_PROXY).\n",
        status=403,
        mimetype="text/plain",
    )


def _run(view: Callable, args, kwargs, callback: bool) -> Response:
    token = request.headers.get(IDEMPOTENCY_HEADER, "")
    for attempt in range(LOCK_RETRIES + 1):
        g.ivr_after_commit, g.ivr_call = [], None
        try:
            session = db()
            replay = None if callback or not token else _earlier_reply(session, token)
            if replay is not None:
                response = xml(replay)
            else:
                response = view(*args, **kwargs)
                if token and not callback and g.ivr_call is not None:
                    g.ivr_call.request_token = calls.request_digest(token)
                    g.ivr_call.last_reply = response.get_data(as_text=True)
            session.commit()
        except OperationalError as error:
            _rollback()
            if is_database_locked(error) and attempt < LOCK_RETRIES:
                log.warning("database locked at %s; running it again", request.path)
                time.sleep(LOCK_BACKOFF * (attempt + 1))  # let the other writer finish
                continue
            if is_connection_lost(error) and attempt < LOCK_RETRIES:
                log.warning("database connection lost at %s; running it again", request.path)
                continue  # on a new connection: the pool discarded the old ones
            return _failed(callback)
        except IntegrityError:
            _rollback()
            if attempt < LOCK_RETRIES:  # another request made the same row first
                log.info("%s raced another request; running it again", request.path)
                continue
            return _failed(callback)
        except Exception:
            _rollback()
            return _failed(callback)
        for action in g.ivr_after_commit:
            try:
                action()
            except Exception:  # committed already: the reply stands; the sweep catches up
                log.exception("after-commit step of %s failed", request.path)
        return response
    raise AssertionError("unreachable")  # the loop always returns


def _try(shortcut: Callable[[], Response | None]) -> Response | None:
    """The shortcut's reply; None when it has none or fails (logged, its reads rolled
    back): the view then answers, so a shortcut can never cost the caller an apology."""
    try:
        return shortcut()
    except Exception:
        log.exception("shortcut of %s failed; answering it in full", request.path)
        _rollback()
        return None


def _earlier_reply(session, token: str) -> str | None:
    """The reply already given to this request, if this is Twilio retrying it."""
    call = calls.find_call(session, request.form.get("CallSid", ""))
    if call is not None and call.request_token == calls.request_digest(token):
        return call.last_reply
    return None


def _rollback() -> None:
    try:
        db().rollback()
    except Exception:
        log.exception("rollback failed at %s", request.path)


def _failed(callback: bool) -> Response:
    log.exception("IVR step %s failed for call %s", request.path, request.form.get("CallSid"))
    return no_content() if callback else apology()
