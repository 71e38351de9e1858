"""Each branch of the call flow, through the Twilio stand-in against a running server and worker."""

from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner
from rq import Queue
from sqlalchemy import select

from ivr import lockout
from ivr.standin import CallScript, answer_outbound_calls, place_call
from tests.factories import make_candidate, make_interview, make_org
from tests.support import env_for, screenline_json, wait_until
from voice.models import Answer, AnswerStatus, Call, Candidate, CandidateStatus, Message

pytestmark = pytest.mark.slow

LONG = "I stocked shelves at a grocery store for three years and trained new staff."
OTHER = "I can work nights and weekends, and I have my own car to get here."
SHORT = "Hi."


def call(live, interview, caller, digits=(), says=(), **options):
    """Place a call through the stand-in and check it ran without a Twilio error."""
    settings, api = live
    log = place_call(
        settings, interview.phone_number, caller, says=says, digits=digits, api=api, **options
    )
    assert log.ok, log.transcript()
    return log


def answers_of(db, candidate):
    """The candidate's answers as stored now, oldest first."""
    db.expire_all()
    return db.scalars(
        select(Answer).where(Answer.candidate_id == candidate.id).order_by(Answer.id)
    ).all()


def fresh(db, row):
    """The row as stored now."""
    db.expire_all()
    return db.get(type(row), row.id)


@pytest.fixture
def org(db):
    """An organisation."""
    return make_org(db)


def test_retake_keeps_every_attempt_and_reviews_the_newest(live, db, org):
    """Pressing 2 re-records; both attempts are stored and only the newest is kept."""
    interview = make_interview(db, org, questions=("Tell us about your last job.",), retakes=1)
    candidate = make_candidate(db, interview)
    db.commit()
    log = call(live, interview, candidate.phone, digits=["1", "", "2", ""], says=[OTHER, LONG])
    assert any("To keep that answer, press 1" in s for s in log.said())
    answers = answers_of(db, candidate)
    assert [(a.attempt, a.kept) for a in answers] == [(1, False), (2, True)]
    assert fresh(db, candidate).status == CandidateStatus.COMPLETED


def test_star_repeats_the_question_and_zero_tells_about_the_job(live, db, org):
    """Star reads the question again; zero plays the job details, then the question."""
    interview = make_interview(
        db, org, questions=("Why this job?",), job_details="Pay is nineteen dollars an hour."
    )
    candidate = make_candidate(db, interview)
    db.commit()
    log = call(live, interview, candidate.phone, digits=["1", "*", "0", ""], says=[LONG])
    said = log.said()
    assert said.count("Why this job?") == 3
    assert "Pay is nineteen dollars an hour." in said
    assert any("press 0 while a question is being read" in s for s in said)


def test_think_time_is_offered_before_the_beep(live, db, org):
    """A question with think time says so and waits that long for pound before recording."""
    interview = make_interview(
        db, org, questions=[{"prompt": "Describe a hard day.", "think_seconds": 10}]
    )
    candidate = make_candidate(db, interview)
    db.commit()
    log = call(live, interview, candidate.phone, digits=["1", ""], says=[LONG])
    # The thinking time is worded apart from the answer's limit (a new user read "You have
    # up to 10 seconds" after "press pound" as the time to answer).
    assert any("up to 10 seconds to think first" in s for s in log.said())


def test_short_answer_is_caught_and_asked_again_without_using_a_retake(live, db, org):
    """An answer under min_seconds is caught in the call and recorded again; no retake is used."""
    interview = make_interview(
        db, org, questions=[{"prompt": "Tell us about you.", "min_seconds": 3}], retakes=1
    )
    candidate = make_candidate(db, interview)
    db.commit()
    log = call(live, interview, candidate.phone, digits=["1", "", "", "1"], says=[SHORT, LONG])
    said = log.said()
    assert any("we didn't hear an answer long enough to keep" in s for s in said)
    assert any("record it again one more time" in s for s in said)  # the retake is still there
    assert [a.kept for a in answers_of(db, candidate)] == [False, True]


