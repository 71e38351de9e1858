"""Audio normalisation: mono 16 kHz speech, trimmed and levelled; playback MP3; errors."""

from __future__ import annotations

import io
import random
import re
import struct
import wave
import zlib

import pytest
from pydub import AudioSegment
from pydub.utils import audioop

from config.settings import Settings
from tests.voice.samples import (
    SENTENCES,
    hiss_wav,
    padded,
    phone_speech,
    silence_wav,
    tone_wav,
    words,
)
from voice.audio import (
    KEEP_EDGE_MS,
    SPEECH_RATE,
    TARGET_DBFS,
    AudioError,
    ProcessedAudio,
    duration_seconds,
    export,
    load,
    normalise,
    telephone_channel,
)
from voice.stt import preload

HEADER = 44  # bytes before the samples in a canonical PCM WAV, as Twilio serves


def decode(data: bytes) -> AudioSegment:
    return AudioSegment.from_file(io.BytesIO(data))


def test_speech_copy_is_mono_16khz_16bit_wav():
    """A stereo 44.1 kHz recording becomes mono, 16 kHz, 16-bit PCM WAV for speech-to-text."""
    processed = normalise(tone_wav(seconds=1.0, channels=2))
    speech = decode(processed.speech_wav)
    assert processed.speech_wav[:4] == b"RIFF" and processed.speech_wav[8:12] == b"WAVE"
    assert (speech.channels, speech.frame_rate, speech.sample_width) == (1, SPEECH_RATE, 2)


def test_silence_at_both_ends_is_trimmed_to_a_small_margin():
    """Two seconds before and three after the speech are cut, leaving KEEP_EDGE_MS each side."""
    speech = phone_speech()
    spoken = normalise(speech).seconds
    processed = normalise(padded(speech, before_ms=2000, after_ms=3000))
    assert processed.original_seconds == pytest.approx(spoken + 5.0, abs=0.4)
    assert processed.seconds == pytest.approx(spoken, abs=2 * KEEP_EDGE_MS / 1000 + 0.05)
    assert not processed.silent


def test_quiet_and_loud_recordings_are_levelled_to_the_same_loudness():
    """A caller 25 dB too quiet and one 10 dB louder both end near the target loudness."""
    speech = phone_speech()
    quiet = decode(normalise(padded(speech, 0, 0, gain_db=-25)).speech_wav)
    loud = decode(normalise(padded(speech, 0, 0, gain_db=+4)).speech_wav)
    assert quiet.dBFS == pytest.approx(TARGET_DBFS, abs=1.5)
    assert loud.dBFS == pytest.approx(TARGET_DBFS, abs=1.5)
    assert loud.max_dBFS <= -0.4  # levelling never clips


def test_playback_copy_is_a_small_mono_mp3_of_the_trimmed_audio():
    """The playback MP3 is mono, as long as the trimmed speech, and far smaller than WAV."""
    processed = normalise(padded(phone_speech(), before_ms=1000, after_ms=1000))
    playback = decode(processed.playback_mp3)
    assert playback.channels == 1
    assert len(playback) / 1000 == pytest.approx(processed.seconds, abs=0.15)
    assert processed.playback_seconds == processed.seconds
    assert len(processed.playback_mp3) < len(processed.speech_wav) / 4


def test_digital_silence_is_detected_and_kept_whole_for_playback():
    """A silent recording is flagged silent, has no speech audio, and plays back in full."""
    processed = normalise(silence_wav(seconds=3.0))
    assert processed.silent
    assert processed.seconds == 0
    assert processed.playback_seconds == pytest.approx(3.0, abs=0.05)
    assert len(decode(processed.playback_mp3)) / 1000 == pytest.approx(3.0, abs=0.15)


def test_line_hiss_without_speech_counts_as_silence():
    """Only faint line noise (peaks near -50 dBFS) is silence, not boosted into fake speech."""
    assert normalise(hiss_wav(dbfs=-65.0)).silent


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"this is not audio at all " * 40, "could not be decoded"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 20, "could not be decoded"),
    ],
)
def test_corrupt_or_empty_bytes_raise_a_readable_audio_error(data, message):
    """Empty, random or truncated bytes raise AudioError with a sentence a person can read."""
    with pytest.raises(AudioError, match=message):
        normalise(data)


def test_telephone_channel_gives_twilio_shaped_wav():
    """The telephone channel yields 8 kHz 16-bit mono WAV of the same length."""
    speech = phone_speech()
    line = decode(speech)
    assert (line.frame_rate, line.channels, line.sample_width) == (8000, 1, 2)
    assert duration_seconds(speech) == pytest.approx(duration_seconds(telephone_channel(speech)))


# ---------------------------------------------------------------- damaged recordings


