"""The practice question: recorded, played back to the caller, never kept."""

from __future__ import annotations

from functools import partial

from flask import Response, request

from ivr import script, twiml
from ivr.jobs import DELETE_TWILIO_RECORDING
from ivr.services import services
from ivr.views.common import (
    choose,
    enqueue_after_commit,
    identified_call,
    ivr,
    out_of_turn,
    present,
    public_url,
    voice_for,
)
from ivr.views.questions import next_question
from ivr.views.webhook import webhook, xml
from voice.models import Call


@ivr.post("/practice")
@webhook
def practice():
    """A practice answer, played back to the caller and never kept."""
    call = identified_call()
    if call is None:
        return out_of_turn()
    document = twiml.practice(
        voice_for(call),
        script.practice_intro(call.language),
        action=public_url("ivr.practice_recorded"),
        fallback=public_url("ivr.practice_menu"),
    )
    return present(call, "practice", document)


@ivr.post("/practice/recorded")
@webhook
def practice_recorded():
    """Play the practice answer back; its recording is deleted at Twilio shortly after."""
    call = identified_call()
    if call is None:
        return xml(twiml.empty())
    recording_sid = request.form.get("RecordingSid", "")
    if recording_sid:
        enqueue_after_commit(
            DELETE_TWILIO_RECORDING,
            recording_sid,
            delay=services().settings.practice_delete_delay,
            job_id=f"delete-{recording_sid}",
        )
    if request.form.get("Digits") == "hangup":
        return xml(twiml.empty())  # Twilio ignores the reply to a hang-up
    if not request.form.get("RecordingUrl"):
        return practice_menu_doc(call, [])
    document = twiml.playback(
        voice_for(call),
        *script.practice_playback(call.language),
        request.form["RecordingUrl"],
        then=public_url("ivr.practice_menu"),
    )
    return present(call, "practice playback", document)


def practice_menu_doc(call: Call, lead: list[str]) -> Response:
    """Practise again (1) or start the interview (2)."""
    url = public_url("ivr.practice_choice")
    texts = [*lead, *script.practice_menu(call.language)]
    return present(call, "practice menu", twiml.menu(voice_for(call), texts, url, url))


@ivr.post("/practice/menu")
@webhook
def practice_menu():
    """After the playback (or a practice answer Twilio skipped): practise again or start."""
    call = identified_call()
    if call is None:
        return out_of_turn()
    return practice_menu_doc(call, [])


@ivr.post("/practice/choice")
@webhook
def practice_choice():
    """1 practises again, 2 starts the interview."""
    call = identified_call()
    if call is None:
        return out_of_turn()

    def again() -> Response:
        document = twiml.redirect(voice_for(call), public_url("ivr.practice"))
        return present(call, "practice", document)

    options = {"1": again, "2": partial(next_question, call)}
    return choose(call, options, partial(practice_menu_doc, call))
