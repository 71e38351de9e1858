"""The IVR webhooks: parse Twilio's form, persist, enqueue, answer with TwiML.

The call, in order, one module per phase: `start` (language menu when several are
offered, recording consent) -> `identify` (the outbound call's candidate, caller ID,
or PIN; resume or start over) -> `practice` (optional) -> `questions` (spoken: read,
<Record>, keep or retake; keypad: yes/no or a number, with knockout rules; closing).
`callbacks` takes Twilio's recording and call status callbacks.

Every route goes through `webhook.webhook` (signature, field rules, one commit, never a
5xx). Each menu's Gather and its no-input fallback post to the same URL; a request
without `Digits` is the fallback. Where the caller stands (the prompt, misses, empty
answers, steps) lives on the Call row, so no path loops for ever: see ivr/flow.py.
"""

from ivr.views import callbacks, identify, practice, questions, start  # noqa: F401  (routes)
from ivr.views.common import ivr

__all__ = ["ivr"]
