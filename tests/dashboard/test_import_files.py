"""The import page with the files a new user really has: each is read, or refused clearly."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from tests.dashboard.html import parse
from tests.voice.test_candidate_import import xlsx, zipped
from voice.models import Candidate


def token(client, url: str) -> str:
    """The page's CSRF token."""
    return parse(client.get(url).data).find("input", name="csrf_token").attrs["value"]


def upload(client, interview, data: bytes, filename: str, **form):
    """Post `data` as the import page's file (form fields as given); the response."""
    url = f"/interviews/{interview.id}/import"
    fields = {"csrf_token": token(client, url), "file": (io.BytesIO(data), filename), **form}
    return client.post(url, data=fields, content_type="multipart/form-data")


def counts(page) -> list[str]:
    """The report's counts ("2 added", ...)."""
    report = page.one("section", cls="import-report")
    return [li.text() for li in report.one("ul", cls="report-counts").find_all("li")]


def phones_of(db, interview) -> set[str]:
    """Every phone in the interview."""
    db.expire_all()
    return set(db.scalars(select(Candidate.phone).where(Candidate.interview_id == interview.id)))


NEW_USER_FILES = {
    "semicolon.csv": (
        "Name;Phone;E-mail\r\nJürgen Müller;5552010101;jm@example.com\r\n".encode("cp1252"),
        "CSV, CP1252, semicolon-separated",
        "+15552010101",
    ),
    "mac.csv": (
        b"name,phone\rMac User,5552010102\r",
        "CSV, UTF-8, comma-separated",
        "+15552010102",
    ),
    "list.xlsx": (
        xlsx([["Name", "Mobile"], ["Sheet Person", 5552010103]]),
        "Excel workbook, sheet Candidates",
        "+15552010103",
    ),
    "dot-zero.csv": (
        b"name,phone\nDot Zero,5552010104.0\n",
        "CSV, UTF-8, comma-separated",
        "+15552010104",
    ),
}


@pytest.mark.parametrize("filename", list(NEW_USER_FILES))
def test_a_new_users_files_give_the_right_candidates(signed_in, db, client, filename):
    """Semicolon CSV, Mac CSV, .xlsx and `.0` phones: each adds its candidate, digit for digit."""
    data, described, phone = NEW_USER_FILES[filename]
    response = upload(client, signed_in.interview, data, filename)
    assert response.status_code == 200
    page = parse(response.data)
    assert counts(page) == ["1 added", "0 merged duplicates", "0 rejected"]
    assert page.one("p", id="read-as").text() == (
        f"Read as {described}; numbers without a country code read as United States (US)."
    )
    assert phone in phones_of(db, signed_in.interview)


def test_the_country_chosen_reads_local_numbers(signed_in, db, client):
    """Choosing GB on the form reads 07700 900123 as a UK mobile."""
    data = b"name,phone\nAmy Adams,07700 900123\n"
    response = upload(client, signed_in.interview, data, "uk.csv", country="GB")
    assert response.status_code == 200
    assert "+447700900123" in phones_of(db, signed_in.interview)
    page = parse(response.data)
    options = page.one("select", id="country").find_all("option")
    assert [o.attrs["value"] for o in options if "selected" in o.attrs] == ["GB"]


def test_lost_digits_are_a_reason_per_row(signed_in, db, client):
    """A phone Excel showed as 5.55123E+09 is rejected with what to do; the rest import."""
    data = b"name,phone\nGood Row,5552010105\nLost Digits,5.55201E+09\n"
    page = parse(upload(client, signed_in.interview, data, "sci.csv").data)
    assert counts(page) == ["1 added", "0 merged duplicates", "1 rejected"]
    reason = page.one("td", data_label="Reason").text()
    assert "scientific notation" in reason and "format the phone column as Text" in reason


MALFORMED = {
    "empty.csv": b"",
    "blank.csv": b"\n\n  \n",
    "old.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,
    "doc.pdf": b"%PDF-1.4\n1 0 obj\n",
    "photo.csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "word.xlsx": zipped("word/document.xml", b"<w:document/>"),
    "broken.xlsx": b"PK\x03\x04\x14\x00\x00\x00garbage",
    "empty.xlsx": xlsx([]),
    "bad-bom.csv": b"\xef\xbb\xbfname,phone\n\xc3\x28\n",
    "utf16-bad.csv": b"\xff\xfe" + b"n\x00a\x00\x00\xd8",  # a lone surrogate
    "huge-field.csv": b'name,phone\n"' + b"x" * 200_000 + b'",5552010001\n',
    "unclosed-quote.csv": b'name,phone\n"Ana,5552010001\nBo,5552010002\n',
    "only-header.csv": b"name,phone\n",
    "nul-bytes.csv": b"name,phone\n\x00\x00\x00\n",
    "control.csv": b"name,phone\n\x01\x02\x03,555\n",
    "one-cell.csv": b"x",
    "long-row.csv": b"name,phone," + b",".join([b"c"] * 5000) + b"\nAna,5552010001\n",
    "bad-country.csv": b"name,phone\nAna,5552010001\n",
}


@pytest.mark.parametrize("filename", list(MALFORMED))
def test_no_malformed_file_is_a_server_error(signed_in, client, filename):
    """Every malformed file gets a page with a clear message or a per-row report, never a 500."""
    form = {"country": "ZZ"} if filename == "bad-country.csv" else {}
    response = upload(client, signed_in.interview, MALFORMED[filename], filename, **form)
    assert response.status_code in (200, 422)
    page = parse(response.data)
    if response.status_code == 422:
        assert page.one("p", cls="alert").text()
    else:
        assert counts(page)  # a report, row by row
