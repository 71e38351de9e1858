"""Pictures and pauses of an answer's playback audio: a waveform SVG and its long silences.

Both are computed with pydub from the stored playback copy and cached next to it in the
audio store (`answers/<id>/waveform.svg`, `answers/<id>/silences.json`); a cache older
than the playback file is rebuilt, so a re-processed answer never shows a stale picture.

The worker calls `cached_waveform` and `cached_silences` right after storing the
playback copy, while it holds the audio, so the web only serves the cached files
(dashboard.media); for answers stored before that, the first request builds them.
Keep these two functions' names and signatures stable: both sides call them.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from pydub import AudioSegment
from pydub.silence import detect_silence

from voice.audio import AudioError, load
from voice.store import Store, answer_key

BARS = 160  # vertical bars in the picture
WIDTH, HEIGHT = 640, 64  # the SVG's viewBox; it scales to any width
MIN_SILENCE_MS = 1500  # pauses shorter than this are part of speaking
SILENCE_BELOW_PEAK_DB = 30.0  # quieter than this, relative to the loudest moment, is silence
SILENCE_FLOOR_DBFS = -60.0
KEEP_MS = 300  # silence left at each side of a skipped span, so speech is not clipped
SEEK_STEP_MS = 20


@dataclass(frozen=True)
class Analysis:
    """What one decoding of an answer's audio yields: its length, peaks and silences."""

    seconds: float
    peaks: list[float]  # 0..1, one per bar
    silences: list[tuple[float, float]]  # (start, end) seconds worth skipping


def analyse(data: bytes, bars: int = BARS) -> Analysis:
    """Decode audio once; measure its peaks per bar and its long silences."""
    segment = load(data).set_channels(1)
    return Analysis(len(segment) / 1000, peaks(segment, bars), silences(segment))


def peaks(segment: AudioSegment, bars: int = BARS) -> list[float]:
    """The loudest sample in each of `bars` equal slices, scaled so the loudest is 1."""
    samples = segment.get_array_of_samples()
    if not samples:
        return [0.0] * bars
    size = max(1, math.ceil(len(samples) / bars))
    raw = []
    for n in range(bars):
        chunk = samples[n * size : (n + 1) * size]
        raw.append(max((abs(s) for s in chunk), default=0))
    top = max(raw) or 1
    return [round(value / top, 3) for value in raw]


def silences(
    segment: AudioSegment, min_silence_ms: int = MIN_SILENCE_MS
) -> list[tuple[float, float]]:
    """Spans of at least `min_silence_ms` of silence, shrunk by KEEP_MS at each side."""
    if len(segment) < min_silence_ms or segment.max_dBFS == float("-inf"):
        return []
    threshold = max(segment.max_dBFS - SILENCE_BELOW_PEAK_DB, SILENCE_FLOOR_DBFS)
    spans = []
    for start, end in detect_silence(
        segment, min_silence_len=min_silence_ms, silence_thresh=threshold, seek_step=SEEK_STEP_MS
    ):
        # Keep a breath of silence at each side so words are not clipped.
        start = start + KEEP_MS if start > 0 else start
        end = end - KEEP_MS if end < len(segment) else end
        if end - start >= min_silence_ms - 2 * KEEP_MS:
            spans.append((round(start / 1000, 2), round(end / 1000, 2)))
    return spans


def svg(peaks_: list[float], label: str = "Waveform") -> str:
    """A waveform as a small, self-contained SVG of mirrored bars."""
    bars = len(peaks_) or 1
    step = WIDTH / bars
    mid = HEIGHT / 2
    rects = []
    for n, peak in enumerate(peaks_):
        h = max(1.0, peak * (HEIGHT - 4))
        rects.append(
            f'<rect x="{n * step + step * 0.15:.2f}" y="{mid - h / 2:.2f}" '
            f'width="{step * 0.7:.2f}" height="{h:.2f}" rx="1"/>'
        )
    safe = label.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'preserveAspectRatio="none" role="img" aria-label="{safe}">'
        f'<g fill="#5b7fe0">{"".join(rects)}</g></svg>'
    )


# ---------------------------------------------------------------- cached in the store


def _fresh(store: Store, key: str, source_key: str) -> bool:
    if not store.exists(key):
        return False
    return store.modified(key) >= store.modified(source_key)


def _build(store: Store, answer_id: int, playback_key: str) -> None:
    try:
        analysis = analyse(store.get(playback_key))
        picture = svg(analysis.peaks, f"Waveform of answer {answer_id}")
        pauses = [list(span) for span in analysis.silences]
    except AudioError:
        # Undecodable audio still gets a flat picture and no skips, cached like the rest.
        picture, pauses = svg([0.0] * BARS), []
    store.put(answer_key(answer_id, "waveform.svg"), picture.encode())
    store.put(answer_key(answer_id, "silences.json"), json.dumps(pauses).encode())


def cached_waveform(store: Store, answer_id: int, playback_key: str) -> bytes:
    """The answer's waveform SVG (bytes), built from its playback audio if missing or stale.

    Raises whatever the store raises for a missing playback file; undecodable audio gets
    a flat picture.
    """
    key = answer_key(answer_id, "waveform.svg")
    if not _fresh(store, key, playback_key):
        _build(store, answer_id, playback_key)
    return store.get(key)


def cached_silences(store: Store, answer_id: int, playback_key: str) -> list[list[float]]:
    """The answer's skippable silences [[start, end], ...] in seconds, built if missing
    or stale (computed together with the waveform)."""
    key = answer_key(answer_id, "silences.json")
    if not _fresh(store, key, playback_key):
        _build(store, answer_id, playback_key)
    return json.loads(store.get(key))
