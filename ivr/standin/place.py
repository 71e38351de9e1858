"""Place one call through the stand-in, the way `screenline call` and end-to-end tests do.

Where the recordings live. Screenline's worker downloads each recording from
SCREENLINE_TWILIO_API_URL after the call, so whoever serves that URL must hold the audio
the caller made. `place_call` looks at that URL and picks one of two arrangements:

1. A stand-in is already listening there (`python -m ivr.standin.api --port 8765`, a
   long-running process beside the server and worker, as in the demo): the call runs in
   this process and uploads each recording to it over HTTP (PUT /_standin/recordings/...)
   before the action webhook; the long-running stand-in releases and serves it. This
   process may exit as soon as the call ends.
2. Nothing listens there and the URL is local (http://127.0.0.1:PORT): this process
   starts the API server on that address for the duration of the call and then lingers,
   serving the recordings, until `linger_until()` is true or, without one, until every
   recording has been downloaded (or deleted), plus `linger_grace` seconds for a DELETE.
   SMS and outbound calls requested while nobody hosts the URL fail to connect, so
   long-running setups should use arrangement 1.

Tests may pass `api=` (a started TwilioApiServer) to skip both.
In every arrangement `place_call` waits for `linger_until` (if given) before returning,
so `screenline call` can pass "the transcripts are in" and print them afterwards.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urlsplit

from config.settings import Settings
from ivr.standin.api import TwilioApiServer
from ivr.standin.caller import Caller, RecordingHost
from ivr.standin.calllog import CallLog
from ivr.standin.remote import RemoteApi, StandinError, find_standin
from ivr.standin.script import Answer, CallScript

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def place_call(
    settings: Settings,
    to: str,
    from_: str,
    answers: Iterable[bytes | str | os.PathLike] = (),
    says: Iterable[str] = (),
    digits: Iterable[str] = (),
    *,
    script: CallScript | None = None,
    hang_up_during_record: int | None = None,
    hang_up_after_gathers: int | None = None,
    api: RecordingHost | None = None,
    voice_url: str | None = None,
    status_url: str | None = None,
    direction: str = "inbound",
    linger_until: Callable[[], object] | None = None,
    linger_timeout: float = 300.0,
    linger_grace: float = 2.0,
    **caller_options,
) -> CallLog:
    """Call Screenline's number from `from_` and return the CallLog.

    `answers` are audio (bytes, or a path as str or Path) spoken at successive <Record>s;
    `says` are texts spoken (with flite) at the <Record>s after those; `digits` are
    keypress strings for successive <Gather>s. Pass `script` to control the order fully.
    Extra keyword arguments go to Caller (duplicate_webhooks, tamper_signatures, ...).
    """
    if script is None:
        script = CallScript(
            answers=[*(_audio(item) for item in answers), *says],
            digits=list(digits),
            hang_up_during_record=hang_up_during_record,
            hang_up_after_gathers=hang_up_after_gathers,
        )
    voice_url = voice_url or f"{settings.public_url}/ivr/voice"
    status_url = status_url if status_url is not None else f"{settings.public_url}/ivr/status"

    def run(host: RecordingHost) -> CallLog:
        caller = Caller(
            host,
            voice_url,
            status_url,
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            **caller_options,
        )
        return caller.call(from_, to, script, direction)

    if api is not None:
        call_log = run(api)
    elif health := find_standin(settings.twilio_api_url):
        if health.get("account_sid") != settings.twilio_account_sid:
            raise StandinError(
                f"the stand-in at {settings.twilio_api_url} serves account "
                f"{health.get('account_sid')}, not {settings.twilio_account_sid}"
            )
        remote = RemoteApi(
            settings.twilio_api_url, settings.twilio_account_sid, settings.twilio_auth_token
        )
        try:
            call_log = run(remote)
        finally:
            remote.close()
    else:
        return _call_hosting_api(settings, run, linger_until, linger_timeout, linger_grace)
    if linger_until is not None:
        _wait(linger_until, linger_timeout, call_log)
    return call_log


def _call_hosting_api(
    settings: Settings,
    run: Callable[[RecordingHost], CallLog],
    linger_until: Callable[[], object] | None,
    linger_timeout: float,
    linger_grace: float,
) -> CallLog:
    host, port = local_address(settings.twilio_api_url)
    server = TwilioApiServer(settings.twilio_account_sid, settings.twilio_auth_token, host, port)
    try:
        server.start()
    except OSError as exc:
        raise StandinError(f"cannot serve the stand-in API at {host}:{port}: {exc}") from exc
    try:
        call_log = run(server)
        kept = [r.sid for r in call_log.recordings if r.status == "completed"]

        def fetched() -> bool:
            return all(server.store.done_with(sid) for sid in kept)

        _wait(linger_until or fetched, linger_timeout, call_log)
        if kept:
            time.sleep(linger_grace)
        return call_log
    finally:
        server.stop()


def local_address(url: str) -> tuple[str, int]:
    """Return (host, port) of a local http:// URL the stand-in can serve, else raise."""
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname not in LOCAL_HOSTS:
        raise StandinError(
            f"SCREENLINE_TWILIO_API_URL is {url}, which is not a local stand-in: run "
            "`python -m ivr.standin.api --port 8765` and set it to http://127.0.0.1:8765"
        )
    return parts.hostname, parts.port or 80


def _audio(item: bytes | str | os.PathLike) -> Answer:
    # In `answers` a string names an audio file; text to speak goes in `says`.
    return Path(item) if isinstance(item, str) else item


def _wait(predicate: Callable[[], object], timeout: float, call_log: CallLog) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() >= deadline:
            call_log.warnings.append(f"stopped lingering after {timeout:.0f} s")
            return
        time.sleep(0.25)
