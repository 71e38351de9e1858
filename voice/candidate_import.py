"""Adding candidates in bulk from a list: the rules every front door shares.

The dashboard's import page, `screenline candidate import` and the API hand over the
file's bytes (voice/tables.py reads CSV in any usual encoding and delimiter, or .xlsx);
rows become candidates here. Per row: a name (or first and last name), a phone number
parsed with libphonenumber in the organisation's country (voice/phones.py), an optional
e-mail and external id. Excel's renderings of numbers are recognised: `5551230003.0`
is the number 5551230003; `5.551230003E+09` is too, every digit being there; but
`5.55123E+09` has lost digits, and the row is rejected saying so. A digit is never added
or dropped. A phone already in the interview is merged, not added twice; every rejected
row is reported with every one of its fields' problems at once (as adding one candidate
lists them), in voice.candidates' sentences. PINs come from the one generator
(voice/pins.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from voice.candidates import NEEDS_PHONE, check_email, check_external_id, check_name
from voice.models import Candidate, CandidateStatus, Interview
from voice.phones import DEFAULT_REGION, PhoneError, check_region, normalise_phone, not_callable
from voice.pins import new_pin, pins_in_use
from voice.tables import Table, TableError, read_table

MAX_IMPORT_ROWS = 20_000
MAX_SHOWN = 200  # characters of a rejected row repeated in the report
HEADER_SEARCH = 5  # rows looked at for the header (title rows above it are skipped)

__all__ = ["ImportReport", "Rejected", "TableError", "import_file", "import_rows"]


class Rejected(NamedTuple):
    """A row not imported: its spreadsheet row number, the row as written (cells joined
    by ", ", cut at MAX_SHOWN characters) and every problem found in it, one sentence
    each, in field order (name, phone, email, external id)."""

    row: int
    raw: str
    reasons: list[str]

    @property
    def why(self) -> str:
        """Every reason in one text, the sentences joined by a space."""
        return " ".join(self.reasons)


@dataclass
class ImportReport:
    """What an import did, row by row: candidates added, rows merged, rows rejected and why.

    Rows are numbered as the spreadsheet numbers them (the header is row 1).
    """

    added: list[Candidate] = field(default_factory=list)
    merged: list[tuple[int, str, str]] = field(default_factory=list)  # (row, phone, how)
    rejected: list[Rejected] = field(default_factory=list)
    described: str = ""  # how the file was read: "CSV, UTF-8, semicolon-separated"
    region: str = DEFAULT_REGION  # the country numbers without a country code were read in

    def audit_detail(self) -> dict[str, int | str]:
        """The audit entry's detail for this import (voice/audit.py): how many rows were
        added, merged and rejected, and the country numbers were read in; no names or
        numbers, which are personal and would outlive an erasure in the hashed part."""
        return {
            "added": len(self.added),
            "merged": len(self.merged),
            "rejected": len(self.rejected),
            "country": self.region,
        }


# Header names, compared without case, spaces or punctuation ("E-mail" is "email").
HEADERS = {
    **dict.fromkeys(
        ["name", "fullname", "candidate", "candidatename", "applicant", "applicantname"], "name"
    ),
    **dict.fromkeys(["firstname", "givenname", "forename", "first"], "first_name"),
    **dict.fromkeys(["lastname", "surname", "familyname", "last"], "last_name"),
    **dict.fromkeys(
        [
            "phone",
            "phonenumber",
            "phoneno",
            "mobile",
            "mobilenumber",
            "mobilephone",
            "mobileno",
            "cell",
            "cellphone",
            "cellnumber",
            "telephone",
            "telephonenumber",
            "tel",
        ],
        "phone",
    ),
    **dict.fromkeys(["email", "emailaddress", "mail"], "email"),
    **dict.fromkeys(
        ["externalid", "id", "candidateid", "applicantid", "employeeid", "reference", "ref"],
        "external_id",
    ),
}
HEADERLESS = ["name", "phone", "email", "external_id"]

_DOT_ZERO = re.compile(r"^(\+?\d+)[.,]0+$")
_SCIENTIFIC = re.compile(r"^(\+?)(\d)(?:[.,](\d+))?[eE]\+?(\d{1,2})$")


def import_file(
    session: Session, interview: Interview, data: bytes, region: str | None = None
) -> ImportReport:
    """Import a candidate list file's bytes (CSV or .xlsx) into the interview.

    `region` overrides the organisation's default country for numbers written without
    a country code. Raises TableError (one sentence) when the file is not a table, and
    PhoneError for an unknown region; the caller commits.
    """
    region = check_region(region or _org_region(interview))  # before reading the file
    table = read_table(data)
    return import_rows(session, interview, table, region)


def import_rows(
    session: Session, interview: Interview, table: Table | list[list[str]], region: str | None
) -> ImportReport:
    """Add the table's candidates to the interview; merge duplicates by phone; report."""
    if isinstance(table, list):
        table = Table(table, "rows")
    region = check_region(region or _org_region(interview))
    report = ImportReport(described=table.described, region=region)
    rows = table.rows
    if not any(any(cell.strip() for cell in row) for row in rows):
        raise TableError("The file has no rows.")
    start, columns = _header(rows)
    if columns is None:
        start, columns = 0, HEADERLESS
    existing = {
        c.phone: c
        for c in session.scalars(
            select(Candidate).where(
                Candidate.interview_id == interview.id, Candidate.phone.is_not(None)
            )
        )
    }
    pins = pins_in_use(session, interview.id)
    for number, raw in enumerate(rows[start:], start=start + 1):
        if not any(cell.strip() for cell in raw):
            continue
        if number > MAX_IMPORT_ROWS + start:
            report.rejected.append(Rejected(number, "", [f"Only {MAX_IMPORT_ROWS} rows per file."]))
            break
        shown = ", ".join(cell.strip() for cell in raw)
        shown = shown if len(shown) <= MAX_SHOWN else shown[:MAX_SHOWN] + "…"
        values = _values(columns, raw)
        row, reasons = _check_row(values, region)
        if row is None:
            report.rejected.append(Rejected(number, shown, reasons))
            continue
        name, phone, email, external_id = row
        if phone in existing:
            report.merged.append((number, phone, _merge(existing[phone], email, external_id)))
            continue
        candidate = Candidate(
            interview_id=interview.id,
            name=name,
            phone=phone,
            email=email,
            external_id=external_id,
            pin=new_pin(pins),
            status=CandidateStatus.INVITED,
        )
        session.add(candidate)
        existing[phone] = candidate
        report.added.append(candidate)
    return report


