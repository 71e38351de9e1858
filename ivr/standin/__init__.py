"""A local stand-in for Twilio: places calls against Screenline's webhooks, serves the REST API.

    place_call(settings, to, from_, answers, says, digits, ...) -> CallLog
    TwilioApiServer(account_sid, auth_token, host, port)   recordings, SMS, outbound calls
    Caller(api, voice_url, status_url, account_sid, auth_token).call(from_, to, script)
    serve_api(host, port, account_sid, auth_token)          `python -m ivr.standin.api`

See ivr.standin.place for how a call process and a long-running API server share
recordings.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

# Exports load on first use, so `python -m ivr.standin.api` does not import its own
# module twice and light users do not pay for pydub and werkzeug.
_EXPORTS = {
    "CallError": "ivr.standin.calllog",
    "CallLog": "ivr.standin.calllog",
    "CallScript": "ivr.standin.script",
    "Caller": "ivr.standin.caller",
    "Message": "ivr.standin.api",
    "OutboundCall": "ivr.standin.api",
    "RecordingMade": "ivr.standin.calllog",
    "RemoteApi": "ivr.standin.remote",
    "StandinError": "ivr.standin.remote",
    "TwilioApiServer": "ivr.standin.api",
    "answer_outbound_calls": "ivr.standin.outbound",
    "find_standin": "ivr.standin.remote",
    "place_call": "ivr.standin.place",
    "serve_api": "ivr.standin.api",
    "synthesise": "ivr.standin.speech",
}
__all__ = [
    "CallError",
    "CallLog",
    "CallScript",
    "Caller",
    "Message",
    "OutboundCall",
    "RecordingMade",
    "RemoteApi",
    "StandinError",
    "TwilioApiServer",
    "answer_outbound_calls",
    "find_standin",
    "place_call",
    "serve_api",
    "synthesise",
]

if TYPE_CHECKING:
    from ivr.standin.api import Message, OutboundCall, TwilioApiServer, serve_api
    from ivr.standin.caller import Caller
    from ivr.standin.calllog import CallError, CallLog, RecordingMade
    from ivr.standin.outbound import answer_outbound_calls
    from ivr.standin.place import place_call
    from ivr.standin.remote import RemoteApi, StandinError, find_standin
    from ivr.standin.script import CallScript
    from ivr.standin.speech import synthesise


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
