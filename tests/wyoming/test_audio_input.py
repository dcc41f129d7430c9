"""The audio front door (`wyoming_servers.server.audio`): what any accepted format becomes, what
is refused and at what cost. The servers' side of it is in test_audio_formats.py."""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pytest
from wyoming.audio import AudioChunk

from wyoming_servers.server.audio import (
    MAX_CHANNELS,
    MAX_RATE,
    MIN_RATE,
    AudioFormatError,
    AudioInput,
)
from wyoming_servers.server.resample import Resampler

RATE = 16000


def noise(samples: int, seed: int = 0, scale: float = 5000) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(samples) * scale).clip(-32768, 32767).astype(np.int16)


def interleave(channels: list[np.ndarray]) -> bytes:
    return np.stack(channels, axis=1).astype("<i2").tobytes()


async def convert_all(audio: AudioInput, pcm: bytes, fmt: tuple[int, int, int], sizes: list[int]):
    """`pcm` sent in chunks of these byte sizes (cycling), converted; all output joined."""
    rate, width, channels = fmt
    out, offset, i = bytearray(), 0, 0
    while offset < len(pcm):
        piece = pcm[offset : offset + sizes[i % len(sizes)]]
        out += await audio.convert(AudioChunk(rate, width, channels, piece))
        offset, i = offset + len(piece), i + 1
    return bytes(out)


