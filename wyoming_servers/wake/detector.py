"""What the wake word handler needs from an engine: the `WakeDetector` interface.

A detector serves some wake words. Per client stream it keeps an opaque state, made by
`new_stream` and advanced by `process`, which returns one probability per wake word per
`step_samples` of audio. A second engine is a new module implementing this, listed by the
service; the handler does not change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from wyoming.info import WakeProgram


@dataclass(frozen=True)
class Trigger:
    """When a wake word's probability counts as a detection."""

    threshold: float = 0.5
    trigger_level: int = 1  # activated steps in a row needed


class WakeDetector(Protocol):
    @property
    def names(self) -> Sequence[str]:
        """The wake words this detector serves."""
        ...

    @property
    def step_samples(self) -> int:
        """Audio (16 kHz samples) covered by each probability."""
        ...

    @property
    def context_samples(self) -> int:
        """Quiet audio after which a stream's state no longer depends on what came before
        (so inference may pause, and restart from `new_stream`)."""
        ...

    def trigger(self, name: str) -> Trigger: ...

    def new_stream(self, names: Sequence[str]) -> object:
        """A fresh state for a stream listening for these of our wake words."""
        ...

    def process(self, state: object, pcm: bytes) -> dict[str, list[float]]:
        """Blocking (runs in the inference pool): 16 kHz mono s16 audio -> probabilities per
        wake word, in order, one per `step_samples`."""
        ...

    def program(self) -> WakeProgram:
        """This engine and its wake words, for `info`."""
        ...

    def close(self) -> None:
        """Free the models; no `process` call may be running."""
        ...
