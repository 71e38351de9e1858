"""The stand-in for Twilio's REST API: recordings, SMS and outbound calls, over real HTTP.

Serves the subset Screenline uses under /2010-04-01/Accounts/{AccountSid}/, with HTTP
Basic auth (account SID + auth token) on every request:

    GET    Recordings/{sid}[.wav|.mp3|.json]  404 until the recording is released
    DELETE Recordings/{sid}[.json]            204, then the recording is gone
    POST   Messages.json                      201 {"sid": "SM..."}; see `.messages`
    DELETE Messages/{sid}.json                204, then the message is gone (404 if none)
    POST   Calls.json                         201 {"sid": "CA..."}; see `.outbound_calls`

and a few stand-in-only endpoints under /_standin/ so that a caller in another process
can hand over the recordings it makes (see ivr.standin.remote):

    GET  /_standin/health                   no auth; says this is a stand-in
    PUT  /_standin/recordings/{sid}         body: WAV; query: account_sid, call_sid, seconds
    POST /_standin/recordings/{sid}/release
    POST /_standin/fail-fetches             form: count, status, sid (optional)
    POST /_standin/fail-deletions           form: count, status (DELETEs of either kind)
    GET  /_standin/messages, /_standin/calls

Run it as a long-lived process with `python -m ivr.standin.api --port 8765`.
"""

from __future__ import annotations

import argparse
import hmac
import io
import json
import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Self

from pydub import AudioSegment
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from config.listen import MAX_PORT, MIN_PORT, listen_problem
from config.settings import DEV_ACCOUNT_SID, DEV_AUTH_TOKEN
from ivr.standin.sids import new_sid
from ivr.standin.store import RecordingStore, StoredRecording
from voice.audio import export

log = logging.getLogger(__name__)

API_VERSION = "2010-04-01"
MP3_BITRATE = "32k"


@dataclass
class Message:
    """An SMS sent through the stand-in's Messages API."""

    sid: str
    to: str
    from_: str
    body: str
    time: datetime


@dataclass
class OutboundCall:
    """A call requested through the stand-in's Calls API."""

    sid: str
    to: str
    from_: str
    url: str
    method: str
    status_callback: str | None
    status_callback_event: list[str]
    time: datetime
    machine_detection: str | None = None  # Enable or DetectMessageEnd, if asked for
    log: object | None = None  # the CallLog, once a hook has run the call
    error: str | None = None
    done: threading.Event = field(default_factory=threading.Event, repr=False)


_ROUTES = Map(
    [
        Rule(
            f"/{API_VERSION}/Accounts/<account>/Recordings/<name>",
            endpoint="recording",
            methods=["GET", "DELETE"],
        ),
        Rule(
            f"/{API_VERSION}/Accounts/<account>/Messages.json",
            endpoint="message",
            methods=["POST"],
        ),
        Rule(
            f"/{API_VERSION}/Accounts/<account>/Messages/<name>",
            endpoint="message_item",
            methods=["DELETE"],
        ),
        Rule(f"/{API_VERSION}/Accounts/<account>/Calls.json", endpoint="call", methods=["POST"]),
        Rule("/_standin/health", endpoint="health", methods=["GET"]),
        Rule("/_standin/recordings/<sid>", endpoint="upload", methods=["PUT"]),
        Rule("/_standin/recordings/<sid>/release", endpoint="release", methods=["POST"]),
        Rule("/_standin/fail-fetches", endpoint="fail_fetches", methods=["POST"]),
        Rule("/_standin/fail-deletions", endpoint="fail_deletions", methods=["POST"]),
        Rule("/_standin/messages", endpoint="list_messages", methods=["GET"]),
        Rule("/_standin/calls", endpoint="list_calls", methods=["GET"]),
    ],
    strict_slashes=False,
)


