"""Memory of normalising a long answer: peak RSS above the input, per minute of audio.

Builds a Twilio-shaped recording (8 kHz, 16-bit PCM WAV, mono or two channels) of
tone bursts, runs voice.audio.normalise on it in this process, and prints the file's
size and the peak resident memory the processing added, as a multiple of the file.

    .venv/bin/python bench/bench_long_answer.py [--minutes 60] [--channels 1]

Run it in a fresh process per size (ru_maxrss only ever grows).
"""

from __future__ import annotations

import argparse
import array
import io
import math
import resource
import time
import wave

from voice.audio import normalise

RATE = 8000


def recording(minutes: float, channels: int) -> bytes:
    """Tone bursts (1 s of 220 Hz, 0.3 s of silence) as a WAV of `minutes`."""
    period = array.array(
        "h",
        (
            int(8000 * math.sin(2 * math.pi * 220 * i / RATE)) if i % 10_400 < 8000 else 0
            for i in range(10_400)
        ),
    )
    frames = period * int(minutes * 60 * RATE / len(period))
    if channels == 2:
        both = array.array("h", bytes(len(frames) * 4))
        both[0::2], both[1::2] = frames, frames
        frames = both
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(frames.tobytes())
    return buffer.getvalue()


def main() -> None:
    """Print the file size, the peak memory normalise added, and the time it took."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--channels", type=int, choices=(1, 2), default=1)
    args = parser.parse_args()
    data = recording(args.minutes, args.channels)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    processed = normalise(data)
    took = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = len(data) / 2**20
    print(
        f"{args.minutes:g} min, {args.channels} channel(s): file {size:.1f} MiB; "
        f"normalise added {peak - before:.0f} MiB at peak ({(peak - before) / size:.1f}x the "
        f"file); {took:.1f} s; {processed.seconds:.0f} s of speech kept"
    )


if __name__ == "__main__":
    main()
