"""A candidate's own copy: one ZIP of everything held about them.

The ZIP holds:

    candidate.json     the whole record (voice/candidate_record.py documents its shape)
    transcripts.txt    every answer as text, each line with its timing
    README.txt         what the files are, and which audio files were missing
    audio/             each answer's original recording and its playback copy, named
                       q01-attempt1-answer12-original.wav, ...-playback.mp3

`export_candidate` is the one function that makes it; the dashboard's button and
`screenline candidate export` both call it. Audio is read only through the audio
store's `exists` and `get`, one file at a time, and written straight into the ZIP (the
ZIP itself goes to a file, never to memory). A file the store no longer has (deleted,
purged) is listed in candidate.json's `missing_audio` and in README.txt, not an error.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from voice.candidate_record import FORMAT_VERSION, candidate_record, keypad_meaning
from voice.models import Answer, Candidate
from voice.reliability import WARNING

AUDIO_COPIES = ("original", "playback")  # the speech copy is derived, so not exported
# Audio formats that are compressed already: stored in the ZIP as they are.
_COMPRESSED = {".mp3", ".ogg", ".m4a", ".opus"}


class AudioReader(Protocol):
    """What the export reads of the audio store (voice.store.AudioStore has it)."""

    def exists(self, key: str | None) -> bool:
        """Whether a file is stored under `key`."""

    def get(self, key: str) -> bytes:
        """The stored bytes; raises FileNotFoundError when nothing is stored there."""


@dataclass
class ExportReport:
    """What an export wrote: the ZIP's file names, and the audio it could not find.

    `missing_audio` items are {answer_id, copy ("original" or "playback"), key, reason}.
    """

    candidate_id: int
    format_version: int = FORMAT_VERSION
    files: list[str] = field(default_factory=list)
    missing_audio: list[dict[str, Any]] = field(default_factory=list)

    @property
    def audio_files(self) -> list[str]:
        """The audio files in the ZIP."""
        return [name for name in self.files if name.startswith("audio/")]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: candidate_id, format_version, files, audio_files, missing_audio."""
        return {
            "candidate_id": self.candidate_id,
            "format_version": self.format_version,
            "files": list(self.files),
            "audio_files": self.audio_files,
            "missing_audio": list(self.missing_audio),
        }


def export_candidate(
    session: Session,
    store: AudioReader,
    candidate: Candidate,
    out: IO[bytes],
    now: datetime | None = None,
) -> ExportReport:
    """Write the candidate's ZIP to `out` (a binary file opened for writing, seekable).

    Reads the database through `session` (commits nothing) and the audio through
    `store`. Returns what was written. Raises OSError if `out` cannot be written.
    """
    report = ExportReport(candidate.id)
    answers = sorted(
        session.scalars(
            select(Answer)
            .where(Answer.candidate_id == candidate.id)
            .options(selectinload(Answer.question))
        ),
        key=lambda a: (a.question.position, a.attempt, a.id),
    )
    placed: dict[tuple[int, str], str | None] = {}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for answer in answers:
            for copy in AUDIO_COPIES:
                key = getattr(answer, f"{copy}_key")
                if not key:
                    continue
                name = audio_name(answer, copy, key)
                reason = _copy_audio(store, key, archive, name)
                placed[(answer.id, copy)] = None if reason else name
                if reason:
                    report.missing_audio.append(
                        {"answer_id": answer.id, "copy": copy, "key": key, "reason": reason}
                    )
                else:
                    report.files.append(name)
        record = candidate_record(session, candidate, placed, report.missing_audio, now)
        _write(archive, "candidate.json", json.dumps(record, indent=2, ensure_ascii=False))
        _write(archive, "transcripts.txt", transcripts_text(record))
        _write(archive, "README.txt", readme_text(record))
        report.files[:0] = ["candidate.json", "transcripts.txt", "README.txt"]
    return report