def test_yes_no_knockout_screens_out_and_skips_the_rest(live, db, org):
    """Answering no to a must-be-yes question ends the interview politely, with the reason."""
    interview = make_interview(
        db,
        org,
        questions=[
            {"kind": "yes_no", "prompt": "Are you 18 or older?", "must_be": True},
            {"prompt": "Tell us about your last job."},
        ],
    )
    candidate = make_candidate(db, interview)
    db.commit()
    log = call(live, interview, candidate.phone, digits=["1", "2"], says=[LONG])
    assert "interview ends here" in log.said()[-1]
    assert not log.recordings
    row = fresh(db, candidate)
    assert row.status == CandidateStatus.SCREENED_OUT
    assert row.screened_out_reason == "Answered no to: Are you 18 or older?"
    [answer] = answers_of(db, candidate)
    assert answer.digits == "2" and answer.status == AnswerStatus.KEYPAD
    outcome = db.scalar(select(Call.outcome).where(Call.candidate_id == candidate.id))
    assert outcome == "screened out"


def test_number_question_passes_or_fails_its_rule(live, db, org):
    """A number at or above at_least passes; below it screens out; results --json shows both."""
    interview = make_interview(
        db, org, questions=[{"kind": "number", "prompt": "Hours a week?", "at_least": 20}]
    )
    keen = make_candidate(db, interview, "Ana Keen", "+15557000001")
    busy = make_candidate(db, interview, "Bo Busy", "+15557000002")
    db.commit()
    call(live, interview, keen.phone, digits=["1", "32#"])
    call(live, interview, busy.phone, digits=["1", "x#", "12#"])
    assert fresh(db, keen).status == CandidateStatus.COMPLETED
    assert fresh(db, busy).status == CandidateStatus.SCREENED_OUT
    settings, _ = live
    results = screenline_json(settings, "results", str(interview.id))
    rows = {c["name"]: c for c in results["candidates"]}
    assert rows["Ana Keen"]["answers"][0]["digits"] == "32"
    assert rows["Bo Busy"]["status"] == "screened out"
    assert "at least 20" in rows["Bo Busy"]["screened_out_reason"]
    assert rows["Bo Busy"]["calls"][0]["outcome"] == "screened out"


def test_dropped_call_resumes_at_the_first_unanswered_question(live, db, org):
    """Calling back after hanging up offers to continue, and skips answers already kept."""
    interview = make_interview(db, org, questions=("First question?", "Second question?"))
    candidate = make_candidate(db, interview)
    db.commit()
    first = call(
        live, interview, candidate.phone, digits=["1", ""], says=[LONG], hang_up_during_record=1
    )
    assert first.hung_up_by() == "caller"
    wait_until(
        lambda: fresh(db, candidate).calls and fresh(db, candidate).calls[0].outcome,
        timeout=10,
        what="the call's outcome",
    )
    assert fresh(db, candidate).calls[0].outcome == "hung up at question 2"
    # The answer cut off by the hang-up is kept too: every recorded answer is kept.
    second = call(live, interview, candidate.phone, digits=["1", "1", ""], says=[OTHER])
    said = second.said()
    assert any("continue where you left off" in s for s in said)
    assert "First question?" not in said or said.index("Second question?") < said.index(
        "First question?"
    )
    assert fresh(db, candidate).status == CandidateStatus.COMPLETED


def test_starting_over_asks_everything_again(live, db, org):
    """Pressing 2 at the resume menu starts over; earlier answers stay stored but unkept."""
    interview = make_interview(db, org, questions=("First question?", "Second question?"))
    candidate = make_candidate(db, interview)
    db.commit()
    call(live, interview, candidate.phone, digits=["1", ""], says=[LONG], hang_up_after_gathers=2)
    log = call(live, interview, candidate.phone, digits=["1", "2", "", ""], says=[LONG, OTHER])
    assert "First question?" in log.said()
    answers = answers_of(db, candidate)
    assert [a.kept for a in answers] == [False, True, True]


