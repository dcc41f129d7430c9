"""What the STT handler needs from a speech-to-text engine: the `Transcriber` interface.

A second engine (another model family) is a new module implementing this, listed by the
service; the handler does not change.
"""

from __future__ import annotations

import threading
from typing import Protocol

from wyoming.info import AsrProgram


class Transcriber(Protocol):
    """Loaded speech-to-text models and the language used when a request names none."""

    @property
    def default_language(self) -> str: ...

    def knows(self, language: str) -> bool:
        """Whether a loaded model transcribes this language ('en', 'fr', ...)."""
        ...

    def transcribe(self, pcm: bytes, language: str, stop: threading.Event | None = None) -> str:
        """Blocking (runs in the inference pool): 16 kHz mono s16 PCM -> stripped text.
        Once `stop` is set nobody wants the text: raise `JobStopped` at the next point
        where work can be cut short (the work done so far is lost anyway)."""
        ...

    def warm_up(self) -> None:
        """Pay first-call costs at start, not on the first request."""
        ...

    def program(self) -> AsrProgram:
        """This engine and its models, for `info`."""
        ...


def normalize_language(language: str | None) -> str | None:
    """'en-US', 'en_us', 'EN' -> 'en' (speech models know languages, not regions)."""
    if not language:
        return None
    return language.replace("_", "-").split("-")[0].lower() or None
