"""Benchmark speech-to-text on this machine: real-time factor per engine, pipeline overhead.

Run from the repository root:  python bench/bench_transcription.py [--repeats N] [--out FILE]

Audio: Debian's LibriVox read-speech clips (pocketsphinx-testdata), flite sentences, and
one long answer made of all the clips; every file is first passed through the telephone
channel (8 kHz mu-law, as Twilio delivers it). Reported:
- the real-time factor (processing seconds per second of speech) of whisper tiny.en int8
  and of sphinx, with their word error rates;
- per answer, the full pipeline time (normalise + store + transcribe, as the worker does)
  against the raw model's time on the same file, as a ratio.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make config/ and voice/ importable

import jiwer  # noqa: E402
from pydub import AudioSegment  # noqa: E402

from config.settings import Settings  # noqa: E402
from tests.voice.samples import SENTENCES  # noqa: E402
from voice.audio import export, normalise, telephone_channel  # noqa: E402
from voice.store import AudioStore, answer_key  # noqa: E402
from voice.stt import SphinxEngine, WhisperEngine  # noqa: E402

LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")
FLITE_SENTENCES = SENTENCES[:6]  # the test suite's own, so figures compare across runs


@dataclass
class Clip:
    name: str
    corpus: str  # librivox, flite or long
    text: str
    phone_wav: bytes  # as Twilio would serve it
    speech_wav: bytes = b""  # normalised, as the engines get it
    seconds: float = 0.0  # of speech after trimming


def machine() -> dict:
    """Describe the machine the numbers come from."""
    model = platform.processor() or "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        model = found.group(1).strip() if found else model
    import ctranslate2
    import faster_whisper

    return {
        "cpu_model": model,
        "logical_cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "ctranslate2": ctranslate2.__version__,
        "faster_whisper": faster_whisper.__version__,
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def corpus() -> list[Clip]:
    """LibriVox clips, flite sentences and one long answer, all through the phone line."""
    clips = []
    for line in (LIBRIVOX / "transcription").read_text().splitlines():
        text, name = re.match(r"<s> (.*) </s> \((.*)\)", line.strip()).groups()
        wav = (LIBRIVOX / f"{name}.wav").read_bytes()
        clips.append(Clip(name, "librivox", text, telephone_channel(wav)))
    for number, text in enumerate(FLITE_SENTENCES, start=1):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "s.wav"
            subprocess.run(["flite", "-voice", "slt", "-t", text, "-o", str(path)], check=True)
            clips.append(
                Clip(f"flite-{number}", "flite", text, telephone_channel(path.read_bytes()))
            )
    pause = AudioSegment.silent(1000, frame_rate=8000)
    joined = sum(
        (AudioSegment.from_file(io.BytesIO(c.phone_wav)) + pause for c in clips[:5]),
        AudioSegment.silent(500, frame_rate=8000),
    )
    long_text = " ".join(c.text for c in clips[:5])
    clips.append(Clip("long-answer", "long", long_text, export(joined, "wav")))
    for clip in clips:
        processed = normalise(clip.phone_wav)
        clip.speech_wav, clip.seconds = processed.speech_wav, processed.seconds
    return clips


def words(text: str) -> str:
    text = text.lower().replace("mr.", "mister").replace("-", " ")
    return " ".join(re.sub(r"[^a-z' ]+", " ", text).split())


def timed(func, *args):
    started = time.perf_counter()
    result = func(*args)
    return result, time.perf_counter() - started


def bench_engine(engine, clips: list[Clip], repeats: int) -> dict:
    """Real-time factor and WER of one engine over the clips (best of `repeats` per clip)."""
    engine.transcribe(clips[0].speech_wav, "en-US")  # warm-up: first-call costs are not RTF
    rows = []
    for clip in clips:
        runs = [timed(engine.transcribe, clip.speech_wav, "en-US") for _ in range(repeats)]
        best = min(seconds for _, seconds in runs)
        rows.append(
            {
                "clip": clip.name,
                "corpus": clip.corpus,
                "audio_seconds": round(clip.seconds, 2),
                "seconds": round(best, 3),
                "rtf": round(best / clip.seconds, 3),
                "text": runs[0][0].text,
            }
        )
    summary = {}
    for name in ("librivox", "flite", "long", "all"):
        chosen = [r for r in rows if name in ("all", r["corpus"])]
        texts = [c for c in clips if name in ("all", c.corpus)]
        audio = sum(r["audio_seconds"] for r in chosen)
        summary[name] = {
            "audio_seconds": round(audio, 1),
            "rtf": round(sum(r["seconds"] for r in chosen) / audio, 3),
            "wer": round(
                jiwer.wer([words(c.text) for c in texts], [words(r["text"]) for r in chosen]), 3
            ),
        }
    return {"engine": engine.name, "summary": summary, "clips": rows}


def pipeline_once(engine: WhisperEngine, store: AudioStore, answer_id: int, clip: Clip) -> float:
    """What transcribe_answer does to one answer, minus the database: seconds taken."""
    started = time.perf_counter()
    store.put(answer_key(answer_id, "original.wav"), clip.phone_wav)
    processed = normalise(store.get(answer_key(answer_id, "original.wav")))
    store.put(answer_key(answer_id, "speech.wav"), processed.speech_wav)
    store.put(answer_key(answer_id, "playback.mp3"), processed.playback_mp3)
    engine.transcribe(processed.speech_wav, "en-US")
    return time.perf_counter() - started


def raw_model_once(engine: WhisperEngine, clip: Clip) -> float:
    """faster-whisper alone on the same phone recording, same decoding options."""
    model = engine.load()
    started = time.perf_counter()
    pieces, _ = model.transcribe(
        io.BytesIO(clip.phone_wav),
        language="en",
        beam_size=engine.beam_size,
        condition_on_previous_text=False,
        vad_filter=True,
        vad_parameters={"min_silence_duration_ms": 1000, "speech_pad_ms": 300},
    )
    list(pieces)
    return time.perf_counter() - started


def bench_pipeline(engine: WhisperEngine, clips: list[Clip], repeats: int) -> dict:
    """Per answer: pipeline seconds against raw model seconds (medians), and their ratio."""
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        store = AudioStore(folder)
        for number, clip in enumerate(clips, start=1):
            pipeline = statistics.median(
                pipeline_once(engine, store, number, clip) for _ in range(repeats)
            )
            raw = statistics.median(raw_model_once(engine, clip) for _ in range(repeats))
            rows.append(
                {
                    "clip": clip.name,
                    "audio_seconds": round(clip.seconds, 2),
                    "pipeline_seconds": round(pipeline, 3),
                    "raw_model_seconds": round(raw, 3),
                    "ratio": round(pipeline / raw, 3),
                }
            )
    total_pipeline = sum(r["pipeline_seconds"] for r in rows)
    total_raw = sum(r["raw_model_seconds"] for r in rows)
    return {
        "ratio_overall": round(total_pipeline / total_raw, 3),
        "ratio_median": round(statistics.median(r["ratio"] for r in rows), 3),
        "answers": rows,
    }


def report(results: dict) -> None:
    m = results["machine"]
    print(
        f"machine: {m['cpu_model']}, {m['logical_cores']} logical cores "
        f"({m['usable_cores']} usable), Python {m['python']}, load {m['load_average']}"
    )
    for name, load in results["load_seconds"].items():
        print(f"model load: {name} {load:.2f} s")
    print("\nreal-time factor (processing s per s of speech; lower is faster) and WER")
    for engine in results["engines"]:
        for corpus_name, row in engine["summary"].items():
            print(
                f"  {engine['engine']:<16} {corpus_name:<9} {row['audio_seconds']:>6.1f} s audio"
                f"  RTF {row['rtf']:.3f}  WER {row['wer']:.1%}"
            )
    pipeline = results["pipeline"]
    print("\nper answer: pipeline (normalise + store + transcribe) vs raw model, same file")
    for row in pipeline["answers"]:
        print(
            f"  {row['clip']:<44} {row['audio_seconds']:>5.1f} s  pipeline "
            f"{row['pipeline_seconds']:.2f} s  raw {row['raw_model_seconds']:.2f} s  "
            f"x{row['ratio']:.2f}"
        )
    print(
        f"  overall pipeline / raw: x{pipeline['ratio_overall']:.2f} "
        f"(median per answer x{pipeline['ratio_median']:.2f})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2, help="runs per clip (default 2)")
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "var" / "bench" / "transcription.json",
        help="where to write the JSON results (default var/bench/transcription.json)",
    )
    args = parser.parse_args(argv)
    settings = Settings()
    clips = corpus()
    whisper = WhisperEngine(settings.whisper_model, settings.whisper_compute_type)
    _, whisper_load = timed(whisper.load)
    results = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {
            "whisper_model": whisper.model,
            "compute_type": whisper.compute_type,
            "beam_size": whisper.beam_size,
            "repeats": args.repeats,
        },
        "load_seconds": {whisper.name: round(whisper_load, 3)},
        "engines": [bench_engine(whisper, clips, args.repeats)],
    }
    # Sphinx loads its models on every call through SpeechRecognition: one run is plenty.
    results["engines"].append(bench_engine(SphinxEngine(), clips, 1))
    results["pipeline"] = bench_pipeline(whisper, clips, args.repeats)
    report(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nresults written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
