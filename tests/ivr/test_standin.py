"""The Twilio stand-in's caller, over real HTTP against a small TwiML app."""

from __future__ import annotations

import io
import re
import threading
import wave
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import requests
from flask import Flask, request
from pydub.generators import Sine
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import Gather, VoiceResponse
from werkzeug.serving import make_server

from config.settings import Settings
from ivr.standin import (
    Caller,
    CallLog,
    CallScript,
    TwilioApiServer,
    answer_outbound_calls,
    place_call,
)
from ivr.twilio_rest import TwilioRest

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


@pytest.fixture
def api() -> Iterator[TwilioApiServer]:
    """A running stand-in REST API server."""
    with TwilioApiServer(ACCOUNT, TOKEN) as server:
        yield server


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


# -- the whole call -------------------------------------------------------------------


def test_gather_record_hangup_flow_is_followed(api):
    """Follow Gather, Record and Hangup, hearing prompts and answering as scripted."""
    app, log = call_with(interview_pages(), api, CallScript(answers=[tone(3)], digits=["1"]))
    assert log.ok
    assert [event[0] for event in log.events] == [
        "say",
        "press",
        "say",
        "beep",
        "record",
        "say",
        "hangup",
    ]
    assert log.said() == [
        "Press 1 to agree to be recorded.",
        "Tell us about your last job.",
        "Thank you. Goodbye.",
    ]
    assert log.events[-1] == ("hangup", "screenline")
    assert log.spoken[0].voice == "Polly.Joanna"
    assert log.spoken[0].language == "en-US"
    assert [hit.path for hit in app.hits] == [
        "/ivr/voice",
        "/ivr/consent",
        "/ivr/answer",
        "/ivr/recording",
        "/ivr/status",
    ]


def test_transcript_reads_as_a_conversation(api):
    """Render the call as Screenline and Caller lines."""
    _, log = call_with(interview_pages(), api, CallScript(answers=[tone(3)], digits=["1"]))
    assert log.transcript().splitlines() == [
        "Screenline: Press 1 to agree to be recorded.",
        "Caller: [presses 1]",
        "Screenline: Tell us about your last job.",
        "Screenline: [beep]",
        "Caller: [answers, 3 s]",
        "Screenline: Thank you. Goodbye.",
        "Screenline: [hangs up]",
    ]


def test_verbs_after_record_are_never_reached(api):
    """Never run the verbs that follow a <Record>: its action request decides."""
    _, log = call_with(interview_pages(), api, CallScript(answers=[tone(2)], digits=["1"]))
    assert "Never reached." not in log.said()


def test_spoken_answer_is_synthesised(api):
    """Speak a text answer with flite, so the recording holds real speech."""
    _, log = call_with(
        interview_pages(),
        api,
        CallScript(answers=["I stacked shelves for two years."], digits=["1"]),
    )
    assert log.recordings[0].status == "completed"
    assert log.recordings[0].seconds >= 1


# -- webhook requests -----------------------------------------------------------------


def test_every_request_is_signed_validly(api):
    """Sign every webhook and callback so RequestValidator accepts it."""
    app, _ = call_with(interview_pages(), api, CallScript(answers=[tone(2)], digits=["1"]))
    assert app.hits
    assert all(hit.signature_valid for hit in app.hits)


def test_tampered_signature_is_refused_and_ends_the_call(api):
    """Send a wrong signature when tampering; a 403 reply is application error 11200."""
    app, log = call_with(interview_pages(), api, CallScript(digits=["1"]), tamper_signatures=True)
    assert not app.hits[0].signature_valid
    assert [error.code for error in log.errors] == [11200]
    assert ("hangup", "twilio") in log.events


def test_standard_parameters_are_sent(api):
    """Send CallSid, AccountSid, From, To, ApiVersion, Direction, Caller and Called."""
    app, log = call_with(interview_pages(), api, CallScript(answers=[tone(2)], digits=["1"]))
    first = app.at("/ivr/voice")[0].form
    assert re.fullmatch(r"CA[0-9a-f]{32}", first["CallSid"])
    assert first["CallSid"] == log.call_sid
    assert first["AccountSid"] == ACCOUNT
    assert (first["From"], first["To"]) == (CANDIDATE, NUMBER)
    assert (first["Caller"], first["Called"]) == (CANDIDATE, NUMBER)
    assert first["ApiVersion"] == "2010-04-01"
    assert first["Direction"] == "inbound"


