"""The Twilio stand-in's REST API: recordings, SMS and outbound calls over real HTTP."""

from __future__ import annotations

import io
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from pydub import AudioSegment
from pydub.generators import Sine

from ivr.standin import RemoteApi, TwilioApiServer, find_standin
from ivr.twilio_rest import TwilioError, TwilioRest

ACCOUNT = "AC" + "5" * 32
TOKEN = "standin-api-test-token"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def api() -> Iterator[TwilioApiServer]:
    """A running stand-in REST API server."""
    with TwilioApiServer(ACCOUNT, TOKEN) as server:
        yield server


@pytest.fixture
def rest(api) -> TwilioRest:
    """Screenline's REST client pointed at the stand-in."""
    return TwilioRest(ACCOUNT, TOKEN, api.url, sleep=lambda _: None)


def wav_bytes(seconds: float = 1.0) -> bytes:
    """A short WAV file's bytes."""
    segment = Sine(440).to_audio_segment(duration=int(seconds * 1000), volume=-12)
    buffer = io.BytesIO()
    segment.set_frame_rate(8000).set_channels(1).export(buffer, format="wav")
    return buffer.getvalue()


def media_url(api: TwilioApiServer, sid: str, account: str = ACCOUNT) -> str:
    """The media URL of a recording at the stand-in."""
    return f"{api.url}/2010-04-01/Accounts/{account}/Recordings/{sid}"


def stored(api: TwilioApiServer, sid: str = "RE" + "a" * 32, release: bool = True) -> str:
    """Store a recording at the stand-in; return its SID."""
    api.add_recording(
        sid, account_sid=ACCOUNT, call_sid="CA" + "b" * 32, wav=wav_bytes(), seconds=1
    )
    if release:
        api.release_recording(sid)
    return sid


def test_port_zero_picks_a_free_port():
    """Serve on a free port when asked for port 0, and stop cleanly."""
    with TwilioApiServer(ACCOUNT, TOKEN) as api:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", api.url)
        assert find_standin(api.url) == {"standin": True, "account_sid": ACCOUNT}
        url = api.url
    assert find_standin(url) is None


@pytest.mark.parametrize(
    "signals", [[signal.SIGINT], [signal.SIGTERM], [signal.SIGINT] + [signal.SIGTERM] * 5]
)
def test_the_process_stops_quietly_on_ctrl_c_even_when_signalled_again(signals):
    """`python -m ivr.standin.api` stopped by Ctrl-C, SIGTERM, or Ctrl-C then SIGTERMs in a
    burst (as the demo stops it) prints "stopped", exits 0 and prints no traceback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "ivr.standin.api", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().startswith("Twilio stand-in API listening at http://")
        for signum in signals:
            proc.send_signal(signum)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert out.strip() == "Twilio stand-in API stopped"
    assert err.strip().splitlines()[-1].endswith("Twilio stand-in API stopped")


def test_media_requires_basic_auth(api):
    """Refuse media without, or with the wrong, HTTP Basic credentials (401)."""
    url = media_url(api, stored(api))
    anonymous = requests.get(url, timeout=10)
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"].startswith("Basic")
    assert requests.get(url, auth=(ACCOUNT, "wrong"), timeout=10).status_code == 401
    assert requests.get(url, auth=(ACCOUNT, TOKEN), timeout=10).status_code == 200


def test_wrong_account_is_not_found(api):
    """Answer 404 for a recording under another account's path."""
    url = media_url(api, stored(api), account="AC" + "0" * 32)
    assert requests.get(url, auth=(ACCOUNT, TOKEN), timeout=10).status_code == 404


def test_unreleased_recording_is_not_found(api):
    """Answer 404 until the recording is released."""
    sid = stored(api, release=False)
    assert requests.get(media_url(api, sid), auth=(ACCOUNT, TOKEN), timeout=10).status_code == 404
    api.release_recording(sid)
    assert requests.get(media_url(api, sid), auth=(ACCOUNT, TOKEN), timeout=10).status_code == 200


@pytest.mark.parametrize("suffix", ["", ".wav"])
def test_recording_is_served_as_wav(api, suffix):
    """Serve WAV with no extension and with .wav."""
    response = requests.get(media_url(api, stored(api)) + suffix, auth=(ACCOUNT, TOKEN), timeout=10)
    assert response.headers["Content-Type"] == "audio/x-wav"
    assert response.content[:4] == b"RIFF"


