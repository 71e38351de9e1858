"""No speech model for an attempt that a retake replaced (voice/attempts.py says which).

The transcribe job normalises and stores every attempt (original, speech and playback
copies, nothing lost), then hands the speech model a `stop` question from here. It is
asked before the model runs and between decoded segments, so a retake that arrives
while the attempt waits in the queue, downloads or is being transcribed stops it there:
the attempt ends `superseded` and the model spends no more time on it.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

from voice import attempts, pipeline
from voice.db import unit_of_work
from voice.models import Answer
from voice.pipeline import Outcome
from voice.stt import Stop
from workers.answer_rows import Seen, changed
from workers.context import WorkerContext
from workers.joblog import JobLog


def replaced_check(ctx: WorkerContext, seen: Seen, jlog: JobLog) -> Stop:
    """A `stop` for the speech model: True once the transcript is no longer wanted (a
    retake replaced the attempt, or the answer was deleted or changed, whose result
    would be dropped anyway).

    Each call is one short read-only transaction. A database that cannot answer (SQLite
    busy past its timeout, a lost connection) counts as "still wanted": the transcript
    is then finished, as it was before retakes were checked.
    """

    def replaced(decoded: float) -> bool:
        try:
            with unit_of_work(ctx.session_factory) as session:
                answer = session.get(Answer, seen.answer_id)
                gone = changed(answer, seen) or attempts.is_superseded(session, answer)
                session.commit()
        except SQLAlchemyError as exc:
            jlog.warning("answer %s: could not check for a retake: %s", seen.answer_id, exc)
            return False
        jlog.debug(
            "answer %s: retake check after %.1f s of speech: %s",
            seen.answer_id,
            decoded,
            "replaced" if gone else "still wanted",
        )
        return gone

    return replaced


def set_aside(ctx: WorkerContext, seen: Seen, keep: Callable[[Answer], None], jlog: JobLog) -> str:
    """The model was stopped: mark the attempt superseded; return the Outcome word.

    `keep` writes what the job made onto the row (its speech and playback copies). The
    decision is taken again with the row locked, so a retake that lost its audio a
    moment ago (voice/pipeline.fall_back, which locks the same row) never leaves the
    attempt kept but superseded. One that is wanted again stays `stored`, for the sweep
    to queue once this job lets go of it (Outcome STOPPED).
    """
    answer_id = seen.answer_id
    with unit_of_work(ctx.session_factory) as session:
        answer = attempts.lock_for_update(session, answer_id)
        if changed(answer, seen):
            jlog.warning(
                "answer %s was deleted or changed while the job ran; its result is dropped",
                answer_id,
            )
            return Outcome.CHANGED
        keep(answer)
        wanted = not attempts.is_superseded(session, answer)
        if not wanted:
            pipeline.superseded(answer)
        session.commit()
    if wanted:
        jlog.info("answer %s is wanted again; the sweep will transcribe it", answer_id)
        return Outcome.STOPPED
    jlog.info("answer %s: a retake replaced it; stored, not transcribed", answer_id)
    return Outcome.SUPERSEDED
