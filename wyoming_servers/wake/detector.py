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

from wyoming.info import WakeModel


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

    @property
    def runs_inline(self) -> bool:
        """`process` is cheap enough (a millisecond or two per job) to run on the event loop:
        handing a job to the pool's thread and back costs more CPU than such a model."""
        ...

    def trigger(self, name: str) -> Trigger: ...

    def new_stream(self, names: Sequence[str]) -> object:
        """A fresh state for a stream listening for these of our wake words."""
        ...

    def process(self, state: object, pcm: bytes) -> dict[str, list[float]]:
        """Blocking (runs in the inference pool): 16 kHz mono s16 audio -> probabilities per
        wake word, in order, one per `step_samples`."""
        ...

    @property
    def engine_name(self) -> str:
        """The engine, as `info` names it ("openWakeWord")."""
        ...

    @property
    def version(self) -> str | None: ...

    def info_models(self) -> list[WakeModel]:
        """This engine's wake words for `info`. Home Assistant offers only the first wake
        program of a server, so every engine's words go into one program (the service's)."""
        ...

    def close(self) -> None:
        """Free the models; no `process` call may be running."""
        ...
