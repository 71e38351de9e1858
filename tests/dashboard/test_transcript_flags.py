"""Transcripts the machine was unsure of: the flag on the candidate page, the review queue,
search results and exports, and the filters that find them."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from click.testing import CliRunner

from dashboard.cli import main
from tests.dashboard.conftest import add_answer, submit
from tests.dashboard.html import parse
from tests.factories import make_candidate
from tests.support import env_for
from voice import erasure
from voice.models import AnswerStatus, CandidateStatus, Score
from voice.reliability import WARNING as UNSURE

WARNING = "Transcript may be unreliable: listen to the audio (answered in Spanish)"


@pytest.fixture
def flagged(signed_in, db):
    """A second completed candidate whose Spanish answer to an English interview is flagged."""
    candidate = make_candidate(db, signed_in.interview, name="Lucía López", phone=None)
    candidate.status = CandidateStatus.COMPLETED
    answer = add_answer(
        db,
        candidate,
        1,
        status=AnswerStatus.TRANSCRIBED,
        recording_sid="RE" + "7" * 32,
        transcript="Trabajé tres años en un almacén manejando montacargas.",
        segments=[{"start": 0.0, "end": 4.0, "text": "Trabajé tres años en un almacén"}],
        transcript_language="es",
        detected_language="es",
        detected_language_probability=0.93,
        transcript_flags=["language"],
        transcript_flagged=True,
    )
    signed_in.transcribed.transcript_language = "en"
    db.commit()
    return answer


def test_candidate_page_shows_the_flag_before_the_transcript(signed_in, flagged, client):
    """The flagged answer says the transcript may be unreliable and why; the text keeps its lang."""
    page = parse(client.get(f"/candidates/{flagged.candidate_id}").data)
    card = page.one("li", id=f"answer-{flagged.id}")
    assert card.one("p", cls="transcript-flag").text() == WARNING
    assert card.one("section", cls="transcript").attrs["lang"] == "es"
    clean = parse(client.get(f"/candidates/{signed_in.candidate.id}").data)
    assert clean.find("p", cls="transcript-flag") is None


def test_review_queue_lists_transcripts_to_check(signed_in, flagged, client):
    """The review queue lists the flagged answer with its candidate, question and reasons."""
    page = parse(client.get("/review").data)
    [item] = page.one("section", id="flagged").find_all("li")
    assert item.attrs["data-answer-id"] == str(flagged.id)
    assert item.one("a").text() == "Lucía López"
    assert item.one("span", cls="transcript-flag").text() == WARNING


def test_a_score_does_not_check_a_transcript_but_a_decision_leaves_the_list(
    signed_in, flagged, db, client
):
    """Flagged means "still to check" on every page: scoring the answer (anyone's score, or
    an overall score) leaves it listed, as the interview page's count, its filter and
    search still show it (a trial saw the queue leave it out while they counted it); only
    "Mark transcript checked" or a correction clears it. A decided candidate needs no more
    review, so their transcripts leave the queue."""

    def listed() -> list[str]:
        page = parse(client.get("/review").data)
        return [
            li.attrs["data-answer-id"] for li in page.one("section", id="flagged").find_all("li")
        ]

    assert listed() == [str(flagged.id)]
    db.add(
        Score(
            answer_id=flagged.id,
            candidate_id=flagged.candidate_id,
            reviewer_id=signed_in.user.id,
            value=4,
        )
    )
    overall = Score(candidate_id=flagged.candidate_id, reviewer_id=signed_in.user.id, value=3)
    db.add(overall)
    db.commit()
    assert listed() == [str(flagged.id)]
    row = parse(client.get(f"/interviews/{signed_in.interview.id}?flagged=1").data).one(
        "tr", data_candidate_id=str(flagged.candidate_id)
    )
    assert "1 transcript to check" in row.text()
    db.delete(overall)
    flagged.candidate.decision = "hold"
    db.commit()
    assert listed() == []


def test_candidate_list_shows_and_filters_by_the_flag(signed_in, flagged, client):
    """The interview's list marks the candidate with a transcript to check; flagged=1 filters."""
    url = f"/interviews/{signed_in.interview.id}"
    rows = {
        r.attrs["data-candidate-id"]: r.text()
        for r in parse(client.get(url).data).find_all("tr")
        if "data-candidate-id" in r.attrs
    }
    assert "1 transcript to check" in rows[str(flagged.candidate_id)]
    assert "to check" not in rows[str(signed_in.candidate.id)]
    page = parse(client.get(url + "?flagged=1").data)
    assert "checked" in page.one("input", id="f-flagged").attrs
    shown = [
        r.attrs["data-candidate-id"] for r in page.find_all("tr") if "data-candidate-id" in r.attrs
    ]
    assert shown == [str(flagged.candidate_id)]


def test_search_shows_the_flag_and_filters_by_it(signed_in, flagged, db, client):
    """Search results carry the flag; 'only unreliable' keeps just the flagged transcripts."""
    signed_in.transcribed.transcript = "Trabajé con un montacargas y también años en bodega."
    db.commit()
    hits = parse(client.get("/search?q=montacargas").data).find_all("li", cls="search-hit")
    assert len(hits) == 2
    flags = {h.attrs["data-answer-id"]: h.find("p", cls="transcript-flag") for h in hits}
    assert flags[str(flagged.id)].text() == WARNING
    assert flags[str(signed_in.transcribed.id)] is None
    only = parse(client.get("/search?q=montacargas&flagged=1").data)
    assert [h.attrs["data-answer-id"] for h in only.find_all("li", cls="search-hit")] == [
        str(flagged.id)
    ]


