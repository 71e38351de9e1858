"""Retention purge and erasure: the database at once, then files and Twilio's copies by job."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from dashboard.insights import call_outcomes, drop_off, funnel_counts
from ivr.jobs import ERASE_CANDIDATE
from ivr.standin import TwilioApiServer
from tests.privacy_support import EMAIL, NAME, PHONE, TRANSCRIPT, make_person
from tests.support import env_for, start_process, stop_process, wait_until
from voice import erasure, retention
from voice.models import (
    Answer,
    AnswerStatus,
    Call,
    Candidate,
    Comment,
    Decision,
    Message,
    Score,
    ShareLink,
)
from voice.search import search_transcripts
from workers import context
from workers.privacy import ErasureIncomplete, finish_erasure, purge_expired, sweep_erasures


@pytest.fixture
def api(settings):
    """The Twilio stand-in's REST API, for the test settings' account."""
    with TwilioApiServer(settings.twilio_account_sid, settings.twilio_auth_token) as server:
        yield server


@pytest.fixture
def privacy_settings(settings, api, tmp_path):
    """Settings pointing Twilio at the stand-in, with a media folder of the test's own."""
    return settings.replace(twilio_api_url=api.url, media_dir=tmp_path / "media")


@pytest.fixture
def ctx(privacy_settings, db):
    """Jobs called in this process use the privacy settings, as a worker would."""
    found = context.use(privacy_settings)
    yield found
    context.reset()


def figures(session, interview):
    """What the insights page counts for an interview."""
    outcomes = call_outcomes(session, interview.id)
    return funnel_counts(session, interview.id), outcomes, drop_off(outcomes, interview.questions)


def fresh(session_factory, candidate_id: int) -> Candidate:
    """The candidate as the database holds it now (detached: its columns are loaded)."""
    with session_factory() as session:
        return session.get(Candidate, candidate_id)


def test_purge_of_a_finished_candidate_past_retention_removes_everything_and_keeps_counts(
    ctx, api, db, session_factory
):
    """Past retention: files, Twilio's copies and personal data go; the charts still add up."""
    person = make_person(db, ctx.store, api, completed_days_ago=400)
    person.interview.retention_days = 365
    db.commit()
    before = figures(db, person.interview)
    assert search_transcripts(db, person.interview.organization_id, "forklift")

    assert purge_expired() == {"purged": 1, "held": 0, "pending": 0}
    candidate = fresh(session_factory, person.candidate.id)
    assert candidate.erasure_requested_at is not None and candidate.erased_at is None
    assert finish_erasure(person.candidate.id) == "erased"

    with session_factory() as session:
        candidate = session.get(Candidate, person.candidate.id)
        assert candidate.erased_at is not None
        assert candidate.erasure_reason == "retention: 365 days after completion"
        assert (candidate.name, candidate.phone, candidate.email) == (
            erasure.ERASED_NAME,
            None,
            None,
        )
        assert not candidate.pin.isdigit()
        assert candidate.status == "completed" and candidate.decision == "reject"
        answers = session.scalars(select(Answer).where(Answer.candidate_id == candidate.id)).all()
        assert len(answers) == 3
        for answer in answers:
            assert answer.status == AnswerStatus.ERASED
            assert (answer.transcript, answer.segments, answer.digits) == (None, None, None)
            assert (answer.original_key, answer.playback_key, answer.recording_url) == (
                None,
                None,
                None,
            )
        assert session.scalar(select(func.count(Message.id))) == 0
        assert session.scalar(select(func.count(Comment.id))) == 0
        assert session.scalars(select(Score.note)).all() == [""]
        assert session.scalars(select(Decision.feedback)).all() == [""]
        [call] = session.scalars(select(Call)).all()
        assert call.from_number == "" and call.last_reply is None
        [link] = session.scalars(select(ShareLink)).all()
        assert link.candidate_ids == [] and link.revoked_at is not None
        assert search_transcripts(session, person.interview.organization_id, "forklift") == []
        for value in (NAME, PHONE, EMAIL, TRANSCRIPT):
            assert value not in repr(
                [candidate.__dict__, [a.__dict__ for a in answers], call.__dict__]
            )
        assert figures(session, person.interview) == before
    assert not any(ctx.store.exists(key) for key in person.keys)
    assert all(api.store.was_deleted(sid) for sid in person.recording_sids)
    assert all(api.message_deleted(sid) for sid in person.message_sids)


