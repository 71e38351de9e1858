"""The audit trail as the dashboard writes and shows it: every event kind with its actor,
target and address, the admins-only page with filters and the chain's state, tenancy."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select, text

from dashboard.audit import detail_text
from tests.dashboard.conftest import AuthActions, submit
from tests.dashboard.html import parse
from tests.dashboard.review_support import csrf_token
from tests.dashboard.test_share import create_link, link_path
from tests.factories import PASSWORD, make_user
from voice import audit
from voice.models import AuditEvent, Role

ADDRESS = "203.0.113.7"
INTERVIEW_YAML = b"""\
title: Line cook
phone_number: "+15550100777"
questions:
  - prompt: What kitchens have you worked in?
"""


@pytest.fixture
def client(app):
    """A browser at a known address, so entries' source addresses can be checked."""
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = ADDRESS
    return browser


def entries(db, action: str | None = None) -> list[AuditEvent]:
    """Every entry (of one action), oldest first, read fresh from the database."""
    db.expire_all()
    stmt = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return list(db.scalars(stmt))


def last(db, action: str) -> AuditEvent:
    found = entries(db, action)
    assert found, f"no {action!r} entry"
    return found[-1]


def by_manager(entry: AuditEvent, world) -> None:
    """Assert the entry names the first organisation's manager, at the test address."""
    assert entry.organization_id == world.user.organization_id
    assert entry.actor_kind == "user" and entry.actor_id == world.user.id
    assert entry.actor_data["email"] == "manager@acme.test"
    assert entry.actor_data["address"] == ADDRESS


def test_sign_in_and_failed_sign_ins_are_recorded(world, db, auth):
    """Sign-ins name the user; failures keep the e-mail typed, in the account's organisation
    or, for an e-mail of no account, in the chain without one."""
    assert auth.login(password="wrong password!").status_code == 200
    assert auth.login(email="nobody@nowhere.test", password="wrong password!").status_code == 200
    assert auth.login().status_code == 302
    failed = entries(db, "sign_in_failed")
    assert [(e.organization_id, e.actor_data["email"]) for e in failed] == [
        (world.user.organization_id, "manager@acme.test"),
        (None, "nobody@nowhere.test"),
    ]
    assert {e.actor_data["address"] for e in failed} == {ADDRESS}
    assert all(e.actor_kind == "anonymous" for e in failed)
    by_manager(last(db, "sign_in"), world)
    auth.logout()
    by_manager(last(db, "sign_out"), world)


def test_viewing_playing_and_downloading_are_recorded(signed_in, db, client):
    """The candidate page, a play from the start (not a seek or a HEAD) and a download
    each leave an entry naming the candidate and answer."""
    world, answer = signed_in, signed_in.transcribed
    assert client.get(f"/candidates/{world.candidate.id}").status_code == 200
    viewed = last(db, "candidate_viewed")
    by_manager(viewed, world)
    assert (viewed.candidate_id, viewed.interview_id) == (world.candidate.id, world.interview.id)
    assert viewed.subject_data["name"] == "Dana Diaz"

    url = f"/audio/answers/{answer.id}.mp3"
    assert client.get(url, headers={"Range": "bytes=0-99"}).status_code == 206
    assert client.get(url, headers={"Range": "bytes=100-199"}).status_code == 206  # a seek
    assert client.head(url).status_code == 200  # a HEAD is not a listen
    assert client.get(url + "?download=1").status_code == 200
    played = entries(db, "answer_played")
    assert len(played) == 1
    by_manager(played[0], world)
    assert (played[0].candidate_id, played[0].answer_id) == (world.candidate.id, answer.id)
    downloaded = last(db, "answer_downloaded")
    assert downloaded.answer_id == answer.id and downloaded.candidate_id == world.candidate.id


def test_opening_the_candidate_page_records_no_play(signed_in, db, client):
    """The page's players fetch nothing until played (preload="none"), so opening it
    records a view and no play; a play then records one, and seeks within it none."""
    world, answer = signed_in, signed_in.transcribed
    page = parse(client.get(f"/candidates/{world.candidate.id}").data)
    players = page.find_all("audio")
    assert [p.attrs["preload"] for p in players] == ["none"]
    assert players[0].attrs["data-duration"] == "3.2"
    assert entries(db, "answer_played") == []
    url = f"/audio/answers/{answer.id}.mp3"
    assert client.get(url, headers={"Range": "bytes=0-"}).status_code == 206
    for seek in ("bytes=50-", "bytes=10-99"):
        assert client.get(url, headers={"Range": seek}).status_code == 206
    assert len(entries(db, "answer_played")) == 1


