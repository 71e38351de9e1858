"""The interview's candidates as CSV, streamed a batch at a time.

One candidate's data leaves as their own copy (dashboard/candidates/data_export.py,
voice/candidate_export.py): the one per-candidate export, audio and transcripts included.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterator

from flask import Blueprint, Response, stream_with_context
from flask_login import current_user
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from dashboard.access import candidate_not_erased, get_visible, require_manager
from dashboard.auditing import record
from dashboard.presenters import keypad_answer, transcript_warning
from ivr.services import db
from voice.models import Answer, Candidate, Interview, Score

export = Blueprint("export", __name__)

BATCH = 500
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
# A whole cell that is a phone number in E.164 (ITU-T E.164: + and at most 15 digits) is
# not a formula a spreadsheet could run, so it is written bare: +15557650000.
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")


def cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula.

    A value starting with = + - @, a tab or a carriage return gets a leading apostrophe
    (OWASP's CSV injection guard), except an E.164 phone number, which is left bare.
    Screenline's own import reads both forms of a phone (voice/phones.py).
    """
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA) and not _E164.fullmatch(text):
        return "'" + text
    return text


def _line(values: list) -> str:
    out = io.StringIO()
    csv.writer(out).writerow([cell(v) for v in values])
    return out.getvalue()


def csv_rows(session: Session, interview: Interview) -> Iterator[str]:
    """The header, then one line per candidate not erased (dashboard.access: an erased
    candidate is never exported), fetched BATCH candidates at a time."""
    questions = list(interview.questions)
    header = [
        "candidate_id",
        "name",
        "phone",
        "email",
        "external_id",
        "status",
        "screened_out_reason",
        "decision",
        "decided_at",
        "mean_score",
        "reviewers",
        "started_at",
        "completed_at",
    ]
    for q in questions:
        header += [
            f"q{q.position}_answer",
            f"q{q.position}_score",
            f"q{q.position}_transcript_language",
            f"q{q.position}_transcript_flag",
        ]
    yield "\ufeff" + _line(header)
    last_id = 0
    while True:
        batch = list(
            session.scalars(
                select(Candidate)
                .where(
                    Candidate.interview_id == interview.id,
                    Candidate.id > last_id,
                    candidate_not_erased(),
                )
                .order_by(Candidate.id)
                .limit(BATCH)
            )
        )
        if not batch:
            return
        ids = [c.id for c in batch]
        last_id = ids[-1]
        answers: dict[tuple[int, int], Answer] = {}
        for answer in session.scalars(
            select(Answer).where(Answer.candidate_id.in_(ids)).order_by(Answer.attempt)
        ):
            key = (answer.candidate_id, answer.question_id)
            if answer.kept or key not in answers:
                answers[key] = answer
        means = {
            cid: (float(mean), n)
            for cid, mean, n in session.execute(
                select(
                    Score.candidate_id,
                    func.avg(Score.value),
                    func.count(distinct(Score.reviewer_id)),
                )
                .where(Score.candidate_id.in_(ids))
                .group_by(Score.candidate_id)
            )
        }
        per_answer: dict[int, list[int]] = defaultdict(list)
        for answer_id, value in session.execute(
            select(Score.answer_id, Score.value).where(
                Score.candidate_id.in_(ids), Score.answer_id.is_not(None)
            )
        ):
            per_answer[answer_id].append(value)
        for c in batch:
            mean, reviewers = means.get(c.id, (None, 0))
            values = [
                c.id,
                c.name,
                c.phone,
                c.email,
                c.external_id,
                c.status,
                c.screened_out_reason,
                c.decision,
                c.decided_at.isoformat() if c.decided_at else "",
                f"{mean:.2f}" if mean is not None else "",
                reviewers,
                c.started_at.isoformat() if c.started_at else "",
                c.completed_at.isoformat() if c.completed_at else "",
            ]
            for q in questions:
                answer = answers.get((c.id, q.id))
                text = ""
                if answer is not None:
                    text = (
                        keypad_answer(q.kind, answer.digits)
                        if answer.digits is not None
                        else (answer.transcript or "")
                    )
                scores = per_answer.get(answer.id, []) if answer else []
                values += [
                    text,
                    f"{sum(scores) / len(scores):.2f}" if scores else "",
                    (answer.transcript_language or "") if answer else "",
                    transcript_warning(answer),
                ]
            yield _line(values)
        session.expire_all()  # let the batch go: memory stays flat however many rows


@export.get("/interviews/<int:interview_id>/export.csv")
@require_manager
def candidates_csv(interview_id: int):
    """Download the interview's candidates as CSV (erased ones left out), streamed BATCH
    rows at a time."""
    session = db()
    interview = get_visible(session, current_user, Interview, interview_id, manage=True)
    filename = f"interview-{interview.id}-candidates.csv"
    record("export", interview_id=interview.id, detail={"kind": "candidates csv"})
    session.commit()

    def rows():
        """The CSV lines, closing the session once the last one is out."""
        try:
            yield from csv_rows(session, interview)
        finally:
            session.close()  # end the read transaction as soon as the last row is out

    return Response(
        stream_with_context(rows()),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )
