"""The audio front door shared by STT and wake: any rate/width/channels in, 16 kHz mono s16 out.

Conversion uses the `wyoming` library's `AudioChunkConverter`. On Python >= 3.13 that falls back
to a pure-Python `audioop`, which is slow (a per-sample loop), so chunks that need converting are
converted in a thread; chunks already in the target format (what Home Assistant sends) pass
through without a copy.
"""

from __future__ import annotations

import asyncio

import numpy as np
from wyoming.audio import AudioChunk, AudioChunkConverter

RATE = 16000
WIDTH = 2
CHANNELS = 1

# Frames quieter than this (RMS, int16 scale, about -50 dBFS) count as silence. Real
# microphones idle around -60 dBFS; speech is well above -40 dBFS.
SILENCE_RMS = 100.0
FRAME_SAMPLES = 480  # 30 ms at 16 kHz


class AudioInput:
    """Per-stream converter to 16 kHz mono 16-bit PCM."""

    def __init__(self) -> None:
        self._converter = AudioChunkConverter(rate=RATE, width=WIDTH, channels=CHANNELS)

    async def convert(self, chunk: AudioChunk) -> bytes:
        if chunk.rate == RATE and chunk.width == WIDTH and chunk.channels == CHANNELS:
            return chunk.audio
        if chunk.width not in (1, 2, 4) or chunk.channels < 1 or chunk.rate <= 0:
            raise ValueError(
                f"unsupported audio format: rate={chunk.rate} width={chunk.width} "
                f"channels={chunk.channels}"
            )
        frame = chunk.width * chunk.channels
        if len(chunk.audio) % frame:
            raise ValueError("audio chunk is not a whole number of frames")
        converted = await asyncio.to_thread(self._converter.convert, chunk)
        return converted.audio


def frame_rms(samples: np.ndarray) -> np.ndarray:
    """RMS of each 30 ms frame of int16 samples (a trailing partial frame is dropped)."""
    usable = len(samples) - len(samples) % FRAME_SAMPLES
    if usable <= 0:
        return np.zeros(0, dtype=np.float32)
    frames = samples[:usable].astype(np.float32).reshape(-1, FRAME_SAMPLES)
    return np.sqrt(np.mean(frames * frames, axis=1))


def is_silent(pcm: bytes | bytearray | memoryview, threshold: float = SILENCE_RMS) -> bool:
    """True when no 30 ms frame of this 16-bit PCM rises above the silence threshold."""
    samples = np.frombuffer(pcm, dtype=np.int16)
    if len(samples) < FRAME_SAMPLES:
        return bool(
            len(samples) == 0 or np.sqrt(np.mean(samples.astype(np.float32) ** 2)) < threshold
        )
    return bool(np.all(frame_rms(samples) < threshold))
