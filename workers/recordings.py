"""The recording pipeline: fetch an announced recording, then normalise and transcribe it.

Jobs take answer ids, lock the answer for their transaction, and are idempotent: a
duplicate or repeated run finds the work done and does nothing. Twilio's copy is
deleted (when the employer asked) only after the transcript is committed.
"""

from __future__ import annotations

import logging
import time

from redis.exceptions import RedisError
from sqlalchemy.orm import Session

from ivr.jobs import fetch_job_id
from ivr.twilio_rest import TwilioError
from voice.audio import AudioError, ProcessedAudio, normalise
from voice.db import unit_of_work
from voice.models import Answer, AnswerStatus, utcnow
from voice.store import answer_key
from voice.stt import SpeechToTextError, Transcript, UnsupportedLanguage, primary_language
from workers.context import WorkerContext, current
from workers.joblog import JobLog, job_log
from workers.locks import claim_answer
from workers.queues import RECORDINGS, TRANSCRIBE, enqueue, job

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5  # after this many failures an answer stays FAILED for a person to look at
# Nothing left to fetch for these; and no audio to transcribe for the last two.
DONE = (
    AnswerStatus.TRANSCRIBED,
    AnswerStatus.UNTRANSCRIBED,
    AnswerStatus.NO_AUDIO,
    AnswerStatus.KEYPAD,
)
NO_RECORDING = (AnswerStatus.NO_AUDIO, AnswerStatus.KEYPAD)


def transcribe_job_id(answer_id: int) -> str:
    return f"transcribe-answer-{answer_id}"


@job(queue=RECORDINGS, timeout=300, retries=(10, 30, 60))
def fetch_recording(answer_id: int) -> str:
    """Download an answer's recording from Twilio, keep the original, queue transcription."""
    ctx, jlog = current(), job_log(log)
    with unit_of_work(ctx.session_factory) as session:
        if not claim_answer(session, answer_id):
            jlog.info("answer %s: another job is working on it; nothing to do", answer_id)
            return "busy"
        answer = session.get(Answer, answer_id)
        if answer is None:
            jlog.warning("answer %s does not exist; nothing to fetch", answer_id)
            return "missing"
        if answer.status in DONE:
            jlog.info("answer %s is already %s; nothing to fetch", answer_id, answer.status)
            return "done already"
        if ctx.store.exists(answer.original_key):
            jlog.info("answer %s: original already stored; not downloading again", answer_id)
            outcome = "stored already"
        else:
            if not answer.recording_url:
                _give_up(session, answer_id, "Twilio gave no RecordingUrl for this answer", jlog)
                return "no recording url"
            try:
                data = ctx.twilio.download_recording(answer.recording_url)
            except Exception as exc:
                _fail(session, answer_id, f"Downloading the recording failed: {exc}", jlog)
                raise
            answer.original_key = ctx.store.put(answer_key(answer_id, "original.wav"), data)
            jlog.info("answer %s: stored %d bytes of original audio", answer_id, len(data))
            outcome = "stored"
        answer.status = AnswerStatus.STORED
        answer.error = None
        session.commit()
    queue_transcription(ctx, answer_id, jlog)
    return outcome


def queue_transcription(ctx: WorkerContext, answer_id: int, jlog: JobLog) -> None:
    """Queue the transcription; if Redis is away the sweep will queue it instead."""
    try:
        enqueue(ctx.redis, transcribe_answer, answer_id, job_id=transcribe_job_id(answer_id))
    except RedisError as exc:
        jlog.warning(
            "answer %s: could not queue transcription (%s); the sweep will", answer_id, exc
        )


@job(queue=TRANSCRIBE, timeout=900, retries=(30, 120, 300))
def transcribe_answer(answer_id: int) -> str:
    """Normalise a stored recording, keep speech and playback copies, and transcribe it."""
    ctx, jlog = current(), job_log(log)
    with unit_of_work(ctx.session_factory) as session:
        if not claim_answer(session, answer_id):
            jlog.info("answer %s: another job is working on it; nothing to do", answer_id)
            return "busy"
        answer = session.get(Answer, answer_id)
        if answer is None:
            jlog.warning("answer %s does not exist; nothing to transcribe", answer_id)
            return "missing"
        if answer.status in NO_RECORDING:
            jlog.info("answer %s has no recording (%s); nothing to do", answer_id, answer.status)
            return "no recording"
        if answer.status == AnswerStatus.TRANSCRIBED:
            jlog.info("answer %s is already transcribed", answer_id)
            outcome = "transcribed already"
        elif not ctx.store.exists(answer.original_key):
            return _refetch(ctx, session, answer, jlog)
        else:
            outcome = _transcribe(ctx, session, answer, jlog)
        if answer.status == AnswerStatus.TRANSCRIBED:
            _delete_at_twilio(ctx, session, answer, jlog)
    return outcome