def test_first_request_rings_and_later_ones_are_in_progress(api):
    """Say CallStatus=ringing on the first request and in-progress afterwards."""
    app, _ = call_with(interview_pages(), api, CallScript(answers=[tone(2)], digits=["1"]))
    assert app.at("/ivr/voice")[0].form["CallStatus"] == "ringing"
    assert app.at("/ivr/consent")[0].form["CallStatus"] == "in-progress"
    assert app.at("/ivr/answer")[0].form["CallStatus"] == "in-progress"


def test_duplicate_webhooks_repeat_the_idempotency_token(api):
    """Send each webhook twice, like a retry, with the same I-Twilio-Idempotency-Token."""
    app, log = call_with(
        interview_pages(), api, CallScript(answers=[tone(2)], digits=["1"]), duplicate_webhooks=True
    )
    assert log.ok
    voice = app.at("/ivr/voice")
    assert len(voice) == 2
    assert voice[0].idempotency_token and voice[0].idempotency_token == voice[1].idempotency_token
    assert voice[0].form == voice[1].form
    assert len(app.at("/ivr/recording")) == 2
    assert len(app.at("/ivr/status")) == 2


# -- <Gather> -------------------------------------------------------------------------


def test_gather_without_input_falls_through_to_the_next_verb(api):
    """Make no request when no key is pressed and go on to the verb after <Gather>."""
    app, log = call_with(interview_pages(), api, CallScript())
    assert app.at("/ivr/consent") == []
    assert log.said() == ["Press 1 to agree to be recorded.", "We did not get that."]
    assert ("no-input",) in log.events
    assert log.events[-1] == ("hangup", "screenline")


def test_action_on_empty_result_posts_empty_digits(api):
    """Post an empty Digits when actionOnEmptyResult is true and nothing was pressed."""
    response = VoiceResponse()
    response.gather(action="/ivr/consent", action_on_empty_result=True)
    app, _ = call_with(interview_pages(**{"/ivr/voice": twiml(response)}), api, CallScript())
    assert app.at("/ivr/consent")[0].form["Digits"] == ""


def test_digits_exclude_the_finish_key(api):
    """Post the keys before finishOnKey as Digits and the key itself as FinishedOnKey."""
    response = VoiceResponse()
    response.gather(action="/ivr/pin", finish_on_key="#")
    pages = {"/ivr/voice": twiml(response), "/ivr/pin": goodbye_page()}
    app, log = call_with(pages, api, CallScript(digits=["482913#"]))
    form = app.at("/ivr/pin")[0].form
    assert (form["Digits"], form["FinishedOnKey"]) == ("482913", "#")
    assert log.pressed() == ["482913#"]


def test_num_digits_ends_the_gather(api):
    """End a <Gather> once numDigits keys are in, without a finish key."""
    response = VoiceResponse()
    response.gather(action="/ivr/pin", num_digits=4)
    pages = {"/ivr/voice": twiml(response), "/ivr/pin": goodbye_page()}
    app, _ = call_with(pages, api, CallScript(digits=["123456"]))
    form = app.at("/ivr/pin")[0].form
    assert (form["Digits"], form["FinishedOnKey"]) == ("1234", "")


def test_gather_action_is_resolved_against_the_document_url(api):
    """Resolve a relative action URL against the URL of the current document."""
    response = VoiceResponse()
    response.gather(action="pin", num_digits=1)
    pages = {"/ivr/voice": twiml(response), "/ivr/pin": goodbye_page()}
    app, _ = call_with(pages, api, CallScript(digits=["5"]))
    assert app.at("/ivr/pin")[0].form["Digits"] == "5"


def test_gather_with_get_sends_parameters_in_the_query(api):
    """Put the parameters in the query string for method=GET and sign the full URL."""
    response = VoiceResponse()
    response.gather(action="/ivr/pin", num_digits=1, method="GET")
    pages = {"/ivr/voice": twiml(response), "/ivr/pin": goodbye_page()}
    app, _ = call_with(pages, api, CallScript(digits=["7"]))
    hit = app.at("/ivr/pin")[0]
    assert (hit.method, hit.query["Digits"], hit.signature_valid) == ("GET", "7", True)


