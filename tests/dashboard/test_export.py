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


def test_csv_writes_e164_phones_bare_and_guards_everything_else(signed_in, db, client):
    """An E.164 phone is written as it is (not a formula); other cells starting with + or
    - keep the apostrophe; Screenline's own import reads the file back, merging by phone."""
    from dashboard.export import cell
    from voice.candidate_import import import_file

    plus = make_candidate(db, signed_in.interview, name="+1 555 CALL ME", phone="+447700900123")
    db.commit()
    response = client.get(f"/interviews/{signed_in.interview.id}/export.csv")
    data = response.get_data(as_text=True)
    rows = {row["candidate_id"]: row for row in csv.DictReader(io.StringIO(data.lstrip("\ufeff")))}
    assert rows[str(signed_in.candidate.id)]["phone"] == "+15557654321"
    assert rows[str(plus.id)]["phone"] == "+447700900123"
    assert rows[str(plus.id)]["name"] == "'+1 555 CALL ME"
    assert [cell(v) for v in ("+15557650000", "+1", "+0123456", "+1234567890123456")] == [
        "+15557650000",
        "'+1",
        "'+0123456",
        "'+1234567890123456",
    ]
    assert [cell(v) for v in ("+15557650000\n", "+1555=1+1", "-1", "=1+1")] == [
        "'+15557650000\n",
        "'+1555=1+1",
        "'-1",
        "'=1+1",
    ]
    guarded = data.replace(",+15557654321,", ",'+15557654321,")  # an older export's form
    assert guarded != data
    for exported in (data, guarded):
        report = import_file(db, signed_in.interview, exported.encode())
        assert report.added == [] and len(report.merged) == 2, report.rejected
