"""How long a transcription is expected to take: from the speed of the last ones.

The STT pool refuses a request (`busy`) only when the decodes ahead of it would take longer
than `--max-wait`; this estimates each queued decode for that. Whisper's encoder always works
on a whole 30 s window, so a short command costs about as much as 10 s more of speech would
(measured with tiny.en on two loaded cores: 3.3 s of speech in 1.2 s, 30 s in 2.75 s, 60 s in
6.3 s, i.e. about 0.09 s per "second + 10 per window" in each case). The speed is kept per
language, since each language may be served by another model (tiny.en, base).

Commands of 10 s or less are now encoded in a 20 s window (whisper.py), about 2.5 times
cheaper; the speed learned from them then underestimates a long upload's 30 s windows. That
only lets a rare long upload in a little more easily: the bound is a sanity limit (30 s by
default), not a schedule.
"""

from __future__ import annotations

import math

WINDOW_SECONDS = 30.0
WINDOW_COST = 10.0  # seconds of speech a window's fixed cost (encoder, prompt) is worth
# Before a language's first measured decode: Whisper base on two slow cores (about 0.15 s per
# unit), the slower of the default models, so a cold server does not accept too much.
PRIOR_SECONDS_PER_UNIT = 0.15
_SMOOTHING = 0.3  # weight of the newest decode: follows a change of load within a few requests


class DecodeSpeed:
    """Recent decode speed per language, and the estimated time of a decode."""

    def __init__(self, prior: float = PRIOR_SECONDS_PER_UNIT) -> None:
        self.prior = prior
        self._per_unit: dict[str, float] = {}  # language -> decode seconds per unit

    def estimate(self, language: str, audio_seconds: float) -> float:
        """Seconds a decode of this much audio is expected to take."""
        return self._per_unit.get(language, self.prior) * _units(audio_seconds)

    def record(self, language: str, audio_seconds: float, took: float) -> None:
        """A decode of `audio_seconds` took `took` seconds of a worker's time."""
        measured = took / _units(audio_seconds)
        last = self._per_unit.get(language)
        self._per_unit[language] = (
            measured if last is None else last + _SMOOTHING * (measured - last)
        )


def _units(audio_seconds: float) -> float:
    windows = max(1, math.ceil(audio_seconds / WINDOW_SECONDS))
    return audio_seconds + WINDOW_COST * windows
