"""Let the stand-in API pick up the outbound calls Screenline asks it to place."""

from __future__ import annotations

from collections.abc import Callable

from ivr.standin.api import OutboundCall, TwilioApiServer
from ivr.standin.caller import Caller
from ivr.standin.script import CallScript


def answer_outbound_calls(
    api: TwilioApiServer,
    script: CallScript | Callable[[OutboundCall], CallScript],
    **caller_options,
) -> None:
    """Run every call posted to Calls.json with `script`; each CallLog lands on call.log."""

    def run(call: OutboundCall) -> None:
        chosen = script(call) if callable(script) else script
        caller = Caller(
            api, call.url, call.status_callback, api.account_sid, api.auth_token, **caller_options
        )
        call.log = caller.call(
            call.from_,
            call.to,
            chosen,
            direction="outbound-api",
            call_sid=call.sid,
            status_events=call.status_callback_event or ("completed",),
            machine_detection=call.machine_detection,
        )

    api.on_outbound_call = run
