"""The IVR webhooks, step by step, with signed Twilio-shaped requests and parsed TwiML."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from rq import Queue
from sqlalchemy import select

from ivr import flow
from ivr.jobs import FETCH_RECORDING
from ivr.phrases import say
from tests.factories import make_candidate, make_interview, make_org
from tests.ivr.twilio_actions import TwilioActions, said, verbs
from voice.models import Answer, AnswerStatus, Call, CandidateStatus


def consent_and_reach_first_question(twilio):
    """Walk from the incoming call to the first question's TwiML."""
    root = twilio.twiml("/ivr/voice", CallStatus="ringing")
    gather = root.find("Gather")
    after_consent = twilio.twiml(gather.get("action"), Digits="1")
    redirect = after_consent.find("Redirect")
    assert redirect is not None, said(after_consent)
    return twilio.twiml(redirect.text)


def record(twilio, question_root, sid, duration=7, **extra):
    """Answer the <Record> in `question_root`: action first, then the status callback."""
    rec = question_root.find("Record")
    reply = twilio.twiml(
        rec.get("action"),
        RecordingSid=sid,
        RecordingUrl=f"http://twilio.invalid/2010-04-01/Accounts/AC/Recordings/{sid}",
        RecordingDuration=duration,
        Digits=extra.pop("Digits", "#"),
    )
    callback = twilio.post(
        rec.get("recordingStatusCallback"),
        RecordingSid=sid,
        RecordingUrl=f"http://twilio.invalid/2010-04-01/Accounts/AC/Recordings/{sid}",
        RecordingStatus=extra.pop("RecordingStatus", "completed"),
        RecordingDuration=duration,
        **extra,
    )
    assert callback.status_code == 204
    return reply


def test_unknown_number_is_told_politely_and_hung_up(twilio):
    """A call to a number with no interview hears a spoken message, not an HTTP error."""
    twilio.to = "+15550009999"
    root = twilio.twiml("/ivr/voice", CallStatus="ringing")
    assert verbs(root) == ["Say", "Hangup"]
    assert "not set up for interviews" in said(root)


def test_incoming_call_greets_and_asks_for_consent(twilio, interview):
    """The first reply greets with the title and intro and gathers one consent digit."""
    root = twilio.twiml("/ivr/voice", CallStatus="ringing")
    assert verbs(root) == ["Gather", "Redirect"]
    gather = root.find("Gather")
    assert gather.get("numDigits") == "1"
    assert gather.get("action").startswith("http://screenline.test/ivr/consent")
    text = said(gather)
    assert interview.title in text and interview.intro in text and "press 1" in text
    say = gather.find("Say")
    assert say.get("voice") == interview.voice and say.get("language") == interview.language


def test_declining_consent_records_nothing(twilio, db, candidate):
    """Pressing 2 ends the call with a goodbye; nothing is recorded."""
    twilio.twiml("/ivr/voice", CallStatus="ringing")
    root = twilio.twiml("/ivr/consent", Digits="2")
    assert verbs(root) == ["Say", "Hangup"]
    assert "Nothing has been recorded" in said(root)
    assert root.find(".//Record") is None
    call = db.scalar(select(Call).where(Call.call_sid == twilio.call_sid))
    assert call.outcome == "no consent" and call.candidate_id is None


def test_wrong_key_at_consent_explains_and_asks_again(twilio, candidate):
    """An unexpected key is explained and consent is asked again."""
    twilio.twiml("/ivr/voice", CallStatus="ringing")
    root = twilio.twiml("/ivr/consent", Digits="7")
    assert verbs(root) == ["Gather", "Redirect"]
    assert "not one of the choices" in said(root)


def test_no_input_at_consent_reprompts_then_says_goodbye(twilio, db, candidate):
    """Silence at the consent question re-prompts twice, then ends politely."""
    root = twilio.twiml("/ivr/voice", CallStatus="ringing")
    for _ in range(2):
        root = twilio.twiml(root.find("Redirect").text)
        assert verbs(root) == ["Gather", "Redirect"]
    root = twilio.twiml(root.find("Redirect").text)
    assert verbs(root) == ["Say", "Hangup"]
    assert "haven't heard from you" in said(root)