def test_exports_are_recorded(signed_in, db, client):
    """The interview's CSV and a candidate's own copy are recorded as exports."""
    world = signed_in
    assert client.get(f"/interviews/{world.interview.id}/export.csv").status_code == 200
    page = parse(client.get(f"/candidates/{world.candidate.id}").data)
    assert submit(client, page, f"/candidates/{world.candidate.id}/export").status_code == 200
    csv_entry, copy_entry = entries(db, "export")
    by_manager(csv_entry, world)
    assert csv_entry.interview_id == world.interview.id
    assert csv_entry.detail == {"kind": "candidates csv"}
    by_manager(copy_entry, world)
    assert copy_entry.candidate_id == world.candidate.id
    assert copy_entry.detail == {"kind": "candidate data"}


def test_share_links_created_opened_played_and_revoked_are_recorded(
    signed_in, db, app, client, settings
):
    """A share link's life is recorded; the visitor is the actor when it is opened."""
    world = signed_in
    path = link_path(create_link(client, [world.candidate.id]))
    created = last(db, "share_link_created")
    by_manager(created, world)
    assert created.candidate_id == world.candidate.id
    assert created.detail["candidate_ids"] == [world.candidate.id]
    visitor = app.test_client()
    visitor.environ_base["REMOTE_ADDR"] = "198.51.100.20"
    form = parse(visitor.get(path).data).one("form", action=path)
    assert visitor.post(path, data=form.form_fields() | {"viewer": "Pat"}).status_code == 302
    opened = last(db, "share_link_opened")
    assert opened.organization_id == world.user.organization_id
    assert opened.actor_kind == "share link" and opened.actor_id == created.detail["link_id"]
    assert opened.actor_data == opened.actor_data | {"name": "Pat", "address": "198.51.100.20"}
    assert visitor.get(f"{path}/audio/{world.transcribed.id}.mp3").status_code == 200
    played = last(db, "answer_played")
    assert played.actor_kind == "share link" and played.answer_id == world.transcribed.id
    link_id = created.detail["link_id"]
    revoke = client.post(f"/share/links/{link_id}/revoke", data={"csrf_token": csrf_token(client)})
    assert revoke.status_code == 302
    by_manager(last(db, "share_link_revoked"), world)


def test_scores_and_decisions_are_recorded(signed_in, db, client):
    """A score names the answer and value; a decision names the candidate and decision."""
    world = signed_in
    page = parse(client.get(f"/candidates/{world.candidate.id}").data)
    action = f"/answers/{world.transcribed.id}/score"
    prefix = f"answer-{world.transcribed.id}"
    assert submit(client, page, action, **{f"{prefix}-value": "4"}).status_code == 302
    scored = last(db, "score")
    by_manager(scored, world)
    assert (scored.answer_id, scored.detail["value"]) == (world.transcribed.id, 4)
    response = client.post(
        f"/candidates/{world.candidate.id}/decision",
        data={"csrf_token": csrf_token(client), "decision": "advance"},
    )
    assert response.status_code == 302
    decided = last(db, "decision")
    by_manager(decided, world)
    assert decided.candidate_id == world.candidate.id
    assert decided.detail == {"decision": "advance", "texted": False}


