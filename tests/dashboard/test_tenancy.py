"""Every route, walked as someone who must see nothing of the first organisation."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from dashboard.api import API_BLUEPRINTS
from tests.dashboard.html import parse
from tests.factories import make_user
from voice import webhooks
from voice.apikeys import create_key
from voice.models import ApiKey, InterviewReviewer, Invitation, Role, ShareLink, WebhookEndpoint

# Things only the first organisation's pages contain (the search query is "forklift", which
# a search page may echo; "three years" is in the same transcript).
SECRETS = ("Dana Diaz", "+15557654321", "three years", "manager@acme.test", "Acme Warehousing")
# What a reviewer of the same organisation must not see of an interview not shared.
CANDIDATE_SECRETS = ("Dana Diaz", "+15557654321", "three years")
FORBIDDEN_OR_MISSING = {403, 404}


def path_values(world, db) -> dict[str, object]:
    """A value for every path argument, each naming a row of the first organisation."""
    invitation = Invitation(
        organization_id=world.user.organization_id,
        email="invitee@acme.test",
        role=Role.REVIEWER,
        token_hash="0" * 64,
        expires_at=datetime.now(UTC) + timedelta(days=1),
    )
    link = ShareLink(
        organization_id=world.user.organization_id,
        token_hash="1" * 64,
        candidate_ids=[world.candidate.id],
        expires_at=datetime.now(UTC) + timedelta(days=1),
    )
    db.add_all([invitation, link])
    db.flush()
    key, _ = create_key(db, world.user.organization, "Acme ATS")
    endpoint = webhooks.create_endpoint(
        db,
        world.user.organization_id,
        "http://127.0.0.1:9/acme",
        ["candidate.completed"],
        allow_private=True,
    )
    db.flush()
    (delivery,) = webhooks.emit_for_candidate(world.candidate, webhooks.CANDIDATE_COMPLETED)
    db.commit()
    return {
        "interview_id": world.interview.id,
        "candidate_id": world.candidate.id,
        "answer_id": world.transcribed.id,
        "question_id": world.interview.questions[0].id,
        "user_id": world.user.id,
        "invitation_id": invitation.id,
        "link_id": link.id,
        "item": 0,
        "token": "not-a-real-token",
        "code": "NOTAREALCODE0000",
        "key_id": key.id,
        "endpoint_id": endpoint.id,
        "delivery_id": delivery.id,
    }


def walk(app, client, values):
    """Request every route with every method; yield (rule, method, response)."""
    token = parse(client.get("/").data).find("input", name="csrf_token").attrs["value"]
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "auth.logout"):
            continue  # logging out would end the walk early
        unknown = set(rule.arguments) - set(values)
        assert not unknown, f"give test_tenancy a value for {unknown} ({rule.rule})"
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: str(values[m.group(1)]), rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            query = {"q": "forklift", "interview": values["interview_id"]}
            if method == "GET":
                response = client.get(path, query_string=query)
            else:
                form = {
                    "csrf_token": token,
                    "candidate_ids": [str(values["candidate_id"])],
                    "decision": "advance",
                    "value": "5",
                    "body": "hello",
                }
                response = client.post(path, data=form, query_string=query)
            yield rule, method, response


def leaks(response, secrets=SECRETS) -> list[str]:
    """The secrets a response's body shows (none for a redirect)."""
    if 300 <= response.status_code < 400:
        return []  # a redirect's body only repeats where it goes
    body = response.get_data(as_text=True)
    return [secret for secret in secrets if secret in body]


def names_a_row(app, rule) -> bool:
    """Whether a route reaches a row by a path argument, whatever the argument is called.

    Share-link and invitation pages (`@public`) name a token, not a row, and the IVR is
    reached by Twilio with signed requests; the API answers keys, not sessions (walked by
    `test_another_organisations_key_gets_nothing_from_any_api_route`); every other route
    with arguments names a row.
    """
    view = app.view_functions[rule.endpoint]
    return (
        bool(rule.arguments)
        and not getattr(view, "public", False)
        and (not rule.endpoint.startswith("ivr."))
        and not is_api_rule(rule)
    )


def is_api_rule(rule) -> bool:
    """Whether the route is the REST API's (dashboard/api/)."""
    return rule.endpoint.split(".")[0] in API_BLUEPRINTS


def test_another_organisation_gets_nothing_from_any_route(signed_in, db, app, client, auth):
    """As an admin of another organisation, every route is 404/403 or shows none of our data."""
    values = path_values(signed_in, db)
    auth.logout()
    assert auth.login("boss@globex.test").status_code == 302
    checked = 0
    walked = set()
    for rule, method, response in walk(app, client, values):
        assert not leaks(response), f"{method} {rule.rule} shows {leaks(response)}"
        if names_a_row(app, rule):
            assert response.status_code in FORBIDDEN_OR_MISSING, (
                f"{method} {rule.rule} answered {response.status_code}"
            )
        checked += 1
        walked.add(rule.endpoint)
    assert checked > 40
    # Erasure and legal holds: another organisation's admin must reach none of ours.
    assert {"privacy.erase", "privacy.candidate_hold", "privacy.interview_hold"} <= walked


