"""The Twilio stand-in's caller, over real HTTP against a small TwiML app: the whole call,
its webhook requests, redirects, application errors, status callbacks, outbound calls."""

from __future__ import annotations

import io
import re
import threading
import wave

import pytest
from twilio.twiml.voice_response import VoiceResponse

from config.settings import Settings
from ivr.standin import CallScript, answer_outbound_calls, place_call, synthesise
from ivr.twilio_rest import TwilioRest
from tests.ivr.standin_app import (
    ACCOUNT,
    CANDIDATE,
    NUMBER,
    TOKEN,
    Hit,
    TwimlApp,
    call_with,
    goodbye_page,
    interview_pages,
    menu_page,
    parse,
    question_page,
    serving,
    tone,
    twiml,
)

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


def test_spanish_answers_are_spoken_by_espeak_and_unknown_languages_refused():
    """The stand-in speaks Spanish with espeak-ng (seconds of audio); a language it has no
    voice for is a ValueError, not English read aloud."""
    with wave.open(io.BytesIO(synthesise("Trabajé tres años en un almacén.", "es-MX"))) as w:
        assert 1.0 < w.getnframes() / w.getframerate() < 6.0
    with pytest.raises(ValueError, match="cannot speak 'xx-YY'"):
        synthesise("hola", "xx-YY")


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
