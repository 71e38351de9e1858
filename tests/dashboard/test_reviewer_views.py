"""What a reviewer (who scores but does not decide) is shown and refused, as a new-user
trial found it: the reviewers page's names, 404 before 403 on every per-interview and
per-candidate URL, no decision queue, no texts (an invitation carries the PIN), and the
confirmation of a saved decision or overall score inside the section the page returns to."""

from __future__ import annotations

import pytest

from tests.dashboard.conftest import flashes
from tests.dashboard.html import parse
from tests.dashboard.review_support import csrf_token, teammate
from tests.dashboard.test_review import completed, sign_in_as
from voice.messages import INVITATION, invitation_text, queue_message
from voice.models import Role

REVIEWER = "rita.reviewer@example.com"


def reviewer_client(app, db, world, shared: bool):
    """A signed-in reviewer of the first organisation, the interview shared or not."""
    teammate(db, world.user.organization, REVIEWER, interviews=[world.interview] if shared else [])
    db.commit()
    return sign_in_as(app, REVIEWER)


def manager_only_urls(world) -> list[tuple[str, str]]:
    """(method, path) of every page and action for managers that names our rows."""
    interview, candidate = world.interview.id, world.candidate.id
    question = world.interview.questions[0].id
    return [
        ("GET", f"/interviews/{interview}/export.csv"),
        ("GET", f"/interviews/{interview}/edit"),
        ("GET", f"/interviews/{interview}/reviewers"),
        ("GET", f"/interviews/{interview}/import"),
        ("GET", f"/interviews/{interview}/candidates/new"),
        ("POST", f"/interviews/{interview}/invite"),
        ("POST", f"/interviews/{interview}/legal-hold"),
        ("POST", f"/interviews/{interview}/decisions"),
        ("GET", f"/questions/{question}/rubric"),
        ("GET", f"/candidates/{candidate}/manage"),
        ("POST", f"/candidates/{candidate}/accommodations"),
        ("POST", f"/candidates/{candidate}/call"),
        ("POST", f"/candidates/{candidate}/invite"),
        ("POST", f"/candidates/{candidate}/export"),
        ("POST", f"/candidates/{candidate}/erase"),
        ("POST", f"/candidates/{candidate}/legal-hold"),
        ("POST", f"/candidates/{candidate}/decision"),
    ]


def statuses(client, urls, token: str) -> dict[str, int]:
    """{path: status code} for each (method, path), posts carrying the CSRF token."""
    found = {}
    for method, path in urls:
        if method == "GET":
            found[path] = client.get(path).status_code
        else:
            found[path] = client.post(path, data={"csrf_token": token}).status_code
    return found


# ---------------------------------------------------------------- 404 before 403


def test_an_unshared_interview_is_404_on_every_url_for_a_reviewer(world, db, app):
    """Before an interview is shared with them, a reviewer gets 404 from its page and
    from every manager-only URL of it and its candidates, never a 403 that tells it is
    there."""
    client = reviewer_client(app, db, world, shared=False)
    token = csrf_token(client, "/")
    assert client.get(f"/interviews/{world.interview.id}").status_code == 404
    assert client.get(f"/candidates/{world.candidate.id}").status_code == 404
    found = statuses(client, manager_only_urls(world), token)
    assert found == {path: 404 for path in found}


def test_a_shared_interview_is_403_on_manager_urls_for_a_reviewer(world, db, app):
    """Once the interview is shared, the reviewer sees its page and is refused (403)
    every manager-only URL, having nothing changed."""
    client = reviewer_client(app, db, world, shared=True)
    token = csrf_token(client, "/")
    assert client.get(f"/interviews/{world.interview.id}").status_code == 200
    found = statuses(client, manager_only_urls(world), token)
    assert found == {path: 403 for path in found}
    db.expire_all()
    assert world.candidate.decision is None and not world.candidate.legal_hold


def test_another_organisation_is_404_on_manager_urls_for_an_admin(world, db, app):
    """An admin of another organisation gets 404 from our interview's manager URLs."""
    client = sign_in_as(app, world.stranger.email)
    token = csrf_token(client, "/")
    found = statuses(client, manager_only_urls(world), token)
    assert found == {path: 404 for path in found}


# ---------------------------------------------------------------- the reviewers page


def test_the_reviewers_page_shows_a_nameless_reviewer_by_email_once(signed_in, db, client):
    """A reviewer created without a name is listed by their e-mail once; a named one by
    name, with their e-mail beside it."""
    org = signed_in.user.organization
    teammate(db, org, REVIEWER)
    named = teammate(db, org, "rob@example.com")
    named.name = "Rob Reviewer"
    db.commit()
    page = parse(client.get(f"/interviews/{signed_in.interview.id}/reviewers").data)
    labels = {
        label.one("input", name="user_ids").attrs["value"]: " ".join(label.text().split())
        for label in page.find_all("label", cls="check")
    }
    by_email = {label for label in labels.values()}
    assert REVIEWER in by_email
    assert "Rob Reviewer rob@example.com" in by_email
    assert all(label.count(REVIEWER) <= 1 for label in by_email)


# ---------------------------------------------------------------- what a reviewer is shown


def waiting_candidate(db, world):
    """A candidate who finished a week ago and has no decision yet."""
    candidate = completed(db, world.interview, "Wendy Waiting", hours_ago=24 * 7)
    db.commit()
    return candidate