def test_a_reviewer_sees_only_shared_interviews(signed_in, db, app, client, auth):
    """A reviewer of the same organisation gets nothing from an interview not shared."""
    values = path_values(signed_in, db)
    make_user(db, signed_in.user.organization, email="rev@acme.test", role=Role.REVIEWER)
    db.commit()
    auth.logout()
    auth.login("rev@acme.test")
    home = parse(client.get("/").data)
    assert home.find("li", cls="interview-card") is None
    checked = 0
    for rule, method, response in walk(app, client, values):
        shown = leaks(response, CANDIDATE_SECRETS)
        assert not shown, f"{method} {rule.rule} shows {shown}"
        if names_a_row(app, rule):
            assert response.status_code in FORBIDDEN_OR_MISSING, (
                f"{method} {rule.rule} answered {response.status_code}"
            )
            checked += 1
    assert checked > 20


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/interviews/{i}", 200),
        ("/candidates/{c}", 200),
        ("/interviews/{i}/insights", 200),
        ("/interviews/{i}/edit", 403),
        ("/interviews/{i}/import", 403),
        ("/interviews/{i}/export.csv", 403),
        ("/audit", 403),
    ],
)
def test_a_shared_reviewer_reviews_but_does_not_manage(signed_in, db, client, auth, path, status):
    """Sharing an interview lets a reviewer listen and score, not edit or export."""
    reviewer = make_user(db, signed_in.user.organization, email="rev@acme.test", role=Role.REVIEWER)
    db.add(InterviewReviewer(interview_id=signed_in.interview.id, user_id=reviewer.id))
    db.commit()
    auth.logout()
    auth.login("rev@acme.test")
    url = path.format(i=signed_in.interview.id, c=signed_in.candidate.id)
    assert client.get(url).status_code == status


def test_a_shared_reviewer_may_not_export_a_candidate(signed_in, db, client, auth):
    """A reviewer the interview is shared with gets 403 from "Export candidate data"."""
    reviewer = make_user(db, signed_in.user.organization, email="rev@acme.test", role=Role.REVIEWER)
    db.add(InterviewReviewer(interview_id=signed_in.interview.id, user_id=reviewer.id))
    db.commit()
    auth.logout()
    auth.login("rev@acme.test")
    token = parse(client.get("/").data).find("input", name="csrf_token").attrs["value"]
    response = client.post(
        f"/candidates/{signed_in.candidate.id}/export", data={"csrf_token": token}
    )
    assert response.status_code == 403
    assert not leaks(response, CANDIDATE_SECRETS)


def test_another_organisations_key_gets_nothing_from_any_api_route(world, db, app):
    """With another organisation's read-write key, every API route with a row in its path
    is 404 problem details, and no API response shows the first organisation's data."""
    values = path_values(world, db)
    _, key = create_key(db, world.stranger.organization, "Globex ATS")
    client = app.test_client()  # no dashboard session: the key is all it has
    db.commit()
    headers = {"Authorization": f"Bearer {key}"}
    body = {
        "interview_id": values["interview_id"],
        "candidate_ids": [values["candidate_id"]],
        "name": "Dana Diaz",
        "decision": "advance",
    }
    checked = 0
    for rule in app.url_map.iter_rules():
        if not is_api_rule(rule):
            continue
        unknown = set(rule.arguments) - set(values)
        assert not unknown, f"give test_tenancy a value for {unknown} ({rule.rule})"
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: str(values[m.group(1)]), rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            query = {"interview": values["interview_id"]}
            response = client.open(
                path, method=method, headers=headers, json=body, query_string=query
            )
            assert not leaks(response), f"{method} {rule.rule} shows {leaks(response)}"
            assert response.status_code < 500, f"{method} {rule.rule} answered 5xx"
            if names_a_row_in_api(app, rule):
                assert response.status_code == 404, (
                    f"{method} {rule.rule} answered {response.status_code}"
                )
                assert response.get_json()["type"].endswith("problem-not-found")
            checked += 1
    assert checked >= 5


def names_a_row_in_api(app, rule) -> bool:
    """API routes with a path argument name a row (the public signed audio link names a token)."""
    view = app.view_functions[rule.endpoint]
    return bool(rule.arguments) and not getattr(view, "public", False)


# ---------------------------------------------------------------- admin-only rows: 404 before 403