def test_spanish_menu_uses_spanish_prompts_voice_and_says_why_no_transcript(live, db, org):
    """Spanish switches phrases, questions and voice; the English model leaves it untranscribed."""
    interview = make_interview(
        db,
        org,
        languages=["en-US", "es-MX"],
        questions=[{"prompt": {"en-US": "Why this job?", "es-MX": "¿Por qué este trabajo?"}}],
    )
    candidate = make_candidate(db, interview)
    db.commit()
    log = call(
        live,
        interview,
        candidate.phone,
        digits=["2", "1", ""],
        says=["Me gusta trabajar en equipo."],
    )
    assert log.spoken[0].text == "For English, press 1." and log.spoken[1].language == "es-MX"
    assert "¿Por qué este trabajo?" in log.said()
    spanish = next(s for s in log.spoken if s.text == "¿Por qué este trabajo?")
    assert spanish.voice == "Polly.Mia" and spanish.language == "es-MX"
    assert fresh(db, candidate).language == "es-MX"
    answer = wait_until(
        lambda: next(
            (
                a
                for a in answers_of(db, candidate)
                if a.status
                in (AnswerStatus.UNTRANSCRIBED, AnswerStatus.TRANSCRIBED, AnswerStatus.FAILED)
            ),
            None,
        ),
        timeout=120,
        what="the Spanish answer to be processed",
    )
    assert answer.status == AnswerStatus.UNTRANSCRIBED
    assert "es-MX" in answer.error and answer.playback_key


def test_no_input_and_wrong_keys_reprompt_twice_then_goodbye(live, db, org):
    """Unknown keys are explained; silence re-prompts twice, then a polite goodbye."""
    interview = make_interview(db, org)
    candidate = make_candidate(db, interview)
    db.commit()
    log = call(live, interview, candidate.phone, digits=["9", "", ""])
    said = log.said()
    assert "Sorry, 9 is not one of the choices." in said
    assert "Sorry, we didn't get a key press." in said
    assert "haven't heard from you" in said[-1]


def test_screenline_call_words_keypad_answers_as_what_was_pressed(live, db, org):
    """`screenline call`'s summary printed a keypad answer as its status, "keypad" (a trial
    saw it): it now reads as `results` words it ("Yes", "32"), and --json carries the
    digits."""
    settings, _api = live
    from dashboard.cli import main as cli

    questions = [
        {"kind": "yes_no", "prompt": "Are you 18 or older?"},
        {"kind": "number", "prompt": "Hours a week?"},
    ]
    interview = make_interview(db, org, questions=questions)
    candidate = make_candidate(db, interview, phone="+15557000301")
    db.commit()
    env = {k: v for k, v in env_for(settings).items() if k.startswith(("SCREENLINE_", "TWILIO_"))}
    args = ["call", "--to", interview.phone_number, "--from", candidate.phone, "--no-wait"]
    keys = ["--digits", "1", "--digits", "1", "--digits", "32#"]
    text = CliRunner().invoke(cli, [*args, *keys], env=env, catch_exceptions=False)
    assert text.exit_code == 0, text.output
    assert "Q: Are you 18 or older?\n   Yes\n" in text.output
    assert "Q: Hours a week?\n   32" in text.output
    assert "   keypad" not in text.output
    again = make_candidate(db, interview, name="Eli Ortiz", phone="+15557000303")  # not finished
    db.commit()
    args = ["call", "--to", interview.phone_number, "--from", again.phone, "--no-wait"]
    data = json.loads(
        CliRunner().invoke(cli, [*args, *keys, "--json"], env=env, catch_exceptions=False).stdout
    )
    assert [a["digits"] for a in data["answers"]] == ["1", "32"]


def test_withheld_caller_id_is_asked_for_the_pin(live, db, org):
    """With caller ID withheld the caller enters their PIN and takes the interview."""
    interview = make_interview(db, org, questions=("Only question?",))
    candidate = make_candidate(db, interview)
    db.commit()
    log = call(live, interview, "anonymous", digits=["1", candidate.pin + "#", ""], says=[LONG])
    assert any("enter the interview PIN" in s for s in log.said())
    assert fresh(db, candidate).status == CandidateStatus.COMPLETED


