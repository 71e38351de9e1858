"""Decision texts in the candidate's language: built-in Spanish and English texts, custom
texts per language on Settings -> Decision messages, the decision form's hint, and the
bulk action texting each candidate in their own language."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.dashboard.conftest import flashes, submit
from tests.dashboard.html import parse
from tests.dashboard.review_support import csrf_token
from tests.factories import make_candidate, make_interview
from voice.messages import DEFAULT_DECISION_TEXTS
from voice.models import Candidate, CandidateStatus, Message, MessageTemplate

SETTINGS = "/settings/messages"
TITLES = {"en-US": "Warehouse associate", "es-MX": "Auxiliar de almacén"}


@pytest.fixture
def bilingual(signed_in, db):
    """A two-language interview of the signed-in manager's organisation, with Sam (who
    took it in Spanish) and Eve (who took it in English), both finished."""
    interview = make_interview(
        db,
        signed_in.user.organization,
        phone_number="+15550100301",
        title=TITLES,
        languages=["en-US", "es-MX"],
    )
    sam = make_candidate(db, interview, name="Sam Okafor", phone="+15557650011")
    eve = make_candidate(db, interview, name="Eve Stone", phone="+15557650012")
    for candidate, language in ((sam, "es-MX"), (eve, "en-US")):
        candidate.language = language
        candidate.status = CandidateStatus.COMPLETED
    db.commit()
    return interview, sam, eve


def decide(client, candidate: Candidate, decision: str, feedback: str = "") -> None:
    response = client.post(
        f"/candidates/{candidate.id}/decision",
        data={
            "csrf_token": csrf_token(client),
            "decision": decision,
            "notify": "1",
            "feedback": feedback,
        },
    )
    assert response.status_code == 302


def texted(db, candidate: Candidate) -> list[str]:
    db.expire_all()
    return db.scalars(
        select(Message.body).where(Message.candidate_id == candidate.id).order_by(Message.id)
    ).all()


def test_a_spanish_candidate_gets_the_spanish_texts_by_default(bilingual, db, client):
    """Advance and reject texts to a candidate who took the interview in Spanish are the
    built-in Spanish texts, with the Spanish title; the feedback goes as typed."""
    _, sam, _ = bilingual
    decide(client, sam, "advance", feedback="Please come in for a shift trial on Monday.")
    decide(client, sam, "reject")
    advance, reject = texted(db, sam)
    assert advance == (
        "Hola Sam, buenas noticias de Acme Warehousing: queremos avanzar con su candidatura "
        "para Auxiliar de almacén. Nos comunicaremos pronto para programar el siguiente "
        "paso. Please come in for a shift trial on Monday."
    )
    assert reject.startswith("Hola Sam, gracias por su entrevista para Auxiliar de almacén")
    assert "Hi " not in advance + reject


def test_an_english_candidate_is_unchanged(bilingual, db, client):
    """A candidate who took the interview in English gets the English text, as before."""
    _, _, eve = bilingual
    decide(client, eve, "advance")
    [body] = texted(db, eve)
    assert body == DEFAULT_DECISION_TEXTS["en"]["advance"].format(
        first_name="Eve", company="Acme Warehousing", title="Warehouse associate", feedback=""
    )


def test_the_decision_form_names_the_language_and_the_note_goes_as_typed(bilingual, client):
    """The hint by the feedback box says which language the text goes in, and that the
    manager's note is not translated."""
    _, sam, eve = bilingual
    page = parse(client.get(f"/candidates/{sam.id}").data)
    hint = page.one("p", id="feedback-hint")
    assert hint.text() == (
        "Sam took the interview in Spanish: the text goes in Spanish; "
        "your note is sent as you write it."
    )
    assert page.one("textarea", id="feedback").attrs["aria-describedby"] == "feedback-hint"
    page = parse(client.get(f"/candidates/{eve.id}").data)
    assert (
        page.one("p", id="feedback-hint")
        .text()
        .startswith("Eve took the interview in English: the text goes in English;")
    )


def test_before_a_call_the_form_names_the_interviews_language(signed_in, client):
    """A candidate whose calls chose no language yet is texted in the interview's language,
    and the form says so without claiming anything about their call."""
    page = parse(client.get(f"/candidates/{signed_in.candidate.id}").data)
    assert page.one("p", id="feedback-hint").text() == (
        "The text to Dana goes in English, the interview's language; "
        "your note is sent as you write it."
    )


