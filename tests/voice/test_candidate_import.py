"""Candidate lists as spreadsheets really export them: files written here, read by the importer."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from tests.factories import make_interview, make_org
from voice.candidate_import import TableError, excel_number, import_file
from voice.candidates import NEEDS_NAME
from voice.phones import PhoneError
from voice.tables import decode, detect_delimiter, read_table


@pytest.fixture
def interview(db):
    """An interview of an organisation in the US (the default country)."""
    interview = make_interview(db, make_org(db))
    db.commit()
    return interview


def added(report) -> list[tuple[str, str]]:
    """(name, phone) of each candidate added, in file order."""
    return [(c.name, c.phone) for c in report.added]


def rejected(report) -> list[tuple[int, str]]:
    """(row, reason) of each rejected row."""
    return [(r.row, r.why) for r in report.rejected]


def xlsx(rows: list[list[object]], title: str = "Candidates") -> bytes:
    """An Excel workbook with one sheet holding `rows`, cell types as given."""
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- the instances


def test_a_semicolon_separated_file_from_european_excel(db, interview):
    """The issue's instance: `;` separated rows are read, not rejected as "No phone number"."""
    data = (
        "Name;Phone;E-mail\r\nJürgen Müller;5552010001;jm@example.com\r\nAna Díaz;5552010002;\r\n"
    )
    report = import_file(db, interview, data.encode("cp1252"))
    assert added(report) == [("Jürgen Müller", "+15552010001"), ("Ana Díaz", "+15552010002")]
    assert report.rejected == [] and report.described == "CSV, CP1252, semicolon-separated"
    assert report.added[0].email == "jm@example.com"


def test_a_file_with_classic_mac_line_ends(db, interview):
    """The issue's instance: CR-only line ends (once an HTTP 500) read as rows."""
    data = b"name,phone\rAna Alvarez,5552010001\rBen Brown,5552010002\r"
    report = import_file(db, interview, data)
    assert added(report) == [("Ana Alvarez", "+15552010001"), ("Ben Brown", "+15552010002")]


def test_excel_dot_zero_keeps_the_exact_digits(db, interview):
    """The issue's instance: `5551230003.0` is +15551230003, not +155512300030."""
    report = import_file(db, interview, b"name,phone\nCy Cole,5551230003.0\n")
    assert added(report) == [("Cy Cole", "+15551230003")]


# ---------------------------------------------------------------- encodings and line ends


@pytest.mark.parametrize(
    ("encoding", "described"),
    [
        ("utf-8", "UTF-8"),
        ("utf-8-sig", "UTF-8"),  # Excel's "CSV UTF-8" writes a byte order mark
        ("utf-16", "UTF-16"),  # Excel's "Unicode text": UTF-16 with a mark, tab-separated
        ("utf-16-le", "UTF-16-LE"),  # the same without a mark
        ("utf-32", "UTF-32"),
        ("cp1252", "CP1252"),  # Excel's plain "CSV" on Western Windows
    ],
)
def test_every_usual_encoding_reads_the_same_names(db, interview, encoding, described):
    """UTF-8 with or without BOM, UTF-16 and UTF-32 with BOM, Windows-1252: same candidates."""
    text = "Name\tPhone\r\nZoë Ångström\t5552010001\r\nRenée Façade\t5552010002\r\n"
    report = import_file(db, interview, text.encode(encoding))
    assert added(report) == [("Zoë Ångström", "+15552010001"), ("Renée Façade", "+15552010002")]
    assert report.described == f"CSV, {described}, tab-separated"


def test_a_mixed_up_encoding_is_still_read_by_its_best_guess():
    """Bytes that are neither UTF-8 nor Windows-1252 (here Cyrillic cp1251 with 0x98) decode."""
    cyrillic = "\u0418\u0432\u0430\u043d;5552010001\n"  # Ivan, in Cyrillic letters
    text, encoding = decode(cyrillic.encode("cp1251") + b"\x98\n")
    assert "5552010001" in text and encoding


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
def test_line_ends_of_every_system(db, interview, newline):
    """Windows, Unix and classic Mac line ends give the same rows, quoted fields included."""
    data = newline.join(["name,phone,email", '"Diaz, Dana",5552010001,d@example.com', ""])
    assert added(import_file(db, interview, data.encode())) == [("Diaz, Dana", "+15552010001")]