def export_to_path(
    session: Session, store: AudioReader, candidate: Candidate, path: Path | str
) -> ExportReport:
    """Write the candidate's ZIP to `path`, whole or not at all (a temporary file beside
    it is renamed into place). Raises OSError if the folder cannot be written."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".export-", suffix=".zip")
    try:
        with os.fdopen(fd, "wb") as handle:
            report = export_candidate(session, store, candidate, handle)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return report


def audio_name(answer: Answer, copy: str, key: str) -> str:
    """The ZIP path of one of an answer's audio files, e.g.
    audio/q02-attempt1-answer17-playback.mp3 (the extension is the stored file's)."""
    suffix = PurePosixPath(key).suffix.lower() or ".audio"
    return (
        f"audio/q{answer.question.position:02d}-attempt{answer.attempt}"
        f"-answer{answer.id}-{copy}{suffix}"
    )


def _copy_audio(store: AudioReader, key: str, archive: zipfile.ZipFile, name: str) -> str | None:
    """Copy one stored file into the ZIP; returns why it could not be, or None."""
    try:
        if not store.exists(key):
            return "not in the audio store (deleted or purged)"
        data = store.get(key)
    except FileNotFoundError:
        return "not in the audio store (deleted or purged)"
    except ValueError:
        return "not a valid audio store key"
    compress = (
        zipfile.ZIP_STORED if PurePosixPath(name).suffix in _COMPRESSED else zipfile.ZIP_DEFLATED
    )
    archive.writestr(_info(name, compress), data)
    return None


def _info(name: str, compress: int = zipfile.ZIP_DEFLATED) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=datetime.now(UTC).timetuple()[:6])
    info.compress_type = compress
    info.external_attr = 0o644 << 16
    return info


def _write(archive: zipfile.ZipFile, name: str, text: str) -> None:
    archive.writestr(_info(name), text.encode("utf-8"))


def _clock(seconds: float) -> str:
    minutes, rest = divmod(max(0.0, seconds), 60)
    return f"{int(minutes):02d}:{rest:04.1f}"


def transcripts_text(record: dict[str, Any]) -> str:
    """Every answer of a candidate.json document as plain text, with segment timings."""
    candidate, interview = record["candidate"], record["interview"]
    lines = [f"{candidate['name']} · {interview['title']}", ""]
    by_question: dict[int, list[dict[str, Any]]] = {}
    for answer in record["answers"]:
        by_question.setdefault(answer["question_id"], []).append(answer)
    for question in interview["questions"]:
        lines.append(f"Question {question['position']}: {question['prompt']}")
        answers = by_question.get(question["id"], [])
        if not answers:
            lines.append("  (not answered)")
        for answer in answers:
            kept = "" if answer["kept"] else ", not kept"
            lines.append(f"  Attempt {answer['attempt']} ({answer['status']}{kept})")
            if answer.get("transcript_flags"):
                lines.append(f"    ({WARNING}: {', '.join(answer['transcript_flags'])})")
            if answer["keypad"] is not None:
                digits = answer["keypad"]["digits"]
                meaning = keypad_meaning(question["kind"], digits)
                said = f" ({meaning})" if meaning is not None and str(meaning) != digits else ""
                lines.append(f"    Keypad: {digits}{said}")
            elif answer.get("machine_transcript") is not None:
                # A person corrected it: their text, then the machine's timed one.
                lines.append(f"    {answer['transcript']}")
                lines.append("    Machine transcript:")
                for s in answer["segments"]:
                    lines.append(f"    [{_clock(s['start'])}-{_clock(s['end'])}] {s['text']}")
                if not answer["segments"]:
                    lines.append(f"    {answer['machine_transcript'] or '(empty)'}")
            elif answer["segments"]:
                for s in answer["segments"]:
                    lines.append(f"    [{_clock(s['start'])}-{_clock(s['end'])}] {s['text']}")
            elif answer["transcript"]:
                lines.append(f"    {answer['transcript']}")
            else:
                lines.append("    (no transcript)")
            for copy, audio in answer["audio"].items():
                if audio is not None:
                    lines.append(f"    {copy} audio: {audio['file'] or '(missing)'}")
        lines.append("")
    return "\n".join(lines)


README = """\
A copy of everything Screenline holds about {name}
Interview: {title} ({organization})
Exported: {exported_at} (times in this copy are UTC, RFC 3339)

candidate.json   the whole record, for programs (format_version {version}): you, the
                 interview and its questions, every call with its outcome and the
                 consent you gave or declined (the words you heard, their language,
                 the key you pressed and when), every answer with its status,
                 transcript and timed segments, keypad answers, scores, rubric
                 scores and comments by the reviewers, decisions, the text messages
                 sent to you, and links made to share your answers.
transcripts.txt  your answers as text, each line with its time in the recording.
audio/           your recorded answers: the original recording (-original) and the
                 copy the reviewers listen to (-playback), per question and attempt.
"""


def readme_text(record: dict[str, Any]) -> str:
    """The README.txt of a candidate's ZIP, naming any audio file that was missing."""
    text = README.format(
        name=record["candidate"]["name"],
        title=record["interview"]["title"],
        organization=record["interview"]["organization"],
        exported_at=record["exported_at"],
        version=record["format_version"],
    )
    missing = record["missing_audio"]
    if missing:
        text += "\nAudio no longer held (not in this copy):\n"
        text += "".join(
            f"  answer {m['answer_id']}, {m['copy']} copy: {m['reason']}\n" for m in missing
        )
    return text
