"""Reach a stand-in API server running in another process, to hand it recordings."""

from __future__ import annotations

import requests


class StandinError(RuntimeError):
    """The stand-in API server is missing, unreachable or refused us."""


def find_standin(url: str, timeout: float = 1.0) -> dict | None:
    """Return the health document of a stand-in listening at `url`, or None."""
    try:
        response = requests.get(f"{url.rstrip('/')}/_standin/health", timeout=timeout)
    except requests.RequestException:
        return None
    if response.status_code != 200:
        return None
    try:
        payload = response.json()
    except ValueError:
        return None
    return payload if isinstance(payload, dict) and payload.get("standin") else None


class RemoteApi:
    """A TwilioApiServer in another process, as a place to put the recordings a call makes."""

    def __init__(self, url: str, account_sid: str, auth_token: str, timeout: float = 30.0):
        self.url = url.rstrip("/")
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.timeout = timeout
        self._session = requests.Session()
        self._session.auth = (account_sid, auth_token)

    def add_recording(
        self, sid: str, *, account_sid: str, call_sid: str, wav: bytes, seconds: int
    ) -> None:
        """Upload a new recording, not yet downloadable."""
        params = {"account_sid": account_sid, "call_sid": call_sid, "seconds": str(seconds)}
        self._check(
            self._session.put(
                f"{self.url}/_standin/recordings/{sid}",
                params=params,
                data=wav,
                headers={"Content-Type": "audio/x-wav"},
                timeout=self.timeout,
            ),
            "uploading a recording",
        )

    def release_recording(self, sid: str) -> None:
        """Make an uploaded recording downloadable."""
        self._check(
            self._session.post(
                f"{self.url}/_standin/recordings/{sid}/release", timeout=self.timeout
            ),
            "releasing a recording",
        )

    def fail_next_fetches(self, count: int, status: int = 404, sid: str | None = None) -> None:
        """Make the next `count` media downloads fail with HTTP `status` (for one SID, or any)."""
        data = {"count": str(count), "status": str(status), "sid": sid or ""}
        self._check(
            self._session.post(
                f"{self.url}/_standin/fail-fetches", data=data, timeout=self.timeout
            ),
            "setting fetch failures",
        )

    def messages(self) -> list[dict]:
        """Return the SMS messages the remote stand-in has been asked to send."""
        response = self._session.get(f"{self.url}/_standin/messages", timeout=self.timeout)
        self._check(response, "listing messages")
        return response.json()["messages"]

    def close(self) -> None:
        """Close the HTTP session."""
        self._session.close()

    @staticmethod
    def _check(response: requests.Response, what: str) -> None:
        if response.status_code >= 300:
            raise StandinError(f"{what} at the stand-in failed: HTTP {response.status_code}")
