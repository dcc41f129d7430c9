"""Streaming sample-rate conversion in numpy: band-limited (windowed-sinc) interpolation.

Why not `audioop.ratecv` (what `wyoming.audio.AudioChunkConverter` uses): it interpolates
linearly with no low-pass filter, so a 48 kHz microphone's 8-24 kHz content folds back into the
speech band (a 10 kHz tone at 48 kHz came out as 6 kHz at full level, measured); on Python >= 3.13
without the `audioop-lts` package it is wyoming's pure-Python `pyaudioop` (60 ms of CPU per
second of 48 kHz stereo, holding the GIL). Here each output sample is a weighted sum of the input samples around its
position; the weights are a Kaiser-windowed sinc whose cutoff lies just under the lower of the
two Nyquist frequencies (no aliasing when downsampling, no images when upsampling). They are
tabulated once per rate pair, per fractional position ("phase"), so converting is a gather and
a dot product per output sample, vectorised.

Streaming: the input samples still needed by future outputs are kept between calls, so the
output does not depend on how the input was cut into chunks. The output lags the input by half
a filter (1.5 ms; 3 ms from 8 kHz): that much of the end of a stream is never emitted.
"""

from __future__ import annotations

from functools import lru_cache
from math import ceil, gcd

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

# The filter's cutoff, as a fraction of the lower Nyquist frequency: at 16 kHz output, flat to
# 7 kHz (-0.1 dB), -4 dB at 7.5 kHz, and 80 dB down or more from 8.5 kHz up, so nothing above
# folds back into the speech band (measured; the tests check it). Speech models (Whisper's mel
# filters, the wake word front ends) look at 0-8 kHz. Measured on 40 recorded French prompts
# (Whisper base) made 48 or 44.1 kHz: 38-41 word errors of 348, against 39 sent at their own
# 16 kHz (changing the level alone moves it as much); a cutoff of 0.9 gave 38-42.
CUTOFF = 0.95
# Filter length, in zero crossings of the sinc on each side (at the lower rate). More: a sharper
# transition and more CPU; 24 gives the figures above (16: only 36 dB down at 8.5 kHz).
ZERO_CROSSINGS = 24
KAISER_BETA = 8.0
# Fractional positions tabulated. Every usual rate (44.1, 22.05, 11.025, 48, 32, 8 kHz...) to
# 16 kHz has at most 640 distinct positions, all exact; an unusual one (44,101 Hz has 16,000)
# is rounded to the nearest of these, an error of 1/2048 of an input sample at most.
MAX_PHASES = 1024
# Values gathered per numpy step (outputs x taps): 256 KB stay in the CPU's cache; 4 MB blocks
# were 10 times slower (measured). A second of 44.1, 48 or 192 kHz audio then takes 2-5 ms of
# CPU.
_BLOCK_VALUES = 1 << 16


@lru_cache(maxsize=16)
def _filter(in_rate: int, out_rate: int) -> tuple[np.ndarray, int, int, int, int]:
    """(weights per phase x tap, half the taps, phases, up, down) for this rate pair: output
    n lies at input position n * down / up."""
    common = gcd(in_rate, out_rate)
    up, down = out_rate // common, in_rate // common
    phases = min(up, MAX_PHASES)
    scale = min(1.0, out_rate / in_rate)  # the cutoff in input-rate terms when downsampling
    half = ceil(ZERO_CROSSINGS / scale)
    # Tap k of phase p weighs input sample floor(position) + k, at distance k - p/phases. One
    # phase more than needed (p = phases: a whole sample on) lets positions round up to it.
    taps = np.arange(-half + 1, half + 1, dtype=np.float64)
    fractions = np.arange(phases + 1, dtype=np.float64) / phases
    distance = taps[None, :] - fractions[:, None]
    window = np.i0(KAISER_BETA * np.sqrt(np.clip(1 - (distance / half) ** 2, 0, 1)))
    weights = np.sinc(CUTOFF * scale * distance) * window
    weights /= weights.sum(axis=1, keepdims=True)  # unity gain at 0 Hz, for every phase
    return weights.astype(np.float32), half, phases, up, down


class Resampler:
    """One stream's conversion from `in_rate` to `out_rate`, fed float32 samples in order."""

    def __init__(self, in_rate: int, out_rate: int) -> None:
        self.in_rate, self.out_rate = in_rate, out_rate
        self._weights, self._half, self._phases, self._up, self._down = _filter(in_rate, out_rate)
        # Input kept from earlier calls; `_start` is the stream index of its first sample.
        # Before the stream: silence, so the first outputs have their left neighbours.
        self._buffer = np.zeros(self._half - 1, dtype=np.float32)
        self._start = -(self._half - 1)
        self._next = 0  # stream index of the next output sample

    def process(self, samples: np.ndarray) -> np.ndarray:
        """Resample the next input samples; returns the output samples they complete."""
        buffer = np.concatenate((self._buffer, samples.astype(np.float32, copy=False)))
        end = self._start + len(buffer)  # one past the last input sample held
        up, down, half = self._up, self._down, self._half
        # Output n sits at input position n * down / up and needs inputs up to floor() + half.
        last = ((end - half) * up - 1) // down  # the last output whose inputs are all here
        outputs = np.arange(self._next, max(self._next, last + 1), dtype=np.int64)
        result = np.empty(len(outputs), dtype=np.float32)
        if not len(outputs):  # too little input yet (the buffer may be shorter than a window)
            self._buffer = buffer
            return result
        windows = sliding_window_view(buffer, 2 * half)
        block = max(1, _BLOCK_VALUES // (2 * half))
        for first in range(0, len(outputs), block):
            n = outputs[first : first + block]
            position = n * down
            rows = windows[position // up - (half - 1) - self._start]
            if up == 1:  # an integer ratio (48 -> 16 kHz): one set of weights
                result[first : first + block] = rows @ self._weights[0]
            else:
                # The nearest tabulated fraction (exact when every phase is tabulated).
                phase = ((position % up) * 2 * self._phases + up) // (2 * up)
                result[first : first + block] = np.einsum("ij,ij->i", rows, self._weights[phase])
        self._next += len(outputs)
        # Keep what the next output still needs: from floor(its position) - half + 1 on.
        keep_from = (self._next * down) // up - (half - 1)
        self._buffer = buffer[keep_from - self._start :].copy()
        self._start = keep_from
        # Stream indexes grow forever on a wake word stream: shift them by whole periods of
        # the rate ratio (the same phases), so they stay small.
        periods = self._next // up
        self._next -= periods * up
        self._start -= periods * down
        return result
