"""An answer's life: every status change is a named transition here, with the retry policy.

```
  <Record> action ──> recording ──(status callback: completed)──> announced
                          │                                           │ fetch job downloads it
                          └─(absent / failed)──> no audio             v
                                                                    stored
                                      no model <──(no speech model)───┤ transcribe job
                   superseded <──(a retake replaced it: no model run)───┤
                        └─(the retake had no audio: kept again)──> stored
                                                                      v
                                                                 transcribed
  announced or stored ──(a step fails)──> failed ──(the sweep, after RETRY_AFTER)──> announced
                                            └─(MAX_FAILURES reached, or not retryable)──> given up
  keypad answers are created `keypad` and never enter the pipeline.
```

The retry policy, written once (the README's pipeline section restates it):

- One fetch job makes up to DOWNLOAD_TRIES requests for the recording, DOWNLOAD_BACKOFF
  seconds apart: Twilio may answer 404 for a moment after announcing the file, and
  5xx, timeouts and an empty body are retried the same way.
- Jobs are not retried by RQ. A failed step marks the answer `failed` in the database
  and sets `retry_at`; the sweep (every few seconds, driven by the workers) queues it
  again once that time has passed, RETRY_AFTER[n - 1] seconds after the n-th failure.
  The database is the record, so a retry survives Redis losing its memory.
- After MAX_FAILURES failures, or at once for a failure no retry can fix (Twilio gave no
  RecordingUrl, the audio cannot be decoded), the answer is `given up`: it stays
  `failed`, with `error` saying why, until a person presses "Retry" on the dashboard.
  So one recording costs at most MAX_FAILURES * DOWNLOAD_TRIES downloads.
- A worker killed mid-job (SIGKILL, the OOM killer) releases its answer lock with its
  process; the sweep queues the answer again on its next pass.

Retakes (voice/attempts.py says which attempt is reviewed): an attempt that a retake
has replaced is `superseded`: the transcribe job keeps its original, speech and playback
audio but spends no model time on it, and stops a transcription already running when
the retake arrives. A retake Twilio kept no audio for, or one too short to keep, hands
the answer back to the newest earlier attempt of the call (`fall_back`); a superseded one
goes back to `stored` and the sweep transcribes it.

Functions here change Answers in memory and never commit: the job or webhook that
calls them owns the transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import object_session

from voice import attempts, corrections, webhooks
from voice.models import Answer, AnswerStatus, utcnow
from voice.stt import primary_language

# --- the retry policy --------------------------------------------------------------------

DOWNLOAD_TRIES = 3  # HTTP requests per fetch job
DOWNLOAD_BACKOFF = (2.0, 5.0)  # seconds before the 2nd and 3rd request
MAX_FAILURES = 5  # failed steps before an answer is given up
RETRY_AFTER = (30, 120, 600, 1800)  # seconds before the sweep retries after failure n
SWEEP_GRACE_SECONDS = 10  # a newly announced answer is left to the web's own job this long
LOST_CALLBACK_SECONDS = 600  # a recording status callback normally comes within seconds
SWEEP_BATCH = 500  # answers per sweep; the next pass takes the rest

ERROR_LIMIT = 2000  # characters of `error` kept
SUPERSEDED_REASON = (
    "Not transcribed: the candidate recorded this answer again, and the newer attempt is "
    "the one reviewed. The recording is kept."
)


class Outcome:
    """What a pipeline job did, as its RQ result and in its log line."""

    STORED = "stored"
    STORED_ALREADY = "stored already"
    TRANSCRIBED = "transcribed"
    SILENT = "silent"
    NO_MODEL = "no model"
    SUPERSEDED = "superseded"  # a retake replaced the answer: stored, not transcribed
    STOPPED = "stopped"  # the model was stopped for a retake that then lost its audio
    DONE_ALREADY = "done already"
    BUSY = "busy"
    MISSING = "missing"
    NO_RECORDING = "no recording"
    FAILED = "failed"
    GIVEN_UP = "given up"
    REFETCH = "refetch"
    CHANGED = "changed"  # the answer was deleted or changed while the job ran: result dropped


# --- transitions -----------------------------------------------------------------------


def announce(answer: Answer, now: datetime | None = None) -> bool:
    """Twilio says the file exists (RecordingStatus=completed); True if a fetch should be queued.

    Only the first announcement queues a fetch: Twilio may send the callback twice
    (a retry) and an answer already past this point is left alone.
    """
    if answer.status != AnswerStatus.RECORDING:
        return False
    answer.status = AnswerStatus.ANNOUNCED
    answer.announced_at = answer.announced_at or now or utcnow()
    return True


def no_audio(answer: Answer, error_code: str) -> None:
    """Twilio kept nothing for this attempt (RecordingStatus absent or failed).

    Twilio's error 16101 means too short, 16102 silent (Record verb documentation).
    The attempt is not the one reviewed.
    """
    reasons = {"16101": "too short", "16102": "silent"}
    answer.status = AnswerStatus.NO_AUDIO
    answer.error = f"Twilio kept no recording ({reasons.get(error_code, 'error ' + error_code)})"
    answer.kept = False
    answer.retry_at = None
    fall_back(answer)


def fall_back(answer: Answer) -> Answer | None:
    """`answer` is not the one reviewed after all (no audio, or too short to keep): when
    no attempt at its question is kept now, keep the newest earlier attempt of the call
    that has a real recording (voice/attempts.fallback), and return it.

    So a retake that fails leaves the earlier attempt as the answer, and a superseded
    one goes back to `stored`, for the sweep to transcribe. None when nothing changed.
    """
    session = object_session(answer)
    if session is None:
        return None
    earlier = attempts.fallback(session, answer)
    if earlier is None:
        return None
    earlier.kept = True
    if earlier.status == AnswerStatus.SUPERSEDED:
        earlier.status = AnswerStatus.STORED
        earlier.error = None
        earlier.retry_at = None
    return earlier


def stored(answer: Answer, original_key: str) -> None:
    """The original recording is downloaded and kept under `original_key`."""
    answer.original_key = original_key
    answer.status = AnswerStatus.STORED
    answer.error = None
    answer.retry_at = None


def spoken_language(answer: Answer) -> str:
    """The language the candidate was asked in (a tag such as `es-MX`): the one chosen on
    the call, else the interview's, else `en-US`."""
    return answer.candidate.language or answer.question.interview.language or "en-US"