def test_caller_hangs_up_after_the_given_number_of_gathers(api):
    """Hang up at the next <Gather> once hang_up_after_gathers menus have been heard."""
    app, log = call_with(interview_pages(), api, CallScript(digits=["1"], hang_up_after_gathers=0))
    assert app.at("/ivr/consent") == []
    assert log.events[-1] == ("hangup", "caller")
    assert app.at("/ivr/status")[0].form["CallStatus"] == "completed"


# -- <Record> -------------------------------------------------------------------------


def test_record_action_carries_the_recording(api):
    """Post RecordingUrl (no extension), RecordingSid, RecordingDuration and Digits=#."""
    app, log = call_with(interview_pages(), api, CallScript(answers=[tone(4)], digits=["1"]))
    form = app.at("/ivr/answer")[0].form
    sid = form["RecordingSid"]
    assert re.fullmatch(r"RE[0-9a-f]{32}", sid)
    assert form["RecordingUrl"] == f"{api.url}/2010-04-01/Accounts/{ACCOUNT}/Recordings/{sid}"
    assert form["RecordingDuration"] == "4"
    assert form["Digits"] == "#"
    assert log.recordings[0].sid == sid
    assert ("record", sid, 4) in log.events


def test_recording_is_unavailable_until_its_status_callback(api):
    """Answer 404 for the media during the action request, 200 once the callback says so."""
    seen: dict[str, int] = {}

    def fetch(hit: Hit) -> str | tuple:
        url = hit.form["RecordingUrl"] + ".wav"
        seen[hit.path] = requests.get(url, auth=(ACCOUNT, TOKEN), timeout=10).status_code
        return goodbye_page() if hit.path == "/ivr/answer" else ("", 204)

    pages = interview_pages(**{"/ivr/answer": fetch, "/ivr/recording": fetch})
    call_with(pages, api, CallScript(answers=[tone(2)], digits=["1"]))
    assert seen == {"/ivr/answer": 404, "/ivr/recording": 200}


def test_recording_status_callback_is_complete_and_signed(api):
    """Send RecordingStatus=completed with every documented field, signed."""
    app, log = call_with(interview_pages(), api, CallScript(answers=[tone(3)], digits=["1"]))
    (hit,) = app.at("/ivr/recording")
    assert hit.signature_valid
    assert hit.form == {
        "AccountSid": ACCOUNT,
        "CallSid": log.call_sid,
        "RecordingSid": log.recordings[0].sid,
        "RecordingUrl": log.recordings[0].url,
        "RecordingStatus": "completed",
        "RecordingDuration": "3",
        "RecordingChannels": "1",
        "RecordingSource": "RecordVerb",
        "RecordingStartTime": hit.form["RecordingStartTime"],
        "ErrorCode": "0",
    }
    assert hit.form["RecordingStartTime"].endswith("+0000")


def test_recorded_audio_is_telephone_quality(api):
    """Serve the answer as 8 kHz, 16-bit, mono WAV, as it came down the phone line."""
    _, log = call_with(interview_pages(), api, CallScript(answers=[tone(2)], digits=["1"]))
    media = requests.get(log.recordings[0].url, auth=(ACCOUNT, TOKEN), timeout=10)
    with wave.open(io.BytesIO(media.content)) as wav:
        assert (wav.getframerate(), wav.getsampwidth(), wav.getnchannels()) == (8000, 2, 1)
        assert wav.getnframes() / 8000 == pytest.approx(2, abs=0.1)


def test_max_length_caps_the_recording(api):
    """Cut an answer longer than maxLength and report maxLength as its duration."""
    response = VoiceResponse()
    response.record(action="/ivr/answer", max_length=2, recording_status_callback="/ivr/recording")
    pages = interview_pages(**{"/ivr/voice": twiml(response)})
    app, log = call_with(pages, api, CallScript(answers=[tone(5)]))
    assert app.at("/ivr/answer")[0].form["RecordingDuration"] == "2"
    assert len(api.store.get(log.recordings[0].sid).wav) < 8000 * 2 * 2.5


def test_hang_up_during_record_posts_digits_hangup(api):
    """Post Digits=hangup when the caller hangs up mid-answer, and ignore the reply."""
    app, log = call_with(
        interview_pages(),
        api,
        CallScript(answers=[tone(3)], digits=["1"], hang_up_during_record=1),
    )
    assert app.at("/ivr/answer")[0].form["Digits"] == "hangup"
    assert "Thank you. Goodbye." not in log.said()
    assert log.events[-1] == ("hangup", "caller")
    assert app.at("/ivr/recording")[0].form["RecordingStatus"] == "completed"
    assert app.at("/ivr/status")[0].form["CallStatus"] == "completed"


