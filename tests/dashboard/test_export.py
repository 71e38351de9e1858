"""The interview's candidates CSV (streamed); one candidate's own copy is tested in
test_candidate_export.py."""

from __future__ import annotations

import csv
import io

from tests.factories import make_candidate, make_score


def test_csv_has_statuses_scores_decisions_and_transcripts(signed_in, db, client):
    """The CSV has a row per candidate with status, decision, mean score and answers."""
    signed_in.candidate.decision = "advance"
    make_score(db, signed_in.user, signed_in.candidate, 4)
    make_score(db, signed_in.user, signed_in.candidate, 5, answer=signed_in.transcribed)
    sneaky = make_candidate(db, signed_in.interview, name="=HYPERLINK(1)", phone=None)
    db.commit()
    response = client.get(f"/interviews/{signed_in.interview.id}/export.csv")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    by_id = {row["candidate_id"]: row for row in rows}
    dana = by_id[str(signed_in.candidate.id)]
    assert (dana["status"], dana["decision"], dana["mean_score"]) == (
        "completed",
        "advance",
        "4.50",
    )
    assert dana["q1_answer"] == "I drove a forklift for three years."
    assert dana["q1_score"] == "5.00"
    assert by_id[str(sneaky.id)]["name"] == "'=HYPERLINK(1)"


def test_csv_streams_in_batches(signed_in, db, client, monkeypatch):
    """Candidates are read a batch at a time, and every one is written."""
    monkeypatch.setattr("dashboard.export.BATCH", 2)
    for n in range(5):
        make_candidate(db, signed_in.interview, name=f"Batch {n}", phone=None)
    db.commit()
    body = client.get(f"/interviews/{signed_in.interview.id}/export.csv").get_data(as_text=True)
    assert len(list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))) == 6