# Every admin-only URL that names a row by id: the team's users and invitations, API keys,
# webhook endpoints and their deliveries.
ADMIN_ROW_URLS = (
    ("POST", "/team/users/{user_id}/role"),
    ("POST", "/team/users/{user_id}/active"),
    ("POST", "/team/invitations/{invitation_id}/revoke"),
    ("POST", "/settings/api/keys/{key_id}/revoke"),
    ("POST", "/settings/api/webhooks/{endpoint_id}/remove"),
    ("GET", "/settings/api/webhooks/{endpoint_id}"),
    ("POST", "/settings/api/webhooks/{endpoint_id}/deliveries/{delivery_id}/resend"),
)
MISSING = {
    name: 999_999 for name in ("user_id", "invitation_id", "key_id", "endpoint_id", "delivery_id")
}
NON_ADMINS = [Role.RECRUITER, Role.REVIEWER]


def sign_in_with_role(db, auth, org, role: str) -> None:
    """Sign in as a new user of `org` with `role`, in place of whoever was signed in."""
    make_user(db, org, email=f"{role}@{org.id}.test", role=role)
    db.commit()
    assert auth.login(f"{role}@{org.id}.test").status_code == 302


def admin_row_statuses(client, values) -> dict[str, int]:
    """{"METHOD path": status} for every ADMIN_ROW_URLS entry with `values`' ids (posts
    carry the CSRF token and a form that would change the row)."""
    token = parse(client.get("/").data).find("input", name="csrf_token").attrs["value"]
    form = {"csrf_token": token, "role": Role.REVIEWER, "active": "0"}
    found = {}
    for method, template in ADMIN_ROW_URLS:
        path = template.format(**values)
        response = client.get(path) if method == "GET" else client.post(path, data=form)
        found[f"{method} {path}"] = response.status_code
    return found


def test_every_admin_only_row_url_is_listed(app):
    """ADMIN_ROW_URLS names every admin and integrations page that takes a row's id."""
    listed = {re.sub(r"\{(\w+)\}", r"<int:\1>", path) for _, path in ADMIN_ROW_URLS}
    routes = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] in ("admin", "integrations")
        and rule.arguments
        and not getattr(app.view_functions[rule.endpoint], "public", False)
    }
    assert routes == listed


@pytest.mark.parametrize("role", NON_ADMINS)
def test_a_non_admin_gets_403_from_their_organisations_admin_rows(world, db, auth, client, role):
    """A recruiter or reviewer asking for a teammate, invitation, API key, webhook endpoint
    or delivery of their own organisation gets 403, and nothing is changed."""
    values = path_values(world, db)
    sign_in_with_role(db, auth, world.user.organization, role)
    found = admin_row_statuses(client, values)
    assert found == {url: 403 for url in found}
    db.expire_all()
    assert world.user.role == Role.ADMIN and world.user.is_active
    assert db.get(Invitation, values["invitation_id"]) is not None
    assert db.get(ApiKey, values["key_id"]).revoked_at is None
    assert db.get(WebhookEndpoint, values["endpoint_id"]).disabled_at is None


@pytest.mark.parametrize("role", [*NON_ADMINS, Role.ADMIN])
def test_another_organisations_admin_rows_are_404_to_any_role(world, db, auth, client, role):
    """A recruiter, reviewer or admin of another organisation asking for our teammate,
    invitation, API key, webhook endpoint or delivery gets 404, never a 403 that tells
    the row exists."""
    values = path_values(world, db)
    sign_in_with_role(db, auth, world.stranger.organization, role)
    found = admin_row_statuses(client, values)
    assert found == {url: 404 for url in found}
    db.expire_all()
    assert db.get(ApiKey, values["key_id"]).revoked_at is None


@pytest.mark.parametrize("role", NON_ADMINS)
def test_a_missing_admin_row_is_404_to_a_non_admin(world, db, auth, client, role):
    """A recruiter or reviewer asking for a teammate, invitation, API key, webhook endpoint
    or delivery id that names nothing gets 404, as an admin does."""
    sign_in_with_role(db, auth, world.user.organization, role)
    found = admin_row_statuses(client, MISSING)
    assert found == {url: 404 for url in found}


def test_a_reviewer_gets_404_before_403_from_revoking_a_share_link(world, db, auth, client):
    """Revoking a share link (managers only): a reviewer gets 403 for their own
    organisation's link, 404 for another organisation's or a missing one."""
    ours = path_values(world, db)["link_id"]
    theirs = ShareLink(
        organization_id=world.stranger.organization_id,
        token_hash="2" * 64,
        candidate_ids=[world.stranger_candidate.id],
        expires_at=datetime.now(UTC) + timedelta(days=1),
    )
    db.add(theirs)
    db.flush()
    sign_in_with_role(db, auth, world.user.organization, Role.REVIEWER)
    token = parse(client.get("/").data).find("input", name="csrf_token").attrs["value"]
    found = {
        link: client.post(f"/share/links/{link}/revoke", data={"csrf_token": token}).status_code
        for link in (ours, theirs.id, 999_999)
    }
    assert found == {ours: 403, theirs.id: 404, 999_999: 404}
    db.expire_all()
    assert db.get(ShareLink, ours).revoked_at is None