def _transcribe(ctx: WorkerContext, session: Session, answer: Answer, jlog: JobLog) -> str:
    answer_id = answer.id
    try:
        processed = normalise(ctx.store.get(answer.original_key))
    except AudioError as exc:
        # The download was damaged or Twilio sent something odd: drop our copy so the
        # next attempt downloads again; Twilio's copy is untouched, so nothing is lost.
        ctx.store.delete(answer.original_key)
        answer.original_key = None
        _mark_failed(
            answer,
            f"The recording could not be processed: {exc}. "
            "The stored copy was discarded; the next attempt downloads it again.",
        )
        session.commit()
        jlog.warning("answer %s: %s", answer_id, answer.error)
        return "corrupt audio"
    try:
        kept = _store_processed(ctx, answer_id, processed)
    except OSError as exc:
        _fail(session, answer_id, f"Storing the processed audio failed: {exc}", jlog)
        raise
    language = answer_language(answer)
    # On failure the processed audio is kept, so a reviewer can listen meanwhile.
    try:
        transcript, stt_seconds = _speech_to_text(ctx, processed, language)
    except UnsupportedLanguage as exc:
        _no_model(session, answer_id, str(exc), jlog, **kept)
        return "no model"
    except SpeechToTextError as exc:
        _fail(session, answer_id, f"Speech-to-text failed: {exc}", jlog, **kept)
        raise
    except Exception as exc:
        _fail(session, answer_id, f"Transcription failed: {exc}", jlog, **kept)
        raise
    for name, value in kept.items():
        setattr(answer, name, value)
    answer.transcript = transcript.text
    answer.segments = transcript.segments_json()
    answer.stt_engine = transcript.engine
    answer.stt_seconds = round(stt_seconds, 3)
    answer.transcribed_at = utcnow()
    answer.status = AnswerStatus.TRANSCRIBED
    answer.error = None
    session.commit()
    jlog.info(
        "answer %s: transcribed %.1f s of speech in %.2f s with %s (%d words)",
        answer_id,
        processed.seconds,
        stt_seconds,
        transcript.engine,
        len(transcript.text.split()),
    )
    return "silent" if processed.silent else "transcribed"


def _store_processed(ctx: WorkerContext, answer_id: int, processed: ProcessedAudio) -> dict:
    """Keep the speech and playback copies; return the answer fields that point at them."""
    return {
        "normalised_key": ctx.store.put(answer_key(answer_id, "speech.wav"), processed.speech_wav),
        "playback_key": ctx.store.put(
            answer_key(answer_id, "playback.mp3"), processed.playback_mp3
        ),
        "playback_seconds": round(processed.playback_seconds, 2),
    }


def answer_language(answer: Answer) -> str:
    """The language the candidate spoke: the one chosen on the call, else the interview's."""
    return answer.candidate.language or answer.question.interview.language or "en-US"


def _speech_to_text(
    ctx: WorkerContext, processed: ProcessedAudio, language: str
) -> tuple[Transcript, float]:
    engine = ctx.stt(language)
    if processed.silent:
        # Models invent words ("Thank you.") in silence: a silent answer has no words.
        return Transcript("", [], engine.name, primary_language(language)), 0.0
    started = time.perf_counter()
    transcript = engine.transcribe(processed.speech_wav, language)
    return transcript, time.perf_counter() - started


def _refetch(ctx: WorkerContext, session: Session, answer: Answer, jlog: JobLog) -> str:
    """The original is gone from the store: send the answer back to be downloaded."""
    answer.original_key = None
    answer.status = AnswerStatus.ANNOUNCED
    session.commit()
    jlog.warning("answer %s: original missing from the audio store; fetching it again", answer.id)
    try:
        enqueue(ctx.redis, fetch_recording, answer.id, job_id=fetch_job_id(answer.id))
    except RedisError as exc:
        jlog.warning("answer %s: could not queue the fetch (%s); the sweep will", answer.id, exc)
    return "refetch"


def _delete_at_twilio(ctx: WorkerContext, session: Session, answer: Answer, jlog: JobLog) -> None:
    """Delete Twilio's copy if the employer asked; a failure is raised so RQ retries it."""
    if answer.deleted_at_twilio or not answer.recording_sid:
        return
    if not answer.question.interview.delete_recordings_at_twilio:
        return
    try:
        ctx.twilio.delete_recording(answer.recording_sid)
    except TwilioError as exc:
        # The transcript is safe; a retry of this job only repeats the deletion.
        jlog.warning("answer %s: deleting the recording at Twilio failed: %s", answer.id, exc)
        raise
    answer.deleted_at_twilio = True
    session.commit()
    jlog.info("answer %s: recording deleted at Twilio", answer.id)


def _mark_failed(answer: Answer, error: str) -> None:
    answer.status = AnswerStatus.FAILED
    answer.error = error[:2000]
    answer.attempts_failed = (answer.attempts_failed or 0) + 1


def _fail(session: Session, answer_id: int, error: str, jlog: JobLog, **fields) -> None:
    """Record a failure in a clean transaction; the caller re-raises for RQ's retry."""
    session.rollback()
    answer = session.get(Answer, answer_id)
    if answer is None:
        return
    _mark_failed(answer, error)
    for name, value in fields.items():
        setattr(answer, name, value)
    session.commit()
    jlog.warning("answer %s: %s (failure %d)", answer_id, error, answer.attempts_failed)


def _no_model(session: Session, answer_id: int, error: str, jlog: JobLog, **fields) -> None:
    """Keep the audio for listening, and say no speech model covers its language."""
    session.rollback()
    answer = session.get(Answer, answer_id)
    if answer is None:
        return
    answer.status = AnswerStatus.UNTRANSCRIBED
    answer.error = error[:2000]
    for name, value in fields.items():
        setattr(answer, name, value)
    session.commit()
    jlog.warning("answer %s: not transcribed: %s", answer_id, error)


def _give_up(session: Session, answer_id: int, error: str, jlog: JobLog) -> None:
    """Record a failure no retry can fix, so neither RQ nor the sweep tries again."""
    session.rollback()
    answer = session.get(Answer, answer_id)
    if answer is None:
        return
    _mark_failed(answer, error)
    answer.attempts_failed = max(answer.attempts_failed, MAX_ATTEMPTS)
    session.commit()
    jlog.warning("answer %s: %s (not retried)", answer_id, error)