# ---------------------------------------------------------------- delimiters


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("name,phone\nAna,555\n", ","),
        ("name;phone\nAna;555\n", ";"),
        ("name\tphone\nAna\t555\n", "\t"),
        ("name|phone\nAna|555\n", "|"),
        ('name;phone\n"Diaz, Ana";555\nBo, Jr;556\n', ";"),  # commas inside names
        ('name,phone\n"Ana; Bo",555\n', ","),
        ("just one column\nAna\n", ","),
    ],
)
def test_the_delimiter_is_found_from_the_rows(text, delimiter):
    """The delimiter that splits the header like most rows wins; commas in names don't fool it."""
    assert detect_delimiter(text) == delimiter


def test_excels_sep_line_names_the_delimiter(db, interview):
    """A first line `sep=;` (written by Excel) chooses the delimiter and is not a row."""
    report = import_file(db, interview, b"sep=;\nname;phone\nAna Alvarez;5552010001\n")
    assert added(report) == [("Ana Alvarez", "+15552010001")]


# ---------------------------------------------------------------- headers


def test_usual_header_names_and_first_and_last_names(db, interview):
    """Mobile, Cell, First Name and Last Name, E-mail, Candidate ID: all understood."""
    data = (
        b"Report: applicants\n\n"  # a title row above the header is skipped
        b"First Name,Last Name,Mobile Number,E-Mail Address,Candidate ID\n"
        b"Ana,Alvarez,555 201 0001,ana@example.com,A-1\n"
    )
    report = import_file(db, interview, data)
    (candidate,) = report.added
    assert (candidate.name, candidate.phone, candidate.email, candidate.external_id) == (
        "Ana Alvarez",
        "+15552010001",
        "ana@example.com",
        "A-1",
    )


@pytest.mark.parametrize("header", ["phone", "mobile", "cell", "phone number", "Cell Phone", "TEL"])
def test_each_phone_header(db, interview, header):
    """Every usual name for the phone column is the phone column."""
    data = f"name,{header}\nAna Alvarez,5552010001\n".encode()
    assert added(import_file(db, interview, data)) == [("Ana Alvarez", "+15552010001")]


def test_a_second_phone_column_fills_in_when_the_first_is_empty(db, interview):
    """With Phone and Mobile, the first filled in is used."""
    data = b"name,phone,mobile\nAna Alvarez,,5552010001\nBen Brown,5552010002,5552010099\n"
    assert added(import_file(db, interview, data)) == [
        ("Ana Alvarez", "+15552010001"),
        ("Ben Brown", "+15552010002"),
    ]


# ---------------------------------------------------------------- Excel's numbers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("5551230003.0", "5551230003"),
        ("15551230003.00", "15551230003"),
        ("+15551230003.0", "+15551230003"),
        ("5551230003,0", "5551230003"),  # a decimal comma
        ("5.551230003E+09", "5551230003"),  # every digit written
        ("5,551230003E+09", "5551230003"),
        ("1.5551230003e10", "15551230003"),
        ("(555) 123-0003", "(555) 123-0003"),  # not an Excel rendering: as it is
        ("555.123.0003", "555.123.0003"),
    ],
)
def test_excels_renderings_become_the_exact_digits(raw, expected):
    """`.0` and full scientific notation give back the digits, no more and no fewer."""
    assert excel_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("5.55123E+09", "4 of its digits are lost"),
        ("1.55512E+10", "5 of its digits are lost"),
        ("5.5512300035E+09", "it is a decimal number"),
    ],
)
def test_scientific_notation_that_lost_digits_is_refused(raw, why):
    """Digits Excel dropped are never guessed: the row is refused saying so."""
    with pytest.raises(PhoneError) as raised:
        excel_number(raw)
    assert why in raised.value.why