def wav_header(
    channels: int = 1, rate: int = 8000, bits: int = 16, data_size: int = 0, tag: int = 1
) -> bytes:
    """A canonical 44-byte WAV header whose fields say whatever the test needs."""
    block = channels * bits // 8
    fmt = struct.pack("<HHIIHH", tag, channels, rate, (rate * block) % 2**32, block, bits)
    return (
        b"RIFF" + struct.pack("<I", 36 + data_size) + b"WAVE"
        + b"fmt " + struct.pack("<I", len(fmt)) + fmt
        + b"data" + struct.pack("<I", data_size)
    )  # fmt: skip


def png_bytes() -> bytes:
    """A valid one-pixel PNG image: a real file that is not sound."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    image = chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + image


def spoken_mp3(text: str = SENTENCES[3]) -> bytes:
    """Flite speech through the telephone channel, encoded as MP3."""
    return export(load(phone_speech(text)), "mp3", bitrate="32k")


def outcome(data: bytes) -> ProcessedAudio | AudioError:
    """What normalise() gives: processed audio or the AudioError it raised (nothing else)."""
    try:
        return normalise(data)
    except AudioError as exc:
        return exc


def random_bytes(rng: random.Random, count: int) -> bytes:
    return bytes(rng.getrandbits(8) for _ in range(count))


UNDECODABLE = {
    "empty": (b"", "empty (0 bytes)"),
    "garbage": (random_bytes(random.Random(1), 3000), "could not be decoded"),
    "text file": (b"Call notes: ring back on Tuesday.\n" * 30, "could not be decoded"),
    "png image": (png_bytes(), "could not be decoded"),
    "riff header alone": (b"RIFF\x04\x00\x00\x00WAVE", "damaged"),
    "wav header, no samples": (wav_header(), "no audio frames"),
    "data chunk overstated, nothing there": (wav_header(data_size=10**6) + b"\x01", "no audio"),
    "wav header, no data chunk": (wav_header()[:36] + b"\x00" * 8000, "ends before its sound"),
    "zero channels": (wav_header(channels=0) + b"\x00" * 800, "0 channels"),
    "absurd sample width": (wav_header(bits=56) + b"\x00" * 700, "56-bit samples"),
    "zero sample rate": (wav_header(rate=0) + b"\x00" * 800, "0 Hz"),
    "absurd sample rate": (wav_header(rate=4_000_000_000) + b"\x00" * 800, "4000000000 Hz"),
    "random bytes after a wav magic": (
        b"RIFF\x00\x10\x00\x00WAVE" + random_bytes(random.Random(2), 4096),
        "damaged",
    ),
}


@pytest.mark.parametrize(("data", "message"), UNDECODABLE.values(), ids=UNDECODABLE.keys())
def test_undecodable_input_raises_only_a_short_plain_audio_error(data, message):
    """Each kind of undecodable input raises AudioError with a short sentence, no tool output."""
    with pytest.raises(AudioError, match=re.escape(message)) as caught:
        normalise(data)
    text = str(caught.value)
    assert text.startswith("the recording ") and len(text) < 120
    assert not any(jargon in text for jargon in ("ffmpeg", "pipe:", "Errno", "Traceback", "\n"))


def test_a_truncated_mp3_header_raises_audio_error():
    """The first few hundred bytes of an MP3 are not sound: AudioError, not ffmpeg's error."""
    for cut in (10, 100, 400):
        with pytest.raises(AudioError, match="could not be decoded"):
            normalise(spoken_mp3()[:cut])


def test_undecodable_input_fails_the_same_way_in_every_entry_point():
    """load, duration_seconds and telephone_channel raise AudioError for a cut header too."""
    cut = phone_speech()[:43]
    for entry in (load, duration_seconds, telephone_channel):
        with pytest.raises(AudioError, match="damaged"):
            entry(cut)


def test_every_short_truncation_of_a_recording_gives_audio_or_audio_error():
    """Every length from 0 to 100 bytes of a real WAV decodes or raises AudioError only."""
    speech = phone_speech()
    results = [outcome(speech[:length]) for length in range(101)]
    assert all(isinstance(r, ProcessedAudio | AudioError) for r in results)
    assert isinstance(results[HEADER - 1], AudioError)  # cut inside the header
    assert isinstance(results[100], ProcessedAudio)  # 28 whole samples are a (tiny) recording


def test_odd_length_cuts_of_a_recording_decode_as_far_as_they_go():
    """A WAV cut to an odd byte count keeps every whole 16-bit sample before the cut."""
    speech = phone_speech()
    for fraction in (0.1, 0.33, 0.5, 0.77, 0.99):
        cut = int(len(speech) * fraction) | 1
        processed = normalise(speech[:cut])
        whole_samples = (cut - HEADER) // 2
        assert processed.original_seconds == pytest.approx(whole_samples / 8000, abs=0.001)