def test_recording_is_served_as_mp3(api):
    """Serve MP3 for the .mp3 suffix."""
    response = requests.get(media_url(api, stored(api)) + ".mp3", auth=(ACCOUNT, TOKEN), timeout=10)
    assert response.headers["Content-Type"] == "audio/mpeg"
    segment = AudioSegment.from_file(io.BytesIO(response.content), format="mp3")
    assert len(segment) == pytest.approx(1000, abs=150)


def test_recording_metadata_is_served_as_json(api):
    """Describe a recording at Recordings/{sid}.json."""
    sid = stored(api)
    response = requests.get(media_url(api, sid) + ".json", auth=(ACCOUNT, TOKEN), timeout=10)
    assert response.json()["sid"] == sid
    assert response.json()["duration"] == "1"


def test_delete_answers_204_and_the_recording_is_gone(api, rest):
    """Delete a recording with 204; later downloads answer 404."""
    sid = stored(api)
    response = requests.delete(media_url(api, sid) + ".json", auth=(ACCOUNT, TOKEN), timeout=10)
    assert response.status_code == 204
    assert requests.get(media_url(api, sid), auth=(ACCOUNT, TOKEN), timeout=10).status_code == 404
    assert api.store.was_deleted(sid)
    rest.delete_recording(sid)  # already gone counts as deleted


def test_delete_requires_auth(api):
    """Refuse to delete without credentials."""
    sid = stored(api)
    assert requests.delete(media_url(api, sid) + ".json", timeout=10).status_code == 401
    assert api.store.get(sid) is not None


def test_a_text_message_is_deleted_once_and_then_gone(api, rest):
    """DELETE Messages/{Sid}.json answers 204, the message is gone; again counts as deleted."""
    sid = rest.send_sms("+15557654321", "+15550100200", "Your PIN is 123456")
    url = f"{api.url}/2010-04-01/Accounts/{ACCOUNT}/Messages/{sid}.json"
    assert requests.delete(url, timeout=10).status_code == 401
    assert requests.delete(url, auth=(ACCOUNT, TOKEN), timeout=10).status_code == 204
    assert api.message_deleted(sid) and api.messages == []
    assert requests.delete(url, auth=(ACCOUNT, TOKEN), timeout=10).status_code == 404
    rest.delete_message(sid)  # already gone counts as deleted


def test_failing_deletions_answer_500_then_recover(api, rest):
    """The fail-deletions knob makes the next DELETEs answer 500; the client says so."""
    sid = rest.send_sms("+15557654321", "+15550100200", "hello")
    recording = stored(api)
    response = requests.post(
        f"{api.url}/_standin/fail-deletions",
        data={"count": "2", "status": "500"},
        auth=(ACCOUNT, TOKEN),
        timeout=10,
    )
    assert response.status_code == 204
    with pytest.raises(TwilioError) as failed:
        rest.delete_message(sid)
    assert failed.value.status == 500 and failed.value.retryable
    with pytest.raises(TwilioError):
        rest.delete_recording(recording)
    rest.delete_message(sid)
    rest.delete_recording(recording)
    assert api.message_deleted(sid) and api.store.was_deleted(recording)


@pytest.mark.parametrize("status", [404, 503])
def test_failing_fetches_then_success(api, rest, status):
    """Fail the next N downloads after release, then serve the file; the client retries."""
    sid = stored(api)
    api.fail_next_fetches(2, status)
    assert rest.download_recording(media_url(api, sid), attempts=3)[:4] == b"RIFF"
    assert api.store.get(sid).fetches == 1


def test_failing_fetches_exhaust_the_client(api, rest):
    """Keep failing while the knob has failures left."""
    sid = stored(api)
    api.fail_next_fetches(5, 503, sid=sid)
    with pytest.raises(TwilioError) as caught:
        rest.download_recording(media_url(api, sid), attempts=2)
    assert caught.value.status == 503


def test_send_sms_is_recorded(api, rest):
    """Accept Messages.json with 201 and an SM sid, and keep the message."""
    sid = rest.send_sms("+15550001111", "+15550009999", "Your interview PIN is 482913.")
    assert re.fullmatch(r"SM[0-9a-f]{32}", sid)
    (message,) = api.messages
    assert (message.sid, message.to, message.from_) == (sid, "+15550001111", "+15550009999")
    assert message.body == "Your interview PIN is 482913."


