"""Room noise: what a satellite's microphone sends around and under speech.

Satellites never send digital zeros: a quiet room is about -60 dBFS of noise. Tests and
benchmarks that stream speech as a satellite does put it in this noise, so that anything that
finds the end of speech is tried on what it will really hear.
"""

from __future__ import annotations

import numpy as np

from .audio_clip import RATE, AudioClip


def in_room(
    speech: AudioClip, before: float, after: float, dbfs: float, seed: int = 0
) -> AudioClip:
    """Speech (16 kHz mono) with Gaussian room noise of RMS `dbfs` under it, and `before` and
    `after` seconds of that noise around it. The same seed gives the same noise."""
    samples = np.frombuffer(speech.audio, np.int16).astype(np.float64)
    samples = np.pad(samples, (int(before * RATE), int(after * RATE)))
    noise = np.random.default_rng(seed).standard_normal(len(samples)) * 32768 * 10 ** (dbfs / 20)
    return AudioClip((samples + noise).clip(-32768, 32767).astype(np.int16).tobytes())


def room_noise(seconds: float, dbfs: float, seed: int = 0) -> AudioClip:
    """Noise alone: a room where nobody speaks."""
    return in_room(AudioClip(b""), 0.0, seconds, dbfs, seed)