def test_interview_changes_are_recorded(signed_in, db, client):
    """Importing an interview file and saving the builder are recorded."""
    page = parse(client.get("/interviews/import").data)
    form = page.one("form", action="/interviews/import")
    response = client.post(
        "/interviews/import",
        data=form.form_fields() | {"file": (io.BytesIO(INTERVIEW_YAML), "cook.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    created = last(db, "interview_created")
    by_manager(created, signed_in)
    assert created.detail == {"source": "file", "file": "cook.yaml", "title": "Line cook"}
    edit = f"/interviews/{created.interview_id}/edit"
    page = parse(client.get(edit).data)
    assert submit(client, page, edit, title="Line cook, days").status_code == 302
    changed = last(db, "interview_changed")
    assert changed.interview_id == created.interview_id
    assert changed.detail["title"] == "Line cook, days"


def test_editing_a_rubric_is_an_interview_change(signed_in, db, client):
    """Saving a question's rubric is recorded as a change to its interview."""
    question = signed_in.interview.questions[0]
    url = f"/questions/{question.id}/rubric"
    page = parse(client.get(url).data)
    assert submit(client, page, url, **{"new_name-0": "Clarity"}).status_code == 302
    changed = last(db, "interview_changed")
    by_manager(changed, signed_in)
    assert changed.interview_id == signed_in.interview.id
    assert changed.detail == {"rubric": question.id, "criteria": 1}


def test_team_changes_and_password_changes_are_recorded(signed_in, db, client):
    """Inviting, changing a role, removing a user and changing a password are recorded."""
    world = signed_in
    mate = make_user(db, world.user.organization, email="mate@acme.test", role=Role.REVIEWER)
    db.commit()
    token = csrf_token(client, "/team")
    client.post(
        "/team/invitations",
        data={"csrf_token": token, "email": "new@acme.test", "role": "recruiter"},
    )
    invited = last(db, "user_invited")
    by_manager(invited, world)
    assert invited.subject_data["email"] == "new@acme.test"
    assert invited.detail["role"] == "recruiter"
    client.post(f"/team/users/{mate.id}/role", data={"csrf_token": token, "role": "recruiter"})
    role = last(db, "role_changed")
    assert role.detail == {"user_id": mate.id, "from": "reviewer", "to": "recruiter"}
    client.post(f"/team/users/{mate.id}/active", data={"csrf_token": token, "active": "0"})
    assert last(db, "user_removed").detail["user_id"] == mate.id
    response = client.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(client, "/account/password"),
            "current": PASSWORD,
            "password": "a brand new password",
            "confirm": "a brand new password",
        },
    )
    assert response.status_code == 302
    by_manager(last(db, "password_changed"), world)
    assert audit.verify(db, world.user.organization_id).ok


def test_joining_withdrawing_and_restoring_are_recorded(signed_in, db, app, client):
    """An invitation withdrawn, one accepted (the newcomer is the actor) and a teammate
    restored each leave an entry."""
    from tests.dashboard.test_admin import accept, invite

    world = signed_in
    invite(client, email="gone@acme.test")
    withdrawn = last(db, "user_invited").detail["invitation_id"]
    token = csrf_token(client, "/team")
    client.post(f"/team/invitations/{withdrawn}/revoke", data={"csrf_token": token})
    revoked = last(db, "invitation_revoked")
    by_manager(revoked, world)
    assert revoked.detail["invitation_id"] == withdrawn
    assert revoked.subject_data["email"] == "gone@acme.test"

    path, _ = invite(client, email="new@acme.test")
    newcomer = app.test_client()
    newcomer.environ_base["REMOTE_ADDR"] = "198.51.100.30"
    assert accept(newcomer, path).status_code == 302
    joined = last(db, "user_joined")
    assert joined.organization_id == world.user.organization_id
    assert joined.actor_data == joined.actor_data | {
        "email": "new@acme.test",
        "address": "198.51.100.30",
    }
    assert joined.detail["user_id"] == joined.actor_id and joined.detail["role"] == "recruiter"

    mate = make_user(db, world.user.organization, email="mate@acme.test", role=Role.REVIEWER)
    mate.is_active = False
    db.commit()
    client.post(f"/team/users/{mate.id}/active", data={"csrf_token": token, "active": "1"})
    restored = last(db, "user_restored")
    by_manager(restored, world)
    assert restored.detail["user_id"] == mate.id


def test_rubric_scores_bulk_decisions_and_sharing_are_recorded(signed_in, db, client):
    """Rubric scores, a decision on several candidates and sharing an interview with a
    reviewer are recorded, one entry per candidate decided."""
    from tests.dashboard.test_review import add_rubric, completed

    world = signed_in
    (clarity,) = add_rubric(db, world.transcribed.question, "Clarity")
    lee = completed(db, world.interview, "Lee Park", hours_ago=2)
    reviewer = make_user(db, world.user.organization, email="rev@acme.test", role=Role.REVIEWER)
    db.commit()
    page = parse(client.get(f"/candidates/{world.candidate.id}").data)
    action = f"/answers/{world.transcribed.id}/rubric"
    submit(client, page, action, **{f"criterion-{clarity.id}": "4"})
    rubric = last(db, "score")
    by_manager(rubric, world)
    assert rubric.answer_id == world.transcribed.id
    assert rubric.detail == {"criteria": {str(clarity.id): 4}}

    token = csrf_token(client)
    response = client.post(
        f"/interviews/{world.interview.id}/decisions",
        data={
            "csrf_token": token,
            "decision": "reject",
            "candidate_ids": [str(world.candidate.id), str(lee.id)],
        },
    )
    assert response.status_code == 302
    decided = entries(db, "decision")
    assert sorted(e.candidate_id for e in decided) == sorted([world.candidate.id, lee.id])
    assert {e.detail["decision"] for e in decided} == {"reject"}

    url = f"/interviews/{world.interview.id}/reviewers"
    client.post(url, data={"csrf_token": csrf_token(client, url), "user_ids": [str(reviewer.id)]})
    shared = last(db, "interview_changed")
    by_manager(shared, world)
    assert shared.interview_id == world.interview.id
    assert shared.detail == {"reviewers": [reviewer.id]}


def test_a_wrong_current_password_is_a_failed_sign_in(signed_in, db, client):
    """A wrong current password on the password page is recorded as the user's failure."""
    response = client.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(client, "/account/password"),
            "current": "not my password",
            "password": "a brand new password",
            "confirm": "a brand new password",
        },
    )
    assert response.status_code == 422
    failed = last(db, "sign_in_failed")
    by_manager(failed, signed_in)
    assert failed.detail == {"where": "password page"}


