"""The TwiML executor: plays Twilio's part of a phone call against real webhooks.

It fetches the Voice URL, follows the TwiML it gets back verb by verb, and answers as
the scripted caller would: keys at <Gather>, speech at <Record>, hanging up on cue.
Only the TwiML decides where the call goes; nothing about Screenline is assumed.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Protocol
from urllib.parse import urljoin

from ivr.standin.calllog import CallError, CallLog, RecordingMade, Spoken
from ivr.standin.line import record_answer
from ivr.standin.script import CallScript, answer_audio
from ivr.standin.sids import new_sid
from ivr.standin.twiml import (
    APPLICATION_ERROR_MESSAGE,
    INVALID_VERB,
    TwimlError,
    bool_attr,
    int_attr,
    parse_reply,
    text_of,
)
from ivr.standin.webhooks import DEFAULT_TIMEOUT, Exchange, WebhookSender

log = logging.getLogger(__name__)

API_VERSION = "2010-04-01"
MAX_DOCUMENTS = 200
MAX_RECORD_SECONDS = 3600
SECONDS_PER_WORD = 0.4  # about 150 words a minute, for the simulated call clock
OUTBOUND_PROGRESS = (
    ("initiated", "initiated"),
    ("ringing", "ringing"),
    ("answered", "in-progress"),
)
GATHER_NESTABLE = ("Say", "Play", "Pause")
FINAL_STATUSES = ("completed", "busy", "no-answer", "failed", "canceled")
RECORD_ANY_KEY = "1234567890*#"
SILENT_RECORDING = 16102
LOOP_GUARD = 0  # no Twilio code: Twilio has no such cap, but a test run needs one


class RecordingHost(Protocol):
    """Where recordings go: a TwilioApiServer here, or a RemoteApi in another process."""

    url: str

    def add_recording(
        self, sid: str, *, account_sid: str, call_sid: str, wav: bytes, seconds: int
    ) -> None:
        """Keep a recording so that its media URL can be fetched."""

    def release_recording(self, sid: str) -> None:
        """Let the recording's media URL answer (it may 404 until then)."""


@dataclass(frozen=True)
class _End:
    who: str


class Caller:
    """Place calls the way Twilio does, against one Voice URL and status callback URL."""

    def __init__(
        self,
        api: RecordingHost,
        voice_url: str,
        status_url: str | None,
        account_sid: str,
        auth_token: str,
        *,
        duplicate_webhooks: bool = False,
        tamper_signatures: bool = False,
        max_documents: int = MAX_DOCUMENTS,
        strict_callback_events: bool = False,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        recording_duration_as: str | None = None,
    ) -> None:
        self.api = api
        self.voice_url = voice_url
        self.status_url = status_url
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.duplicate_webhooks = duplicate_webhooks
        self.tamper_signatures = tamper_signatures
        self.max_documents = max_documents
        # Twilio only sends RecordingStatus=absent when recordingStatusCallbackEvent asks
        # for it; by default the stand-in always sends it, as the newer docs describe.
        self.strict_callback_events = strict_callback_events
        self.timeout = timeout
        # What RecordingDuration says on the <Record> action and recording status callback:
        # None, the true seconds; "-1", Twilio's "not known"; "", the field left out; or
        # any other text, sent as is (carriers' and Twilio's own unknown values).
        self.recording_duration_as = recording_duration_as

    def call(
        self,
        from_: str,
        to: str,
        script: CallScript,
        direction: str = "inbound",
        *,
        call_sid: str | None = None,
        status_events: Iterable[str] = ("completed",),
        machine_detection: str | None = None,
    ) -> CallLog:
        """Run one call from start to hang-up and return what happened.

        `machine_detection` is the outbound call's MachineDetection parameter (Enable or
        DetectMessageEnd): the first request then carries AnsweredBy, as Twilio's does.
        """
        sender = WebhookSender(
            self.auth_token,
            duplicate=self.duplicate_webhooks,
            tamper=self.tamper_signatures,
            timeout=self.timeout,
        )
        call_log = CallLog(call_sid or new_sid("CA"), from_, to, direction)
        try:
            run = _CallRun(self, sender, call_log, script, set(status_events))
            run.machine_detection = machine_detection
            return run.run()
        finally:
            sender.close()


class _CallRun:
    """The state of one call in progress."""

    def __init__(
        self,
        caller: Caller,
        sender: WebhookSender,
        call_log: CallLog,
        script: CallScript,
        status_events: set[str],
    ) -> None:
        self.caller = caller
        self.sender = sender
        self.log = call_log
        self.script = script
        self.status_events = status_events
        self.answers = deque(script.answers)
        self.digits = deque(script.digits)
        self.records = 0
        self.gathers = 0
        self.sequence = 0
        self.documents = 0  # TwiML documents requested, capped to stop loops
        self.started = datetime.now(UTC)
        self.elapsed = 0.0  # simulated seconds on the line
        self.machine_detection: str | None = None
        self.verbs: dict[str, Callable[[ET.Element, str], Exchange | _End | None]] = {
            "Say": self._say,
            "Play": self._play,
            "Pause": self._pause,
            "Gather": self._gather,
            "Record": self._record,
            "Redirect": self._redirect,
            "Hangup": self._hangup,
            "Reject": self._reject,
        }

    # -- the call ------------------------------------------------------------------

    def run(self) -> CallLog:
        """Play the call from its first webhook to its end; return its log."""
        outbound = self.log.direction != "inbound"
        if outbound and self.script.unanswered:
            return self._never_connected(self.script.unanswered)
        if outbound:
            # Progress events an outbound call's requester subscribed to, in order.
            for event, status in OUTBOUND_PROGRESS:
                if event in self.status_events:
                    self._call_status(status)
        # An inbound call's first request says ringing; an outbound one is answered already.
        first = "in-progress" if outbound else "ringing"
        extra = self._answered_by() if outbound else {}
        exchange = self._webhook("voice", self.caller.voice_url, "POST", extra, first)
        end = self._follow(exchange)
        self.log.events.append(("hangup", end.who))
        if self.log.status == "in-progress":
            self.log.status = "completed"
        self.log.duration = round(self.elapsed) if self.log.status == "completed" else 0
        if "completed" in self.status_events:
            self._call_status(self.log.status)
        return self.log

    def _never_connected(self, status: str) -> CallLog:
        """An outbound call nobody answers: progress events, then the final status only.

        Twilio never fetches the Url of such a call; its status callback (the `completed`
        event, which covers every final status) says busy, no-answer, failed or canceled,
        with CallDuration 0 (twilio.com/docs/voice/api/call-resource#statuscallbackevent).
        """
        progress = ("initiated",) if status == "failed" else ("initiated", "ringing")
        for event in progress:
            if event in self.status_events:
                self._call_status(event)
        self.log.status = status
        self.log.duration = 0
        self.log.events.append(("not-connected", status))
        if "completed" in self.status_events:
            self._call_status(status)
        return self.log

    def _answered_by(self) -> dict[str, str]:
        """AnsweredBy (and its timing) for the first request, when detection was asked for.

        DetectMessageEnd waits for a machine's greeting to end (machine_end_beep); Enable
        answers at once (machine_start). twilio.com/docs/voice/answering-machine-detection
        """
        if not self.machine_detection:
            return {}
        who = self.script.answered_by
        if who == "machine":
            who = (
                "machine_end_beep"
                if self.machine_detection == "DetectMessageEnd"
                else ("machine_start")
            )
        return {"AnsweredBy": who, "MachineDetectionDuration": "2300"}

    def _follow(self, exchange: Exchange) -> _End:
        while True:
            try:
                document = parse_reply(exchange)
                outcome = self._execute(document, exchange.url)
            except TwimlError as exc:
                return self._application_error(exc.code, exc.message, exchange.url)
            if isinstance(outcome, _End):
                return outcome
            exchange = outcome

    def _execute(self, document: ET.Element, url: str) -> Exchange | _End:
        for verb in document:
            handler = self.verbs.get(verb.tag)
            if handler is None:
                self._warn(f"{INVALID_VERB}: <{verb.tag}> is not a verb the stand-in runs; skipped")
                continue
            outcome = handler(verb, url)
            if outcome is not None:
                return outcome
        return _End("end-of-twiml")

    def _application_error(self, code: int, message: str, url: str) -> _End:
        # Without a Fallback URL Twilio plays a canned message and hangs up.
        self.log.errors.append(CallError(code, message, url))
        self.log.events.append(("error", code, message))
        self.log.events.append(("twilio-say", APPLICATION_ERROR_MESSAGE))
        log.warning(
            "call %s: application error %s at %s: %s", self.log.call_sid, code, url, message
        )
        return _End("twilio")

    # -- verbs ---------------------------------------------------------------------

    def _say(self, verb: ET.Element, url: str) -> None:
        text = text_of(verb)
        loop = int_attr(verb, "loop", 1)
        self.log.spoken.append(Spoken(text, verb.get("voice"), verb.get("language"), loop))
        self.log.events.append(("say", text))
        self.elapsed += len(text.split()) * SECONDS_PER_WORD * max(loop, 1)

    def _play(self, verb: ET.Element, url: str) -> None:
        self.log.events.append(("play", urljoin(url, (verb.text or "").strip())))
        self.elapsed += 2 * max(int_attr(verb, "loop", 1), 1)

    def _pause(self, verb: ET.Element, url: str) -> None:
        seconds = int_attr(verb, "length", 1)
        self.log.events.append(("pause", seconds))
        self.elapsed += seconds

    def _gather(self, verb: ET.Element, url: str) -> Exchange | _End | None:
        for child in verb:
            if child.tag in GATHER_NESTABLE:
                self.verbs[child.tag](child, url)
            else:
                self._warn(f"{INVALID_VERB}: <{child.tag}> may not nest in <Gather>; skipped")
        quits_at = self.script.hang_up_after_gathers
        if quits_at is not None and self.gathers >= quits_at:
            return _End("caller")
        self.gathers += 1
        keys = self.digits.popleft() if self.digits else ""
        if "dtmf" not in verb.get("input", "dtmf").split():
            keys = ""  # the stand-in caller never speaks to a speech-only Gather
        digits, finished_on, pressed = collect_keys(
            keys, verb.get("finishOnKey", "#"), int_attr(verb, "numDigits", 0)
        )
        if pressed:
            self.log.events.append(("press", pressed))
        if not digits:
            if not pressed:
                self.log.events.append(("no-input",))
            self.elapsed += int_attr(verb, "timeout", 5)
            if not bool_attr(verb, "actionOnEmptyResult", False):
                return None  # no request: Twilio goes on to the next verb
        action = urljoin(url, verb.get("action") or url)
        params = {"Digits": digits, "FinishedOnKey": finished_on}
        return self._webhook("gather", action, verb.get("method", "POST"), params)

    def _record(self, verb: ET.Element, url: str) -> Exchange | _End:
        self.records += 1
        hang_up = self.script.hang_up_during_record == self.records
        if bool_attr(verb, "playBeep", True):
            self.log.events.append(("beep",))
        max_length = int_attr(verb, "maxLength", MAX_RECORD_SECONDS)
        if max_length <= 0:
            max_length = MAX_RECORD_SECONDS
        sid = new_sid("RE")
        account = self.caller.account_sid
        recording_url = f"{self.caller.api.url}/{API_VERSION}/Accounts/{account}/Recordings/{sid}"
        started = self._now()
        wanted = verb.get("recordingStatusCallbackEvent") or "completed"
        events = set(wanted.replace(",", " ").split())
        if "in-progress" in events:
            self._recording_status(verb, url, sid, recording_url, "in-progress", 0, started)
        answer = self.answers.popleft() if self.answers else b""
        line = record_answer(answer_audio(answer), max_length)
        if not line.silent:
            self.caller.api.add_recording(
                sid,
                account_sid=self.caller.account_sid,
                call_sid=self.log.call_sid,
                wav=line.wav,
                seconds=line.seconds,
            )
        status = "absent" if line.silent else "completed"
        self.log.recordings.append(
            RecordingMade(sid, recording_url, line.seconds, status, line.wav, hang_up)
        )
        self.log.events.append(("record", sid, line.seconds))
        self.elapsed += line.seconds or int_attr(verb, "timeout", 5)
        params = {
            "RecordingUrl": recording_url,
            "RecordingSid": sid,
            "RecordingDuration": str(line.seconds),
        }
        self._report_duration(params)
        finish_keys = verb.get("finishOnKey", RECORD_ANY_KEY)
        if hang_up:
            params["Digits"] = "hangup"
        elif finish_keys:
            # The caller ends the answer with # where allowed, else the first finishing key.
            params["Digits"] = "#" if "#" in finish_keys else finish_keys[0]
        action = urljoin(url, verb.get("action") or url)
        # Once the caller has hung up, the call is over by the time the action is requested.
        call_status = "completed" if hang_up else "in-progress"
        method = verb.get("method", "POST")
        exchange = self._webhook("record", action, method, params, call_status)
        # The file is finished after the action request; only then may it be downloaded.
        if not line.silent:
            self.caller.api.release_recording(sid)
        if status in events or (status == "absent" and not self.caller.strict_callback_events):
            self._recording_status(verb, url, sid, recording_url, status, line.seconds, started)
        # After a hang-up Twilio ignores the reply to the action request.
        return _End("caller") if hang_up else exchange

    def _report_duration(self, params: dict[str, str]) -> None:
        """Say RecordingDuration as the caller's options ask (the true seconds by default)."""
        shown = self.caller.recording_duration_as
        if shown == "":
            del params["RecordingDuration"]
        elif shown is not None:
            params["RecordingDuration"] = shown

    def _redirect(self, verb: ET.Element, url: str) -> Exchange:
        target = urljoin(url, (verb.text or "").strip() or url)
        self.log.events.append(("redirect", target))
        return self._webhook("redirect", target, verb.get("method", "POST"), {})

    def _hangup(self, verb: ET.Element, url: str) -> _End:
        return _End("screenline")

    def _reject(self, verb: ET.Element, url: str) -> _End:
        reason = verb.get("reason", "rejected")
        self.log.events.append(("reject", reason))
        self.log.status = "busy" if reason == "busy" else "no-answer"
        return _End("screenline")

    # -- requests ------------------------------------------------------------------

    def _standard(self, status: str) -> dict[str, str]:
        return {
            "CallSid": self.log.call_sid,
            "AccountSid": self.caller.account_sid,
            "From": self.log.from_,
            "To": self.log.to,
            "Caller": self.log.from_,
            "Called": self.log.to,
            "CallStatus": status,
            "ApiVersion": API_VERSION,
            "Direction": self.log.direction,
        }

    def _webhook(
        self,
        kind: str,
        url: str,
        method: str,
        extra: dict[str, str],
        status: str = "in-progress",
    ) -> Exchange:
        if self.documents >= self.caller.max_documents:
            raise TwimlError(
                LOOP_GUARD, f"over {self.caller.max_documents} TwiML documents: a loop?"
            )
        self.documents += 1
        exchange = self.sender.send(kind, url, self._standard(status) | extra, method)
        self.log.exchanges.append(exchange)
        return exchange

    def _callback(self, kind: str, url: str, method: str, params: dict[str, str]) -> None:
        exchange = self.sender.send(kind, url, params, method)
        self.log.exchanges.append(exchange)
        if exchange.error or not (exchange.status and 200 <= exchange.status < 300):
            self._warn(f"{kind} callback to {url} got {exchange.status or exchange.error}")

    def _recording_status(
        self,
        verb: ET.Element,
        url: str,
        sid: str,
        recording_url: str,
        status: str,
        seconds: int,
        started: str,
    ) -> None:
        callback = verb.get("recordingStatusCallback")
        if not callback:
            return
        params = {
            "AccountSid": self.caller.account_sid,
            "CallSid": self.log.call_sid,
            "RecordingSid": sid,
            "RecordingUrl": recording_url,
            "RecordingStatus": status,
            "RecordingDuration": str(seconds),
            "RecordingChannels": "1",
            "RecordingSource": "RecordVerb",
            "RecordingStartTime": started,
            "ErrorCode": str(SILENT_RECORDING if status == "absent" else 0),
        }
        if status == "in-progress":
            del params["RecordingDuration"]
        elif status == "completed":
            self._report_duration(params)
        method = verb.get("recordingStatusCallbackMethod", "POST")
        self._callback("recording-status", urljoin(url, callback), method, params)

    def _call_status(self, status: str) -> None:
        if not self.caller.status_url:
            return
        params = self._standard(status) | {
            "Timestamp": self._now(),
            "CallbackSource": "call-progress-events",
            "SequenceNumber": str(self.sequence),
        }
        if status in FINAL_STATUSES:  # the final event carries the length (0 if never answered)
            params["CallDuration"] = str(self.log.duration)
        self.sequence += 1
        self._callback("call-status", self.caller.status_url, "POST", params)

    def _now(self) -> str:
        return format_datetime(self.started + timedelta(seconds=self.elapsed))

    def _warn(self, message: str) -> None:
        self.log.warnings.append(message)
        log.info("call %s: %s", self.log.call_sid, message)


def collect_keys(keys: str, finish_on_key: str, num_digits: int) -> tuple[str, str, str]:
    """Play keys into a <Gather>; return (Digits, FinishedOnKey, the keys actually used)."""
    digits = ""
    for index, key in enumerate(keys):
        if finish_on_key and key == finish_on_key:
            return digits, key, keys[: index + 1]
        digits += key
        if num_digits and len(digits) >= num_digits:
            return digits, "", keys[: index + 1]
    return digits, "", keys  # the Gather timed out with what it had
