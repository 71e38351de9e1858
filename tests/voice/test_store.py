"""The audio store: atomic write-once files under one folder, addressed by safe keys."""

from __future__ import annotations

import pytest

from voice.store import AudioStore, answer_key


def test_put_get_exists_size_and_delete_round_trip(tmp_path):
    """Stored bytes come back unchanged; deleting twice is harmless."""
    store = AudioStore(tmp_path)
    key = store.put(answer_key(7, "original.wav"), b"RIFF1234")
    assert key == "answers/7/original.wav"
    assert store.exists(key) and store.get(key) == b"RIFF1234" and store.size(key) == 8
    store.delete(key)
    store.delete(key)
    assert not store.exists(key)


def test_put_replaces_atomically_and_leaves_no_temporary_files(tmp_path):
    """Writing a key again replaces the file and leaves nothing half-written beside it."""
    store = AudioStore(tmp_path)
    key = answer_key(1, "speech.wav")
    store.put(key, b"first")
    store.put(key, b"second")
    assert store.get(key) == b"second"
    assert [p.name for p in (tmp_path / "answers" / "1").iterdir()] == ["speech.wav"]


def test_exists_is_false_for_no_key(tmp_path):
    """An answer with no stored file (key None or empty) does not exist in the store."""
    store = AudioStore(tmp_path)
    assert not store.exists(None) and not store.exists("")


@pytest.mark.parametrize("key", ["../etc/passwd", "answers/../../x", "/abs/path", "a b/c", ""])
def test_keys_cannot_escape_the_root(tmp_path, key):
    """Keys with parent references, absolute paths or odd characters are refused."""
    with pytest.raises(ValueError, match="bad audio key"):
        AudioStore(tmp_path).path(key)
