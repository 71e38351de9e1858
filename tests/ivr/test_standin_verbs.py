"""The Twilio stand-in's caller follows <Gather> and <Record> as Twilio does."""

from __future__ import annotations

import io
import re
import wave

import pytest
import requests
from twilio.twiml.voice_response import VoiceResponse

from ivr.standin import CallScript
from tests.ivr.standin_app import (
    ACCOUNT,
    TOKEN,
    Hit,
    call_with,
    goodbye_page,
    interview_pages,
    tone,
    twiml,
)

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