def test_sms_without_to_is_refused(api):
    """Refuse a message with no To (400, code 21604)."""
    url = f"{api.url}/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
    response = requests.post(url, data={"Body": "hi"}, auth=(ACCOUNT, TOKEN), timeout=10)
    assert (response.status_code, response.json()["code"]) == (400, 21604)


def test_create_call_is_recorded(api, rest):
    """Accept Calls.json with 201 and a CA sid, keeping To, From, Url and StatusCallback."""
    sid = rest.create_call(
        "+15550001111", "+15550009999", "http://s.test/ivr/voice", "http://s.test/ivr/status"
    )
    assert re.fullmatch(r"CA[0-9a-f]{32}", sid)
    (call,) = api.outbound_calls
    assert (call.sid, call.to, call.from_) == (sid, "+15550001111", "+15550009999")
    assert (call.url, call.status_callback) == (
        "http://s.test/ivr/voice",
        "http://s.test/ivr/status",
    )
    assert call.status_callback_event == ["initiated", "ringing", "answered", "completed"]


def test_remote_api_uploads_and_releases(api):
    """Let a caller in another process hand over a recording and release it."""
    remote = RemoteApi(api.url, ACCOUNT, TOKEN)
    sid = "RE" + "c" * 32
    remote.add_recording(
        sid, account_sid=ACCOUNT, call_sid="CA" + "d" * 32, wav=wav_bytes(), seconds=1
    )
    url = media_url(api, sid)
    assert requests.get(url, auth=(ACCOUNT, TOKEN), timeout=10).status_code == 404
    remote.release_recording(sid)
    assert requests.get(url, auth=(ACCOUNT, TOKEN), timeout=10).status_code == 200
    remote.close()


def test_upload_requires_auth(api):
    """Refuse recordings uploaded without the account's credentials."""
    response = requests.put(f"{api.url}/_standin/recordings/RE1", data=b"x", timeout=10)
    assert response.status_code == 401


def test_serves_as_a_long_running_process(tmp_path):
    """Run as `python -m ivr.standin.api --port N` and answer until terminated."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    args = [
        sys.executable,
        "-m",
        "ivr.standin.api",
        "--port",
        str(port),
        "--account-sid",
        ACCOUNT,
        "--auth-token",
        TOKEN,
    ]
    with open(tmp_path / "standin.log", "wb") as out:
        proc = subprocess.Popen(args, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while find_standin(url) is None:
            assert proc.poll() is None, (tmp_path / "standin.log").read_text()
            assert time.monotonic() < deadline, "the stand-in did not start"
            time.sleep(0.1)
        assert find_standin(url)["account_sid"] == ACCOUNT
    finally:
        proc.terminate()
        proc.wait(10)
    assert "RuntimeWarning" not in (tmp_path / "standin.log").read_text()


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (["--port", "99999"], "argument --port: '99999' is not a port (a number from 1 to 65535)"),
        (["--port", "x"], "argument --port: 'x' is not a port (a number from 1 to 65535)"),
        (
            ["--host", "nosuchhost.invalid"],
            "cannot listen on nosuchhost.invalid:8765: unknown host",
        ),
        (["--port", "{taken}"], "cannot listen on 127.0.0.1:{taken}: the port is in use"),
        (
            ["--outbound-digits", "1", "--outbound-digits", "1,2"],
            "argument --outbound-digits: '1,2': ',' is not a key on a telephone keypad "
            "(keys are 0-9, * and #; give each prompt's keys separately)",
        ),
    ],
)
def test_a_port_host_or_keys_it_cannot_use_are_one_sentence(capsys, args, sentence):
    """`python -m ivr.standin.api` refuses a bad port, host or keypad keys with one line,
    exit status 2, before it serves anything."""
    from ivr.standin.api import main

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        taken = sock.getsockname()[1]
        with pytest.raises(SystemExit) as exited:
            main([a.format(taken=taken) for a in args])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == "python -m ivr.standin.api: error: " + sentence.format(
        taken=taken
    )
    assert "Traceback" not in err
