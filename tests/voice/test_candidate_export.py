"""A candidate's own copy: the ZIP, its candidate.json, its audio and its text files."""

from __future__ import annotations

import json
import zipfile

import pytest

from tests.candidate_data import CONSENT_WORDS, SEGMENTS, make_everything
from voice.audio import duration_seconds
from voice.candidate_export import export_candidate, export_to_path
from voice.store import AudioStore


@pytest.fixture
def store(settings) -> AudioStore:
    return AudioStore(settings.media_dir)


@pytest.fixture
def everything(db, store):
    return make_everything(db, store)


def exported(db, store, candidate, tmp_path):
    """Export to a file; return (report, the opened ZIP, its candidate.json)."""
    path = tmp_path / "copy.zip"
    report = export_to_path(db, store, candidate, path)
    archive = zipfile.ZipFile(path)
    return report, archive, json.loads(archive.read("candidate.json"))


def test_zip_holds_the_json_the_texts_and_every_stored_audio_file(db, store, everything, tmp_path):
    """The ZIP has candidate.json, the two texts and each stored audio file, byte for byte."""
    report, archive, record = exported(db, store, everything.candidate, tmp_path)
    spoken, first = everything.spoken, everything.first_take
    audio = sorted(
        [
            f"audio/q03-attempt1-answer{first.id}-original.wav",
            f"audio/q03-attempt2-answer{spoken.id}-original.wav",
            f"audio/q03-attempt2-answer{spoken.id}-playback.mp3",
        ]
    )
    assert sorted(archive.namelist()) == sorted(
        ["candidate.json", "README.txt", "transcripts.txt", *audio]
    )
    assert sorted(report.audio_files) == audio
    assert report.missing_audio == []
    assert archive.read(audio[1]) == everything.original
    assert archive.read(audio[2]) == everything.playback
    assert duration_seconds(archive.read(audio[2])) > 3
    assert record["format_version"] == 1
    kept = next(a for a in record["answers"] if a["id"] == spoken.id)
    assert kept["audio"]["playback"]["file"] == audio[2]


def test_json_has_transcripts_with_timings_and_keypad_answers(db, store, everything, tmp_path):
    """Answers carry status, transcript and timed segments or keypad keys, retakes too."""
    _, _, record = exported(db, store, everything.candidate, tmp_path)
    answers = {a["id"]: a for a in record["answers"]}
    spoken = answers[everything.spoken.id]
    assert spoken["status"] == "transcribed"
    assert spoken["transcript"] == " ".join(s["text"] for s in SEGMENTS)
    assert spoken["segments"] == SEGMENTS
    assert answers[everything.first_take.id]["kept"] is False
    assert answers[everything.yes_no.id]["keypad"] == {"digits": "1", "meaning": "yes"}
    assert answers[everything.number.id]["keypad"] == {"digits": "40", "meaning": 40}
    assert [a["question_position"] for a in record["answers"]] == [1, 2, 3, 3]


def test_json_has_scores_notes_decisions_and_messages(db, store, everything, tmp_path):
    """Scores with notes, rubric scores, comments, decisions and texts sent are all there."""
    _, _, record = exported(db, store, everything.candidate, tmp_path)
    spoken = next(a for a in record["answers"] if a["id"] == everything.spoken.id)
    assert [(s["value"], s["note"], s["by"]) for s in spoken["scores"]] == [
        (4, "Clear and specific.", "Riley Reviewer")
    ]
    assert [(c["criterion"], c["value"]) for c in spoken["criterion_scores"]] == [("Experience", 3)]
    assert [c["body"] for c in spoken["comments"]] == ["Nights suit us."]
    assert [(s["value"], s["note"]) for s in record["overall_scores"]] == [(5, "Strong overall.")]
    assert [c["body"] for c in record["comments"]] == ["Call her back."]
    assert [(d["decision"], d["feedback"], d["by"]) for d in record["decisions"]] == [
        ("advance", "Welcome to the next round.", "manager@acme.test")
    ]
    messages = {m["kind"]: m for m in record["messages"]}
    assert messages["invitation"]["state"] == "sent"
    assert messages["invitation"]["body"] == "Call +15550100200 with PIN 123456."
    assert messages["invitation"]["sent_at"].endswith("Z")
    assert messages["decision:advance"]["state"] == "failed"
    assert messages["decision:advance"]["sent_by"] == "manager@acme.test"
    [link] = record["share_links"]
    assert link["label"] == "For the store manager"
    assert [v["viewer"] for v in link["views"]] == ["Sam Store"]
    assert "203.0.113.9" not in json.dumps(record)


