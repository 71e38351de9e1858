"""A candidate list file, read into rows of text cells, whatever the spreadsheet wrote.

Takes the bytes of an upload (or pasted text) and returns a `Table`, or raises
TableError with one sentence a person can act on. What is read:

- Excel workbooks (.xlsx, also LibreOffice's and Google Sheets' exports) with openpyxl,
  values only (a formula's cached result), the first sheet that has any cells. With
  defusedxml installed openpyxl refuses XML entity tricks; rows past MAX_ROWS and
  columns past MAX_COLUMNS are not read.
- Delimited text: comma, semicolon (Excel in most of Europe), tab or pipe, detected
  from the rows themselves (the delimiter that splits the header and most rows into the
  same number of cells), or named by Excel's own first line `sep=;`. Line ends may be
  Windows (CR LF), Unix (LF) or classic Mac (CR). Encodings: a byte order mark says
  UTF-8, UTF-16 or UTF-32; without one, strict UTF-8, then Windows-1252 (Excel's
  "CSV" on Western Windows), then charset-normalizer's best guess.
- Refused with a reason: an empty file, an old binary Excel file (.xls), a PDF or any
  other binary file, text that decodes to many control characters.

Cells come back as the text the file holds: spreadsheet numbers as whole digits where
the stored number is whole (a phone typed into a number cell), otherwise as written.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time

from charset_normalizer import from_bytes

MAX_ROWS = 20_001  # rows read (a header and 20,000 candidates); the importer reports the rest
MAX_COLUMNS = 50
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
SAMPLE_LINES = 50  # lines looked at to choose the delimiter
MAX_STRAY_CONTROLS = 8  # control characters a text file may hold (see _checked)

_BOMS = (  # longest first: UTF-32 LE's mark begins with UTF-16 LE's
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary Office formats (.xls, .doc)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class TableError(ValueError):
    """The file as a whole is not a table we can read; the message says why and what to do."""


@dataclass
class Table:
    """Rows of text cells, and how they were read (shown in the import report)."""

    rows: list[list[str]]
    described: str  # "CSV, UTF-8, semicolon-separated" or "Excel workbook, sheet Candidates"


def read_table(data: bytes) -> Table:
    """Read an uploaded candidate list (CSV or .xlsx bytes) into a Table; TableError if not one."""
    if not data.strip():
        raise TableError("The file is empty.")
    if data.startswith(_ZIP):
        return _workbook(data)
    if data.startswith(_OLE):
        raise TableError(
            "This is an old Excel file (.xls). In Excel choose File, Save As, and pick "
            "Excel Workbook (.xlsx) or CSV, then import that."
        )
    if data.startswith(b"%PDF"):
        raise TableError("This is a PDF, not a table. Export the list as CSV or .xlsx.")
    text, encoding = decode(data)
    return _delimited(text, encoding)


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name) for delimited text bytes; TableError if not text.

    A byte order mark decides; otherwise UTF-16 without a mark is recognised by its zero
    bytes, then strict UTF-8, Windows-1252, and charset-normalizer's guess, in that order.
    """
    for mark, encoding in _BOMS:
        if data.startswith(mark):
            return _checked(_strict(data, encoding), encoding.replace("-sig", ""))
    if b"\x00" in data:
        encoding = _bomless_utf16(data)
        if encoding is None:
            raise TableError(_NOT_TEXT)
        return _checked(_strict(data, encoding), encoding)
    for encoding in ("utf-8", "cp1252"):
        try:
            return _checked(data.decode(encoding), encoding)
        except UnicodeDecodeError:
            continue
    best = from_bytes(data).best()
    if best is None:
        raise TableError(_NOT_TEXT)
    return _checked(str(best), best.encoding)


