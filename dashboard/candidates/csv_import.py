"""Adding candidates in bulk from a CSV file or pasted rows.

Phones become E.164; a phone already in the interview is merged, not added twice; every
rejected row is reported with its reason. PINs come from the one generator
(voice/pins.py) and names and emails follow the candidate column limits (voice/candidates.py).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.access import get_visible, require_manager
from ivr.services import db
from voice.candidates import MAX_CANDIDATE_EMAIL, MAX_CANDIDATE_NAME
from voice.models import Candidate, CandidateStatus, Interview
from voice.phones import normalise_phone
from voice.pins import new_pin, pins_in_use

MAX_IMPORT_ROWS = 20_000


@dataclass
class ImportReport:
    """What an import did, row by row: candidates added, rows merged, rows rejected and why."""

    added: list[Candidate] = field(default_factory=list)
    merged: list[tuple[int, str, str]] = field(default_factory=list)  # (row, phone, how)
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # (row, raw, why)


HEADERS = {
    "name": "name",
    "full name": "name",
    "candidate": "name",
    "phone": "phone",
    "phone number": "phone",
    "mobile": "phone",
    "telephone": "phone",
    "email": "email",
    "e-mail": "email",
    "email address": "email",
    "external id": "external_id",
    "external_id": "external_id",
    "externalid": "external_id",
    "id": "external_id",
}


def import_csv(session: Session, interview: Interview, text: str) -> ImportReport:
    """Add the CSV's candidates to the interview; merge duplicates by phone; report."""
    report = ImportReport()
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:  # e.g. a field over the csv module's 128 KiB limit
        report.rejected.append((0, "", f"The file could not be read as CSV: {exc}."))
        return report
    if not rows:
        report.rejected.append((0, "", "The file is empty."))
        return report
    columns = _columns(rows[0])
    start = 1
    if columns is None:
        columns = ["name", "phone", "email", "external_id"]
        start = 0
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
        if number > MAX_IMPORT_ROWS + 1:
            report.rejected.append((number, "", f"Only {MAX_IMPORT_ROWS} rows per file."))
            break
        values = {
            columns[i]: cell.strip()
            for i, cell in enumerate(raw)
            if i < len(columns) and columns[i]
        }
        shown = ", ".join(cell.strip() for cell in raw)
        name = values.get("name", "")
        if not name:
            report.rejected.append((number, shown, "No name."))
            continue
        if len(name) > MAX_CANDIDATE_NAME:
            report.rejected.append(
                (number, shown, f"Name is longer than {MAX_CANDIDATE_NAME} characters.")
            )
            continue
        if not values.get("phone"):
            report.rejected.append((number, shown, "No phone number."))
            continue
        try:
            phone = normalise_phone(values["phone"])
        except ValueError:
            report.rejected.append(
                (number, shown, f"“{values['phone']}” is not a phone number we can call.")
            )
            continue
        email = values.get("email") or None
        if email and ("@" not in email or len(email) > MAX_CANDIDATE_EMAIL):
            report.rejected.append((number, shown, f"“{email}” is not an email address."))
            continue
        external_id = (values.get("external_id") or "")[:100] or None
        if phone in existing:
            kept = existing[phone]
            filled = []
            if email and not kept.email:
                kept.email = email
                filled.append("email")
            if external_id and not kept.external_id:
                kept.external_id = external_id
                filled.append("external id")
            how = f"merged into {kept.name}" + (f" (added {', '.join(filled)})" if filled else "")
            report.merged.append((number, phone, how))
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


def _columns(header: list[str]) -> list[str] | None:
    """Map a header row to field names, or None if the first row is data."""
    mapped = []
    for cell in header:
        key = cell.strip().lower()
        mapped.append(HEADERS.get(key) or HEADERS.get(key.replace("_", " ")) or "")
    if "name" in mapped and "phone" in mapped:
        return mapped
    return None


@require_manager
def import_candidates(interview_id: int):
    """Show the CSV upload form (GET), or import the file or pasted rows and report (POST)."""
    session = db()
    interview = get_visible(session, current_user, Interview, interview_id, manage=True)
    report, error = None, None
    if request.method == "POST":
        upload = request.files.get("file")
        pasted = request.form.get("pasted", "")
        raw = upload.read() if upload and upload.filename else pasted.encode()
        if not raw.strip():
            error = "Choose a CSV file (or paste its rows) to import."
        elif b"\x00" in raw:  # binary (a spreadsheet, an image): cp1252 would accept it
            error = "That file is not text. Save it as CSV (UTF-8) and try again."
        else:
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                try:
                    text = raw.decode("cp1252")
                except UnicodeDecodeError:
                    text = None
            if text is None:
                error = "That file is not text. Save it as CSV (UTF-8) and try again."
            else:
                report = import_csv(session, interview, text)
                session.commit()
    status = 422 if error else 200
    return (
        render_template("import.html", interview=interview, report=report, error=error),
        status,
    )
