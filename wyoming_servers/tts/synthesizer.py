"""What the TTS service needs from a text-to-speech engine: the `Synthesizer` interface.

A second engine (another voice technology, e.g. for a language Piper has no voice for) is a
new module implementing this, listed by the service; the handler and the choice of voice do
not change.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from wyoming.info import TtsVoice


@dataclass(frozen=True)
class Voice:
    """A voice a request can ask for."""

    name: str
    language: str  # as the voice declares it: "en_US", "fr_FR", "fr"
    description: str
    sample_rate: int
    speakers: Mapping[str, int] = field(default_factory=dict)  # name -> id; empty: one speaker


class Synthesizer(Protocol):
    """One engine and its loaded voices."""

    @property
    def voices(self) -> Mapping[str, Voice]: ...

    def stream(self, voice: str, text: str, speaker_id: int | None) -> Iterator[bytes]:
        """16-bit mono PCM at the voice's rate, in parts as they are made. Each `next` is
        blocking and runs in the inference pool, so other clients' jobs interleave."""
        ...

    def warm_up(self) -> None:
        """Pay first-call costs at start, not on the first request."""
        ...

    @property
    def engine_name(self) -> str:
        """The engine, as `info` names it ("Piper", "SVOX Pico")."""
        ...

    @property
    def version(self) -> str | None: ...

    def info_voices(self) -> list[TtsVoice]:
        """This engine's voices for `info`. Home Assistant reads only the first TTS program
        of a server, so every engine's voices go into one program (the service's)."""
        ...