def transcribed(
    answer: Answer,
    *,
    text: str,
    segments: list[dict],
    engine: str,
    stt_seconds: float,
    language: str | None = None,
    detected_language: str | None = None,
    detected_probability: float | None = None,
    flags: list[str] | None = None,
    now: datetime | None = None,
) -> None:
    """Speech-to-text finished: keep the text, its timed segments, what it cost, the
    language it is in, the language whisper heard, and voice.reliability's flags.

    `segments` is a list of {"start": s, "end": s, "text": str} (whisper adds
    avg_logprob, no_speech_prob and compression_ratio); `stt_seconds` is the wall-clock
    time the engine took. `language` is the one the engine reports; when it reports none,
    the transcript is taken to be in the language the candidate was asked in
    (`spoken_language`, as its primary subtag: `es`), so that search stems it in that
    language rather than as English. A transcript a person corrected keeps their text:
    `text` becomes the machine's (`Answer.machine_transcript`).
    """
    # A person's correction is never overwritten (voice/corrections.py).
    corrections.transcribed_again(answer, text, list(flags or []))
    answer.segments = segments
    answer.stt_engine = engine
    answer.stt_seconds = round(stt_seconds, 3)
    answer.transcript_language = language or primary_language(spoken_language(answer))
    answer.detected_language = detected_language
    answer.detected_language_probability = detected_probability
    first = answer.status != AnswerStatus.TRANSCRIBED
    answer.transcribed_at = now or utcnow()
    answer.status = AnswerStatus.TRANSCRIBED
    answer.error = None
    answer.retry_at = None
    session = object_session(answer)
    if first and session is not None:
        answer.candidate.updated_at = answer.transcribed_at  # the API's updated_since sees it
        organization_id = answer.candidate.interview.organization_id
        webhooks.emit(
            session, organization_id, webhooks.ANSWER_TRANSCRIBED, webhooks.answer_data(answer)
        )


def superseded(answer: Answer) -> None:
    """A retake replaced this attempt before it was transcribed: its audio stays stored
    and playable, and no speech model runs on it (voice/attempts.is_superseded)."""
    answer.status = AnswerStatus.SUPERSEDED
    answer.error = SUPERSEDED_REASON
    answer.retry_at = None