@pytest.mark.parametrize("caller", ["anonymous", "Restricted", "+266696687"])
def test_screenline_call_from_a_withheld_caller_id_enters_the_pin(live, db, org, caller):
    """`screenline call --from anonymous` (or another placeholder Twilio sends) passes the
    value through as `From`: the caller is asked for the PIN, and entering it completes
    the interview."""
    settings, _api = live
    from dashboard.cli import main as cli

    interview = make_interview(db, org, questions=("Only question?",))
    candidate = make_candidate(db, interview)
    db.commit()
    env = {k: v for k, v in env_for(settings).items() if k.startswith(("SCREENLINE_", "TWILIO_"))}
    args = ["call", "--to", interview.phone_number, "--from", caller, "--say", LONG, "--no-wait"]
    keys = ["--digits", "1", "--digits", candidate.pin + "#", "--digits", ""]
    done = CliRunner().invoke(cli, [*args, *keys], env=env, catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert "Screenline: Please enter the interview PIN" in done.output
    row = db.scalar(select(Call).where(Call.candidate_id == candidate.id))
    assert (row.from_number, row.outcome) == (caller, "completed")
    assert fresh(db, candidate).status == CandidateStatus.COMPLETED


def test_repeated_wrong_pins_lock_the_number_out(live, db, org, redis_conn):
    """Three wrong PINs end a call; two such calls within the hour lock the number out of it."""
    interview = make_interview(db, org)
    make_candidate(db, interview)
    db.commit()
    stranger = "+15559990000"
    for _ in range(2):
        log = call(live, interview, stranger, digits=["1", "111111#", "222222#", "333333#"])
        assert "couldn't find your interview" in log.said()[-1] or "too many" in log.said()[-1]
    log = call(live, interview, stranger, digits=["1", "444444#"])
    assert "too many wrong PINs" in log.said()[-1]
    key = lockout.pin_key(interview.id, stranger, withheld=False)
    assert lockout.PIN_GUESSES.is_locked(redis_conn, key)


def test_practice_answer_is_played_back_never_kept_and_deleted_at_twilio(live, db, org):
    """The practice answer is played back, is not stored as an answer, and is deleted at Twilio."""
    _, api = live
    interview = make_interview(db, org, questions=("Only question?",), practice=True)
    candidate = make_candidate(db, interview)
    db.commit()
    log = call(
        live,
        interview,
        candidate.phone,
        digits=["1", "1", "2", ""],
        says=["Practice one.", "Practice two.", LONG],
    )
    plays = [e[1] for e in log.events if e[0] == "play"]
    assert len(plays) == 2 and plays[0].endswith(log.recordings[0].sid)
    practice_sids = {r.sid for r in log.recordings[:2]}
    kept = {a.recording_sid for a in answers_of(db, candidate)}
    assert kept.isdisjoint(practice_sids) and len(kept) == 1
    wait_until(
        lambda: all(api.store.was_deleted(sid) for sid in practice_sids),
        timeout=60,
        what="practice recordings deleted at Twilio",
    )


def test_accommodations_give_extra_time_and_slower_speech(live, db, org):
    """Extra time multiplies the answer limit; slow speech wraps prompts in SSML prosody."""
    interview = make_interview(db, org, questions=[{"prompt": "Only?", "max_seconds": 60}])
    candidate = make_candidate(db, interview)
    candidate.extra_time, candidate.slow_speech = 1.5, True
    db.commit()
    log = call(live, interview, candidate.phone, digits=["1", ""], says=[LONG])
    question_doc = next(x for x in log.exchanges if b"<Record" in (x.body or b""))
    assert b'maxLength="90"' in question_doc.body and b"<prosody" in question_doc.body


def test_sms_invitation_reminder_and_receipt(live, db, org, redis_conn):
    """`candidate add --invite` texts the PIN; the worker sends reminders and a receipt."""
    settings, api = live
    from datetime import UTC, datetime, timedelta

    from dashboard.cli import main as cli

    interview = make_interview(
        db,
        org,
        questions=("Only question?",),
        deadline=(datetime.now(UTC) + timedelta(hours=3)).isoformat(),
        reminders=["4h"],
    )
    db.commit()
    runner = CliRunner()
    env = {k: v for k, v in env_for(settings).items() if k.startswith(("SCREENLINE_", "TWILIO_"))}
    out = runner.invoke(
        cli,
        [
            "candidate",
            "add",
            "--interview",
            str(interview.id),
            "--name",
            "Cy Invited",
            "--phone",
            "+15557000100",
            "--invite",
            "--json",
        ],
        env=env,
        catch_exceptions=False,
    )
    assert out.exit_code == 0, out.output
    pin = json.loads(out.stdout)["pin"]
    invitation = next(m for m in api.messages if m.to == "+15557000100")
    assert pin in invitation.body and interview.phone_number in invitation.body
    assert invitation.from_ == interview.phone_number
    # The worker checks for due reminders every few minutes; run that check now.
    Queue("messages", connection=redis_conn).enqueue("workers.messages.send_due_reminders", False)
    wait_until(
        lambda: any("Reminder" in m.body for m in api.messages), timeout=60, what="the reminder SMS"
    )
    candidate = db.scalar(select(Candidate).where(Candidate.phone == "+15557000100"))
    call(live, interview, candidate.phone, digits=["1", ""], says=[LONG])
    wait_until(
        lambda: any("we received your interview" in m.body for m in api.messages),
        timeout=60,
        what="the receipt SMS",
    )
    kinds = set(db.scalars(select(Message.kind).where(Message.candidate_id == candidate.id)))
    assert kinds == {"invitation", "reminder:4h", "receipt"}


def test_closed_interview_says_so(live, db, org):
    """After the deadline, callers hear that the interview has closed."""
    interview = make_interview(db, org, deadline="2020-01-31T12:00:00Z")
    candidate = make_candidate(db, interview)
    db.commit()
    log = call(live, interview, candidate.phone)
    assert "closed on January 31, 2020" in log.said()[-1]


def test_call_me_now_places_an_outbound_call_that_skips_the_pin(live, db, org):
    """`candidate call ID` asks Twilio to call; the flow knows the candidate without a PIN."""
    settings, api = live
    from dashboard.cli import main as cli

    interview = make_interview(db, org, questions=("Only question?",))
    candidate = make_candidate(db, interview, phone="+15557000200")
    db.commit()
    answer_outbound_calls(api, CallScript(answers=[LONG], digits=["1", ""]))
    env = {k: v for k, v in env_for(settings).items() if k.startswith(("SCREENLINE_", "TWILIO_"))}
    out = CliRunner().invoke(
        cli, ["candidate", "call", str(candidate.id), "--json"], env=env, catch_exceptions=False
    )
    assert out.exit_code == 0, out.output
    placed = api.outbound_calls[-1]
    assert placed.to == candidate.phone and placed.from_ == interview.phone_number
    wait_until(lambda: getattr(placed, "log", None), timeout=30, what="the outbound call")
    said = placed.log.said()
    assert not any("PIN" in s for s in said)
    assert fresh(db, candidate).status == CandidateStatus.COMPLETED
    row = db.scalar(select(Call).where(Call.candidate_id == candidate.id))
    assert row.direction == "outbound-api"
    api.on_outbound_call = None
    time.sleep(0)  # the hook is cleared for the next test


def test_screenline_call_exits_0_only_when_the_interview_reaches_its_end(live, db, org):
    """`screenline call` says ok and exits 0 for a completed interview; a call that stops
    short (here: a number with no interview) is `"ok": false`, exit status 1, and the
    output says what happened."""
    settings, _api = live
    from dashboard.cli import main as cli

    interview = make_interview(db, org, questions=("Only question?",))
    candidate = make_candidate(db, interview, phone="+15557000300")
    db.commit()
    env = {k: v for k, v in env_for(settings).items() if k.startswith(("SCREENLINE_", "TWILIO_"))}
    runner = CliRunner()
    args = ["call", "--to", interview.phone_number, "--from", candidate.phone]
    done = runner.invoke(
        cli,
        [*args, "--digits", "1", "--digits", "", "--say", LONG, "--no-wait", "--json"],
        env=env,
        catch_exceptions=False,
    )
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    assert (data["ok"], data["outcome"]) == (True, "completed")

    wrong = ["call", "--to", "+15550109999", "--from", candidate.phone, "--no-wait"]
    short = runner.invoke(cli, [*wrong, "--json"], env=env, catch_exceptions=False)
    assert short.exit_code == 1, short.output
    data = json.loads(short.stdout)
    assert (data["ok"], data["outcome"], data["errors"]) == (False, "unknown number", [])
    text = runner.invoke(cli, wrong, env=env, catch_exceptions=False)
    assert text.exit_code == 1
    assert text.output.endswith("The call did not reach the interview's end: unknown number.\n")