def _org_region(interview: Interview) -> str:
    organization = interview.organization
    return (organization.default_country if organization else None) or DEFAULT_REGION


def header_key(cell: str) -> str:
    """A header cell compared without case, spaces, punctuation or a stray byte order mark."""
    return re.sub(r"[\W_]+", "", cell.replace("\ufeff", "").lower())


def _header(rows: list[list[str]]) -> tuple[int, list[str] | None]:
    """(rows to skip, field per column) for the first row that names a phone and a name."""
    for index, row in enumerate(rows[:HEADER_SEARCH]):
        mapped = [HEADERS.get(header_key(cell), "") for cell in row]
        has_name = "name" in mapped or "first_name" in mapped or "last_name" in mapped
        if "phone" in mapped and has_name:
            return index + 1, mapped
    return 0, None


def _values(columns: list[str], raw: list[str]) -> dict[str, str]:
    """Field -> the first non-empty cell for it (two phone columns: the first filled in)."""
    values: dict[str, str] = {}
    for column, cell in zip(columns, raw, strict=False):
        text = cell.strip()
        if column and text and not values.get(column):
            values[column] = text
    return values


def _check_row(
    values: dict[str, str], region: str
) -> tuple[tuple[str, str, str | None, str | None] | None, list[str]]:
    """((name, E.164 phone, email, external id), []) for a good row; (None, reasons) for
    a bad one, every field checked so that each problem is named at once."""
    name = values.get("name") or " ".join(
        part for part in (values.get("first_name"), values.get("last_name")) if part
    )
    reasons: list[str] = []

    def checked(rule, *args):
        # every rule's sentence is voice.candidates' (a ValueError)
        try:
            return rule(*args)
        except ValueError as exc:
            reasons.append(str(exc))
            return None

    name = checked(check_name, name)
    phone = checked(_check_phone, values.get("phone", ""), region)
    email = checked(check_email, values.get("email"))
    external_id = checked(check_external_id, values.get("external_id"))
    if reasons:
        return None, reasons
    return (name, phone, email, external_id), []


def _check_phone(raw_phone: str, region: str) -> str:
    """The row's phone as E.164; ValueError (NEEDS_PHONE, or not_callable's sentence
    naming the cell as written, before excel_number) when it cannot be called."""
    if not raw_phone:
        raise ValueError(NEEDS_PHONE)
    try:
        return normalise_phone(excel_number(raw_phone), region)
    except PhoneError as exc:
        raise ValueError(not_callable(raw_phone, exc.why)) from None


def excel_number(raw: str) -> str:
    """Undo Excel's renderings of a phone typed as a number, digit for digit.

    "5551230003.0" (a number cell saved as text) -> "5551230003"; "5.551230003E+09"
    -> "5551230003" when every digit is written; anything else is returned as it is.
    Raises PhoneError when the scientific notation has lost digits ("5.55123E+09"):
    guessing them would call someone else.
    """
    text = raw.strip()
    if match := _DOT_ZERO.match(text):
        return match.group(1)
    if match := _SCIENTIFIC.match(text):
        sign, lead, fraction, exponent = (
            match.group(1),
            match.group(2),
            match.group(3) or "",
            int(match.group(4)),
        )
        if len(fraction) == exponent:
            return sign + lead + fraction
        if len(fraction) < exponent:
            lost = exponent - len(fraction)
            why = (
                f"Excel wrote it in scientific notation and {lost} of its digits are lost; "
                "format the phone column as Text, or save as .xlsx, and import again"
            )
        else:
            why = "it is a decimal number"
        raise PhoneError(not_callable(text, why), why)
    return text


def _merge(kept: Candidate, email: str | None, external_id: str | None) -> str:
    """Fill what the candidate already in the interview lacks; say what was merged."""
    filled = []
    if email and not kept.email:
        kept.email = email
        filled.append("email")
    if external_id and not kept.external_id:
        kept.external_id = external_id
        filled.append("external id")
    return f"merged into {kept.name}" + (f" (added {', '.join(filled)})" if filled else "")
