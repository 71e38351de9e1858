"""Benchmark what a reviewer reads: word errors, speed and flags of each installed model.

Run from the repository root:  python bench/bench_transcription.py [--repeats N] [--out FILE]

Audio, every file first passed through the telephone channel as Twilio delivers it
(8 kHz G.711 mu-law) and then through the project's own normalise(), as the worker does:
- English, clean: Debian's LibriVox read-speech clips (pocketsphinx-testdata) and flite
  sentences the test suite uses;
- English, noisy: the same, with white noise at 20 dB SNR added before the line;
- Spanish: real recorded Mexican Spanish telephone prompts with their texts (Debian's
  asterisk-core-sounds-es-wav and asterisk-core-sounds-es).

For each installed model (`base`, `tiny.en`), reported from one run:
- word error rate and real-time factor (processing seconds per second of speech) of
  Screenline's engine (language detection, then transcription), against the same model
  called directly on the same files (faster-whisper's transcribe in the expected
  language, same decoding options): the ratio of their times is the engine's overhead;
- how often each flag fires on answers in the expected language (false alarms) and on
  answers in the other language (Spanish in an English interview, English in a
  Spanish one), where the language flag should fire;
- decoding settings: beam 1 against beam 5 (the baseline), and, for throughput on two
  cores, two processes with one thread each against one process with two threads.
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import os
import platform
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make config/ and voice/ importable

import numpy as np  # noqa: E402
from common import cpu_model  # noqa: E402
from pydub import AudioSegment  # noqa: E402

from tests.voice.samples import (  # noqa: E402
    SENTENCES,
    flite,
    librivox_clips,
    spanish_clips,
    word_error_rate,
)
from voice import speech_models  # noqa: E402
from voice.audio import export, normalise, telephone_channel  # noqa: E402
from voice.reliability import ALL as FLAGS  # noqa: E402
from voice.reliability import transcript_flags  # noqa: E402
from voice.stt import VAD_PARAMETERS, UnsupportedLanguage, WhisperEngine  # noqa: E402

NOISE_SNR_DB = 20.0
SPANISH_CLIPS = 12


@dataclass
class Clip:
    name: str
    corpus: str  # en-clean, en-noisy or es
    language: str  # what the caller speaks (BCP-47)
    text: str
    speech_wav: bytes  # normalised, as the engines get it
    seconds: float  # of speech after trimming


def machine() -> dict:
    """Describe the machine the numbers come from, with the speech libraries' versions."""
    import ctranslate2
    import faster_whisper

    return {
        "cpu_model": cpu_model(),
        "logical_cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "ctranslate2": ctranslate2.__version__,
        "faster_whisper": faster_whisper.__version__,
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def with_noise(wav: bytes, snr_db: float, seed: int) -> bytes:
    """The recording with white noise `snr_db` below its speech power (fixed seed)."""
    segment = AudioSegment.from_file(io.BytesIO(wav)).set_channels(1).set_sample_width(2)
    samples = np.frombuffer(segment.raw_data, dtype=np.int16).astype(np.float64)
    power = float(np.mean(samples**2)) or 1.0
    noise = np.random.default_rng(seed).normal(
        0, np.sqrt(power / 10 ** (snr_db / 10)), len(samples)
    )
    mixed = np.clip(samples + noise, -32768, 32767).astype(np.int16)
    return export(segment._spawn(mixed.tobytes()), "wav")


def clip(name: str, corpus: str, language: str, text: str, wav: bytes) -> Clip:
    processed = normalise(telephone_channel(wav))
    return Clip(name, corpus, language, text, processed.speech_wav, processed.seconds)


def corpus() -> list[Clip]:
    """English clean and noisy, and real Spanish, all through the phone line, normalised."""
    english = [(f"librivox-{n}", text, wav) for n, (wav, text) in enumerate(librivox_clips(), 1)]
    english += [(f"flite-{n}", text, flite(text)) for n, text in enumerate(SENTENCES[:6], 1)]
    clips = [clip(name, "en-clean", "en-US", text, wav) for name, text, wav in english]
    clips += [
        clip(name, "en-noisy", "en-US", text, with_noise(wav, NOISE_SNR_DB, seed))
        for seed, (name, text, wav) in enumerate(english)
    ]
    found = spanish_clips()
    step = max(1, len(found) // SPANISH_CLIPS)
    clips += [
        clip(f"es-{n}", "es", "es-MX", text, wav)
        for n, (wav, text) in enumerate(found[::step][:SPANISH_CLIPS], 1)
    ]
    return clips


def timed(func, *args):
    started = time.perf_counter()
    result = func(*args)
    return result, time.perf_counter() - started


def direct(engine: WhisperEngine, speech_wav: bytes, language: str) -> str:
    """faster-whisper itself on the same normalised file: the expected language, the
    engine's decoding options, no language detection."""
    pieces, _ = engine.load().transcribe(
        io.BytesIO(speech_wav),
        language=language.split("-")[0],
        beam_size=engine.beam_size,
        condition_on_previous_text=False,
        vad_filter=True,
        vad_parameters=VAD_PARAMETERS,
    )
    return " ".join(p.text.strip() for p in pieces if p.text.strip())


def bench_model(engine: WhisperEngine, clips: list[Clip], repeats: int) -> dict:
    """WER, RTF and flags of the engine against the model called directly, per corpus."""
    engine.transcribe(clips[0].speech_wav, "en-US")  # warm-up: first-call costs are not RTF
    rows = []
    for c in clips:
        row = {"clip": c.name, "corpus": c.corpus, "audio_seconds": round(c.seconds, 2)}
        try:
            runs = []
            for _ in range(repeats):  # interleaved: engine, direct, engine, direct...
                runs.append((timed(engine.transcribe, c.speech_wav, c.language), "engine"))
                runs.append((timed(direct, engine, c.speech_wav, c.language), "direct"))
        except UnsupportedLanguage:
            row["unsupported"] = True
            rows.append(row)
            continue
        ours = [r for r, kind in runs if kind == "engine"]
        raw = [r for r, kind in runs if kind == "direct"]
        transcript = ours[0][0]
        row.update(
            engine_seconds=round(min(s for _, s in ours), 3),
            direct_seconds=round(min(s for _, s in raw), 3),
            engine_text=transcript.text,
            direct_text=raw[0][0],
            language=transcript.language,
            detected=transcript.detected_language,
            probability=transcript.detected_probability,
            flags=transcript_flags(transcript, c.language),
        )
        rows.append(row)
    return {"engine": engine.name, "beam_size": engine.beam_size, "clips": rows}


def wrong_language(engine: WhisperEngine, clips: list[Clip]) -> dict:
    """Each clip transcribed as if the interview were in the other language: the flags."""
    rows = []
    for c in clips:
        expected = "en-US" if c.language.startswith("es") else "es-MX"
        try:
            transcript = engine.transcribe(c.speech_wav, expected)
        except UnsupportedLanguage:
            continue
        rows.append(
            {
                "clip": c.name,
                "corpus": c.corpus,
                "expected": expected,
                "language": transcript.language,
                "flags": transcript_flags(transcript, expected),
                "wer_against_what_was_said": round(word_error_rate([c.text], [transcript.text]), 3),
            }
        )
    return {"engine": engine.name, "clips": rows}


def summary(model: dict, clips: list[Clip]) -> dict:
    """Per corpus: WER and RTF of the engine and of the model called directly, and flags."""
    texts = {c.name: c.text for c in clips}
    out = {}
    for name in ("en-clean", "en-noisy", "es"):
        rows = [r for r in model["clips"] if r["corpus"] == name and not r.get("unsupported")]
        if not rows:
            out[name] = None
            continue
        audio = sum(r["audio_seconds"] for r in rows)
        refs = [texts[r["clip"]] for r in rows]
        ours = sum(r["engine_seconds"] for r in rows)
        raw = sum(r["direct_seconds"] for r in rows)
        out[name] = {
            "clips": len(rows),
            "audio_seconds": round(audio, 1),
            "wer": round(word_error_rate(refs, [r["engine_text"] for r in rows]), 3),
            "direct_wer": round(word_error_rate(refs, [r["direct_text"] for r in rows]), 3),
            "rtf": round(ours / audio, 3),
            "direct_rtf": round(raw / audio, 3),
            "time_ratio": round(ours / raw, 2),
            "flagged": {f: sum(f in r["flags"] for r in rows) for f in FLAGS},
            "any_flag": sum(bool(r["flags"]) for r in rows),
        }
    return out


def wrong_summary(result: dict) -> dict:
    out = {}
    for name in ("en-clean", "es"):
        rows = [r for r in result["clips"] if r["corpus"] == name]
        if rows:
            out[name] = {
                "clips": len(rows),
                "language_flag": sum("language" in r["flags"] for r in rows),
                "transcribed_as_spoken": sum(
                    r["language"] == ("en" if name == "en-clean" else "es") for r in rows
                ),
            }
    return out


def beam_comparison(engine_for, clips: list[Clip]) -> dict:
    """Beam 1 against beam 5 (the baseline) on English clean and noisy: WER and time."""
    english = [c for c in clips if c.corpus in ("en-clean", "en-noisy")]
    result = {}
    for beam in (5, 1):
        engine = engine_for(beam)
        engine.transcribe(english[0].speech_wav, "en-US")
        heard, seconds = [], 0.0
        for c in english:
            transcript, took = timed(engine.transcribe, c.speech_wav, "en-US")
            heard.append(transcript.text)
            seconds += took
        result[beam] = {
            "wer": round(word_error_rate([c.text for c in english], heard), 3),
            "seconds": round(seconds, 2),
        }
    result["time_ratio_beam1_to_beam5"] = round(result[1]["seconds"] / result[5]["seconds"], 2)
    return result


def _throughput_worker(model: str, threads: int, wavs: list[bytes], start, out) -> None:
    engine = WhisperEngine(model, cpu_threads=threads)
    engine.load()
    engine.transcribe(wavs[0], "en-US")
    start.wait()
    began = time.perf_counter()
    for wav in wavs:
        engine.transcribe(wav, "en-US")
    out.put(time.perf_counter() - began)


def throughput(model: str, clips: list[Clip], cores: int) -> dict:
    """Seconds of speech transcribed per second of wall time: one process with `cores`
    threads against `cores` processes with one thread each, on the same clips."""
    english = [c for c in clips if c.corpus == "en-clean"]
    audio = sum(c.seconds for c in english)
    spawn = multiprocessing.get_context("spawn")
    result = {}
    for processes, threads in ((1, cores), (cores, 1)):
        start, out = spawn.Barrier(processes + 1), spawn.Queue()
        shares = [[c.speech_wav for c in english[n::processes]] for n in range(processes)]
        procs = [
            spawn.Process(target=_throughput_worker, args=(model, threads, share, start, out))
            for share in shares
        ]
        for proc in procs:
            proc.start()
        start.wait()
        began = time.perf_counter()
        for _ in procs:
            out.get()
        wall = time.perf_counter() - began
        for proc in procs:
            proc.join()
        result[f"{processes}x{threads}"] = round(audio / wall, 2)
    result["ratio_processes_to_threads"] = round(result[f"{cores}x1"] / result[f"1x{cores}"], 2)
    return result


def pct(n: int, total: int) -> str:
    return f"{n}/{total}" if total else "-"


def report(results: dict) -> None:
    m = results["machine"]
    print(
        f"machine: {m['cpu_model']}, {m['logical_cores']} logical cores "
        f"({m['usable_cores']} usable), Python {m['python']}, load {m['load_average']}"
    )
    print(
        f"when: {results['when']}; int8, best of {results['repeats']}; beam: "
        + ", ".join(f"{n} {m['beam_size']}" for n, m in results["models"].items())
    )
    print("\nWER and real-time factor (s of processing per s of speech), Screenline's engine")
    print("(detection + transcription) against the same model called directly, same files:")
    header = (
        f"  {'model':<9} {'speech':<9} {'clips':>5} {'WER':>6} {'direct':>7} "
        f"{'RTF':>6} {'direct':>7} {'time x':>7}  flags on clean answers (false alarms)"
    )
    print(header)
    for name, model in results["models"].items():
        for corpus_name, row in model["summary"].items():
            if row is None:
                print(f"  {name:<9} {corpus_name:<9}  not supported (English-only model)")
                continue
            flags = ", ".join(f"{f} {pct(n, row['clips'])}" for f, n in row["flagged"].items())
            print(
                f"  {name:<9} {corpus_name:<9} {row['clips']:>5} {row['wer']:>6.1%} "
                f"{row['direct_wer']:>7.1%} {row['rtf']:>6.3f} {row['direct_rtf']:>7.3f} "
                f"{row['time_ratio']:>6.2f}x  {flags}"
            )
    print("\nanswers in the other language (Spanish in an English interview, and back):")
    for name, model in results["models"].items():
        for corpus_name, row in model["wrong_language"].items():
            flagged = pct(row["language_flag"], row["clips"])
            spoken = pct(row["transcribed_as_spoken"], row["clips"])
            print(
                f"  {name:<9} {corpus_name:<9} language flag {flagged}, "
                f"transcribed in the language spoken {spoken}"
            )
    print("\ndecoding settings (English clean + noisy): beam 1 against beam 5")
    for name, model in results["models"].items():
        beams = model["beams"]
        print(
            f"  {name:<9} WER beam 5 {beams[5]['wer']:.1%}, beam 1 {beams[1]['wer']:.1%}; "
            f"time beam 1 / beam 5 x{beams['time_ratio_beam1_to_beam5']:.2f}"
        )
    if any("throughput" in model for model in results["models"].values()):
        print("\nthroughput (s of speech per s), processes x threads per process:")
        for name, model in results["models"].items():
            t = model.get("throughput")
            if t:
                print(f"  {name:<9} " + ", ".join(f"{k} {v}" for k, v in t.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1, help="runs per clip (default 1)")
    parser.add_argument("--beam", type=int, default=None, help="beam size (engine default)")
    parser.add_argument(
        "--no-throughput", action="store_true", help="skip the processes x threads comparison"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "var" / "bench" / "transcription.json",
        help="where to write the JSON results (default var/bench/transcription.json)",
    )
    args = parser.parse_args(argv)
    clips = corpus()
    installed = [m.name for m in speech_models.known_models() if m.verified]
    results = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "beam_size": args.beam or "each model's default",
        "repeats": args.repeats,
        "models": {},
    }
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    for name in installed:
        engine = WhisperEngine(name, beam_size=args.beam)
        _, load = timed(engine.load)
        model = bench_model(engine, clips, args.repeats)
        model["load_seconds"] = round(load, 2)
        model["summary"] = summary(model, clips)
        wrong = wrong_language(engine, [c for c in clips if c.corpus in ("en-clean", "es")])
        model["wrong_language"] = wrong_summary(wrong)
        model["wrong_language_clips"] = wrong["clips"]
        model["beams"] = beam_comparison(lambda b, n=name: WhisperEngine(n, beam_size=b), clips)
        if not args.no_throughput and (cores or 1) > 1:
            model["throughput"] = throughput(name, clips, min(cores, 2))
        results["models"][name] = model
    report(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"\nresults written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