def test_candidates_not_yet_due_and_those_on_legal_hold_are_kept(ctx, api, db, session_factory):
    """The purge skips a candidate within retention and held ones, and says which are held."""
    held_interview = make_person(db, ctx.store, api, completed_days_ago=400)
    held_interview.interview.retention_days = 30
    held_interview.interview.legal_hold = True
    org = held_interview.interview.organization
    org.retention_days = 365  # the default for the next interview, which sets none
    from tests.factories import make_interview

    other = make_interview(
        db,
        org,
        phone_number="+15550100300",
        questions=[
            {"kind": "yes_no", "prompt": "Are you 18 or older?"},
            {"prompt": "Tell us about your last job."},
            {"prompt": "Why this job?"},
        ],
    )
    db.commit()
    held_person = make_person(
        db, ctx.store, api, interview=other, completed_days_ago=400, phone="+15557654322"
    )
    held_person.candidate.legal_hold = True
    recent = make_person(
        db, ctx.store, api, interview=other, completed_days_ago=100, phone="+15557654323"
    )
    db.commit()

    plan = retention.plan(db)
    assert plan.due == []
    assert {(h.candidate_id, h.hold) for h in plan.held} == {
        (held_interview.candidate.id, retention.HOLD_INTERVIEW),
        (held_person.candidate.id, retention.HOLD_CANDIDATE),
    }
    assert purge_expired() == {"purged": 0, "held": 2, "pending": 0}
    for person in (held_interview, held_person, recent):
        kept = fresh(session_factory, person.candidate.id)
        assert kept.erasure_requested_at is None and kept.name == NAME
    assert all(ctx.store.exists(key) for key in recent.keys + held_person.keys)
    # The recent one falls due 365 days after completion: 265 days from now.
    due = retention.retention_of(db, recent.candidate).due
    assert due.date() == (recent.candidate.completed_at + timedelta(days=365)).date()
    later = retention.plan(db, datetime.now(UTC) + timedelta(days=266))
    assert [d.candidate_id for d in later.due] == [recent.candidate.id]


def test_a_purge_where_the_store_fails_half_way_stays_pending_until_a_retry_finishes(
    ctx, api, db, session_factory
):
    """One answer's files cannot be deleted: the rest go, it shows pending, a retry ends it."""
    person = make_person(db, ctx.store, api, completed_days_ago=400)
    person.interview.retention_days = 365
    db.commit()
    first, second = person.answers[1:]
    # A directory where a file should be: unlink fails, even for root.
    blocked = ctx.store.path(f"answers/{second.id}/playback.mp3")
    blocked.unlink()
    blocked.mkdir()
    (blocked / "stuck").write_bytes(b"x")
    assert purge_expired()["purged"] == 1

    with pytest.raises(ErasureIncomplete):
        finish_erasure(person.candidate.id)

    pending = erasure.state_of(fresh(session_factory, person.candidate.id))
    assert pending.state == erasure.PENDING
    assert pending.owed == {"answers": 1, "recordings": 0, "messages": 0}
    assert "audio store failed" in pending.error
    assert not any(ctx.store.exists(k) for k in person.keys if f"/{first.id}/" in k)
    assert ctx.store.exists(f"answers/{second.id}/waveform.svg")  # after the failure: kept
    shutil.rmtree(blocked)  # the store recovers

    assert finish_erasure(person.candidate.id) == "erased"
    done = erasure.state_of(fresh(session_factory, person.candidate.id))
    assert done.state == erasure.ERASED and done.error is None
    assert not any(ctx.store.exists(key) for key in person.keys)


def test_erasing_twice_is_harmless(ctx, api, db, session_factory):
    """A second erasure, and a second job, change nothing and raise nothing."""
    person = make_person(db, ctx.store, api)
    erasure.erase_candidate(db, person.candidate)
    db.commit()
    assert finish_erasure(person.candidate.id) == "erased"
    first = erasure.state_of(fresh(session_factory, person.candidate.id))
    with session_factory() as session:
        again = erasure.erase_candidate(session, session.get(Candidate, person.candidate.id))
        session.commit()
    assert again == first
    assert finish_erasure(person.candidate.id) == "nothing to do"
    assert erasure.state_of(fresh(session_factory, person.candidate.id)) == first


def test_the_sweep_queues_unfinished_erasures_once(ctx, api, db, redis_conn):
    """A pending erasure whose job Redis lost is queued again, and not twice."""
    person = make_person(db, ctx.store, api)
    erasure.erase_candidate(db, person.candidate)
    db.commit()
    assert sweep_erasures() == 1
    assert sweep_erasures() == 0
    assert ctx.waiting_job(ERASE_CANDIDATE.job_id(person.candidate.id)) is not None


@pytest.mark.slow
def test_an_erasure_while_twilio_answers_500_finishes_when_it_recovers(
    privacy_settings, api, db, session_factory, tmp_path
):
    """Twilio answers 500 to deletions: the candidate stays pending; RQ retries and finishes."""
    from ivr.resources import Resources
    from voice.store import AudioStore

    store = AudioStore(privacy_settings.media_dir)
    person = make_person(db, store, api)
    api.fail_next_deletions(3, 500)
    erasure.erase_candidate(db, person.candidate)
    db.commit()
    resources = Resources(privacy_settings)
    resources.enqueue(ERASE_CANDIDATE, person.candidate.id)
    resources.close()
    worker = start_process(["-m", "workers"], env_for(privacy_settings), tmp_path / "worker.log")
    try:

        def state():
            return erasure.state_of(fresh(session_factory, person.candidate.id))

        failed = wait_until(lambda: state().error and state(), 60, what="the first attempt")
        assert failed.state == erasure.PENDING and "HTTP 500" in failed.error
        assert failed.owed["recordings"] + failed.owed["messages"] >= 1
        done = wait_until(lambda: state().state == erasure.ERASED and state(), 90, what="the retry")
    finally:
        stop_process(worker)
    assert done.owed == {"answers": 0, "recordings": 0, "messages": 0}
    assert all(api.store.was_deleted(sid) for sid in person.recording_sids)
    assert all(api.message_deleted(sid) for sid in person.message_sids)
    assert not any(store.exists(key) for key in person.keys)
