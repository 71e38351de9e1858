"""Property-based: the candidate list importer reads any file without a traceback and loses
no row: each is added, merged or rejected with a reason."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.factories import make_interview, make_org
from tests.voice.test_candidate_import import xlsx
from voice.candidate_import import TableError, import_rows
from voice.tables import read_table

FUZZ = settings(
    max_examples=200,
    deadline=None,
    database=None,
    derandomize=True,  # the same examples every run: no flaky failures in CI
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Cells as people type them: names with accents, phones in every shape, and junk.
NAME = st.text(
    alphabet=st.characters(categories=("L", "Zs"), include_characters="'-."), max_size=30
)
PHONE = st.one_of(
    st.from_regex(r"\+?1?[ (]?[2-9]\d{2}[) .-]?\d{3}[ .-]?\d{4}(\.0)?", fullmatch=True),
    st.from_regex(r"\d\.\d{1,10}E\+\d{1,2}", fullmatch=True),
    st.integers(0, 10**16).map(str),
    st.text(max_size=20),
)
CELL = st.one_of(NAME, PHONE, st.text(max_size=50))
# UTF-16 without a mark is recognised only in mostly-ASCII text: its own example test.
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-32", "cp1252"]


@FUZZ
@given(data=st.one_of(st.binary(max_size=4000), st.text(max_size=2000).map(str.encode)))
def test_any_bytes_are_a_table_or_one_clear_sentence(data):
    """Random bytes and random text: rows, or a TableError with a message; nothing else."""
    try:
        table = read_table(data)
    except TableError as exc:
        assert str(exc).endswith(".") and len(str(exc)) < 300
    else:
        assert all(isinstance(cell, str) for row in table.rows for cell in row)


@FUZZ
@given(
    rows=st.lists(st.lists(CELL, min_size=2, max_size=4), min_size=1, max_size=15),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(ENCODINGS),
    newline=st.sampled_from(["\r\n", "\n", "\r"]),
)
def test_a_written_table_reads_back_cell_for_cell(rows, delimiter, encoding, newline):
    """Any table written as a spreadsheet would (any delimiter, encoding, line end) reads back."""
    width = 3
    header = ["name", "phone", "email"]
    body = [(row + [""] * width)[:width] for row in rows]
    cells = [cell for row in body for cell in row]
    # A CR inside a cell becomes a line end on purpose; control characters are not text.
    assume(not any(ord(ch) < 32 or ch == "\x7f" for cell in cells for ch in cell))
    assume(all(cell == cell.strip() for cell in cells))
    buffer = io.StringIO()
    csv.writer(
        buffer, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator=newline
    ).writerows([header, *body])
    try:
        data = buffer.getvalue().encode(encoding)
    except UnicodeEncodeError:
        assume(False)
    if encoding == "cp1252":
        # Windows-1252 bytes that are also valid UTF-8 ("Â¡" is C2 A1, UTF-8's "¡") are read
        # as UTF-8, the ladder's first rung: the one ambiguity no reader can settle.
        assume(not _is_utf8(data))
    table = read_table(data)
    assert table.rows == [header, *body]


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@pytest.fixture
def interview(db):
    """An interview to import into."""
    interview = make_interview(db, make_org(db))
    db.commit()
    return interview


@FUZZ
@given(
    rows=st.lists(st.lists(CELL, max_size=6), max_size=25),
    header=st.sampled_from(
        [[], ["name", "phone"], ["First Name", "Last Name", "Mobile", "E-mail", "ID"], ["x"]]
    ),
)
def test_every_row_is_added_merged_or_rejected(db, interview, rows, header):
    """No row is lost and nothing raises but a file-level TableError: counts add up."""
    table = [header, *rows] if header else rows
    try:
        report = import_rows(db, interview, table, None)
    except TableError as exc:
        assert not any(cell.strip() for row in table for cell in row), exc
        return
    finally:
        db.rollback()
    filled = [row for row in table if any(cell.strip() for cell in row)]
    accounted = len(report.added) + len(report.merged) + len(report.rejected)
    header_rows = len(filled) - accounted
    assert header_rows in (0, 1)  # only a recognised header row is not a candidate
    assert all(why.endswith(".") for r in report.rejected for why in r.reasons)
    for candidate in report.added:
        assert candidate.phone.startswith("+") and candidate.phone[1:].isdigit()


@FUZZ
@given(
    rows=st.lists(
        st.lists(
            st.one_of(
                st.none(),
                st.integers(-(10**15), 10**15),
                st.floats(-1e15, 1e15),  # what a sheet holds; openpyxl rounds larger ones
                st.booleans(),
                st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=30),
            ),
            max_size=5,
        ),
        max_size=10,
    )
)
def test_any_workbook_cells_are_read_without_a_traceback(rows):
    """Numbers, floats, booleans, blanks and text in a real .xlsx: rows or one sentence."""
    try:
        table = read_table(xlsx(rows))
    except TableError as exc:
        assert "no cells" in str(exc)
        return
    whole = [v for row in rows for v in row if isinstance(v, float) and v.is_integer()]
    cells = {cell for row in table.rows for cell in row}
    assert all(str(int(v)) in cells for v in whole)  # digits, never 1e+16 or 5551230003.0