class TwilioApiServer:
    """Twilio's REST API for one account, served by werkzeug in a daemon thread."""

    def __init__(
        self,
        account_sid: str = DEV_ACCOUNT_SID,
        auth_token: str = DEV_AUTH_TOKEN,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        ring_seconds: float = 0.5,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.host = host
        self.port = port
        # How long an outbound call "rings" before its Url is fetched, so that the
        # requester has stored the CallSid Twilio returned before the first webhook.
        self.ring_seconds = ring_seconds
        self.store = RecordingStore()
        self.on_outbound_call: Callable[[OutboundCall], None] | None = None
        self._lock = threading.Lock()
        self._messages: list[Message] = []
        self._calls: list[OutboundCall] = []
        self._deleted_messages: set[str] = set()
        self._failing_deletions: tuple[int, int] = (0, 500)  # (how many more, status)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL the server listens on; raises RuntimeError before start()."""
        if self._server is None:
            raise RuntimeError("the stand-in API server is not started")
        return f"http://{self.host}:{self._server.server_port}"

    def start(self) -> Self:
        """Start serving in a daemon thread (port 0 picks a free port)."""
        if self._server is None:
            self._server = make_server(self.host, self.port, self.wsgi_app, threaded=True)
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                # A short poll keeps stop() quick.
                kwargs={"poll_interval": 0.1},
                name="twilio-standin-api",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and wait (up to 5 s) for the server thread."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            if self._thread is not None:
                self._thread.join(5)
            self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what tests and the caller use -------------------------------------------

    def add_recording(
        self, sid: str, *, account_sid: str, call_sid: str, wav: bytes, seconds: int
    ) -> None:
        """Hold a new recording, not yet downloadable."""
        self.store.add(StoredRecording(sid, account_sid, call_sid, wav, seconds))

    def release_recording(self, sid: str) -> None:
        """Make a recording downloadable (the stand-in does this before its status callback)."""
        self.store.release(sid)

    def fail_next_fetches(self, count: int, status: int = 404, sid: str | None = None) -> None:
        """Answer `status` to the next `count` downloads of released recordings."""
        self.store.fail_next_fetches(count, status, sid)

    def fail_next_deletions(self, count: int, status: int = 500) -> None:
        """Answer `status` to the next `count` DELETE requests (recordings or messages)."""
        with self._lock:
            self._failing_deletions = (count, status)

    def message_deleted(self, sid: str) -> bool:
        """Whether Screenline deleted this SMS through the REST API."""
        with self._lock:
            return sid in self._deleted_messages

    def _deletion_failure(self) -> Response | None:
        """The failure a DELETE gets while fail_next_deletions has some left, else None."""
        with self._lock:
            left, status = self._failing_deletions
            if left <= 0:
                return None
            self._failing_deletions = (left - 1, status)
        return _error(status, 0, "Service unavailable (stand-in knob)")

    def wait_until_fetched(self, sids: list[str], timeout: float) -> bool:
        """Wait until every recording has been downloaded or deleted; return success."""
        deadline = time.monotonic() + timeout
        while not all(self.store.done_with(sid) for sid in sids):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)
        return True

    @property
    def messages(self) -> list[Message]:
        """A copy of the SMS sent so far, oldest first."""
        with self._lock:
            return list(self._messages)

    @property
    def outbound_calls(self) -> list[OutboundCall]:
        """A copy of the calls requested so far, oldest first."""
        with self._lock:
            return list(self._calls)

    # -- HTTP --------------------------------------------------------------------

    def wsgi_app(self, environ, start_response):
        """Answer one REST request the way Twilio's API would (JSON, Twilio error codes)."""
        request = Request(environ)
        try:
            endpoint, args = _ROUTES.bind_to_environ(environ).match()
            response = getattr(self, f"_on_{endpoint}")(request, **args)
        except HTTPException as exc:
            response = _error(exc.code or 500, 20404 if exc.code == 404 else 0, exc.description)
        return response(environ, start_response)

    def _authorised(self, request: Request) -> bool:
        auth = request.authorization
        if auth is None or auth.type != "basic":
            return False
        # Compare both parts every time, in constant time.
        user_ok = hmac.compare_digest((auth.username or "").encode(), self.account_sid.encode())
        token_ok = hmac.compare_digest((auth.password or "").encode(), self.auth_token.encode())
        return user_ok and token_ok

    def _guard(self, request: Request, account: str | None = None) -> Response | None:
        if not self._authorised(request):
            response = _error(401, 20003, "Authenticate")
            response.headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
            return response
        if account is not None and account != self.account_sid:
            return _error(404, 20404, f"The requested resource {request.path} was not found")
        return None

    def _on_recording(self, request: Request, account: str, name: str) -> Response:
        if refused := self._guard(request, account):
            return refused
        sid, _, suffix = name.partition(".")
        if request.method == "DELETE":
            if failure := self._deletion_failure():
                return failure
            if suffix not in ("", "json") or not self.store.delete(sid):
                return _error(404, 20404, f"The requested resource {request.path} was not found")
            return Response(status=204)
        if suffix not in ("", "wav", "mp3", "json"):
            raise NotFound()
        status, item = self.store.fetch(sid)
        if item is None:
            if status == 404:
                return _error(404, 20404, f"The requested resource {request.path} was not found")
            return _error(status, 0, "Service unavailable (stand-in knob)")
        if suffix == "json":
            return _json(200, _recording_resource(item, self.url))
        if suffix == "mp3":
            mp3 = export(AudioSegment.from_wav(io.BytesIO(item.wav)), "mp3", bitrate=MP3_BITRATE)
            return Response(mp3, status=200, content_type="audio/mpeg")
        return Response(item.wav, status=200, content_type="audio/x-wav")

    def _on_message(self, request: Request, account: str) -> Response:
        if refused := self._guard(request, account):
            return refused
        form = request.form
        if not form.get("To"):
            return _error(400, 21604, "A 'To' phone number is required.")
        if not form.get("Body"):
            return _error(400, 21602, "Message body is required.")
        message = Message(
            new_sid("SM"), form["To"], form.get("From", ""), form["Body"], datetime.now(UTC)
        )
        with self._lock:
            self._messages.append(message)
        log.info("SMS %s to %s: %s", message.sid, message.to, message.body)
        return _json(201, _message_resource(message, account))

    def _on_message_item(self, request: Request, account: str, name: str) -> Response:
        if refused := self._guard(request, account):
            return refused
        sid, _, suffix = name.partition(".")
        if failure := self._deletion_failure():
            return failure
        with self._lock:
            found = [m for m in self._messages if m.sid == sid]
            if suffix not in ("", "json") or not found:
                return _error(404, 20404, f"The requested resource {request.path} was not found")
            self._messages = [m for m in self._messages if m.sid != sid]
            self._deleted_messages.add(sid)
        return Response(status=204)

    def _on_call(self, request: Request, account: str) -> Response:
        if refused := self._guard(request, account):
            return refused
        form = request.form
        for name, code in (("To", 21201), ("From", 21213), ("Url", 21205)):
            if not form.get(name):
                return _error(400, code, f"The '{name}' parameter is required.")
        call = OutboundCall(
            sid=new_sid("CA"),
            to=form["To"],
            from_=form["From"],
            url=form["Url"],
            method=form.get("Method", "POST"),
            status_callback=form.get("StatusCallback") or None,
            status_callback_event=" ".join(form.getlist("StatusCallbackEvent")).split(),
            time=datetime.now(UTC),
            machine_detection=form.get("MachineDetection") or None,
        )
        with self._lock:
            self._calls.append(call)
        if self.on_outbound_call is not None:
            threading.Thread(
                target=self._run_outbound, args=(call,), name=f"call-{call.sid}", daemon=True
            ).start()
        return _json(201, _call_resource(call, account))

    def _run_outbound(self, call: OutboundCall) -> None:
        try:
            time.sleep(self.ring_seconds)
            assert self.on_outbound_call is not None
            self.on_outbound_call(call)
        except Exception as exc:  # a thread has nowhere else to report to
            call.error = f"{type(exc).__name__}: {exc}"
            log.exception("the outbound call %s failed", call.sid)
        finally:
            call.done.set()

    def _on_health(self, request: Request) -> Response:
        return _json(200, {"standin": True, "account_sid": self.account_sid})

    def _on_upload(self, request: Request, sid: str) -> Response:
        if refused := self._guard(request):
            return refused
        args = request.args
        self.add_recording(
            sid,
            account_sid=args.get("account_sid", self.account_sid),
            call_sid=args.get("call_sid", ""),
            wav=request.get_data(),
            seconds=int(args.get("seconds", "0")),
        )
        return Response(status=204)

    def _on_release(self, request: Request, sid: str) -> Response:
        if refused := self._guard(request):
            return refused
        if not self.store.release(sid):
            raise NotFound()
        return Response(status=204)

    def _on_fail_fetches(self, request: Request) -> Response:
        if refused := self._guard(request):
            return refused
        form = request.form
        self.fail_next_fetches(
            int(form.get("count", "1")), int(form.get("status", "404")), form.get("sid") or None
        )
        return Response(status=204)

    def _on_fail_deletions(self, request: Request) -> Response:
        if refused := self._guard(request):
            return refused
        form = request.form
        self.fail_next_deletions(int(form.get("count", "1")), int(form.get("status", "500")))
        return Response(status=204)

    def _on_list_messages(self, request: Request) -> Response:
        if refused := self._guard(request):
            return refused
        items = [_message_resource(m, self.account_sid) for m in self.messages]
        return _json(200, {"messages": items})

    def _on_list_calls(self, request: Request) -> Response:
        if refused := self._guard(request):
            return refused
        return _json(
            200, {"calls": [_call_resource(c, self.account_sid) for c in self.outbound_calls]}
        )


