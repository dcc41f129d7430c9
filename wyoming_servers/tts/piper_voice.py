"""The Piper `Synthesizer`: Piper voices, all loaded at start and shared."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np
from piper import PiperVoice, SynthesisConfig
from wyoming.info import Attribution, TtsVoice, TtsVoiceSpeaker

from ..server.model_sources import ModelSource, package_version
from .memory import release_free_memory
from .piper_stream import StreamingVoice, split
from .synthesizer import Voice

_LOGGER = logging.getLogger(__name__)
_MAX_INT16 = 32767.0


@dataclass
class LoadedVoice:
    source: ModelSource
    voice: PiperVoice
    info: Voice
    stream: StreamingVoice | None = None  # None: whole sentences only
    lock: threading.Lock = field(default_factory=threading.Lock)


class PiperSynthesizer:
    """Piper voices (a `Synthesizer`)."""

    def __init__(self, sources: list[ModelSource]) -> None:
        self.loaded: dict[str, LoadedVoice] = {}
        for source in sources:
            _LOGGER.info("Loading Piper voice %s from %s", source.name, source.path)
            self.loaded[source.name] = _load(source)
        self._voices = {name: v.info for name, v in self.loaded.items()}

    @property
    def voices(self) -> Mapping[str, Voice]:
        return self._voices

    def warm_up(self) -> None:
        for loaded in self.loaded.values():
            _synthesize(loaded, "Ready.", None)

    def stream(self, voice: str, text: str, speaker_id: int | None) -> Iterator[bytes]:
        loaded = self.loaded[voice]
        if loaded.stream is None:
            yield _synthesize(loaded, text, speaker_id)
            return
        for window in loaded.stream.windows(text, speaker_id):
            yield (window * _MAX_INT16).astype(np.int16).tobytes()
        # The piece's tensors are freed; give their pages back now (a few ms, in the worker),
        # or a long answer's resident memory creeps up piece after piece (about 50 MB).
        release_free_memory()

    engine_name = "Piper"

    @property
    def version(self) -> str | None:
        return package_version("piper-tts")

    def info_voices(self) -> list[TtsVoice]:
        return [
            TtsVoice(
                name=name,
                description=v.info.description,
                attribution=Attribution(
                    name="Piper voices", url="https://huggingface.co/rhasspy/piper-voices"
                ),
                installed=True,
                version=v.source.version,
                languages=[v.info.language],
                speakers=[TtsVoiceSpeaker(name=s) for s in v.info.speakers] or None,
            )
            for name, v in self.loaded.items()
        ]


def _synthesize(loaded: LoadedVoice, text: str, speaker_id: int | None) -> bytes:
    """Blocking: a whole piece of text -> 16-bit mono PCM at the voice's rate."""
    config = SynthesisConfig(speaker_id=speaker_id)
    with loaded.lock:
        return b"".join(c.audio_int16_bytes for c in loaded.voice.synthesize(text, config))


def _load(source: ModelSource) -> LoadedVoice:
    config_path = source.path.with_name(source.path.name + ".json")
    config = json.loads(config_path.read_text(encoding="utf-8"))
    voice = PiperVoice.load(source.path, config_path=config_path)
    language = (config.get("language") or {}).get("code") or config.get("espeak", {}).get(
        "voice", "und"
    )
    dataset = config.get("dataset") or source.name
    quality = (config.get("audio") or {}).get("quality") or ""
    info = Voice(
        name=source.name,
        language=str(language),
        description=f"Piper {dataset} {quality}".strip(),
        sample_rate=int(voice.config.sample_rate),
        speakers={str(k): int(v) for k, v in (config.get("speaker_id_map") or {}).items()},
    )
    return LoadedVoice(source=source, voice=voice, info=info, stream=split(voice, source.path))
