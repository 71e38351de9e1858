"""The few Twilio REST calls Screenline makes, against a configurable base URL.

Plain HTTP with `requests` so the same code talks to Twilio or to the local stand-in.
Every call sends HTTP Basic auth (account SID + auth token); the token is never logged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import NameResolutionError, NewConnectionError

from config.metrics import DOWNLOAD_RETRIES

log = logging.getLogger(__name__)

API_VERSION = "2010-04-01"
RETRYABLE_STATUS = frozenset({404, 408, 429, 500, 502, 503, 504})


class TwilioError(RuntimeError):
    """Twilio answered with an error, or could not be reached."""

    def __init__(self, message: str, status: int | None = None, retryable: bool = False):
        super().__init__(message)
        self.status = status
        self.retryable = retryable


@dataclass
class TwilioRest:
    """Twilio's REST API for one account (or the stand-in's at `api_url`); timeouts in s."""

    account_sid: str
    auth_token: str
    api_url: str = "https://api.twilio.com"
    timeout: float = 15.0
    sleep: Callable[[float], None] = time.sleep

    @property
    def _auth(self) -> tuple[str, str]:
        return (self.account_sid, self.auth_token)

    def _account_url(self, path: str) -> str:
        return f"{self.api_url.rstrip('/')}/{API_VERSION}/Accounts/{self.account_sid}/{path}"

    def media_url(self, recording_url: str) -> str:
        """The WAV form of a RecordingUrl (Twilio serves WAV with no extension or .wav)."""
        url = recording_url
        if not url.endswith((".wav", ".mp3")):
            url += ".wav"
        return url

    def download_recording(
        self, recording_url: str, attempts: int = 5, backoff: tuple[float, ...] = (1, 2, 4, 8)
    ) -> bytes:
        """Fetch a recording as WAV, retrying with backoff when the failure may pass.

        Takes a RecordingUrl (with or without extension), the number of tries in all, and
        the seconds to wait before the second, third... try (the last value repeats).
        Returns the file's bytes, never empty. Raises TwilioError with `retryable` set for
        what may pass: HTTP 404 (Twilio's media may 404 until the recording's status
        callback says completed, per TWILIO.md), 408, 429 and 5xx, timeouts, a connection
        that fails, a body cut short, and an empty body (HTTP 200 with 0 bytes). Other
        statuses (401, 403...) and a malformed URL raise at once, not retryable.
        """
        url = self.media_url(recording_url)
        last: TwilioError | None = None
        for attempt in range(attempts):
            if attempt:
                DOWNLOAD_RETRIES.inc()
                self.sleep(backoff[min(attempt - 1, len(backoff) - 1)])
            try:
                response = requests.get(url, auth=self._auth, timeout=self.timeout)
            except requests.RequestException as exc:
                last = _download_failure(exc)
                log.warning("recording download attempt %d failed: %s", attempt + 1, exc)
                if not last.retryable:
                    break
                continue
            if response.status_code == 200 and response.content:
                return response.content
            if response.status_code == 200:
                last = TwilioError("Twilio sent an empty recording (0 bytes)", 200, True)
                log.warning("recording download attempt %d: HTTP 200, 0 bytes", attempt + 1)
                continue
            retryable = response.status_code in RETRYABLE_STATUS
            last = TwilioError(
                f"Twilio answered {response.status_code} for the recording",
                response.status_code,
                retryable,
            )
            log.warning("recording download attempt %d: HTTP %d", attempt + 1, response.status_code)
            if not retryable:
                break
        assert last is not None
        raise last

    def delete_recording(self, recording_sid: str) -> None:
        """Delete a recording at Twilio; a recording already gone counts as deleted."""
        response = self._request("DELETE", f"Recordings/{recording_sid}.json")
        if response.status_code not in (204, 404):
            raise TwilioError(
                f"deleting recording failed: HTTP {response.status_code}", response.status_code
            )

    def delete_message(self, message_sid: str) -> None:
        """Delete an SMS (its body and record) at Twilio; one already gone counts as deleted.

        Twilio's REST API: DELETE /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json
        answers 204. Raises TwilioError otherwise (retryable for 408, 429 and 5xx).
        """
        response = self._request("DELETE", f"Messages/{message_sid}.json")
        if response.status_code not in (204, 404):
            raise TwilioError(
                f"deleting text message failed: HTTP {response.status_code}",
                response.status_code,
                response.status_code in RETRYABLE_STATUS,
            )

    def send_sms(self, to: str, from_: str, body: str) -> str:
        """Send an SMS; return its MessageSid."""
        response = self._request("POST", "Messages.json", {"To": to, "From": from_, "Body": body})
        return self._sid(response, "sending SMS")

    def create_call(
        self,
        to: str,
        from_: str,
        url: str,
        status_callback: str,
        machine_detection: str | None = None,
    ) -> str:
        """Place an outbound call whose TwiML comes from `url`; return its CallSid.

        `machine_detection` ("Enable" or "DetectMessageEnd") asks Twilio to tell a person
        from a machine; the `Url` request then carries `AnsweredBy`
        (twilio.com/docs/voice/answering-machine-detection).
        """
        data = {
            "To": to,
            "From": from_,
            "Url": url,
            "StatusCallback": status_callback,
            "StatusCallbackEvent": "initiated ringing answered completed",
        }
        if machine_detection:
            data["MachineDetection"] = machine_detection
        response = self._request("POST", "Calls.json", data)
        return self._sid(response, "placing a call")

    def _request(self, method: str, path: str, data: dict | None = None) -> requests.Response:
        try:
            return requests.request(
                method, self._account_url(path), data=data, auth=self._auth, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise TwilioError(unreachable(self.api_url, exc), None, True) from exc

    @staticmethod
    def _sid(response: requests.Response, what: str) -> str:
        if response.status_code not in (200, 201):
            raise TwilioError(f"{what} failed: HTTP {response.status_code}", response.status_code)
        return response.json()["sid"]


def unreachable(api_url: str, exc: requests.RequestException) -> str:
    """One sentence for a request to Twilio's API that got no answer: the host tried, why
    (when it is known: a name that does not resolve, a refused connection, a timeout),
    and the setting that chooses the address, SCREENLINE_TWILIO_API_URL."""
    host = urlsplit(api_url).netloc or api_url
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    if isinstance(exc, requests.Timeout):
        why = "it did not answer in time"
    elif isinstance(reason, NameResolutionError):
        why = "the name does not resolve"
    elif isinstance(reason, NewConnectionError) and "refused" in str(reason).lower():
        why = "nothing is listening there"
    elif isinstance(exc, requests.exceptions.SSLError):
        why = "the secure connection failed"
    else:
        why = "the connection failed"
    return (
        f"could not reach Twilio at {host} ({why}); the address comes from "
        f"SCREENLINE_TWILIO_API_URL, now {api_url}"
    )


def _download_failure(exc: requests.RequestException) -> TwilioError:
    """The TwilioError for a download that raised before any status could be read."""
    if isinstance(exc, requests.Timeout | requests.ConnectionError):
        return TwilioError(f"could not reach Twilio for the recording: {exc}", None, True)
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        # The connection closed before the Content-Length Twilio announced had arrived.
        return TwilioError("the recording download was cut short before the end", None, True)
    if isinstance(exc, requests.exceptions.ContentDecodingError):
        return TwilioError("Twilio sent a recording that could not be unpacked", None, True)
    return TwilioError(f"could not fetch the recording: {exc}", None, False)


def rest_client(settings) -> TwilioRest:
    """Build the REST client from settings."""
    return TwilioRest(
        settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_api_url
    )