def _json(status: int, payload: dict) -> Response:
    return Response(json.dumps(payload), status=status, content_type="application/json")


def _error(status: int, code: int, message: str) -> Response:
    # Twilio's REST error body.
    return _json(
        status,
        {
            "code": code,
            "message": message,
            "status": status,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
        },
    )


def _recording_resource(item: StoredRecording, base: str) -> dict:
    path = f"/{API_VERSION}/Accounts/{item.account_sid}/Recordings/{item.sid}"
    return {
        "sid": item.sid,
        "account_sid": item.account_sid,
        "call_sid": item.call_sid,
        "duration": str(item.seconds),
        "channels": 1,
        "source": "RecordVerb",
        "status": "completed",
        "date_created": format_datetime(item.created),
        "api_version": API_VERSION,
        "uri": path + ".json",
        "media_url": base + path,
    }


def _message_resource(message: Message, account: str) -> dict:
    return {
        "sid": message.sid,
        "account_sid": account,
        "to": message.to,
        "from": message.from_,
        "body": message.body,
        "status": "queued",
        "direction": "outbound-api",
        "date_created": format_datetime(message.time),
        "api_version": API_VERSION,
        "uri": f"/{API_VERSION}/Accounts/{account}/Messages/{message.sid}.json",
    }


def _call_resource(call: OutboundCall, account: str) -> dict:
    return {
        "sid": call.sid,
        "account_sid": account,
        "to": call.to,
        "from": call.from_,
        "status": "queued",
        "direction": "outbound-api",
        "date_created": format_datetime(call.time),
        "api_version": API_VERSION,
        "uri": f"/{API_VERSION}/Accounts/{account}/Calls/{call.sid}.json",
    }