def test_caller_id_identifies_candidate_and_first_question_records(twilio, db, candidate):
    """A known caller ID skips the PIN; the question is read and recorded with the right limits."""
    root = consent_and_reach_first_question(twilio)
    assert verbs(root) == ["Gather", "Record", "Redirect"]
    assert "Question 1 of 2" in said(root.find("Gather"))
    assert candidate.interview.questions[0].prompt in said(root)
    rec = root.find("Record")
    assert rec.get("maxLength") == "60"
    assert rec.get("finishOnKey") == "#"
    assert rec.get("playBeep") == "true"
    assert rec.get("recordingStatusCallback").startswith("http://screenline.test/ivr/recording")
    db.expire_all()
    assert db.get(type(candidate), candidate.id).status == CandidateStatus.IN_PROGRESS


def test_whole_interview_completes_and_queues_each_recording(twilio, db, candidate, redis_conn):
    """Two answers are stored, each queued once for the workers, and the call closes."""
    q1 = consent_and_reach_first_question(twilio)
    reply = record(twilio, q1, "RE" + "1" * 32)
    q2 = twilio.twiml(reply.find("Redirect").text)
    assert "Question 2 of 2" in said(q2)
    final = record(twilio, q2, "RE" + "2" * 32)
    assert set(verbs(final)) == {"Say", "Hangup"} and verbs(final)[-1] == "Hangup"
    assert "end of the interview" in said(final)
    db.expire_all()
    answers = db.scalars(select(Answer).order_by(Answer.id)).all()
    assert [a.status for a in answers] == [AnswerStatus.ANNOUNCED] * 2
    assert db.get(type(candidate), candidate.id).status == CandidateStatus.COMPLETED
    jobs = Queue(FETCH_RECORDING.queue, connection=redis_conn).jobs
    assert sorted(job.args for job in jobs) == sorted((a.id,) for a in answers)
    assert {job.func_name for job in jobs} == {FETCH_RECORDING.name}


def test_duplicate_callbacks_store_and_queue_once(twilio, db, candidate, redis_conn):
    """A retried <Record> action and status callback change nothing the second time."""
    q1 = consent_and_reach_first_question(twilio)
    sid = "RE" + "3" * 32
    first = record(twilio, q1, sid)
    second = record(twilio, q1, sid)
    assert first.find("Redirect").text == second.find("Redirect").text
    assert len(db.scalars(select(Answer)).all()) == 1
    assert len(Queue(FETCH_RECORDING.queue, connection=redis_conn).jobs) == 1


def test_status_callback_before_action_is_handled(twilio, db, candidate):
    """The recording callback may arrive first; the later action adds to the same answer."""
    q1 = consent_and_reach_first_question(twilio)
    rec = q1.find("Record")
    sid = "RE" + "4" * 32
    url = f"http://twilio.invalid/2010-04-01/Accounts/AC/Recordings/{sid}"
    twilio.post(
        rec.get("recordingStatusCallback"),
        RecordingSid=sid,
        RecordingUrl=url,
        RecordingStatus="completed",
        RecordingDuration=5,
    )
    reply = twilio.twiml(
        rec.get("action"), RecordingSid=sid, RecordingUrl=url, RecordingDuration=5, Digits="#"
    )
    assert "Redirect" in verbs(reply)
    answers = db.scalars(select(Answer)).all()
    assert len(answers) == 1 and answers[0].status == AnswerStatus.ANNOUNCED