def test_seeded_random_corruption_gives_audio_or_audio_error():
    """Random bytes overwritten in the header or body (fixed seed) never escape as another error."""
    speech = phone_speech()
    rng = random.Random(20261130)
    results = []
    for _ in range(60):
        damaged = bytearray(speech[: rng.randrange(1, len(speech) + 1)])
        for _ in range(rng.randrange(1, 9)):
            where = rng.randrange(min(len(damaged), 64 if rng.random() < 0.7 else len(damaged)))
            damaged[where] = rng.getrandbits(8)
        results.append(outcome(bytes(damaged)))
    assert all(isinstance(r, ProcessedAudio | AudioError) for r in results)
    assert any(isinstance(r, ProcessedAudio) for r in results)
    assert any(isinstance(r, AudioError) for r in results)


def test_cut_and_corrupted_mp3s_give_audio_or_audio_error():
    """MP3s cut anywhere or with bytes overwritten decode (partly) or raise AudioError only."""
    mp3 = spoken_mp3()
    rng = random.Random(7)
    samples = [mp3[: rng.randrange(len(mp3))] for _ in range(5)]
    for _ in range(5):
        damaged = bytearray(mp3)
        for _ in range(20):
            damaged[rng.randrange(len(damaged))] = rng.getrandbits(8)
        samples.append(bytes(damaged))
    assert all(isinstance(outcome(data), ProcessedAudio | AudioError) for data in samples)


def test_an_mp3_cut_at_60_percent_keeps_the_audio_before_the_cut():
    """ffmpeg decodes a truncated MP3 as far as it goes: 60% of the file is ~60% of the sound."""
    mp3 = spoken_mp3()
    whole = normalise(mp3).original_seconds
    assert normalise(mp3[: len(mp3) * 6 // 10]).original_seconds == pytest.approx(
        0.6 * whole, abs=0.15
    )


def test_a_data_length_that_overstates_the_file_is_ignored():
    """A header claiming ten times the samples present gives the samples that are there."""
    speech = phone_speech()
    claimed = (len(speech) - HEADER) * 10
    overstated = speech[:40] + struct.pack("<I", claimed) + speech[HEADER:]
    assert normalise(overstated).original_seconds == pytest.approx(
        duration_seconds(speech), abs=0.001
    )


def test_a_data_length_never_filled_in_reads_to_the_end_of_the_file():
    """A writer that stopped before writing the data size (0) still yields all its samples."""
    speech = phone_speech()
    unfinished = speech[:40] + struct.pack("<I", 0) + speech[HEADER:]
    assert duration_seconds(unfinished) == pytest.approx(duration_seconds(speech), abs=0.001)


def pcm_wav(channels: int, bits: int, seconds: float = 1.0, rate: int = 8000) -> bytes:
    """A 440 Hz tone as a canonical PCM WAV of any sample size (pydub cannot write 24-bit)."""
    tone = AudioSegment.from_file(io.BytesIO(tone_wav(seconds=seconds, channels=channels)))
    samples = audioop.lin2lin(tone.set_frame_rate(rate).raw_data, 2, bits // 8)
    if bits == 8:
        samples = audioop.bias(samples, 1, 128)  # 8-bit WAV samples are unsigned
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(bits // 8)
        out.setframerate(rate)
        out.writeframes(samples)
    return buffer.getvalue()


@pytest.mark.parametrize(("channels", "bits"), [(1, 8), (2, 16), (2, 24), (1, 32)])
def test_a_cut_inside_a_frame_drops_only_the_partial_frame(channels, bits):
    """8-, 16-, 24- and 32-bit WAVs, mono or stereo, cut mid-frame keep every whole frame."""
    frame = channels * bits // 8
    wav = pcm_wav(channels, bits)
    whole = load(wav)
    assert (whole.frame_count(), whole.channels) == (8000, channels)
    cut = HEADER + 4000 * frame + frame - 1  # one byte short of another frame
    decoded = load(wav[:cut])
    assert decoded.frame_count() == 4000
    assert decoded.raw_data == whole.raw_data[: 4000 * whole.frame_width]
    assert decoded.max_dBFS == pytest.approx(whole.max_dBFS, abs=0.5)  # the tone, not noise


@pytest.mark.slow
def test_a_spoken_answer_cut_at_60_percent_is_transcribed_as_far_as_it_goes():
    """A 3 s answer cut at 60% (odd bytes) gives ~1.8 s of audio whose words are transcribed."""
    text = SENTENCES[3]  # "I am available to work weekends and evenings." (2.9 s)
    speech = phone_speech(text)
    cut = int(len(speech) * 0.6) | 1
    processed = normalise(speech[:cut])
    assert processed.original_seconds == pytest.approx(0.6 * duration_seconds(speech), abs=0.01)
    assert processed.original_seconds == pytest.approx(1.8, abs=0.15)
    heard = words(preload(Settings()).transcribe(processed.speech_wav, "en-US").text).split()
    spoken_before_cut = {"i", "am", "available", "to", "work"}
    assert len(spoken_before_cut & set(heard)) >= 3, heard