def serve_api(
    host: str = "127.0.0.1",
    port: int = 8765,
    account_sid: str = DEV_ACCOUNT_SID,
    auth_token: str = DEV_AUTH_TOKEN,
    *,
    outbound_answers: list[str] | None = None,
    outbound_digits: list[str] | None = None,
    outbound_answered_by: str | None = None,
    outbound_unanswered: str | None = None,
) -> None:
    """Serve the stand-in API until interrupted; optionally answer outbound calls.

    `outbound_answered_by` ("human", "machine", "fax") and `outbound_unanswered` ("busy",
    "no-answer", "failed", "canceled") play who picks up "call me now" calls, as
    CallScript describes.
    """
    api = TwilioApiServer(account_sid, auth_token, host, port)  # started once it answers calls
    callee = (outbound_answers, outbound_digits, outbound_answered_by, outbound_unanswered)
    if any(option is not None for option in callee):
        # Imported here: the caller module itself depends on this one.
        from ivr.standin.outbound import answer_outbound_calls
        from ivr.standin.script import CallScript

        script = CallScript(
            answers=list(outbound_answers or []),
            digits=list(outbound_digits or []),
            answered_by=outbound_answered_by or "human",
            unanswered=outbound_unanswered,
        )
        answer_outbound_calls(api, script)
    # Once: the demo sends its process group's Ctrl-C and then SIGTERM to each child, and
    # that second signal used to interrupt api.stop() with a KeyboardInterrupt traceback.
    stop_on_interrupt(once=True)
    try:
        api.start()
        log.info("Twilio stand-in API at %s for account %s", api.url, account_sid)
        print(f"Twilio stand-in API listening at {api.url}", flush=True)
        # Waking often: the kernel may deliver a signal to the server's thread, and then
        # a main thread blocked without a timeout would never run the handler.
        while True:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        api.stop()
    log.info("Twilio stand-in API stopped")
    print("Twilio stand-in API stopped", flush=True)


