"""/settings/phones: the organisation's default country for numbers without a country code."""

from __future__ import annotations

from sqlalchemy import select

from tests.dashboard.conftest import flashes, submit
from tests.dashboard.html import parse
from tests.factories import make_user
from voice.models import AuditEvent, Organization, Role


def test_an_admin_sets_the_country_and_imports_follow_it(signed_in, db, client):
    """Saving GB is recorded in the audit trail, and the import page then reads UK numbers."""
    page = parse(client.get("/settings/phones").data)
    response = submit(client, page, "/settings/phones", country="GB")
    assert response.status_code == 302
    page = parse(client.get("/settings/phones").data)
    assert "now read as United Kingdom (GB)." in " ".join(flashes(page))
    db.expire_all()
    assert db.get(Organization, signed_in.user.organization_id).default_country == "GB"
    (event,) = db.scalars(select(AuditEvent).where(AuditEvent.action == "country_changed"))
    assert event.detail == {"default_country": "GB"}
    url = f"/interviews/{signed_in.interview.id}/import"
    form = parse(client.get(url).data).one("select", id="country").find_all("option")
    assert [o.attrs["value"] for o in form if "selected" in o.attrs] == ["GB"]


def test_the_page_names_every_way_a_candidate_is_added(signed_in, client):
    """The country applies to imports, the dashboard's Add a candidate form, the command
    line and the API, and the page says so."""
    text = parse(client.get("/settings/phones").data).one("main").text()
    assert (
        "in imported lists, and when a candidate is added on the dashboard's Add a candidate "
        "form, from the command line or through the API." in " ".join(text.split())
    )


def test_both_country_pickers_name_countries_sorted_by_name(signed_in, client):
    """The pickers show "Ascension Island (+247)", not "AC (+247)", in name order."""
    for url in ("/settings/phones", f"/interviews/{signed_in.interview.id}/import"):
        options = parse(client.get(url).data).one("select", id="country").find_all("option")
        shown = {o.attrs["value"]: o.text() for o in options}
        assert shown["AC"] == "Ascension Island (+247)"
        assert shown["GB"] == "United Kingdom (+44)"
        assert shown["US"] == "United States (+1)"
        assert all(not text.startswith(code) for code, text in shown.items() if len(text) > 2)
        names = [o.text().rsplit(" (+", 1)[0] for o in options]
        assert names.index("Afghanistan") == 0
        assert names.index("Åland Islands") < names.index("Albania")  # filed with the As
        assert names.index("Zimbabwe") == len(names) - 1


def test_an_unknown_country_is_explained(signed_in, db, client):
    """A country libphonenumber does not know is a 422 with the field's error."""
    page = parse(client.get("/settings/phones").data)
    response = submit(client, page, "/settings/phones", country="ZZ")
    assert response.status_code == 422
    error = parse(response.data).one("p", id="country-error").text()
    assert error == "'ZZ' is not a country code such as US or GB"
    db.expire_all()
    assert db.get(Organization, signed_in.user.organization_id).default_country == "US"


def test_only_admins_change_it(signed_in, db, client, auth):
    """A recruiter gets 403 for the page and the form."""
    make_user(db, signed_in.user.organization, email="rec@acme.test", role=Role.RECRUITER)
    db.commit()
    auth.logout()
    auth.login("rec@acme.test")
    assert client.get("/settings/phones").status_code == 403
    assert client.post("/settings/phones", data={"country": "GB"}).status_code in (400, 403)