def test_a_language_without_texts_is_texted_in_english_and_the_form_says_why(signed_in, db, client):
    """A candidate who took the interview in French gets English (there are no French
    texts), and the form says so."""
    interview = make_interview(
        db, signed_in.user.organization, phone_number="+15550100302", languages=["en-US", "fr-FR"]
    )
    luc = make_candidate(db, interview, name="Luc Martin", phone="+15557650013")
    luc.language = "fr-FR"
    db.commit()
    hint = parse(client.get(f"/candidates/{luc.id}").data).one("p", id="feedback-hint")
    assert hint.text() == (
        "Luc took the interview in French: the text goes in English (texts are written in "
        "English and Spanish only); your note is sent as you write it."
    )
    decide(client, luc, "hold")
    [body] = texted(db, luc)
    assert body.startswith("Hi Luc, thanks for interviewing for Warehouse associate.")


def test_a_custom_spanish_text_is_used_and_stays_spanish(bilingual, db, client):
    """A Spanish text saved on the settings page goes to Spanish candidates only; the
    English text stays the default, and a Spanish text left empty is the Spanish default,
    never the English custom one."""
    _, sam, eve = bilingual
    page = parse(client.get(SETTINGS).data)
    assert [f.one("legend").text() for f in page.find_all("fieldset")] == [
        "English",
        "Spanish",
    ]
    assert "Sent to candidates who take your interviews in Spanish" in page.text()
    response = submit(
        client,
        page,
        SETTINGS,
        **{
            "advance-es": "¡Hola {first_name}! Reserve su turno de prueba en acme.test.{feedback}",
            "reject-en": "Hi {first_name}, we went with others for {title}.{feedback}",
            "reject-es": "",
        },
    )
    assert response.status_code == 302
    rows = db.scalars(select(MessageTemplate).order_by(MessageTemplate.id)).all()
    assert {(r.kind, r.language) for r in rows} == {
        ("decision:advance", "es"),
        ("decision:reject", "en"),
    }
    decide(client, sam, "advance", feedback="Nos vemos.")
    decide(client, eve, "advance")
    decide(client, sam, "reject")
    assert texted(db, sam) == [
        "¡Hola Sam! Reserve su turno de prueba en acme.test. Nos vemos.",
        DEFAULT_DECISION_TEXTS["es"]["reject"].format(
            first_name="Sam", company="Acme Warehousing", title="Auxiliar de almacén", feedback=""
        ),
    ]
    assert texted(db, eve)[0].startswith("Hi Eve, good news from Acme Warehousing")
    page = parse(client.get(SETTINGS).data)
    assert page.one("textarea", id="tpl-advance-es").text().startswith("¡Hola {first_name}!")
    assert page.one("textarea", id="tpl-advance-en").text().startswith("Hi {first_name}, good")


def test_a_bad_placeholder_in_one_language_names_it_and_saves_nothing(bilingual, db, client):
    """A Spanish text with an unknown placeholder refuses the whole form (422), saying it
    is the Spanish text; the good English change is not saved either."""
    page = parse(client.get(SETTINGS).data)
    response = submit(
        client,
        page,
        SETTINGS,
        **{
            "advance-en": "Hi {first_name}, see you soon.{feedback}",
            "advance-es": "Hola {nombre}, nos vemos pronto.",
        },
    )
    assert response.status_code == 422
    page = parse(response.data)
    error = page.one("p", id="tpl-advance-es-error")
    assert error.text() == "Spanish text: Unknown placeholder: {nombre}."
    assert page.one("textarea", id="tpl-advance-es").attrs["aria-invalid"] == "true"
    assert page.one("textarea", id="tpl-advance-es").text() == "Hola {nombre}, nos vemos pronto."
    assert page.find("p", id="tpl-advance-en-error") is None
    assert flashes(page) == [
        "Nothing was saved: fix the messages marked below (Advance in Spanish)."
    ]
    db.expire_all()
    assert db.scalars(select(MessageTemplate)).all() == []


def test_bulk_decisions_text_each_candidate_in_their_language(bilingual, db, client):
    """One bulk reject texts Sam in Spanish and Eve in English."""
    interview, sam, eve = bilingual
    page = parse(client.get(f"/interviews/{interview.id}").data)
    assert page.one("span", id="bulk-notify-hint").text() == (
        "(each in the language they took the interview in)"
    )
    response = client.post(
        f"/interviews/{interview.id}/decisions",
        data={
            "csrf_token": csrf_token(client),
            "candidate_ids": [sam.id, eve.id],
            "decision": "reject",
            "notify": "1",
        },
        follow_redirects=True,
    )
    assert "2 texts queued to send." in flashes(parse(response.data))
    [to_sam] = texted(db, sam)
    [to_eve] = texted(db, eve)
    assert to_sam.startswith("Hola Sam, gracias por su entrevista para Auxiliar de almacén")
    assert to_eve.startswith("Hi Eve, thank you for interviewing for Warehouse associate")
