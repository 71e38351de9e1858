"""TwiML documents, one builder per document; builders take data and URLs, never requests."""

from __future__ import annotations

from dataclasses import dataclass

from twilio.twiml.voice_response import VoiceResponse

from ivr import phrases

GATHER_TIMEOUT = 6
PIN_DIGITS = 6
# Answer recordings end after this much silence, so a candidate who forgets to press
# pound is not left waiting; long enough for someone thinking mid-answer.
RECORD_SILENCE_TIMEOUT = 8


@dataclass(frozen=True)
class Voice:
    """How <Say> sounds for one interview."""

    name: str = "Polly.Joanna"
    language: str = "en-US"

    def say(self, node, text: str) -> None:
        node.say(text, voice=self.name, language=self.language)


def _xml(response: VoiceResponse) -> str:
    return str(response)


def spoken_goodbye(text: str, voice: Voice = Voice()) -> str:
    """Say `text` and hang up (unknown number, declined consent, errors)."""
    response = VoiceResponse()
    voice.say(response, text)
    response.hangup()
    return _xml(response)


def consent(voice: Voice, action: str, fallback: str, lead: str = "", intro: str = "") -> str:
    """Greet (first time only) and ask for recording consent: 1 agrees, 2 declines."""
    response = VoiceResponse()
    gather = response.gather(num_digits=1, action=action, method="POST", timeout=GATHER_TIMEOUT)
    for text in (lead, intro, phrases.CONSENT):
        if text:
            voice.say(gather, text)
    response.redirect(fallback, method="POST")
    return _xml(response)


def ask_pin(voice: Voice, action: str, fallback: str, lead: str = "") -> str:
    """Ask for the PIN, finished with pound."""
    response = VoiceResponse()
    gather = response.gather(
        num_digits=PIN_DIGITS,
        finish_on_key="#",
        action=action,
        method="POST",
        timeout=GATHER_TIMEOUT + 4,
    )
    for text in (lead, phrases.ASK_PIN):
        if text:
            voice.say(gather, text)
    response.redirect(fallback, method="POST")
    return _xml(response)


def ask_question(
    voice: Voice,
    lead: str,
    prompt: str,
    max_seconds: int,
    action: str,
    recording_callback: str,
    fallback: str,
) -> str:
    """Read a question and record the answer after the beep; pound ends it."""
    response = VoiceResponse()
    if lead:
        voice.say(response, lead)
    voice.say(response, prompt)
    response.record(
        action=action,
        method="POST",
        max_length=max_seconds,
        finish_on_key="#",
        play_beep=True,
        timeout=RECORD_SILENCE_TIMEOUT,
        trim="trim-silence",
        recording_status_callback=recording_callback,
        recording_status_callback_method="POST",
        recording_status_callback_event="completed absent",
    )
    # Reached only when Twilio keeps no recording and skips the action (older behaviour).
    response.redirect(fallback, method="POST")
    return _xml(response)


def redirect(voice: Voice, url: str, lead: str = "") -> str:
    """Optionally say something, then continue at `url`."""
    response = VoiceResponse()
    if lead:
        voice.say(response, lead)
    response.redirect(url, method="POST")
    return _xml(response)


def empty() -> str:
    """An empty document: for replies Twilio ignores (hang-up during a recording)."""
    return _xml(VoiceResponse())