def test_hang_up_mid_interview_keeps_answers_and_candidate_in_progress(twilio, db, candidate):
    """A hang-up while recording keeps that answer; the candidate stays in progress."""
    q1 = consent_and_reach_first_question(twilio)
    reply = record(twilio, q1, "RE" + "5" * 32, duration=4, Digits="hangup")
    assert verbs(reply) == []
    status = twilio.post("/ivr/status", CallStatus="completed", CallDuration="40")
    assert status.status_code == 204
    db.expire_all()
    answer = db.scalar(select(Answer))
    assert answer.status == AnswerStatus.ANNOUNCED
    assert db.get(type(candidate), candidate.id).status == CandidateStatus.IN_PROGRESS
    call = db.scalar(select(Call).where(Call.call_sid == twilio.call_sid))
    assert call.status == "completed" and call.duration_seconds == 40
    assert call.outcome == "hung up at question 2"


def test_calling_back_continues_at_first_unanswered_question(client, settings, db, candidate):
    """A second call from the same candidate skips questions already answered."""
    first = TwilioActions(client, settings)
    record(first, consent_and_reach_first_question(first), "RE" + "6" * 32, Digits="hangup")
    second = TwilioActions(client, settings)
    second.twiml("/ivr/voice", CallStatus="ringing")
    menu = second.twiml("/ivr/consent?miss=0", Digits="1")
    assert "answered 1 of 2 questions" in said(menu)
    redirect = second.twiml(menu.find("Gather").get("action"), Digits="1")
    root = second.twiml(redirect.find("Redirect").text)
    assert "Question 2 of 2" in said(root)


def test_empty_recording_asks_the_question_again(twilio, db, candidate):
    """A zero-second recording is not kept; the same question is asked again."""
    q1 = consent_and_reach_first_question(twilio)
    reply = record(
        twilio, q1, "RE" + "7" * 32, duration=0, RecordingStatus="absent", ErrorCode="16102"
    )
    again = twilio.twiml(reply.find("Redirect").text)
    assert "didn't hear an answer long enough to keep" in said(again)
    assert candidate.interview.questions[0].prompt in said(again)
    answer = db.scalar(select(Answer))
    assert answer.status == AnswerStatus.NO_AUDIO and not answer.kept


def answer_empty_until_moved_on(twilio, question_root, prefix: str):
    """Record nothing at a question until the call moves on; the reply that moved on."""
    reply = question_root
    for n in range(flow.MAX_EMPTY_ANSWERS):
        sid = "RE" + prefix * 31 + str(n)
        reply = record(
            twilio, question_root, sid, duration=0, RecordingStatus="absent", ErrorCode="16102"
        )
        if n < flow.MAX_EMPTY_ANSWERS - 1:
            question_root = twilio.twiml(reply.find("Redirect").text)
    return reply


def test_a_caller_whose_last_answer_stayed_empty_is_told_to_call_again(twilio, db, candidate):
    """Answers empty three times move the call on; when a question is left unanswered the
    caller is not told the interview is over and saved (a new user heard that after three
    silent answers): they hear how many questions are left and to call again, and stay
    in progress."""
    q1 = consent_and_reach_first_question(twilio)
    q2 = twilio.twiml(record(twilio, q1, "RE" + "a" * 32).find("Redirect").text)
    assert "Question 2 of 2" in said(q2)
    end = answer_empty_until_moved_on(twilio, q2, "b")  # the last question: the goodbye
    heard = said(end)
    assert "We didn't get an answer to one question" in heard
    assert "call this number again" in heard
    assert "end of the interview" not in heard
    assert verbs(end)[-1] == "Hangup"
    db.refresh(candidate)
    assert candidate.status == CandidateStatus.IN_PROGRESS
    call = db.scalar(select(Call))
    assert call.outcome == "skipped questions"


def test_two_unanswered_questions_are_counted_in_the_goodbye(client, settings, db):
    """Two of three questions left empty: "answers to 2 questions", in the caller's words."""
    interview = make_interview(db, make_org(db), questions=("One?", "Two?", "Three?"))
    make_candidate(db, interview)
    db.commit()
    twilio = TwilioActions(client, settings)
    q1 = consent_and_reach_first_question(twilio)
    q2 = twilio.twiml(record(twilio, q1, "RE" + "c" * 32).find("Redirect").text)
    q3 = twilio.twiml(answer_empty_until_moved_on(twilio, q2, "d").find("Redirect").text)
    end = answer_empty_until_moved_on(twilio, q3, "e")
    assert "We didn't get answers to 2 questions. Your other answers are saved" in said(end)


