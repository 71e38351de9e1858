"""A small TwiML app served over real HTTP, for testing the Twilio stand-in's caller."""

from __future__ import annotations

import io
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, request
from pydub.generators import Sine
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import Gather, VoiceResponse
from werkzeug.serving import make_server

from ivr.standin import (
    Caller,
    CallLog,
    CallScript,
    TwilioApiServer,
)

ACCOUNT = "AC" + "7" * 32
TOKEN = "standin-test-token"
CANDIDATE = "+15550001111"
NUMBER = "+15550009999"

Page = str | tuple | Callable[["Hit"], "str | tuple"]


@dataclass
class Hit:
    """One request the TwiML app received."""

    path: str
    method: str
    url: str
    form: dict[str, str]
    query: dict[str, str]
    signature_valid: bool
    idempotency_token: str | None

    @property
    def params(self) -> dict[str, str]:
        """The posted form fields of this request."""
        return self.form or self.query


class TwimlApp:
    """A Screenline look-alike: serves set TwiML per path and checks every signature."""

    def __init__(self, pages: dict[str, Page]) -> None:
        self.pages = pages
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        self._validator = RequestValidator(TOKEN)
        self.flask = Flask(__name__)
        self.flask.add_url_rule("/<path:path>", "page", self._page, methods=["GET", "POST"])
        self.url = ""

    def _page(self, path: str):
        hit = Hit(
            path="/" + path,
            method=request.method,
            url=request.url,
            form=request.form.to_dict(),
            query=request.args.to_dict(),
            signature_valid=self._validator.validate(
                request.url, request.form.to_dict(), request.headers.get("X-Twilio-Signature", "")
            ),
            idempotency_token=request.headers.get("I-Twilio-Idempotency-Token"),
        )
        with self._lock:
            self.hits.append(hit)
        if not hit.signature_valid:
            return "forged", 403
        page = self.pages.get(hit.path, ("", 204))
        if callable(page):
            page = page(hit)
        if isinstance(page, tuple):
            return page
        return page, 200, {"Content-Type": "text/xml"}

    def at(self, path: str) -> list[Hit]:
        """Return the requests made to one path."""
        return [hit for hit in self.hits if hit.path == path]


@contextmanager
def serving(app: TwimlApp) -> Iterator[TwimlApp]:
    """Serve a WSGI app on a free local port while the block runs."""
    server = make_server("127.0.0.1", 0, app.flask, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    app.url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield app
    finally:
        server.shutdown()
        server.server_close()


def tone(seconds: float) -> bytes:
    """A clearly audible answer of the given length, as WAV."""
    buffer = io.BytesIO()
    Sine(440).to_audio_segment(duration=int(seconds * 1000), volume=-12).export(
        buffer, format="wav"
    )
    return buffer.getvalue()


def twiml(response: VoiceResponse) -> str:
    """The TwiML text of a built VoiceResponse."""
    return str(response)


def menu_page() -> str:
    """A consent menu: a one-key Gather, then a goodbye when nothing is pressed."""
    response = VoiceResponse()
    gather = Gather(num_digits=1, action="/ivr/consent")
    gather.say("Press 1 to agree to be recorded.", voice="Polly.Joanna", language="en-US")
    response.append(gather)
    response.say("We did not get that.")
    response.hangup()
    return twiml(response)


def question_page() -> str:
    """A question read, then a <Record> with a status callback (later verbs never run)."""
    response = VoiceResponse()
    response.say("Tell us about your last job.")
    response.record(
        action="/ivr/answer",
        max_length=30,
        finish_on_key="#",
        recording_status_callback="/ivr/recording",
    )
    response.say("Never reached.")
    return twiml(response)


def goodbye_page() -> str:
    """Thank the caller and hang up."""
    response = VoiceResponse()
    response.say("Thank you. Goodbye.")
    response.hangup()
    return twiml(response)


def interview_pages(**overrides: Page) -> dict[str, Page]:
    """The pages of a short interview (consent, one question, goodbye), with `overrides`."""
    pages: dict[str, Page] = {
        "/ivr/voice": menu_page(),
        "/ivr/consent": question_page(),
        "/ivr/answer": goodbye_page(),
    }
    pages.update(overrides)
    return pages


def run_call(api: TwilioApiServer, app: TwimlApp, script: CallScript, **options) -> CallLog:
    """Run a call through the stand-in against the scripted pages."""
    caller = Caller(api, f"{app.url}/ivr/voice", f"{app.url}/ivr/status", ACCOUNT, TOKEN, **options)
    return caller.call(CANDIDATE, NUMBER, script)


def call_with(pages: dict[str, Page], api: TwilioApiServer, script: CallScript, **options):
    """Serve `pages` and run one call against them; return the app and the call's log."""
    with serving(TwimlApp(pages)) as app:
        return app, run_call(api, app, script, **options)


def parse(xml_text: str) -> ET.Element:
    """Parse XML text into an element tree."""
    return ET.fromstring(xml_text)