def test_silent_answer_is_reported_absent(api):
    """Report a silent answer with RecordingDuration=0 and RecordingStatus=absent (16102)."""
    app, log = call_with(interview_pages(), api, CallScript(answers=[b""], digits=["1"]))
    assert app.at("/ivr/answer")[0].form["RecordingDuration"] == "0"
    callback = app.at("/ivr/recording")[0].form
    assert (callback["RecordingStatus"], callback["ErrorCode"]) == ("absent", "16102")
    assert log.recordings[0].status == "absent"
    media = requests.get(log.recordings[0].url, auth=(ACCOUNT, TOKEN), timeout=10)
    assert media.status_code == 404


def test_strict_callback_events_skip_unrequested_absent(api):
    """Send no absent callback in strict mode unless recordingStatusCallbackEvent asks."""
    app, _ = call_with(
        interview_pages(), api, CallScript(answers=[b""], digits=["1"]), strict_callback_events=True
    )
    assert app.at("/ivr/recording") == []


# -- other verbs ----------------------------------------------------------------------


def test_redirect_is_followed_relative_to_the_document(api):
    """Follow <Redirect> to a URL resolved against the current document."""
    response = VoiceResponse()
    response.redirect("next")
    pages = {"/ivr/voice": twiml(response), "/ivr/next": goodbye_page()}
    app, log = call_with(pages, api, CallScript())
    assert [hit.path for hit in app.hits[:2]] == ["/ivr/voice", "/ivr/next"]
    assert log.said() == ["Thank you. Goodbye."]


def test_redirect_loop_is_cut_off(api):
    """End a call that keeps redirecting once the document cap is reached."""
    response = VoiceResponse()
    response.redirect("/ivr/voice")
    app, log = call_with({"/ivr/voice": twiml(response)}, api, CallScript(), max_documents=5)
    assert len(app.at("/ivr/voice")) == 5
    assert not log.ok
    assert log.events[-1] == ("hangup", "twilio")


def test_document_without_hangup_ends_the_call(api):
    """End the call when the document runs out of verbs."""
    response = VoiceResponse()
    response.say("Hello.")
    _, log = call_with({"/ivr/voice": twiml(response)}, api, CallScript())
    assert log.events == [("say", "Hello."), ("hangup", "end-of-twiml")]


def test_reject_busy_ends_the_call_busy(api):
    """Treat <Reject reason="busy"> as a busy call in the status callback."""
    response = VoiceResponse()
    response.reject(reason="busy")
    app, log = call_with({"/ivr/voice": twiml(response)}, api, CallScript())
    assert log.status == "busy"
    assert app.at("/ivr/status")[0].form["CallStatus"] == "busy"


# -- application errors ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        (("this is not xml", 200, {"Content-Type": "text/plain"}), 12100),
        (("<Reponse><Say>typo</Say></Reponse>", 200, {"Content-Type": "text/xml"}), 12100),
        (("  <?xml version='1.0'?><Response/>", 200, {"Content-Type": "text/xml"}), 12100),
        (("", 200, {"Content-Type": "text/xml"}), 12100),
        (("oops", 500), 11200),
    ],
    ids=["not-xml", "wrong-root", "space-before-declaration", "empty", "http-500"],
)
def test_bad_reply_is_an_application_error(api, reply, code):
    """End the call with Twilio's application-error message when the reply is not TwiML."""
    app, log = call_with({"/ivr/voice": reply}, api, CallScript())
    assert [error.code for error in log.errors] == [code]
    assert log.events[-2:] == [
        ("twilio-say", "We are sorry, an application error has occurred. Goodbye."),
        ("hangup", "twilio"),
    ]
    assert "application error has occurred" in log.transcript()
    assert app.at("/ivr/status")[0].form["CallStatus"] == "completed"


def test_unknown_verb_is_a_warning_and_skipped(api):
    """Skip a misspelt verb with warning 12200 and run the rest."""
    _, log = call_with(
        {"/ivr/voice": "<Response><Sya>typo</Sya><Say>Hello.</Say></Response>"}, api, CallScript()
    )
    assert log.ok
    assert log.said() == ["Hello."]
    assert log.warnings and log.warnings[0].startswith("12200")


# -- call status callback -------------------------------------------------------------