def test_a_completed_interview_still_ends_with_the_thanks(twilio, db, candidate):
    """Every question answered: the usual thanks, and the candidate is completed."""
    q1 = consent_and_reach_first_question(twilio)
    q2 = twilio.twiml(record(twilio, q1, "RE" + "e" * 32).find("Redirect").text)
    end = record(twilio, q2, "RE" + "f" * 32)
    assert "that's the end of the interview" in said(end)
    db.refresh(candidate)
    assert candidate.status == CandidateStatus.COMPLETED


def test_record_fallthrough_without_action_asks_again(twilio, candidate):
    """Older Twilio skips the action for silence and follows the Redirect after <Record>."""
    q1 = consent_and_reach_first_question(twilio)
    redirect = twilio.twiml(q1.find("Redirect").text)
    again = twilio.twiml(redirect.find("Redirect").text)
    assert "didn't hear an answer long enough to keep" in said(again)
    assert "Record" in verbs(again)


def test_unknown_caller_is_asked_for_pin_and_three_wrong_pins_end(client, settings, db, candidate):
    """A caller not recognised by caller ID gives the PIN; three wrong ones end the call."""
    twilio = TwilioActions(client, settings, from_="anonymous")
    twilio.twiml("/ivr/voice", CallStatus="ringing")
    root = twilio.twiml("/ivr/consent", Digits="1")
    gather = root.find("Gather")
    assert gather.get("finishOnKey") == "#" and "PIN" in said(gather)
    for _ in range(2):
        root = twilio.twiml(gather.get("action"), Digits="000000")
        assert "didn't match" in said(root)
    root = twilio.twiml(gather.get("action"), Digits="000000")
    assert verbs(root) == ["Say", "Hangup"]
    call = db.scalar(select(Call).where(Call.call_sid == twilio.call_sid))
    assert call.outcome == "wrong PIN" and call.pin_attempts == 3


def test_right_pin_starts_the_interview(client, settings, db, candidate):
    """The candidate's PIN identifies them when caller ID is withheld."""
    twilio = TwilioActions(client, settings, from_="anonymous")
    twilio.twiml("/ivr/voice", CallStatus="ringing")
    root = twilio.twiml("/ivr/consent", Digits="1")
    root = twilio.twiml(root.find("Gather").get("action"), Digits=candidate.pin)
    assert "Thank you, Dana" in said(root)
    question = twilio.twiml(root.find("Redirect").text)
    assert "Record" in verbs(question)


def test_questions_are_refused_without_consent(twilio, db, candidate, interview):
    """Jumping straight to a question URL without consent records nothing."""
    twilio.twiml("/ivr/voice", CallStatus="ringing")
    root = twilio.twiml(f"/ivr/question?q={interview.questions[0].id}")
    assert root.find(".//Record") is None
    assert verbs(root)[-1] == "Hangup"


@pytest.mark.parametrize(
    "signature",
    ["", "not-a-signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA="],
    ids=["missing", "junk", "wrong"],
)
def test_unsigned_or_badly_signed_webhooks_are_refused(twilio, interview, signature):
    """Every webhook answers 403 to a request Twilio did not sign."""
    for path in ("/ivr/voice", "/ivr/consent", "/ivr/recording?q=1", "/ivr/status"):
        assert twilio.post(path, signature=signature).status_code == 403


