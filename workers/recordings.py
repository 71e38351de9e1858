"""The answer pipeline's two jobs: fetch a recording from Twilio, then normalise and transcribe it.

Each job holds the answer's lock (workers/locks.py) for its whole run but keeps every
database transaction short: read, commit, then the slow part (a download, ffmpeg, the
speech model) outside any transaction, then one short write. So a busy embedded SQLite
database never waits on a transcription, and a PostgreSQL connection is never left idle
in a transaction. Every status change goes through voice/pipeline.py, which also holds
the retry policy: these jobs never raise for RQ to retry; a failure is written to the
answer and the sweep retries it.

An attempt that a retake replaced (voice/attempts.py) is stored, normalised and made
playable like any other, but never reaches the speech model: the transcription asks
before the model runs and between decoded segments, so a retake that arrives while the
attempt waits, downloads or is being transcribed stops it, and it ends `superseded`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

from redis.exceptions import RedisError
from sqlalchemy.orm import Session

from config import metrics
from config.logging import bind
from ivr.jobs import DELETE_TWILIO_RECORDING, FETCH_RECORDING, TRANSCRIBE_ANSWER
from ivr.twilio_rest import TwilioError
from voice import pipeline
from voice.audio import AudioError, ProcessedAudio, normalise
from voice.db import unit_of_work
from voice.models import Answer, AnswerStatus
from voice.pipeline import Outcome
from voice.reliability import transcript_flags
from voice.store import answer_key
from voice.stt import Stop, Stopped, Transcript, UnsupportedLanguage, primary_language
from voice.waveform import cached_silences, cached_waveform
from workers.answer_rows import Seen, writing
from workers.context import WorkerContext, current
from workers.joblog import JobLog, job_log
from workers.locks import answer_lock
from workers.queues import job
from workers.retakes import replaced_check, set_aside

log = logging.getLogger(__name__)


def transcribe_job_id(answer_id: int) -> str:
    """One transcription job per answer at a time."""
    return TRANSCRIBE_ANSWER.job_id(answer_id)


def fetch_job_id(answer_id: int) -> str:
    """One fetch job per answer at a time (the web and the sweep use the same id)."""
    return FETCH_RECORDING.job_id(answer_id)


@job(FETCH_RECORDING)
def fetch_recording(answer_id: int) -> str:
    """Download an answer's recording from Twilio, keep the original, queue transcription.

    Returns the Outcome word. A download that fails after DOWNLOAD_TRIES requests marks
    the answer failed (retried by the sweep); one with no RecordingUrl gives it up.
    """
    ctx, jlog = current(), job_log(log)
    bind(answer_id=answer_id)
    with _claimed(ctx, answer_id, jlog) as mine:
        if not mine:
            return Outcome.BUSY
        outcome = _fetch(ctx, answer_id, jlog)
    if outcome in (Outcome.STORED, Outcome.STORED_ALREADY):
        queue_transcription(ctx, answer_id, jlog)
    return outcome


@contextmanager
def _claimed(ctx: WorkerContext, answer_id: int, jlog: JobLog) -> Iterator[bool]:
    """Hold the answer's lock for the job's whole run; yields False when another job has it."""
    with answer_lock(ctx.session_factory.kw["bind"], answer_id) as mine:
        if not mine:
            jlog.info("answer %s: another job is working on it; nothing to do", answer_id)
        yield mine


def _answer_to_work_on(
    session: Session, answer_id: int, jlog: JobLog, past: tuple[str, ...]
) -> Answer | str:
    """The answer a job was queued for, or the Outcome word when there is nothing to do.

    Nothing to do: the answer is gone, given up, or in one of the `past` statuses (the
    job's step is behind it, or it has no recording).
    """
    answer = session.get(Answer, answer_id)
    if answer is None:
        jlog.warning("answer %s does not exist; nothing to do", answer_id)
        return Outcome.MISSING
    if answer.status in past:
        jlog.info("answer %s is %s; nothing to do", answer_id, answer.status)
        return (
            Outcome.NO_RECORDING
            if answer.status in AnswerStatus.NO_RECORDING
            else Outcome.DONE_ALREADY
        )
    if pipeline.is_given_up(answer):
        jlog.info("answer %s was given up; a person may retry it", answer_id)
        return Outcome.GIVEN_UP
    return answer


def _fetch(ctx: WorkerContext, answer_id: int, jlog: JobLog) -> str:
    with unit_of_work(ctx.session_factory) as session:
        answer = _answer_to_work_on(session, answer_id, jlog, AnswerStatus.DONE)
        if isinstance(answer, str):
            return answer
        if ctx.store.exists(answer.original_key):
            jlog.info("answer %s: original already stored; not downloading again", answer_id)
            pipeline.stored(answer, answer.original_key)
            session.commit()
            return Outcome.STORED_ALREADY
        if not answer.recording_url:
            pipeline.give_up(answer, "Twilio gave no RecordingUrl for this answer.")
            session.commit()
            jlog.warning("answer %s: no RecordingUrl; given up", answer_id)
            return Outcome.GIVEN_UP
        recording_url = answer.recording_url
        seen = Seen(answer_id, answer.recording_sid)
        session.commit()  # no transaction stays open across the download
    try:
        data = ctx.twilio.download_recording(
            recording_url, attempts=pipeline.DOWNLOAD_TRIES, backoff=pipeline.DOWNLOAD_BACKOFF
        )
        key = ctx.store.put(answer_key(answer_id, "original.wav"), data)
    except (TwilioError, OSError) as exc:
        return _record_failure(ctx, seen, f"Downloading the recording failed: {exc}", jlog)
    with writing(ctx, seen, jlog) as answer:
        if answer is None:
            ctx.store.delete(key)  # an erased answer leaves no audio behind
            return Outcome.CHANGED
        pipeline.stored(answer, key)
    jlog.info("answer %s: stored %d bytes of original audio", answer_id, len(data))
    return Outcome.STORED


def queue_transcription(ctx: WorkerContext, answer_id: int, jlog: JobLog) -> None:
    """Queue the transcription; if Redis is away the sweep will queue it instead."""
    try:
        ctx.enqueue(TRANSCRIBE_ANSWER, answer_id)
    except RedisError as exc:
        jlog.warning(
            "answer %s: could not queue transcription (%s); the sweep will", answer_id, exc
        )


@dataclass(frozen=True)
class _Work:
    """What the transcription needs from the answer row, read in one short transaction."""

    seen: Seen
    language: str
    delete_at_twilio: bool

    @property
    def original_key(self) -> str:
        """The stored original to transcribe."""
        return self.seen.original_key or ""

    @property
    def recording_sid(self) -> str | None:
        """Twilio's id for the recording (to delete it there)."""
        return self.seen.recording_sid


@job(TRANSCRIBE_ANSWER)
def transcribe_answer(answer_id: int) -> str:
    """Normalise a stored recording, keep speech and playback copies, and transcribe it.

    Returns the Outcome word. Audio that cannot be decoded gives the answer up with a
    plain message (the original is kept for a person to inspect); a speech-to-text
    failure marks it failed for the sweep to retry; a language without a model keeps
    the audio playable and says so.
    """
    ctx, jlog = current(), job_log(log)
    bind(answer_id=answer_id)
    with _claimed(ctx, answer_id, jlog) as mine:
        if not mine:
            return Outcome.BUSY
        with unit_of_work(ctx.session_factory) as session:
            found = _read_work(ctx, session, answer_id, jlog)
        if isinstance(found, str):
            return found
        outcome = _transcribe(ctx, found, jlog)
        if outcome in (Outcome.TRANSCRIBED, Outcome.SILENT, Outcome.SUPERSEDED):
            _delete_at_twilio(ctx, found, jlog)
    return outcome


def _read_work(ctx: WorkerContext, session: Session, answer_id: int, jlog: JobLog) -> _Work | str:
    """The answer's work order, or the Outcome word when there is nothing to transcribe."""
    answer = _answer_to_work_on(session, answer_id, jlog, AnswerStatus.NO_RECORDING)
    if isinstance(answer, str):
        return answer
    work = _Work(
        seen=Seen(answer_id, answer.recording_sid, answer.original_key or ""),
        language=pipeline.spoken_language(answer),
        delete_at_twilio=answer.question.interview.delete_recordings_at_twilio
        and not answer.deleted_at_twilio,
    )
    if answer.status in (AnswerStatus.TRANSCRIBED, AnswerStatus.SUPERSEDED):
        jlog.info("answer %s is already %s", answer_id, answer.status)
        session.commit()
        if work.delete_at_twilio:
            _delete_at_twilio(ctx, work, jlog)
        return Outcome.DONE_ALREADY
    if not ctx.store.exists(answer.original_key):
        pipeline.refetch(answer)
        session.commit()
        jlog.warning("answer %s: original missing from the audio store; fetching again", answer_id)
        try:
            ctx.enqueue(FETCH_RECORDING, answer_id)
        except RedisError as exc:
            jlog.warning(
                "answer %s: could not queue the fetch (%s); the sweep will", answer_id, exc
            )
        return Outcome.REFETCH
    session.commit()  # nothing stays open while ffmpeg and the model run
    return work


def _transcribe(ctx: WorkerContext, work: _Work, jlog: JobLog) -> str:
    answer_id = work.seen.answer_id
    try:
        processed = normalise(ctx.store.get(work.original_key))
    except AudioError as exc:
        # The same bytes will not decode next time either: give up, keep the original.
        return _record_failure(
            ctx,
            work.seen,
            f"{str(exc)[:1].upper()}{str(exc)[1:]}. "
            "The original file is kept; press Retry to download and process it again.",
            jlog,
            give_up=True,
        )
    except OSError as exc:
        return _record_failure(ctx, work.seen, f"Reading the stored recording failed: {exc}", jlog)
    try:
        kept = _store_processed(ctx, answer_id, processed)
    except OSError as exc:
        return _record_failure(ctx, work.seen, f"Storing the processed audio failed: {exc}", jlog)
    _precompute_waveform(ctx, answer_id, kept["playback_key"], jlog)
    jlog.info("answer %s: transcribing %.1f s of speech", answer_id, processed.seconds)
    # From here on a failure keeps the processed audio, so a reviewer can listen meanwhile.
    try:
        transcript, stt_seconds = _speech_to_text(
            ctx, processed, work.language, replaced_check(ctx, work.seen, jlog)
        )
    except Stopped:
        return set_aside(ctx, work.seen, partial(_keep, kept=kept, processed=processed), jlog)
    except UnsupportedLanguage as exc:
        with writing(ctx, work.seen, jlog) as answer:
            if answer is None:
                return Outcome.CHANGED
            _keep(answer, kept, processed)
            pipeline.no_model(answer, str(exc))
        jlog.warning("answer %s: not transcribed: %s", answer_id, exc)
        return Outcome.NO_MODEL
    except Exception as exc:  # the engine's own errors, or anything it lets escape
        jlog.exception("answer %s: speech-to-text failed", answer_id)
        return _record_failure(ctx, work.seen, f"Speech-to-text failed: {exc}", jlog, **kept)
    with writing(ctx, work.seen, jlog) as answer:
        if answer is None:
            return Outcome.CHANGED
        _keep(answer, kept, processed)
        pipeline.transcribed(
            answer,
            text=transcript.text,
            segments=transcript.segments_json(),
            engine=transcript.engine,
            stt_seconds=stt_seconds,
            language=transcript.language or None,
            detected_language=transcript.detected_language,
            detected_probability=transcript.detected_probability,
            flags=transcript_flags(transcript, work.language),
        )
    metrics.record_transcription(transcript.engine, processed.seconds, stt_seconds)
    jlog.info(
        "answer %s: transcribed %.1f s of speech in %.2f s with %s in %s (%d words)",
        answer_id,
        processed.seconds,
        stt_seconds,
        transcript.engine,
        transcript.language,
        len(transcript.text.split()),
    )
    return Outcome.SILENT if processed.silent else Outcome.TRANSCRIBED


def _store_processed(ctx: WorkerContext, answer_id: int, processed: ProcessedAudio) -> dict:
    """Keep the speech and playback copies; return the answer fields that point at them."""
    return {
        "normalised_key": ctx.store.put(answer_key(answer_id, "speech.wav"), processed.speech_wav),
        "playback_key": ctx.store.put(
            answer_key(answer_id, "playback.mp3"), processed.playback_mp3
        ),
        "playback_seconds": round(processed.playback_seconds, 2),
    }


def _precompute_waveform(ctx: WorkerContext, answer_id: int, playback_key: str, jlog) -> None:
    """Draw the waveform and find the silences now, so no web request decodes audio."""
    try:
        cached_waveform(ctx.store, answer_id, playback_key)
        cached_silences(ctx.store, answer_id, playback_key)
    except (AudioError, OSError, ValueError) as exc:  # the page draws it later instead
        jlog.warning("answer %s: waveform not drawn: %s", answer_id, exc)


def _fill_unknown_length(answer: Answer, processed: ProcessedAudio) -> None:
    """Twilio said -1 or nothing for the length: the downloaded file says it now."""
    if answer.duration_seconds is None:
        answer.duration_seconds = round(processed.original_seconds)


def _keep(answer: Answer, kept: dict, processed: ProcessedAudio) -> None:
    """Point the answer at its speech and playback copies; fill in an unknown length."""
    _set(answer, kept)
    _fill_unknown_length(answer, processed)


def _set(answer: Answer, fields: dict) -> None:
    for name, value in fields.items():
        setattr(answer, name, value)


def _speech_to_text(
    ctx: WorkerContext, processed: ProcessedAudio, language: str, stop: Stop
) -> tuple[Transcript, float]:
    if stop(0.0):
        raise Stopped
    engine = ctx.stt(language)
    if processed.silent:
        # Models invent words ("Thank you.") in silence: a silent answer has no words.
        return Transcript("", [], engine.name, primary_language(language)), 0.0
    started = time.perf_counter()
    transcript = engine.transcribe(processed.speech_wav, language, stop=stop)
    return transcript, time.perf_counter() - started


def _delete_at_twilio(ctx: WorkerContext, work: _Work, jlog: JobLog) -> None:
    """Delete Twilio's copy if the employer asked; on failure queue the retrying cleanup job."""
    answer_id = work.seen.answer_id
    if not (work.delete_at_twilio and work.recording_sid):
        return
    try:
        ctx.twilio.delete_recording(work.recording_sid)
    except TwilioError as exc:
        # The transcript is safe; the cleanup job retries (and the sweep covers Redis loss).
        jlog.warning("answer %s: deleting the recording at Twilio failed: %s", answer_id, exc)
        try:
            ctx.enqueue(DELETE_TWILIO_RECORDING, work.recording_sid)
        except RedisError:
            jlog.warning("answer %s: could not queue the deletion; the sweep will", answer_id)
        return
    with writing(ctx, Seen(answer_id, work.recording_sid), jlog) as answer:
        if answer is not None:
            answer.deleted_at_twilio = True
    jlog.info("answer %s: recording deleted at Twilio", answer_id)


def _record_failure(
    ctx: WorkerContext,
    seen: Seen,
    error: str,
    jlog: JobLog,
    give_up: bool = False,
    **fields,
) -> str:
    """Write a failure in a transaction of its own; return the Outcome word."""
    answer_id = seen.answer_id
    with writing(ctx, seen, jlog) as answer:
        if answer is None:
            return Outcome.CHANGED
        _set(answer, fields)
        if give_up:
            pipeline.give_up(answer, error)
            gave_up = True
        else:
            gave_up = pipeline.failed(answer, error)
        count = answer.attempts_failed
    if gave_up:
        jlog.warning("answer %s: %s (given up after failure %d)", answer_id, error, count)
        return Outcome.GIVEN_UP
    jlog.warning("answer %s: %s (failure %d; the sweep retries it)", answer_id, error, count)
    return Outcome.FAILED