def test_rows_with_excel_numbers_are_kept_or_refused_with_a_reason(db, interview):
    """In a file: the exact renderings are added, the lossy one is a rejected row."""
    data = b"name,phone\nAna,5551230003.0\nBen,5.551230004E+09\nCy,5.55123E+09\n"
    report = import_file(db, interview, data)
    assert added(report) == [("Ana", "+15551230003"), ("Ben", "+15551230004")]
    ((row, why),) = rejected(report)
    assert row == 4 and why.startswith("“5.55123E+09” is not a phone number we can call")
    assert "4 of its digits are lost" in why


# ---------------------------------------------------------------- workbooks


def test_an_xlsx_with_number_and_text_cells(db, interview):
    """Phones typed as numbers (int or float cells) and as text all keep their digits."""
    data = xlsx(
        [
            ["Name", "Phone", "Email"],
            ["Ana Alvarez", 5552010001, "ana@example.com"],
            ["Ben Brown", 5552010002.0, None],
            ["Cy Cole", "(555) 201-0003", None],
            [None, None, None],
            ["Dee Dunn", 15552010004, None],
        ]
    )
    report = import_file(db, interview, data)
    assert added(report) == [
        ("Ana Alvarez", "+15552010001"),
        ("Ben Brown", "+15552010002"),
        ("Cy Cole", "+15552010003"),
        ("Dee Dunn", "+15552010004"),
    ]
    assert report.described == "Excel workbook, sheet Candidates"


def test_an_xlsx_row_with_a_bad_number_is_reported_by_its_sheet_row(db, interview):
    """Row numbers are the spreadsheet's own (the header is row 1)."""
    data = xlsx([["Name", "Phone"], ["Ana", 5552010001], ["Bo", 12], ["", 5552010003]])
    report = import_file(db, interview, data)
    assert rejected(report) == [
        (3, "“12” is not a phone number we can call (it is too short for a +1 number)."),
        (4, NEEDS_NAME),
    ]


def test_local_numbers_of_another_country_follow_the_organisations_country(db, interview):
    """With GB as the default country, UK numbers written the UK way are UK numbers."""
    interview.organization.default_country = "GB"
    data = b"name,phone\nAmy Adams,07700 900123\nBob Bell,+1 555 201 0002\n"
    report = import_file(db, interview, data)
    assert added(report) == [("Amy Adams", "+447700900123"), ("Bob Bell", "+15552010002")]
    us = import_file(db, interview, b"name,phone\nCat Cole,07700 900124\n", region="US")
    assert us.region == "US" and len(us.rejected) == 1


# ---------------------------------------------------------------- not a table


def zipped(name: str, body: bytes) -> bytes:
    """A zip archive holding one file (a Word document looks like this at first)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, body)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"  \n\n", "The file is empty."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "This is an old Excel file (.xls)."),
        (b"%PDF-1.7\n%\xe2\xe3", "This is a PDF, not a table."),
        (b"\x89PNG\r\n\x1a\n\x00\x00IHDR", "This file is not a table we can read."),
        (b"GIF89a\x01\x00\x01\x00\x80\x01\x00", "This file is not a table we can read."),
        (zipped("word/document.xml", b"<w/>"), "This file is a zip archive but not an Excel"),
        (b"PK\x03\x04 truncated", "This file is a zip archive but not an Excel"),
        (b"\xef\xbb\xbfname,phone\n\xff\xfe", "The file says it is UTF-8 but is not."),
        (b'name,phone\n"' + b"x" * 200_000 + b'",5552010001\n', "could not be read as CSV"),
    ],
    ids=["empty", "blank", "xls", "pdf", "png", "gif", "docx", "broken zip", "bad bom", "huge"],
)
def test_a_file_that_is_not_a_table_gets_one_clear_message(data, message):
    """Each kind of non-table is one TableError sentence, never a traceback."""
    with pytest.raises(TableError) as raised:
        read_table(data)
    assert message in str(raised.value)


def test_an_xlsx_with_nothing_in_it_says_so(db, interview):
    """A workbook whose sheets are empty is a file-level message."""
    with pytest.raises(TableError, match="no cells with anything in them"):
        import_file(db, interview, xlsx([]))