_NOT_TEXT = (
    "This file is not a table we can read. Save it from your spreadsheet as CSV "
    "(UTF-8) or Excel Workbook (.xlsx) and try again."
)


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        label = encoding.replace("-sig", "").upper()
        message = f"The file says it is {label} but is not. {_NOT_TEXT}"
        raise TableError(message) from None


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a byte order mark: mostly-ASCII text has a zero in every other byte."""
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.6 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.6 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _checked(text: str, encoding: str) -> tuple[str, str]:
    """Refuse binary that happened to decode: more than a few control characters, or 2%.

    A stray control character in a cell is text (its row may be rejected); a file full of
    them (an image or archive read as Windows-1252) is not a table.
    """
    controls = len(_CONTROL.findall(text))
    if controls > max(MAX_STRAY_CONTROLS, len(text) // 50):
        raise TableError(_NOT_TEXT)
    return text, encoding


# ---------------------------------------------------------------- delimited text


def _delimited(text: str, encoding: str) -> Table:
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # Windows, classic Mac, Unix
    delimiter = None
    first, _, rest = text.partition("\n")
    hint = re.fullmatch(r'"?sep=(.)"?\s*', first, flags=re.IGNORECASE)
    if hint:  # Excel's own first line naming the delimiter
        delimiter, text = hint.group(1), rest
    delimiter = delimiter or detect_delimiter(text)
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append(row[:MAX_COLUMNS])
            if len(rows) >= MAX_ROWS + 1:
                break
    except csv.Error as exc:  # e.g. a field over the csv module's 128 KiB limit
        raise TableError(f"The file could not be read as CSV: {exc}.") from None
    name = DELIMITER_NAMES.get(delimiter, repr(delimiter))
    return Table(rows, f"CSV, {encoding.upper()}, {name}-separated")


def detect_delimiter(text: str) -> str:
    """The delimiter (comma, semicolon, tab or pipe) that best splits `text` into columns.

    Looks at the first SAMPLE_LINES lines: the delimiter that splits the first row into
    as many cells as most rows have wins, then the one most rows agree on, then the one
    giving more columns. A single-column file reads as comma-separated.
    """
    lines = [line for line in text.split("\n")[: SAMPLE_LINES * 2] if line.strip()]
    lines = lines[:SAMPLE_LINES]
    best, best_score = ",", (False, 0, 0)
    for delimiter in DELIMITERS:
        try:
            widths = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:
            continue
        if not widths:
            continue
        width, agreeing = Counter(widths).most_common(1)[0]
        if width < 2:
            continue
        score = (widths[0] == width, agreeing, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


# ---------------------------------------------------------------- workbooks


def _workbook(data: bytes) -> Table:
    from openpyxl import load_workbook  # imported on use: most imports are CSV

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise TableError(
            "This file is a zip archive but not an Excel workbook we can open "
            f"({type(exc).__name__}). Save it as Excel Workbook (.xlsx) or CSV."
        ) from None
    except Exception as exc:  # openpyxl and defusedxml raise their own kinds too
        raise TableError(
            f"This workbook could not be opened ({type(exc).__name__}). "
            "Save it again as Excel Workbook (.xlsx) or CSV."
        ) from None
    try:
        for sheet in book.worksheets:
            rows = _sheet_rows(sheet)
            if any(any(cell for cell in row) for row in rows):
                return Table(rows, f"Excel workbook, sheet {sheet.title}")
    except Exception as exc:  # a damaged part found while reading cells
        raise TableError(
            f"This workbook could not be read ({type(exc).__name__}). "
            "Save it again as Excel Workbook (.xlsx) or CSV."
        ) from None
    finally:
        book.close()
    raise TableError("The workbook has no cells with anything in them.")


def _sheet_rows(sheet) -> list[list[str]]:
    rows = []
    for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
        cells = [cell_text(value) for value in values]
        while cells and not cells[-1]:  # read-only sheets pad rows to max_col
            cells.pop()
        rows.append(cells)
        if len(rows) >= MAX_ROWS + 1:
            break
    return rows


def cell_text(value: object) -> str:
    """A spreadsheet cell's value as text: whole numbers as their exact digits.

    A phone typed into a number cell is stored as a number (5551230003 or 5551230003.0):
    it comes back as "5551230003", digit for digit (a float holds 15 digits exactly,
    E.164's most; a longer number is the float's own digits and fails the phone rules).
    Whole numbers are never written in scientific notation; other numbers as their
    shortest exact decimal form (Python's repr).
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)
