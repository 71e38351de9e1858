"""`DELETE /api/v1/candidates/{id}`: the same erasure as the dashboard's and the CLI's."""

from __future__ import annotations

import pytest
from rq import Queue
from sqlalchemy import select

from ivr.jobs import ERASE_CANDIDATE
from ivr.standin import TwilioApiServer
from tests.api.conftest import ApiClient, problem
from tests.privacy_support import NAME, make_person
from tests.support import screenline_json
from voice import erasure
from voice.apikeys import create_key
from voice.audit import verify
from voice.models import AuditEvent, Candidate
from voice.store import AudioStore
from workers import context
from workers.main import ScreenlineWorker


@pytest.fixture
def twilio(settings):
    """The Twilio stand-in holding the person's recordings and text messages."""
    with TwilioApiServer(settings.twilio_account_sid, settings.twilio_auth_token) as standin:
        yield standin


@pytest.fixture
def person(db, settings, twilio):
    """A completed candidate with audio in the server's store, recordings and texts at
    Twilio, and everything around them (tests/privacy_support.py)."""
    return make_person(db, AudioStore(settings.media_dir), twilio)


@pytest.fixture
def ats(server, db, person) -> ApiClient:
    """The person's organisation's applicant tracking system, with a read-write key."""
    _, key = create_key(db, person.interview.organization, "ATS sync")
    db.commit()
    return ApiClient(server.public_url, key)


def fresh(session_factory, candidate_id: int) -> Candidate:
    with session_factory() as session:
        return session.get(Candidate, candidate_id)


def run_erasure_jobs(settings, twilio, redis_conn) -> None:
    """A real worker, in burst mode, runs the queued erasure jobs against the stand-in."""
    context.use(settings.replace(twilio_api_url=twilio.url))
    try:
        queue = Queue(ERASE_CANDIDATE.queue, connection=redis_conn)
        ScreenlineWorker([queue], connection=redis_conn, schedule=False).work(burst=True)
    finally:
        context.reset()


def test_delete_erases_at_once_and_reports_what_the_workers_owe(
    ats, person, settings, twilio, session_factory, redis_conn, db
):
    """202 with the CLI's report; the database part is gone at once and the job queued;
    once a worker has run, the files and Twilio's copies are gone and a repeat is 204."""
    path = f"/api/v1/candidates/{person.candidate.id}"
    response = ats.request("DELETE", path)
    assert response.status_code == 202, response.text
    state = response.json()
    assert state["id"] == person.candidate.id
    assert state["state"] == "pending" and state["reason"] == "erasure request"
    assert state["owed"] == {"answers": 2, "recordings": 2, "messages": 2}
    assert state["queued"] is True and state["erased_at"] is None
    assert state["requested_at"].endswith("Z")
    found = fresh(session_factory, person.candidate.id)
    assert (found.name, found.phone, found.email) == (erasure.PENDING_NAME, None, None)
    assert Queue(ERASE_CANDIDATE.queue, connection=redis_conn).get_job_ids() == [
        ERASE_CANDIDATE.job_id(person.candidate.id)
    ]

    # The command line reports an erasure with the same fields.
    other = make_person(
        db,
        AudioStore(settings.media_dir),
        twilio,
        interview=person.interview,
        name="Sam Second",
        phone="+15557654399",
    )
    cli = screenline_json(settings, "candidate", "erase", str(other.candidate.id))
    assert set(cli) == set(state)
    assert (cli["state"], cli["owed"]) == (state["state"], state["owed"])

    again = ats.request("DELETE", path)
    assert again.status_code == 202
    assert again.json()["requested_at"] == state["requested_at"]

    run_erasure_jobs(settings, twilio, redis_conn)
    store = AudioStore(settings.media_dir)
    assert not any(store.exists(key) for key in person.keys)
    assert all(twilio.store.was_deleted(sid) for sid in person.recording_sids)
    assert all(twilio.message_deleted(sid) for sid in person.message_sids)
    done = ats.request("DELETE", path)
    assert done.status_code == 204 and done.content == b""
    assert fresh(session_factory, person.candidate.id).name == erasure.ERASED_NAME


def test_the_erasure_is_audited_by_the_key(ats, person, db):
    """An "erasure" entry names the API key as the actor, as the dashboard names the
    admin, once however often the pending erasure is polled; the candidate's name leaves
    the trail; the chain still verifies."""
    for _ in range(2):
        assert ats.request("DELETE", f"/api/v1/candidates/{person.candidate.id}").status_code == 202
    db.expire_all()
    org_id = person.interview.organization_id
    entries = db.scalars(
        select(AuditEvent).where(AuditEvent.organization_id == org_id).order_by(AuditEvent.seq)
    ).all()
    [entry] = [e for e in entries if e.action == "erasure"]
    assert (entry.actor_kind, entry.actor_label) == ("api key", "api key ATS sync")
    assert entry.candidate_id == person.candidate.id
    assert entry.detail == {"reason": "erasure request"}
    requests_seen = [e.detail for e in entries if e.action == "api_request"]
    assert requests_seen[-1]["method"] == "DELETE" and requests_seen[-1]["status"] == 202
    assert not any(NAME in str(e.subject_data or "") for e in entries)
    assert verify(db, org_id).ok


@pytest.mark.parametrize("held", ["candidate", "interview"])
def test_a_legal_hold_is_409_and_erases_nothing(ats, person, db, session_factory, held):
    """On legal hold (the candidate's or their interview's): 409 legal-hold saying to
    take the hold off first, nothing changed; once it is off, the erasure goes ahead."""
    holder = person.candidate if held == "candidate" else person.interview
    holder.legal_hold = True
    db.commit()
    path = f"/api/v1/candidates/{person.candidate.id}"
    body = problem(ats.request("DELETE", path), 409, "legal-hold")
    assert "take the hold off first" in body["detail"]
    found = fresh(session_factory, person.candidate.id)
    assert (found.name, found.erasure_requested_at) == (NAME, None)
    holder.legal_hold = False
    db.commit()
    assert ats.request("DELETE", path).status_code == 202


def test_a_read_only_key_may_not_erase(server, acme, session_factory):
    """A read-only key is 403 read-only-key, and the candidate keeps their data."""
    reader = ApiClient(server.public_url, acme.read_key)
    problem(
        reader.request("DELETE", f"/api/v1/candidates/{acme.candidate.id}"), 403, "read-only-key"
    )
    assert fresh(session_factory, acme.candidate.id).name == "Dana Diaz"


def test_another_organisations_or_an_unknown_candidate_is_404(
    server, acme, globex, session_factory
):
    """Globex's key on Acme's candidate, and any key on no candidate: 404, nothing erased."""
    stranger = ApiClient(server.public_url, globex.key)
    problem(stranger.request("DELETE", f"/api/v1/candidates/{acme.candidate.id}"), 404, "not-found")
    own = ApiClient(server.public_url, acme.key)
    problem(own.request("DELETE", "/api/v1/candidates/999999"), 404, "not-found")
    found = fresh(session_factory, acme.candidate.id)
    assert (found.name, found.erasure_requested_at) == ("Dana Diaz", None)


def test_a_candidate_with_nothing_outside_the_database_is_204_at_once(
    api, acme, session_factory, redis_conn
):
    """Nothing recorded or texted: erased in one step, 204, no job; a repeat is 204 too."""
    path = f"/api/v1/candidates/{acme.candidate.id}"
    first = api.request("DELETE", path)
    assert first.status_code == 204, first.text
    found = fresh(session_factory, acme.candidate.id)
    assert found.name == erasure.ERASED_NAME and found.erased_at is not None
    assert Queue(ERASE_CANDIDATE.queue, connection=redis_conn).get_job_ids() == []
    assert api.request("DELETE", path).status_code == 204
    got = api.get(path).json()
    assert (got["name"], got["phone"], got["pin"]) == (erasure.ERASED_NAME, None, None)


def test_repeating_the_delete_is_audited_as_one_erasure(api, acme, db):
    """Polling with DELETE adds no "erasure" entry after the first; the PIN the API showed
    before the erasure is null after it."""
    path = f"/api/v1/candidates/{acme.candidate.id}"
    assert api.get(path).json()["pin"] == acme.candidate.pin
    for _ in range(3):
        assert api.request("DELETE", path).status_code == 204
    db.expire_all()
    erasures = db.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "erasure", AuditEvent.candidate_id == acme.candidate.id
        )
    ).all()
    assert len(erasures) == 1
    assert api.get(path).json()["pin"] is None
