"""The settings page: a "Settings" title, the user's review settings, and an
"Organisation" card linking each settings page the user's role may open, with what it
holds."""

from __future__ import annotations

import pytest

from tests.dashboard.conftest import AuthActions
from tests.dashboard.html import parse
from tests.dashboard.review_support import teammate
from tests.factories import PASSWORD
from voice.models import Role, User

PAGES = {
    "Shared links": (
        "/share/links",
        "Read-only links to candidates for people without an account, and who opened them.",
    ),
    "Decision messages": (
        "/settings/messages",
        "The text a candidate receives when you tell them a decision.",
    ),
    "Retention": (
        "/settings/retention",
        "How long candidates' personal data is kept when an interview sets no period of its own.",
    ),
    "Phone numbers": (
        "/settings/phones",
        "The country of phone numbers written without a country code.",
    ),
    "Time zone": (
        "/settings/time-zone",
        "The time zone every date is shown in: texts, calls and these pages.",
    ),
}


def listed_pages(client) -> dict[str, tuple[str, str]]:
    """The Organisation card's links, by visible text: (href, the description under it)."""
    page = parse(client.get("/settings/review").data)
    assert page.one("h1").text() == "Settings"
    headings = [node.text() for node in page.find_all("h2")]
    assert "Your review settings" in headings
    cards = [card for card in page.find_all("section", cls="card") if card.find("ul")]
    if not cards:
        assert "Organisation" not in headings
        return {}
    (card,) = cards
    assert card.one("h2").text() == "Organisation"
    return {
        item.one("a").text(): (item.one("a").attrs["href"], item.one("p").text())
        for item in card.find_all("li")
    }


def test_an_admin_sees_every_settings_page_with_what_it_holds(signed_in, client):
    """An admin's settings page lists the four organisation pages, each with its line."""
    assert listed_pages(client) == PAGES
    for href, _ in PAGES.values():
        assert client.get(href).status_code == 200, href


@pytest.mark.parametrize(
    ("role", "names"),
    [(Role.RECRUITER, ["Shared links"]), (Role.REVIEWER, [])],
)
def test_other_roles_see_only_the_pages_they_may_open(signed_in, db, app, role, names):
    """A recruiter sees only Shared links, a reviewer no Organisation card: each link
    shown opens, each page left out is forbidden to that role."""
    teammate(db, signed_in.user.organization, "someone@acme.test", role=role)
    db.commit()
    client = app.test_client()
    assert (
        AuthActions(client).login(email="someone@acme.test", password=PASSWORD).status_code == 302
    )
    assert listed_pages(client) == {name: PAGES[name] for name in names}
    for name, (href, _) in PAGES.items():
        assert client.get(href).status_code == (200 if name in names else 403), name


def test_settings_typed_by_hand_opens_the_settings_page(signed_in, client):
    """/settings is where a person looks for Settings: it opens the page the header links
    to, not "Not found"."""
    response = client.get("/settings")
    assert response.status_code == 302 and response.headers["Location"] == "/settings/review"


def test_settings_signed_out_asks_to_sign_in(world, client):
    """Signed out, /settings goes to the sign-in form like every dashboard page."""
    response = client.get("/settings")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_after_a_score_key_setting_is_on_by_default_and_saves_for_you_only(signed_in, db, client):
    """ "After a score key, go to the next answer" starts ticked; unticking it and saving
    stores it on the signed-in user's own row (a teammate's stays on), says so, and the
    candidate page hands the setting to review.js."""
    ana = teammate(db, signed_in.user.organization, "ana@acme.test", role=Role.ADMIN)
    db.commit()
    page = parse(client.get("/settings/review").data)
    box = page.one("input", name="advance_after_score")
    assert "checked" in box.attrs
    assert "After a score key, go to the next answer" in page.text()
    candidate_url = f"/candidates/{signed_in.candidate.id}"
    toolbar = parse(client.get(candidate_url).data).one("div", cls="review-toolbar")
    assert toolbar.attrs["data-advance-after-score"] == "on"

    fields = {
        k: v
        for k, v in page.one("form", action="/settings/review").form_fields().items()
        if k != "advance_after_score"
    }
    response = client.post("/settings/review", data=fields, follow_redirects=True)
    assert "A score key stays on the answer it scored." in parse(response.data).text()
    db.expire_all()
    assert db.get(User, signed_in.user.id).advance_after_score is False
    assert db.get(User, ana.id).advance_after_score is True
    page = parse(client.get("/settings/review").data)
    assert "checked" not in page.one("input", name="advance_after_score").attrs
    toolbar = parse(client.get(candidate_url).data).one("div", cls="review-toolbar")
    assert toolbar.attrs["data-advance-after-score"] == "off"

    fields["advance_after_score"] = "1"
    client.post("/settings/review", data=fields)
    db.expire_all()
    assert db.get(User, signed_in.user.id).advance_after_score is True


def test_saving_review_settings_without_the_csrf_token_is_refused(signed_in, db, client):
    """A post without the form's CSRF token changes nothing."""
    response = client.post("/settings/review", data={})
    assert response.status_code == 400
    db.expire_all()
    assert db.get(User, signed_in.user.id).advance_after_score is True
