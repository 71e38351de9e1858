"""The REST client's recording download against a local HTTP server: empty and cut bodies."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ivr.twilio_rest import TwilioError, TwilioRest
from tests.voice.samples import phone_speech

ACCOUNT = "AC" + "7" * 32
TOKEN = "rest-client-test-token"
SID = "RE" + "c" * 32


@dataclass
class Reply:
    status: int
    body: bytes
    extra_length: int = 0  # announce this many bytes more than are sent, then hang up


@dataclass
class MediaServer:
    """Serves scripted replies for one recording's media URL, the last one repeating."""

    replies: list[Reply] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    unauthorised: int = 0
    url: str = ""

    @property
    def recording_url(self) -> str:
        return f"{self.url}/2010-04-01/Accounts/{ACCOUNT}/Recordings/{SID}"

    def next_reply(self) -> Reply:
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]


def handler_for(server: MediaServer) -> type[BaseHTTPRequestHandler]:
    expected = "Basic " + base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            server.paths.append(self.path)
            reply = server.next_reply()
            if self.headers.get("Authorization") != expected:
                server.unauthorised += 1
                reply = Reply(401, b"authenticate")
            self.send_response(reply.status)
            self.send_header("Content-Type", "audio/x-wav")
            self.send_header("Content-Length", str(len(reply.body) + reply.extra_length))
            self.end_headers()
            self.wfile.write(reply.body)
            if reply.extra_length:
                self.close_connection = True  # the body stops short of its Content-Length

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def media() -> Iterator[MediaServer]:
    """A threaded local media server, stopped afterwards."""
    server = MediaServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(server))
    httpd.daemon_threads = True
    server.url = f"http://127.0.0.1:{httpd.server_port}"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield server
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def waits() -> list[float]:
    """The backoff sleeps the client asked for, in order (no real sleeping)."""
    return []


@pytest.fixture
def rest(media, waits) -> TwilioRest:
    return TwilioRest(ACCOUNT, TOKEN, media.url, timeout=10, sleep=waits.append)


@pytest.fixture(scope="module")
def recording() -> bytes:
    """A real spoken answer as Twilio serves it: 8 kHz 16-bit mono WAV."""
    return phone_speech()


def test_an_empty_body_is_its_own_retryable_error(media, rest, waits):
    """HTTP 200 with 0 bytes every time: retried to the limit, then 'an empty recording'."""
    media.replies = [Reply(200, b"")]
    with pytest.raises(TwilioError) as caught:
        rest.download_recording(media.recording_url, attempts=3, backoff=(1, 2))
    assert str(caught.value) == "Twilio sent an empty recording (0 bytes)"
    assert (caught.value.status, caught.value.retryable) == (200, True)
    assert len(media.paths) == 3 and media.unauthorised == 0
    assert waits == [1, 2]


def test_an_empty_body_then_the_recording_returns_the_recording(media, rest, waits, recording):
    """A 0-byte answer followed by the file yields the file, after one backoff."""
    media.replies = [Reply(200, b""), Reply(200, recording)]
    assert rest.download_recording(media.recording_url, attempts=3) == recording
    assert media.paths == [f"/2010-04-01/Accounts/{ACCOUNT}/Recordings/{SID}.wav"] * 2
    assert waits == [1]


def test_a_body_cut_short_is_retried_and_the_whole_file_returned(media, rest, waits, recording):
    """A download that stops before its Content-Length is retried, never returned as audio."""
    media.replies = [Reply(200, recording[:4001], extra_length=len(recording) - 4001)]
    media.replies.append(Reply(200, recording))
    assert rest.download_recording(media.recording_url, attempts=2, backoff=(0.5,)) == recording
    assert len(media.paths) == 2
    assert waits == [0.5]


def test_a_body_always_cut_short_fails_retryable_after_every_attempt(media, rest, recording):
    """Every download cut short: a retryable TwilioError saying so, after all attempts."""
    media.replies = [Reply(200, recording[:999], extra_length=5000)]
    with pytest.raises(TwilioError, match="cut short") as caught:
        rest.download_recording(recording_url=media.recording_url, attempts=2, backoff=(0,))
    assert caught.value.retryable
    assert len(media.paths) == 2


def test_a_refused_download_is_not_retried(media, waits):
    """Wrong credentials (HTTP 401) fail at once, not retryable, with no backoff."""
    wrong = TwilioRest(ACCOUNT, "wrong-token", media.url, timeout=10, sleep=waits.append)
    media.replies = [Reply(200, b"RIFF")]
    with pytest.raises(TwilioError) as caught:
        wrong.download_recording(media.recording_url, attempts=4)
    assert (caught.value.status, caught.value.retryable) == (401, False)
    assert media.unauthorised == 1 and waits == []


def test_a_malformed_recording_url_fails_at_once(rest, waits):
    """A RecordingUrl that is not a URL gives a non-retryable TwilioError, not requests' own."""
    with pytest.raises(TwilioError, match="could not fetch the recording") as caught:
        rest.download_recording("no scheme here", attempts=3)
    assert not caught.value.retryable
    assert waits == []


@pytest.mark.parametrize(
    ("api_url", "why"),
    [("http://twilio.invalid", "the name does not resolve"), (None, "nothing is listening there")],
)
def test_twilio_out_of_reach_is_one_sentence_naming_the_host_and_setting(api_url, why):
    """A host whose name does not resolve, or a port where nothing listens, is one sentence
    naming the host tried and SCREENLINE_TWILIO_API_URL, retryable, not urllib3's repr."""
    from tests.support import free_port

    url = api_url or f"http://127.0.0.1:{free_port()}"
    host = url.removeprefix("http://")
    rest = TwilioRest(ACCOUNT, "token", url, timeout=10)
    with pytest.raises(TwilioError) as caught:
        rest.send_sms("+15557654321", "+15550100200", "hello")
    assert str(caught.value) == (
        f"could not reach Twilio at {host} ({why}); the address comes from "
        f"SCREENLINE_TWILIO_API_URL, now {url}"
    )
    assert caught.value.retryable and caught.value.status is None
