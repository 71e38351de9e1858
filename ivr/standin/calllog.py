"""What happened on one stand-in call: events in order, recordings, errors, a transcript.

Events are plain tuples so tests can compare them directly:
("say", text) · ("play", url) · ("pause", seconds) · ("beep",) · ("press", keys) ·
("no-input",) · ("record", recording_sid, seconds) · ("redirect", url) ·
("reject", reason) · ("error", code, message) · ("twilio-say", text) · ("hangup", who)
where `who` is "caller", "screenline" (a <Hangup/>), "end-of-twiml" (the document ran
out of verbs) or "twilio" (after an application error).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ivr.standin.webhooks import Exchange

Event = tuple


@dataclass(frozen=True)
class Spoken:
    """One <Say> as the caller heard it: the text, voice, language and loop count."""

    text: str
    voice: str | None
    language: str | None
    loop: int


@dataclass(frozen=True)
class CallError:
    """A Twilio error the call ran into (code, message, the URL that caused it)."""

    code: int
    message: str
    url: str


@dataclass(frozen=True)
class RecordingMade:
    """One recording the stand-in made on the call, with its audio and final status."""

    sid: str
    url: str
    seconds: int
    status: str  # completed or absent
    wav: bytes = field(repr=False)
    hung_up: bool = False


@dataclass
class CallLog:
    """Everything that happened on one call, in order: what was said, pressed, recorded."""

    call_sid: str
    from_: str
    to: str
    direction: str
    events: list[Event] = field(default_factory=list)
    spoken: list[Spoken] = field(default_factory=list)
    recordings: list[RecordingMade] = field(default_factory=list)
    errors: list[CallError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)
    status: str = "in-progress"
    duration: int = 0

    @property
    def ok(self) -> bool:
        """Whether the call ran without a Twilio error."""
        return not self.errors

    def said(self) -> list[str]:
        """Return every <Say> text the caller heard, in order."""
        return [event[1] for event in self.events if event[0] == "say"]

    def pressed(self) -> list[str]:
        """Return every keypress string the caller sent, in order."""
        return [event[1] for event in self.events if event[0] == "press"]

    def hung_up_by(self) -> str | None:
        """Who ended the call ("screenline" or "caller"), or None if it has not ended."""
        return next((event[1] for event in self.events if event[0] == "hangup"), None)

    def transcript(self) -> str:
        """Render the call as readable "Screenline: ..." / "Caller: ..." lines."""
        lines = (_line(event) for event in self.events)
        return "\n".join(line for line in lines if line)


_HANGUPS = {
    "caller": "Caller: [hangs up]",
    "screenline": "Screenline: [hangs up]",
    "end-of-twiml": "Screenline: [no more instructions; the call ends]",
    "twilio": "Twilio: [ends the call]",
}


def _line(event: Event) -> str | None:
    kind = event[0]
    if kind == "say":
        return f"Screenline: {event[1]}"
    if kind == "play":
        return f"Screenline: [plays {event[1]}]"
    if kind == "beep":
        return "Screenline: [beep]"
    if kind == "press":
        return f"Caller: [presses {event[1]}]"
    if kind == "no-input":
        return "Caller: [presses nothing]"
    if kind == "record":
        return f"Caller: [answers, {event[2]} s]" if event[2] else "Caller: [says nothing]"
    if kind == "reject":
        return f"Screenline: [rejects the call: {event[1]}]"
    if kind == "error":
        return f"Twilio: [error {event[1]}: {event[2]}]"
    if kind == "twilio-say":
        return f"Twilio: {event[1]}"
    if kind == "hangup":
        return _HANGUPS.get(event[1], f"[{event[1]} hangs up]")
    return None  # pauses and redirects are not worth a line
