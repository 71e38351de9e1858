"""The builder's title per language: a field beside the other translated texts."""

from __future__ import annotations

from tests.dashboard.html import parse
from voice.models import Interview, Question


def token(client, url: str) -> str:
    """The form's CSRF token."""
    return parse(client.get(url).data).find("input", name="csrf_token").attrs["value"]


def test_the_title_has_a_translation_field_per_language(signed_in, db, client):
    """The builder takes a Spanish title beside the other Spanish texts; callers in Spanish
    are welcomed with it (Interview.text), and the edit form shows it again."""
    interview = signed_in.interview
    url = f"/interviews/{interview.id}/edit"
    first, second = interview.questions
    data = {
        "csrf_token": token(client, url),
        "action": "save",
        "title": "Warehouse associate",
        "phone_number": interview.phone_number,
        "languages": "en-US, es-MX",
        "retakes": "0",
        "tr-es-MX-title": "Auxiliar de almacén",
        **{f"q-{n}-{k}": v for n, q in enumerate((first, second)) for k, v in question_form(q)},
    }
    assert client.post(url, data=data).status_code == 302
    db.expire_all()
    saved = db.get(Interview, interview.id)
    assert saved.title == "Warehouse associate"
    assert saved.text("title", "es-MX") == "Auxiliar de almacén"
    field = parse(client.get(url).data).one("input", id="tr-es-MX-title")
    assert field.attrs["value"] == "Auxiliar de almacén"


def question_form(q: Question) -> list[tuple[str, str]]:
    """A saved voice question's form fields, by name within its row."""
    return [("id", str(q.id)), ("kind", "voice"), ("prompt", q.prompt), ("max_seconds", "60")]