def test_call_status_callback_is_signed_and_complete(api):
    """Post CallStatus=completed with CallDuration, CallbackSource, SequenceNumber, Timestamp."""
    app, log = call_with(interview_pages(), api, CallScript(answers=[tone(3)], digits=["1"]))
    (hit,) = app.at("/ivr/status")
    assert hit.signature_valid
    form = hit.form
    assert form["CallSid"] == log.call_sid
    assert form["CallStatus"] == "completed"
    assert int(form["CallDuration"]) == log.duration >= 3
    assert form["CallbackSource"] == "call-progress-events"
    assert form["SequenceNumber"] == "0"
    assert form["Timestamp"].endswith("+0000")


def test_served_twiml_parses(api):
    """Serve the test app's TwiML as documents whose root is <Response>."""
    assert parse(menu_page()).tag == "Response"
    assert parse(question_page()).find("Record").get("finishOnKey") == "#"


# -- outbound calls and place_call ----------------------------------------------------


def test_outbound_call_is_placed_through_the_rest_api(api):
    """Run a call posted to Calls.json against its Url, sending the requested status events."""
    with serving(TwimlApp(interview_pages())) as app:
        api.ring_seconds = 0
        answer_outbound_calls(api, CallScript(answers=[tone(2)], digits=["1"]))
        rest = TwilioRest(ACCOUNT, TOKEN, api.url)
        sid = rest.create_call(CANDIDATE, NUMBER, f"{app.url}/ivr/voice", f"{app.url}/ivr/status")
        call = api.outbound_calls[0]
        assert call.done.wait(30)
    assert call.error is None
    assert call.log.call_sid == sid
    voice = app.at("/ivr/voice")[0].form
    assert (voice["Direction"], voice["CallStatus"], voice["To"]) == (
        "outbound-api",
        "in-progress",
        CANDIDATE,
    )
    statuses = [(h.form["CallStatus"], h.form["SequenceNumber"]) for h in app.at("/ivr/status")]
    assert statuses == [
        ("initiated", "0"),
        ("ringing", "1"),
        ("in-progress", "2"),
        ("completed", "3"),
    ]


def free_port() -> int:
    """A TCP port nothing listens on."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def standin_settings(api_url: str, public_url: str) -> Settings:
    """Settings pointing at the stand-in."""
    return Settings(
        env="test",
        public_url=public_url,
        twilio_account_sid=ACCOUNT,
        twilio_auth_token=TOKEN,
        twilio_api_url=api_url,
    )


def test_place_call_hosts_the_api_until_the_recording_is_fetched():
    """Serve the recordings from the calling process until Screenline has downloaded them."""
    api_url = f"http://127.0.0.1:{free_port()}"
    downloads: list[bytes] = []

    def worker(hit: Hit) -> tuple:
        # Like the fetch job: download after the callback, from another thread, a bit later.
        def fetch() -> None:
            rest = TwilioRest(ACCOUNT, TOKEN, api_url, sleep=lambda _: None)
            downloads.append(rest.download_recording(hit.form["RecordingUrl"]))

        threading.Timer(0.3, fetch).start()
        return "", 204

    with serving(TwimlApp(interview_pages(**{"/ivr/recording": worker}))) as app:
        log = place_call(
            standin_settings(api_url, app.url),
            NUMBER,
            CANDIDATE,
            answers=[tone(2)],
            digits=["1"],
            linger_grace=0,
        )
    assert log.ok
    assert len(downloads) == 1
    assert downloads[0][:4] == b"RIFF"


def test_place_call_uploads_to_a_running_standin(api):
    """Hand recordings to a stand-in already serving the API URL, which keeps them."""
    with serving(TwimlApp(interview_pages())) as app:
        log = place_call(
            standin_settings(api.url, app.url),
            NUMBER,
            CANDIDATE,
            says=["I drove a forklift."],
            digits=["1"],
        )
    assert log.ok
    rest = TwilioRest(ACCOUNT, TOKEN, api.url, sleep=lambda _: None)
    assert rest.download_recording(log.recordings[0].url)[:4] == b"RIFF"
    assert api.store.get(log.recordings[0].sid).call_sid == log.call_sid


def test_place_call_refuses_a_real_twilio_url():
    """Refuse to stand in for a URL that is not local."""
    from ivr.standin import StandinError

    with pytest.raises(StandinError):
        place_call(
            standin_settings("https://api.twilio.com", "http://127.0.0.1:1"), NUMBER, CANDIDATE
        )