def test_interview_import_from_the_command_line_is_recorded(db, settings, tmp_path):
    """`screenline interview import` is recorded as done from the command line."""
    from click.testing import CliRunner

    from dashboard.cli import main
    from tests.factories import make_org
    from tests.support import env_for

    org = make_org(db)
    db.commit()
    path = tmp_path / "cook.yaml"
    path.write_bytes(INTERVIEW_YAML)
    env = {k: v for k, v in env_for(settings).items() if k.startswith(("SCREENLINE_", "TWILIO_"))}
    result = CliRunner().invoke(main, ["interview", "import", str(path)], env=env)
    assert result.exit_code == 0, result.output
    created = last(db, "interview_created")
    assert created.organization_id == org.id
    assert (created.actor_kind, created.actor_label) == ("system", "command line")
    assert created.detail == {"source": "file", "file": "cook.yaml", "title": "Line cook"}


# ---------------------------------------------------------------- the page


def audit_page(client, **query):
    response = client.get("/audit", query_string=query)
    return response, parse(response.data)


def test_admins_see_their_trail_newest_first_with_filters(signed_in, db, client):
    """The page lists this organisation's entries newest first, filters them, and says
    the chain is verified."""
    world = signed_in
    client.get(f"/candidates/{world.candidate.id}")
    client.get(f"/interviews/{world.interview.id}/export.csv")
    response, page = audit_page(client)
    assert response.status_code == 200
    assert page.one(id="chain-status").attrs["data-ok"] == "1"
    assert "Chain verified" in page.one(id="chain-status").text()
    rows = page.one("table", cls="audit-table").find_all("tr", data_seq=True)
    assert [r.attrs["data-action"] for r in rows] == ["export", "candidate_viewed", "sign_in"]
    seqs = [int(r.attrs["data-seq"]) for r in rows]
    assert seqs == sorted(seqs, reverse=True)
    assert "manager@acme.test" in rows[1].text() and ADDRESS in rows[1].text()
    assert "Dana Diaz" in rows[1].text()
    _, page = audit_page(client, action="candidate_viewed")
    assert [r.attrs["data-action"] for r in page.find_all("tr", data_seq=True)] == [
        "candidate_viewed"
    ]
    _, page = audit_page(client, candidate=str(world.candidate.id))
    assert len(page.find_all("tr", data_seq=True)) == 1
    _, page = audit_page(client, person=str(world.user.id), **{"from": "2000-01-01"})
    assert len(page.find_all("tr", data_seq=True)) == 3
    _, page = audit_page(client, to="2000-01-01")
    assert page.find_all("tr", data_seq=True) == []