@pytest.mark.parametrize(
    "fmt", [(16000, 2, 1), (48000, 2, 2), (22050, 4, 1), (8000, 1, 3), (44100, 2, 6)]
)
async def test_partial_frames_are_carried_to_the_next_chunk(fmt: tuple[int, int, int]) -> None:
    rate, width, channels = fmt
    pcm = noise(rate * width * channels // 4, seed=rate).tobytes()  # half a second
    whole = await convert_all(AudioInput(), pcm, fmt, [len(pcm)])
    # Odd sizes, single bytes, pieces smaller than a frame: the same audio comes out.
    cut = await convert_all(AudioInput(), pcm, fmt, [1001, 3, 1, 4097, 2, 7])
    assert cut == whole
    assert abs(len(whole) / 2 / RATE - 0.5) < 0.005  # all of it (less the filter's lag)


@pytest.mark.parametrize("channels", [2, 3, 4, 6, 8, MAX_CHANNELS])
async def test_any_channel_count_becomes_the_mean_of_its_channels(channels: int) -> None:
    speech = noise(4000, seed=1, scale=3000)
    # Each channel is the signal plus its own noise; the noises cancel out in the mean.
    extra = [noise(4000, seed=10 + i, scale=2000).astype(np.int32) for i in range(channels // 2)]
    parts = [speech.astype(np.int32) + sign * e for e in extra for sign in (1, -1)]
    if channels % 2:
        parts.append(speech.astype(np.int32))
    assert all(np.abs(p).max() <= 32767 for p in parts)  # no channel clipped
    pcm = interleave(parts)
    out = np.frombuffer(await AudioInput().convert(AudioChunk(RATE, 2, channels, pcm)), np.int16)
    np.testing.assert_array_equal(out, speech)


async def test_every_width_lands_on_the_16_bit_scale() -> None:
    speech = noise(4000, seed=2)
    as_8 = ((speech.astype(np.int32) >> 8) + 128).astype(np.uint8).tobytes()
    as_32 = (speech.astype(np.int32) << 16).astype("<i4").tobytes()
    out_8 = np.frombuffer(await AudioInput().convert(AudioChunk(RATE, 1, 1, as_8)), np.int16)
    out_32 = np.frombuffer(await AudioInput().convert(AudioChunk(RATE, 4, 1, as_32)), np.int16)
    np.testing.assert_array_equal(out_32, speech)
    assert np.abs(out_8.astype(np.int32) - speech).max() < 256  # 8 bits keep the top byte


def level_db(samples: np.ndarray, amplitude: float) -> float:
    middle = samples[len(samples) // 4 : -len(samples) // 4].astype(np.float64)
    return float(20 * np.log10(np.sqrt(np.mean(middle**2)) * np.sqrt(2) / amplitude + 1e-12))


def tone(frequency: float, rate: int, seconds: float = 1.0, amplitude: float = 10000) -> bytes:
    t = np.arange(int(rate * seconds)) / rate
    return (np.sin(2 * np.pi * frequency * t) * amplitude).astype("<i2").tobytes()


@pytest.mark.parametrize("rate", [MIN_RATE, 11025, 22050, 44100, 48000, 44101, MAX_RATE])
async def test_resampling_keeps_speech_frequencies_and_folds_nothing_back(rate: int) -> None:
    for frequency in (300.0, 1000.0, 3000.0):
        out = await AudioInput().convert(AudioChunk(rate, 2, 1, tone(frequency, rate)))
        samples = np.frombuffer(out, np.int16)
        assert abs(level_db(samples, 10000)) < 0.1, (rate, frequency)
        spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
        assert abs(np.argmax(spectrum) * RATE / len(samples) - frequency) < 2
    # Above the 16 kHz output's Nyquist frequency: removed, not folded into the speech band
    # (the old converter, audioop's linear interpolation, turned a 10 kHz tone at 48 kHz into a
    # 6 kHz one at full level).
    for frequency in (8500.0, 10000.0, 15000.0, 20000.0):
        if frequency < rate / 2:
            out = await AudioInput().convert(AudioChunk(rate, 2, 1, tone(frequency, rate)))
            assert level_db(np.frombuffer(out, np.int16), 10000) < -60, (rate, frequency)


def test_stream_positions_stay_small_on_a_stream_that_never_ends() -> None:
    resampler = Resampler(44100, RATE)
    block = noise(44100, seed=3).astype(np.float32)
    for _ in range(30):  # 30 s
        resampler.process(block)
    assert 0 <= resampler._next < 160 and abs(resampler._start) < 441 + 2 * resampler._half


async def refusal_and_peak_memory(chunk: AudioChunk) -> tuple[AudioFormatError, int]:
    """The error converting `chunk` raises, and the most memory allocated meanwhile."""
    tracemalloc.start()
    try:
        with pytest.raises(AudioFormatError) as refused:
            await AudioInput().convert(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return refused.value, peak


@pytest.mark.parametrize(
    ("rate", "width", "channels"),
    [
        (1, 2, 1),
        (MIN_RATE - 1, 2, 1),
        (MAX_RATE + 1, 2, 1),
        (10**12, 2, 1),
        (16000, 3, 1),
        (16000, 0, 1),
        (16000, 2, 0),
        (16000, 2, MAX_CHANNELS + 1),
        (16000, 2, 10**9),
        ("16000", 2, 1),
        (16000.0, 2, 1),
        (16000, True, 1),
    ],
)
async def test_absurd_formats_are_refused_saying_what_is_accepted(
    rate: int, width: int, channels: int
) -> None:
    refused, peak = await refusal_and_peak_memory(AudioChunk(rate, width, channels, bytes(20_000)))
    assert refused.code == "unsupported-audio-format"
    assert f"{MIN_RATE}-{MAX_RATE} Hz" in refused.text
    assert "1, 2 or 4 bytes" in refused.text
    assert f"1-{MAX_CHANNELS} channels" in refused.text
    assert peak < 100_000  # refused before anything is allocated for it


async def test_a_chunk_too_long_once_converted_is_refused_before_converting() -> None:
    # 1 MB of 8-bit 8 kHz audio: 131 s, 4 MB once converted.
    refused, peak = await refusal_and_peak_memory(AudioChunk(MIN_RATE, 1, 1, bytes(1024 * 1024)))
    assert refused.code == "chunk-too-long"
    assert peak < 100_000


async def test_a_format_change_mid_stream_starts_afresh() -> None:
    audio = AudioInput()
    assert await audio.convert(AudioChunk(48000, 2, 2, bytes(4 * 480 + 3))) != b""
    pcm = noise(1600, seed=4).tobytes()
    assert await audio.convert(AudioChunk(RATE, 2, 1, pcm)) == pcm  # the 3 bytes are dropped


async def test_conversion_costs_little_cpu() -> None:
    """numpy: a few milliseconds per second of 48 kHz stereo. The old converter, wyoming's
    pure-Python `pyaudioop` on 3.14 (unless `audioop-lts` is installed), took 60 ms, holding
    the GIL."""
    rate, channels = 48000, 2
    pcm = noise(rate * channels * 10, seed=5).tobytes()  # 10 s
    audio = AudioInput()
    start = time.process_time()
    await convert_all(audio, pcm, (rate, 2, channels), [1024 * 2 * channels])  # HA-sized chunks
    assert time.process_time() - start < 0.5  # 5 % of real time, with room for a busy machine