def stop_on_interrupt(*, once: bool = False) -> None:
    """Make SIGINT (Ctrl-C) and SIGTERM raise KeyboardInterrupt in this process's main thread.

    A process started with SIGINT ignored (a shell's background job passes that on, and
    Python then installs no KeyboardInterrupt handler) would otherwise never stop on a
    Ctrl-C sent to its process group, and SIGTERM would kill it without its `finally`.
    With `once`, the first of either signal also makes both do nothing from then on, so
    the shutdown it starts runs to its end instead of being interrupted by the next one.
    Call from the main thread only (signal.signal raises ValueError elsewhere).
    """

    def ignore(_signum, _frame):
        # A Python handler, not SIG_IGN: a signal already pending when the handler changes
        # would otherwise print "OSError: Signal 15 ignored due to race condition".
        pass

    def interrupt(_signum, _frame):
        if once:
            signal.signal(signal.SIGINT, ignore)
            signal.signal(signal.SIGTERM, ignore)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt if once else signal.default_int_handler)
    signal.signal(signal.SIGTERM, interrupt)


def _port(text: str) -> int:
    """An argparse type: a TCP port, 1 to 65535."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not MIN_PORT <= port <= MAX_PORT:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a port (a number from {MIN_PORT} to {MAX_PORT})"
        )
    return port


def _keypad_keys(text: str) -> str:
    """An argparse type: one prompt's keypad keys (see ivr.standin.script.keys_problem)."""
    from ivr.standin.script import keys_problem

    problem = keys_problem(text)
    if problem:
        raise argparse.ArgumentTypeError(f"{text!r}: {problem}")
    return text


def main(argv: list[str] | None = None) -> None:
    """Run the stand-in API as a process (account and token default to the settings)."""
    from config.settings import load_settings
    from ivr.standin.script import PICKS_UP, UNANSWERED

    settings = load_settings()
    parser = argparse.ArgumentParser(prog="python -m ivr.standin.api", description=main.__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=_port, default=8765)
    parser.add_argument("--account-sid", default=settings.twilio_account_sid)
    parser.add_argument("--auth-token", default=settings.twilio_auth_token)
    parser.add_argument(
        "--outbound-answer",
        action="append",
        metavar="TEXT",
        help="answer outbound calls, speaking TEXT at each <Record> (repeat)",
    )
    parser.add_argument(
        "--outbound-digits",
        action="append",
        type=_keypad_keys,
        metavar="KEYS",
        help="keys an outbound callee presses at each <Gather> (repeat)",
    )
    parser.add_argument(
        "--outbound-answered-by",
        choices=PICKS_UP,
        help="who picks up outbound calls (AnsweredBy when detection is asked for)",
    )
    parser.add_argument(
        "--outbound-unanswered",
        choices=UNANSWERED,
        help="outbound calls never connect and end with this CallStatus",
    )
    args = parser.parse_args(argv)
    problem = listen_problem(args.host, args.port)
    if problem:
        parser.error(problem)  # one sentence and exit status 2, not a traceback
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(name)s %(message)s")
    serve_api(
        args.host,
        args.port,
        args.account_sid,
        args.auth_token,
        outbound_answers=args.outbound_answer,
        outbound_digits=args.outbound_digits,
        outbound_answered_by=args.outbound_answered_by,
        outbound_unanswered=args.outbound_unanswered,
    )


if __name__ == "__main__":
    main()