def test_search_with_the_flag_alone_lists_the_transcripts_to_check(signed_in, flagged, client):
    """What the review queue points to: "Only transcripts that may be unreliable" and no
    words lists the flagged transcript (not the clean one), with its flag and opening."""
    page = parse(client.get("/search?q=&flagged=1").data)
    assert page.one(id="results-title").text() == "Transcripts that may be unreliable"
    [hit] = page.find_all("li", cls="search-hit")
    assert hit.attrs["data-answer-id"] == str(flagged.id)
    assert hit.one("p", cls="transcript-flag").text() == WARNING
    assert hit.one("p", cls="search-snippet").text() == flagged.transcript
    assert hit.one("a").attrs["href"] == (
        f"/candidates/{flagged.candidate_id}#t=0.00&answer={flagged.id}"
    )
    queue = parse(client.get("/review").data).one("section", id="flagged")
    assert queue.one("a", id="search-flagged-link").attrs["href"] == "/search?flagged=1"


def test_no_flagged_hit_says_so_and_links_to_the_unfiltered_search(signed_in, flagged, db, client):
    """Words found only in transcripts already checked: the heading says none that may be
    unreliable mentions them (not that none does), and links to the search without the flag."""
    flagged.transcript_flagged = False  # a reviewer checked it
    db.commit()
    page = parse(client.get("/search?q=trabajé&flagged=1").data)
    assert page.one(id="results-title").text() == (
        "No transcript that may be unreliable mentions “trabajé”"
    )
    link = page.one("a", id="search-without-flag")
    assert link.text() == "Search all transcripts for “trabajé”"
    unfiltered = parse(client.get(link.attrs["href"]).data)
    hits = unfiltered.find_all("li", cls="search-hit")
    assert [h.attrs["data-answer-id"] for h in hits] == [str(flagged.id)]
    nothing = parse(client.get("/search?q=zanahoria").data)
    assert nothing.one(id="results-title").text() == "No transcripts mention “zanahoria”"


@pytest.mark.parametrize(
    ("query", "sentence"),
    [
        (
            "flagged=banana",
            "“banana” is not a value for “Only transcripts that may be unreliable” "
            "(use flagged=1, or leave it out).",
        ),
        ("flagged=true", None),
        ("interview_id=abc", "“abc” is not an interview's number."),
    ],
)
def test_a_search_filter_the_page_does_not_take_is_422_and_named(
    signed_in, flagged, client, query, sentence
):
    """?flagged= takes 1 (or nothing), as the checkbox sends it; anything else, like an
    interview that is no number, is named (422) and left out of the search."""
    response = client.get(f"/search?q=a%C3%B1os&{query}")
    assert response.status_code == 422
    page = parse(response.data)
    errors = [p.text() for p in page.find_all("p", cls="filter-error")]
    if sentence:
        assert errors == [sentence]
    assert len(errors) == 1
    assert [h.attrs["data-answer-id"] for h in page.find_all("li", cls="search-hit")] == [
        str(flagged.id)
    ]
    assert client.get("/search?q=a%C3%B1os&flagged=").status_code == 200


def test_csv_and_the_candidates_copy_carry_the_flag(signed_in, flagged, client):
    """The CSV has each answer's transcript language and flag; the candidate's own copy
    has it in transcripts.txt and candidate.json."""
    response = client.get(f"/interviews/{signed_in.interview.id}/export.csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    by_name = {row["name"]: row for row in rows}
    assert by_name["Lucía López"]["q1_transcript_language"] == "es"
    assert by_name["Lucía López"]["q1_transcript_flag"] == WARNING
    assert by_name["Dana Diaz"]["q1_transcript_flag"] == ""
    page = parse(client.get(f"/candidates/{flagged.candidate_id}").data)
    archive = submit(client, page, f"/candidates/{flagged.candidate_id}/export")
    with zipfile.ZipFile(io.BytesIO(archive.data)) as z:
        text = z.read("transcripts.txt").decode()
        [answer] = json.loads(z.read("candidate.json"))["answers"]
    assert f"    ({UNSURE}: answered in Spanish)\n    [00:00.0-00:04.0] Trabajé tres años" in text
    assert answer["transcript_flags"] == ["answered in Spanish"]


def test_an_erased_answer_is_not_a_transcript_to_check(signed_in, flagged, db, client):
    """Once a candidate's answer is erased, its old flag no longer lists or counts it."""
    flagged.status = AnswerStatus.ERASED
    db.commit()
    assert parse(client.get("/review").data).one("section", id="flagged").find_all("li") == []
    page = parse(client.get(f"/interviews/{signed_in.interview.id}?flagged=1").data)
    assert [r for r in page.find_all("tr") if "data-candidate-id" in r.attrs] == []


def test_results_drop_the_flag_of_an_erased_answer(signed_in, flagged, db, settings):
    """`screenline results` flags the Spanish answer; once its candidate is erased the
    answer has no transcript, so neither the text nor --json carries the flag."""
    env = {k: v for k, v in env_for(settings).items() if k.startswith(("SCREENLINE_", "TWILIO_"))}
    interview_id = str(signed_in.interview.id)

    def results(*extra: str) -> str:
        result = CliRunner().invoke(main, ["results", interview_id, *extra], env=env)
        assert result.exit_code == 0, result.output
        return result.output

    assert f"[{UNSURE}: answered in Spanish]" in results()
    erasure.erase_candidate(db, flagged.candidate)
    db.commit()
    assert UNSURE not in results()
    data = json.loads(results("--json"))
    [erased] = [c for c in data["candidates"] if c["id"] == flagged.candidate.id]
    [answer] = erased["answers"]
    assert answer["status"] == AnswerStatus.ERASED
    assert answer["flags"] == [] and answer["flag_reasons"] == []