def test_a_refused_signature_says_which_url_it_was_checked_against(twilio, settings, interview):
    """The 403 is one plain line naming what was wrong and the URL Twilio must have
    signed, for whoever sets up a proxy; the auth token never appears."""
    response = twilio.post("/ivr/recording?q=1", signature="")
    assert response.status_code == 403 and response.mimetype == "text/plain"
    url = settings.public_url + "/ivr/recording?q=1"
    assert response.text.startswith(f"Refused: the X-Twilio-Signature header is missing for {url}.")
    forged = twilio.post("/ivr/voice", signature="forged").text
    assert f"header is not valid for {settings.public_url}/ivr/voice." in forged
    assert "SCREENLINE_PUBLIC_URL" in forged and settings.twilio_auth_token not in forged


def test_signature_over_different_fields_is_refused(twilio, settings, interview):
    """A valid signature for other form values does not pass (tampering)."""
    url = settings.public_url + "/ivr/voice"
    signature = twilio.validator.compute_signature(url, twilio.fields(Digits="1"))
    assert twilio.post("/ivr/voice", signature=signature, Digits="2").status_code == 403


def test_signature_checked_against_proxied_url_when_trusted(db, settings, interview):
    """Behind a TLS proxy, a signature over the public https URL is accepted."""
    from dashboard.app import create_app

    app = create_app(settings.replace(public_url="https://other.example", trust_proxy=True))
    twilio = TwilioActions(app.test_client(), settings)
    url = "https://calls.example.com/ivr/voice"
    data = twilio.fields(CallStatus="ringing")
    signature = twilio.validator.compute_signature(url, data)
    response = app.test_client().post(
        "/ivr/voice",
        data=data,
        headers={
            "X-Twilio-Signature": signature,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "calls.example.com",
        },
    )
    assert response.status_code == 200


def test_internal_error_is_spoken_not_an_http_error(twilio, interview, monkeypatch):
    """An exception inside a step becomes an apology and a hang-up, with status 200."""
    import ivr.flow

    def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(ivr.flow, "candidate_by_caller_id", broken)
    twilio.twiml("/ivr/voice", CallStatus="ringing")
    root = twilio.twiml("/ivr/consent", Digits="1")
    assert verbs(root) == ["Say", "Hangup"]
    assert said(root) == say(None, "internal_error")
    assert "saved" not in said(root)  # the failed step's work was rolled back


def test_malformed_voice_webhook_gets_spoken_reply(twilio, client, settings, interview):
    """A signed request without CallSid still gets valid TwiML."""
    url = settings.public_url + "/ivr/voice"
    data = {"To": interview.phone_number}
    signature = twilio.validator.compute_signature(url, data)
    response = client.post("/ivr/voice", data=data, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200
    assert verbs(ET.fromstring(response.data))[-1] == "Hangup"


def test_status_callback_without_fields_is_a_clear_400(twilio, client, settings):
    """A status callback missing CallStatus is refused with a readable 400."""
    url = settings.public_url + "/ivr/status"
    data = {"CallSid": "CA" + "0" * 32}
    signature = twilio.validator.compute_signature(url, data)
    response = client.post("/ivr/status", data=data, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 400
    assert b"CallStatus" in response.data


def test_redis_down_leaves_answer_announced_for_the_sweep(client, db, settings, candidate):
    """If Redis is unreachable, the callback still succeeds and the answer waits for the sweep."""
    from dashboard.app import create_app

    app = create_app(settings.replace(redis_url="redis://127.0.0.1:1/0"))
    twilio = TwilioActions(app.test_client(), settings)
    q1 = consent_and_reach_first_question(twilio)
    record(twilio, q1, "RE" + "8" * 32)
    answer = db.scalar(select(Answer))
    assert answer.status == AnswerStatus.ANNOUNCED and answer.announced_at is not None


def test_a_pin_before_consent_is_out_of_turn_not_an_unknown_number(twilio, candidate):
    """/ivr/pin on a call to a real interview that has not agreed to recording gets the
    out-of-turn apology; "not set up for interviews" would tell the caller the number is
    wrong (a new user saw that)."""
    twilio.twiml("/ivr/voice", CallStatus="ringing")
    reply = twilio.twiml("/ivr/pin", Digits="abc")
    heard = said(reply)
    assert "something went wrong on our side" in heard
    assert "not set up" not in heard
