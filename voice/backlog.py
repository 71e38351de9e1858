"""How many answers wait at each step of the pipeline (for metrics and health pages)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voice.models import Answer, AnswerStatus

WAITING = (*AnswerStatus.IN_PIPELINE, AnswerStatus.FAILED)  # not yet done, in some way


def answers_waiting(session: Session) -> dict[str, int]:
    """{status: answers} for every status still short of done; absent statuses count 0."""
    counts = dict.fromkeys(WAITING, 0)
    rows = session.execute(
        select(Answer.status, func.count())
        .where(Answer.status.in_(WAITING))
        .group_by(Answer.status)
    )
    counts.update({status: count for status, count in rows})
    return counts
