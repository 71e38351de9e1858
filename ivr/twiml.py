"""TwiML documents, one builder per document; builders take data and URLs, never requests."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from twilio.twiml.voice_response import VoiceResponse

GATHER_TIMEOUT = 6
NUMBER_TIMEOUT = 10
# After a question is read, how long to wait for a key (star, zero, pound) before the beep.
BEFORE_BEEP_SECONDS = 2
# Answer recordings end after this much silence, so a candidate who forgets to press
# pound is not left waiting; long enough for someone thinking mid-answer.
RECORD_SILENCE_TIMEOUT = 8
PRACTICE_MAX_SECONDS = 30
SLOW_RATE = "80%"


@dataclass(frozen=True)
class Voice:
    """How <Say> sounds: the voice, its language, and slower speech as an accommodation."""

    name: str = "Polly.Joanna"
    language: str = "en-US"
    slow: bool = False

    def say(self, node, text: str) -> None:
        """Add a <Say> of `text` to `node` (nothing for empty text), slowed when needed."""
        if not text:
            return
        if self.slow:
            node.say(voice=self.name, language=self.language).prosody(text, rate=SLOW_RATE)
        else:
            node.say(text, voice=self.name, language=self.language)


@dataclass(frozen=True)
class RecordSpec:
    """The <Record> for one spoken answer."""

    max_seconds: int
    action: str
    status_callback: str | None


def _xml(response: VoiceResponse) -> str:
    return str(response)


def _say_all(voice: Voice, node, texts: Iterable[str]) -> None:
    for text in texts:
        voice.say(node, text)


def _gather(response, voice, texts, action, timeout, finish_on_key, num_digits):
    """A <Gather> that posts to `action` and says `texts` while it listens."""
    options = {"action": action, "method": "POST", "timeout": timeout}
    options["finish_on_key"] = finish_on_key
    if num_digits:
        options["num_digits"] = num_digits
    gather = response.gather(**options)
    _say_all(voice, gather, texts)
    return gather


def goodbye(voice: Voice, *texts: str) -> str:
    """Say the texts and hang up."""
    response = VoiceResponse()
    _say_all(voice, response, texts)
    response.hangup()
    return _xml(response)


def redirect(voice: Voice, url: str, *texts: str) -> str:
    """Say the texts (if any), then continue at `url`."""
    response = VoiceResponse()
    _say_all(voice, response, texts)
    response.redirect(url, method="POST")
    return _xml(response)


def menu(
    voice: Voice,
    texts: Iterable[str],
    action: str,
    fallback: str,
    *,
    num_digits: int | None = 1,
    finish_on_key: str = "#",
    timeout: int = GATHER_TIMEOUT,
    voices: Iterable[tuple[Voice, str]] = (),
) -> str:
    """Ask for keys; with no input Twilio skips the action and follows `fallback`."""
    response = VoiceResponse()
    gather = _gather(response, voice, texts, action, timeout, finish_on_key, num_digits)
    for other_voice, text in voices:  # a language menu speaks each option in its own voice
        other_voice.say(gather, text)
    response.redirect(fallback, method="POST")
    return _xml(response)


def spoken_question(
    voice: Voice,
    texts: Iterable[str],
    key_action: str,
    wait_seconds: int,
    record: RecordSpec,
    fallback: str,
) -> str:
    """Read a question (star repeats, zero plays job details, pound skips the wait), then record."""
    response = VoiceResponse()
    _gather(response, voice, texts, key_action, wait_seconds, "#", num_digits=1)
    # No key (or pound) falls through to the recording.
    response.record(
        action=record.action,
        method="POST",
        max_length=record.max_seconds,
        finish_on_key="#",
        play_beep=True,
        timeout=RECORD_SILENCE_TIMEOUT,
        trim="trim-silence",
        **(
            {
                "recording_status_callback": record.status_callback,
                "recording_status_callback_method": "POST",
                "recording_status_callback_event": "completed absent",
            }
            if record.status_callback
            else {}
        ),
    )
    # Reached only when Twilio keeps no recording and skips the action (older behaviour).
    response.redirect(fallback, method="POST")
    return _xml(response)


def practice(voice: Voice, texts: Iterable[str], action: str, fallback: str) -> str:
    """A practice answer: recorded without a status callback, never kept."""
    response = VoiceResponse()
    _say_all(voice, response, texts)
    response.record(
        action=action,
        method="POST",
        max_length=PRACTICE_MAX_SECONDS,
        finish_on_key="#",
        play_beep=True,
        timeout=RECORD_SILENCE_TIMEOUT,
    )
    response.redirect(fallback, method="POST")
    return _xml(response)


def playback(voice: Voice, lead: str, recording_url: str, then: str) -> str:
    """Play the caller's own recording back, then continue at `then`."""
    response = VoiceResponse()
    voice.say(response, lead)
    response.play(recording_url)
    response.redirect(then, method="POST")
    return _xml(response)


def empty() -> str:
    """An empty document: for replies Twilio ignores (hang-up during a recording)."""
    return _xml(VoiceResponse())
