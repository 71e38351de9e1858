"""Waveform pictures and skippable silences, computed with pydub and cached in the store."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET

from pydub import AudioSegment
from pydub.generators import Sine

from voice.audio import export
from voice.store import AudioStore, answer_key
from voice.waveform import BARS, analyse, cached_silences, cached_waveform, svg

SVG = "{http://www.w3.org/2000/svg}"


def speech_with_pause() -> bytes:
    """1 s tone, 3 s silence, 1 s tone, 0.5 s silence, 1 s tone (as MP3)."""
    tone = Sine(440).to_audio_segment(duration=1000, volume=-10)
    audio = tone + AudioSegment.silent(3000) + tone + AudioSegment.silent(500) + tone
    return export(audio.set_channels(1).set_frame_rate(16000), "mp3", bitrate="48k")


def test_long_silence_found_short_pause_kept():
    """A 3 s pause is reported (shrunk at its edges); a half-second pause is not."""
    analysis = analyse(speech_with_pause())
    assert 6.4 < analysis.seconds < 6.8
    [(start, end)] = analysis.silences
    assert 1.1 <= start <= 1.5
    assert 3.5 <= end <= 3.9


def test_peaks_are_scaled_and_show_the_gap():
    """Peaks run 0..1 with one value per bar, and the silent middle is flat."""
    analysis = analyse(speech_with_pause())
    assert len(analysis.peaks) == BARS
    assert max(analysis.peaks) == 1.0
    middle = analysis.peaks[int(BARS * 2.2 / 6.5)]
    assert middle < 0.05


def test_svg_is_well_formed_with_one_bar_per_peak():
    """The SVG parses as XML, is labelled, and has a rect per peak."""
    root = ET.fromstring(svg([0.0, 0.5, 1.0], 'Answer <3> & "more"'))
    assert root.tag == f"{SVG}svg"
    assert root.attrib["aria-label"] == 'Answer <3> & "more"'
    assert len(root.findall(f".//{SVG}rect")) == 3


def test_cache_is_built_once_and_rebuilt_when_audio_changes(tmp_path):
    """Cached files are reused; a newer playback file rebuilds them."""
    store = AudioStore(tmp_path)
    key = store.put(answer_key(7, "playback.mp3"), speech_with_pause())
    picture = cached_waveform(store, 7, key)
    assert picture.startswith(b"<svg")
    assert len(cached_silences(store, 7, key)) == 1
    cache = store.path(answer_key(7, "silences.json"))
    cache.write_text("[[9, 10]]")
    assert cached_silences(store, 7, key) == [[9, 10]]  # reused, not recomputed
    later = cache.stat().st_mtime + 10
    os.utime(store.path(key), (later, later))
    assert json.loads(json.dumps(cached_silences(store, 7, key)))[0][0] < 2


def test_undecodable_audio_gets_a_flat_picture(tmp_path):
    """Bytes that are not audio give a flat waveform and no silences, not an error."""
    store = AudioStore(tmp_path)
    key = store.put(answer_key(8, "playback.mp3"), b"not audio at all")
    assert b"<svg" in cached_waveform(store, 8, key)
    assert cached_silences(store, 8, key) == []