def test_details_and_answers_read_as_words_on_the_page(signed_in, db, client):
    """Details say "overall score 5", not "overall: True"; an answer is named by its question."""
    world = signed_in
    page = parse(client.get(f"/candidates/{world.candidate.id}").data)
    prefix = f"answer-{world.transcribed.id}"
    submit(client, page, f"/answers/{world.transcribed.id}/score", **{f"{prefix}-value": "4"})
    page = parse(client.get(f"/candidates/{world.candidate.id}").data)
    submit(client, page, f"/candidates/{world.candidate.id}/score", **{"overall-value": "5"})
    client.post(
        f"/candidates/{world.candidate.id}/decision",
        data={"csrf_token": csrf_token(client), "decision": "advance"},
    )
    _, page = audit_page(client)
    rows = {
        r.attrs["data-action"]: r for r in page.find_all("tr", data_seq=True)
    }  # the newest of each action

    def cell(action: str, label: str) -> str:
        return rows[action].one("td", data_label=label).text()

    scores = [r for r in page.find_all("tr", data_action="score")]
    details = [r.one("td", data_label="Details").text() for r in scores]
    assert details == ["overall score 5", "score 4"]
    position = world.transcribed.question.position
    about = scores[1].one("td", data_label="About").text()
    assert f"question {position} (answer {world.transcribed.id})" in about
    assert cell("decision", "Details") == "advance, not texted"
    assert "True" not in page.text() and "False" not in page.text()


def test_bad_filters_get_a_clear_message(signed_in, client):
    """A malformed date, id or action is named on the page (422), never a 500."""
    response, page = audit_page(client, **{"from": "yesterday", "candidate": "x", "action": "zap"})
    assert response.status_code == 422
    messages = [p.text() for p in page.find_all("p", cls="flash-error")]
    assert any("2026-11-30" in m and "yesterday" in m for m in messages)
    assert any("candidate" in m for m in messages) and any("zap" in m for m in messages)
    response, page = audit_page(client, **{"from": "0001-01-01", "to": "9999-12-31"})
    assert response.status_code == 200 and page.find_all("tr", data_seq=True)
    response, page = audit_page(client, full="yes")  # was taken silently as no full check
    assert response.status_code == 422
    assert [p.text() for p in page.find_all("p", cls="flash-error")] == [
        "“yes” is not a value for “Check every entry now” (use full=1, or leave it out)."
    ]
    assert page.find_all("tr", data_seq=True)  # the trail is still shown


def test_the_page_pages(signed_in, db, client):
    """Past PER_PAGE entries the page links to older ones."""
    from dashboard.audit import PER_PAGE

    for _ in range(PER_PAGE + 5):
        audit.record(db, signed_in.user.organization_id, "sign_in", audit.Actor.system())
    db.commit()
    _, first = audit_page(client)
    assert len(first.find_all("tr", data_seq=True)) == PER_PAGE
    older = first.one("a", rel="next").attrs["href"]
    second = parse(client.get(older).data)
    assert len(second.find_all("tr", data_seq=True)) == 6  # 5 + the sign-in


def test_an_edited_row_is_named_on_the_page(signed_in, db, client):
    """A row changed in SQL makes the page say the chain is broken, and at which entry."""
    client.get(f"/candidates/{signed_in.candidate.id}")
    viewed = last(db, "candidate_viewed")
    db.execute(text("UPDATE audit_events SET candidate_id = 999 WHERE id = :id"), {"id": viewed.id})
    db.commit()
    _, page = audit_page(client)
    status = page.one(id="chain-status")
    assert status.attrs["data-ok"] == "0"
    assert f"Entry #{viewed.seq} (id {viewed.id})" in status.text()
    assert page.one("tr", cls="audit-broken-row").attrs["data-seq"] == str(viewed.seq)


def test_between_full_walks_the_page_checks_its_last_entry_and_newer_ones(signed_in, db, client):
    """After a full walk the page re-checks the entry it ended at and walks newer ones:
    an edit to either is named at once; an older row's edit at the next full walk
    ("Check every entry now")."""
    for _ in range(3):
        client.get(f"/candidates/{signed_in.candidate.id}")
    _, page = audit_page(client)
    assert page.one(id="chain-status").attrs["data-ok"] == "1"
    assert "Every entry was checked at" in page.one(id="chain-status").text()
    seqs = {e.action: e.seq for e in entries(db)}  # sign_in 1, candidate_viewed 2-4
    assert seqs["candidate_viewed"] == 4

    db.execute(text("UPDATE audit_events SET answer_id = 1 WHERE seq = 4"))
    db.commit()
    _, page = audit_page(client)
    assert "Entry #4" in page.one(id="chain-status").text()
    db.execute(text("UPDATE audit_events SET answer_id = NULL WHERE seq = 4"))
    db.commit()
    _, page = audit_page(client, full="1")  # put right: verified again
    assert page.one(id="chain-status").attrs["data-ok"] == "1"

    client.get(f"/candidates/{signed_in.candidate.id}")  # a newer entry, seq 5
    db.execute(text("UPDATE audit_events SET answer_id = 1 WHERE seq = 5"))
    db.commit()
    _, page = audit_page(client)
    assert "Entry #5" in page.one(id="chain-status").text()
    db.execute(text("UPDATE audit_events SET answer_id = NULL WHERE seq = 5"))
    db.execute(text("UPDATE audit_events SET answer_id = 1 WHERE seq = 2"))
    db.commit()
    _, page = audit_page(client, full="1")
    assert "Entry #2" in page.one(id="chain-status").text()
    full = page.one("a", id="full-check").attrs["href"]
    assert parse(client.get(full).data).one(id="chain-status").attrs["data-ok"] == "0"


