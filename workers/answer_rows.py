"""The answer row as a pipeline job read it, and the short transaction that writes its result.

A job reads the row, commits, works outside any transaction (a download, ffmpeg, the
speech model), then writes in one short transaction: only while the row still holds
what the job read, so a person's Retry, a re-recording or an erasure meanwhile wins.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from voice.db import unit_of_work
from voice.models import Answer, AnswerStatus
from workers.context import WorkerContext
from workers.joblog import JobLog


@dataclass(frozen=True)
class Seen:
    """The answer as a job read it; the job's writes go through only while that still holds.

    The RecordingSid is a recording's identity (Twilio never reuses one). With
    `original_key`, the stored file the job worked on must still be the answer's: a
    person's Retry, a re-recording or an erasure while a job ran drops its result.
    """

    answer_id: int
    recording_sid: str | None
    original_key: str | None = None


def changed(answer: Answer | None, seen: Seen) -> bool:
    """True when the answer is gone, erased, or holds another recording than the job read."""
    return (
        answer is None
        or answer.status == AnswerStatus.ERASED
        or answer.recording_sid != seen.recording_sid
        or (seen.original_key is not None and answer.original_key != seen.original_key)
    )


@contextmanager
def writing(ctx: WorkerContext, seen: Seen, jlog: JobLog) -> Iterator[Answer | None]:
    """The answer row to write in a short transaction (committed after the block), or None
    when it changed while the job ran (the job's result is then dropped)."""
    with unit_of_work(ctx.session_factory) as session:
        answer = session.get(Answer, seen.answer_id)
        if changed(answer, seen):
            jlog.warning(
                "answer %s was deleted or changed while the job ran; its result is dropped",
                seen.answer_id,
            )
            yield None
            return
        yield answer
        session.commit()