def test_json_has_calls_with_outcomes_and_the_consent_record(db, store, everything, tmp_path):
    """Every call has its outcome and the consent words, language, key and time."""
    _, _, record = exported(db, store, everything.candidate, tmp_path)
    [call] = record["calls"]
    assert (call["call_sid"], call["outcome"], call["duration_seconds"]) == (
        everything.call.call_sid,
        "completed",
        250,
    )
    assert call["consent"] == {
        "text": CONSENT_WORDS,
        "language": "en-US",
        "key": "1",
        "agreed": True,
        "at": "2026-11-30T14:02:05Z",
    }
    assert record["candidate"]["completed_at"] == "2026-11-30T14:06:05Z"
    assert record["candidate"]["email"] == "dana@example.com"
    assert [q["kind"] for q in record["interview"]["questions"]] == ["yes_no", "number", "voice"]


def test_text_files_read_as_a_person_would(db, store, everything, tmp_path):
    """transcripts.txt has each line with its time; README.txt says what each file is."""
    _, archive, _ = exported(db, store, everything.candidate, tmp_path)
    lines = archive.read("transcripts.txt").decode().splitlines()
    assert "    [00:00.0-00:02.4] I worked at a grocery store for three years," in lines
    assert "    [00:02.4-00:04.1] mostly on the night shift." in lines
    assert "    Keypad: 1 (yes)" in lines
    assert "    Keypad: 40" in lines
    readme = archive.read("README.txt").decode()
    assert readme.startswith("A copy of everything Screenline holds about Dana Diaz")
    assert "no longer held" not in readme


def test_purged_audio_is_listed_not_a_crash(db, store, everything, tmp_path):
    """Audio gone from the store is listed in the JSON and README; the rest is written."""
    store.delete(everything.spoken.original_key)
    store.delete(everything.spoken.playback_key)
    report, archive, record = exported(db, store, everything.candidate, tmp_path)
    assert [n for n in archive.namelist() if n.startswith("audio/")] == [
        f"audio/q03-attempt1-answer{everything.first_take.id}-original.wav"
    ]
    missing = {(m["answer_id"], m["copy"]) for m in record["missing_audio"]}
    assert missing == {(everything.spoken.id, "original"), (everything.spoken.id, "playback")}
    assert report.missing_audio == record["missing_audio"]
    spoken = next(a for a in record["answers"] if a["id"] == everything.spoken.id)
    assert spoken["audio"]["playback"] == {"key": everything.spoken.playback_key, "file": None}
    assert spoken["transcript"]
    readme = archive.read("README.txt").decode()
    assert f"answer {everything.spoken.id}, playback copy" in readme


def test_a_failed_write_leaves_no_file(db, store, everything, tmp_path):
    """Export to a folder that does not exist raises OSError and leaves nothing behind."""
    with pytest.raises(OSError):
        export_to_path(db, store, everything.candidate, tmp_path / "no-such" / "copy.zip")
    assert list(tmp_path.iterdir()) == []


def test_export_writes_to_any_binary_file(db, store, everything, tmp_path):
    """export_candidate writes the same ZIP to an open file it is given."""
    path = tmp_path / "open.zip"
    with path.open("wb") as handle:
        report = export_candidate(db, store, everything.candidate, handle)
    assert sorted(zipfile.ZipFile(path).namelist()) == sorted(report.files)