def test_another_organisation_sees_none_of_our_entries(world, db, client, auth):
    """Another organisation's admin sees only their own chain."""
    auth.login()
    client.get(f"/candidates/{world.candidate.id}")
    auth.logout()
    auth.login("boss@globex.test")
    _, page = audit_page(client)
    rows = page.find_all("tr", data_seq=True)
    assert [r.attrs["data-action"] for r in rows] == ["sign_in"]
    assert "manager@acme.test" not in page.text() and "Dana Diaz" not in page.text()


@pytest.mark.parametrize("role", [Role.RECRUITER, Role.REVIEWER])
def test_only_admins_may_open_the_page(world, db, app, role):
    """Recruiters and reviewers get 403 and no link to the page; visitors sign in first."""
    make_user(db, world.user.organization, email="rita@acme.test", role=role)
    db.commit()
    visitor = app.test_client()
    assert visitor.get("/audit").status_code == 302
    AuthActions(visitor).login(email="rita@acme.test", password=PASSWORD)
    assert visitor.get("/audit").status_code == 403
    assert parse(visitor.get("/").data).find("a", href="/audit") is None


def test_admins_have_a_link_in_the_navigation(signed_in, client):
    """An admin's navigation links to the audit page."""
    nav = parse(client.get("/").data).one("nav", cls="mainnav")
    assert nav.one("a", href="/audit").text() == "Audit"


def test_the_page_works_on_the_sqlite_default(settings, tmp_path, redis_conn):
    """On SQLite (the demo's database) sign-in and views are recorded and the page verifies."""
    from dashboard.app import create_app
    from tests.factories import make_org
    from voice.db import make_engine, make_session_factory
    from voice.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'screenline.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            make_user(session, make_org(session))
            session.commit()
        app = create_app(settings.replace(database_url=url))
        browser = app.test_client()
        assert AuthActions(browser).login().status_code == 302
        response = browser.get("/audit")
        page = parse(response.data)
        assert response.status_code == 200
        assert page.one(id="chain-status").attrs["data-ok"] == "1"
        assert [r.attrs["data-action"] for r in page.find_all("tr", data_seq=True)] == ["sign_in"]
        app.extensions["screenline"].session_factory.kw["bind"].dispose()
    finally:
        engine.dispose()


def test_detail_text_words_every_kind_of_stored_detail():
    """Row keys read as the row and number, yes/no as words, lists with commas; a share
    link's entry as how many candidates, the link and how long it is valid."""
    assert detail_text("legal_hold", {"legal_hold": True}) == "legal hold on"
    assert detail_text("legal_hold", {"legal_hold": False}) == "legal hold off"
    assert detail_text(
        "share_link_created", {"link_id": 3, "candidate_ids": [1, 2], "days": 7}
    ) == ("2 candidates (1, 2), link 3, valid 7 days")
    assert detail_text("share_link_created", {"link_id": 1, "candidate_ids": [4], "days": 1}) == (
        "1 candidate (4), link 1, valid 1 day"
    )
    assert detail_text("share_link_revoked", {"link_id": 1, "candidate_ids": [4]}) == (
        "1 candidate (4), link 1"
    )
    assert detail_text("api_key_created", {"key_id": 4, "key_name": "Sync", "read_only": True}) == (
        "key 4; key name: Sync; read only: yes"
    )
    assert detail_text("decision", {"decision": "reject", "texted": True}) == (
        "reject, texted to the candidate"
    )
    assert detail_text("score", {"value": 3}) == "score 3"
    assert detail_text("sign_out", None) == ""