def test_the_decision_queue_is_for_those_who_decide(world, db, app):
    """The review queue's "Waiting for a decision" is shown to a manager, not to a
    reviewer (who cannot decide), though the interview is shared with them."""
    waiting_candidate(db, world)
    reviewer = reviewer_client(app, db, world, shared=True)
    manager = sign_in_as(app, world.user.email)
    manager_page = parse(manager.get("/review").data)
    assert "Waiting for a decision" in manager_page.one("section", id="waiting").text()
    assert "Wendy Waiting" in manager_page.one("section", id="waiting").text()
    reviewer_page = parse(reviewer.get("/review").data)
    assert reviewer_page.find("section", id="waiting") is None
    assert "Waiting for a decision" not in reviewer_page.text()
    assert "Nobody should be left without an answer" not in reviewer_page.text()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.RECRUITER])
def test_the_waiting_pill_is_for_those_who_decide(world, db, app, role):
    """A candidate waiting for a decision carries the "Waiting for a decision" pill on
    their page for an admin or recruiter; a reviewer, who cannot decide, sees no pill."""
    candidate = waiting_candidate(db, world)
    email = world.user.email
    if role == Role.RECRUITER:
        email = teammate(db, world.user.organization, "rex@acme.test", role=role).email
        db.commit()
    url = f"/candidates/{candidate.id}"
    pill = parse(sign_in_as(app, email).get(url).data).one("span", data_flag="waiting")
    assert pill.text() == "Waiting for a decision · 7 days"
    reviewer_page = parse(reviewer_client(app, db, world, shared=True).get(url).data)
    assert "Wendy Waiting" in reviewer_page.one("h1").text()  # the page, without the pill
    assert reviewer_page.find("span", data_flag="waiting") is None
    assert "Waiting for a decision" not in reviewer_page.text()


def test_a_reviewer_never_reads_the_texts_with_the_pin(world, db, app):
    """The texts sent to a candidate (an invitation carries their PIN) are listed for
    managers; a reviewer sees the invitation's state, not the texts nor the PIN."""
    candidate = world.candidate
    candidate.phone = "+15552010001"
    queue_message(db, candidate, INVITATION, invitation_text(candidate), world.user.id)
    db.commit()
    assert candidate.pin in invitation_text(candidate)
    url = f"/candidates/{candidate.id}"
    manager_page = parse(sign_in_as(app, world.user.email).get(url).data)
    assert f"Texts to {candidate.name}" in manager_page.text()
    assert manager_page.find("li", data_message_kind=INVITATION) is not None
    reviewer_page = parse(reviewer_client(app, db, world, shared=True).get(url).data)
    assert "Texts to" not in reviewer_page.text()
    assert reviewer_page.find("li", data_message_kind=INVITATION) is None
    assert candidate.pin not in reviewer_page.text()
    assert reviewer_page.one("dd", id="invitation-state").text()


# ---------------------------------------------------------------- confirmation where it lands


@pytest.mark.parametrize("role", [Role.ADMIN, Role.RECRUITER])
def test_a_saved_decision_is_confirmed_in_the_decision_section(world, db, app, role):
    """After "Save decision" the page returns to #decision, and the confirmation is in
    that section, above the current decision, not at the top of the page."""
    email = world.user.email
    if role == Role.RECRUITER:
        email = teammate(db, world.user.organization, "rex@acme.test", role=role).email
        db.commit()
    client = sign_in_as(app, email)
    url = f"/candidates/{world.candidate.id}"
    token = csrf_token(client, url)
    response = client.post(f"{url}/decision", data={"csrf_token": token, "decision": "hold"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{url}#decision")
    page = parse(client.get(url).data)
    section = page.one("section", id="decision")
    assert flashes(section) == [f"Decision saved for {world.candidate.name}: hold."]
    assert "Current decision: Hold" in " ".join(section.text().split())
    top = page.find("div", cls="flashes")
    assert top is None or top.attrs.get("data-flash-spot") == "decision"


def test_a_saved_overall_score_is_confirmed_in_its_section(signed_in, db, client):
    """After "Save score" for the overall score the page returns to #overall, with the
    confirmation in that section; the next page shows it no more."""
    candidate = signed_in.candidate
    url = f"/candidates/{candidate.id}"
    token = csrf_token(client, url)
    response = client.post(
        f"{url}/score", data={"csrf_token": token, "overall-value": "4", "overall-note": ""}
    )
    assert response.status_code == 302, response.data
    assert response.headers["Location"].endswith(f"{url}#overall")
    page = parse(client.get(url).data)
    section = page.one("section", id="overall")
    assert flashes(section) == [f"Your overall score for {candidate.name} is saved."]
    assert flashes(page) == flashes(section)
    assert flashes(parse(client.get(url).data)) == []


def test_a_flash_for_a_section_shows_at_the_top_of_another_page(world, db, app):
    """A decision saved in bulk from the interview page has no section to land in: its
    confirmation is at the top, as every other flash is."""
    client = sign_in_as(app, world.user.email)
    token = csrf_token(client, f"/interviews/{world.interview.id}")
    response = client.post(
        f"/interviews/{world.interview.id}/decisions",
        data={"csrf_token": token, "decision": "advance", "candidate_ids": world.candidate.id},
    )
    assert response.status_code == 302
    page = parse(client.get(response.headers["Location"]).data)
    top = page.one("div", cls="flashes")
    assert "data-flash-spot" not in top.attrs
    assert "Decision saved: advance for 1 candidate." in flashes(top)