def no_model(answer: Answer, reason: str) -> None:
    """No speech model covers the answer's language: kept and playable, not transcribed."""
    answer.status = AnswerStatus.UNTRANSCRIBED
    answer.error = reason[:ERROR_LIMIT]
    answer.retry_at = None


def failed(answer: Answer, error: str, now: datetime | None = None) -> bool:
    """A step failed: count it and schedule the sweep's retry; True if the answer is given up.

    The count never passes MAX_FAILURES; the last failure gives the answer up.
    """
    answer.status = AnswerStatus.FAILED
    answer.error = error[:ERROR_LIMIT]
    answer.attempts_failed = min((answer.attempts_failed or 0) + 1, MAX_FAILURES)
    if answer.attempts_failed >= MAX_FAILURES:
        answer.retry_at = None
        return True
    wait = RETRY_AFTER[min(answer.attempts_failed, len(RETRY_AFTER)) - 1]
    answer.retry_at = (now or utcnow()) + timedelta(seconds=wait)
    return False


def give_up(answer: Answer, error: str) -> None:
    """A failure no retry can fix: stop here until a person retries it from the dashboard."""
    answer.status = AnswerStatus.FAILED
    answer.error = error[:ERROR_LIMIT]
    answer.attempts_failed = MAX_FAILURES
    answer.retry_at = None


def refetch(answer: Answer) -> None:
    """The stored original went missing: download it again."""
    answer.original_key = None
    answer.status = AnswerStatus.ANNOUNCED
    answer.retry_at = None


def retry(answer: Answer, now: datetime | None = None) -> bool:
    """A person asked to try a failed answer again; False if it had not failed.

    The failure count starts afresh and the recording is downloaded again (a damaged
    download is replaced); the sweep (or the caller) queues the fetch.
    """
    if answer.status != AnswerStatus.FAILED:
        return False
    answer.status = AnswerStatus.ANNOUNCED
    answer.original_key = None
    answer.attempts_failed = 0
    answer.error = None
    answer.retry_at = None
    answer.announced_at = answer.announced_at or now or utcnow()
    return True


def erased(answer: Answer) -> None:
    """The candidate's personal data is being removed (voice/erasure.py): the answer keeps
    only anonymous figures (question, attempt, lengths, when), never to be fetched again.

    Clearing `original_key` also drops the result of a job that was running (its
    write checks the key); the files themselves are deleted by the erasure job.
    """
    answer.status = AnswerStatus.ERASED
    answer.transcript = None
    answer.machine_transcript = None
    answer.segments = None
    answer.digits = None
    answer.error = None
    answer.retry_at = None
    answer.recording_url = None
    answer.original_key = None
    answer.normalised_key = None
    answer.playback_key = None


# --- questions about answers -------------------------------------------------------------


def is_given_up(answer: Answer) -> bool:
    """Failed for good: the sweep will not try it again."""
    return answer.status == AnswerStatus.FAILED and (answer.attempts_failed or 0) >= MAX_FAILURES


def needs_work(now: datetime | None = None, grace_seconds: int = SWEEP_GRACE_SECONDS) -> Select:
    """Answers a job should be working on, oldest first (at most SWEEP_BATCH).

    - announced or stored for longer than the grace period (its job was lost with
      Redis, or its worker died; the caller skips those a live job still holds);
    - failed, not given up, and past its `retry_at`;
    - recording for LOST_CALLBACK_SECONDS with a RecordingUrl: Twilio's status callback
      never came, so fetch it anyway.
    """
    now = now or utcnow()
    cutoff = now - timedelta(seconds=grace_seconds)
    since = func.coalesce(Answer.announced_at, Answer.created_at)
    return (
        select(Answer)
        .where(
            or_(
                and_(Answer.status.in_(AnswerStatus.QUEUED), since <= cutoff),
                and_(
                    Answer.status == AnswerStatus.FAILED,
                    Answer.attempts_failed < MAX_FAILURES,
                    or_(Answer.retry_at.is_(None), Answer.retry_at <= now),
                ),
                and_(
                    Answer.status == AnswerStatus.RECORDING,
                    Answer.recording_url.isnot(None),
                    Answer.created_at <= now - timedelta(seconds=LOST_CALLBACK_SECONDS),
                ),
            )
        )
        .order_by(Answer.id)
        .limit(SWEEP_BATCH)
    )
