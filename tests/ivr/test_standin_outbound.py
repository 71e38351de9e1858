"""The stand-in plays who picks up a "call me now" call, exactly as Twilio reports it."""

from __future__ import annotations

import pytest

from ivr.standin import CallScript, answer_outbound_calls, find_standin
from ivr.twilio_rest import TwilioRest
from tests.ivr.standin_app import (
    ACCOUNT,
    CANDIDATE,
    NUMBER,
    TOKEN,
    TwimlApp,
    interview_pages,
    serving,
)
from tests.support import env_for, free_port, start_process, stop_process, wait_until


def place(api, app, script: CallScript, machine_detection: str | None):
    """Ask the stand-in's Calls.json for a call to the app, run it with `script`, return it."""
    api.ring_seconds = 0
    answer_outbound_calls(api, script)
    rest = TwilioRest(ACCOUNT, TOKEN, api.url)
    rest.create_call(
        CANDIDATE, NUMBER, f"{app.url}/ivr/voice", f"{app.url}/ivr/status", machine_detection
    )
    call = api.outbound_calls[-1]
    assert call.done.wait(30) and call.error is None, call.error
    return call


@pytest.mark.parametrize(
    ("who", "detection", "answered_by"),
    [
        ("machine", "DetectMessageEnd", "machine_end_beep"),
        ("machine", "Enable", "machine_start"),
        ("human", "DetectMessageEnd", "human"),
        ("fax", "Enable", "fax"),
        ("machine", None, None),  # no detection asked for: Twilio says nothing
    ],
)
def test_the_first_request_says_who_answered_when_detection_was_asked(
    api, who, detection, answered_by
):
    """AnsweredBy (and MachineDetectionDuration) come only with MachineDetection, by its mode."""
    with serving(TwimlApp(interview_pages())) as app:
        call = place(api, app, CallScript(answered_by=who), detection)
    assert call.machine_detection == detection
    voice = app.at("/ivr/voice")[0].form
    assert voice.get("AnsweredBy") == answered_by
    assert ("MachineDetectionDuration" in voice) == (answered_by is not None)


@pytest.mark.parametrize("status", ["busy", "no-answer", "failed", "canceled"])
def test_an_unanswered_call_sends_only_its_status(api, status):
    """Never connected: the Url is not fetched; the final callback says so, CallDuration 0."""
    with serving(TwimlApp(interview_pages())) as app:
        call = place(api, app, CallScript(unanswered=status), "DetectMessageEnd")
    assert app.at("/ivr/voice") == []
    statuses = [hit.form["CallStatus"] for hit in app.at("/ivr/status")]
    progress = ["initiated"] if status == "failed" else ["initiated", "ringing"]
    assert statuses == [*progress, status]
    assert app.at("/ivr/status")[-1].form["CallDuration"] == "0"
    assert all(hit.signature_valid for hit in app.hits)
    assert call.log.status == status


def test_a_script_refuses_an_unknown_pick_up():
    """A typo in a test's script is an error, not a silent human."""
    with pytest.raises(ValueError, match="answered_by must be one of"):
        CallScript(answered_by="robot")
    with pytest.raises(ValueError, match="unanswered must be one of"):
        CallScript(unanswered="engaged")


def test_the_stand_in_process_can_leave_outbound_calls_unanswered(settings, tmp_path):
    """`python -m ivr.standin.api --outbound-unanswered busy`: a demo of a busy line."""
    port = free_port()
    args = ["-m", "ivr.standin.api", "--port", str(port), "--account-sid", ACCOUNT]
    args += ["--auth-token", TOKEN, "--outbound-unanswered", "busy"]
    process = start_process(args, env_for(settings), tmp_path / "standin.log")
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: find_standin(url), timeout=30, what="the stand-in")
        with serving(TwimlApp(interview_pages())) as app:
            rest = TwilioRest(ACCOUNT, TOKEN, url)
            rest.create_call(CANDIDATE, NUMBER, f"{app.url}/ivr/voice", f"{app.url}/ivr/status")
            wait_until(lambda: app.at("/ivr/status")[-1:], timeout=30, what="the status")
            wait_until(
                lambda: app.at("/ivr/status")[-1].form["CallStatus"] == "busy",
                timeout=30,
                what="the busy status",
            )
        assert app.at("/ivr/voice") == []
    finally:
        stop_process(process)
