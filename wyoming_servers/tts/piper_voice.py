"""Piper voices, all loaded at start and shared, and the choice of voice for a request."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
from piper import PiperVoice, SynthesisConfig

from ..server.model_sources import ModelSource, piper_voices_in
from .piper_stream import StreamingVoice, split

_LOGGER = logging.getLogger(__name__)
_MAX_INT16 = 32767.0


@dataclass
class LoadedVoice:
    source: ModelSource
    voice: PiperVoice
    language: str  # e.g. "en_US"
    speakers: dict[str, int]  # speaker name -> id (empty for single-speaker voices)
    description: str
    stream: StreamingVoice | None = None  # None: whole sentences only
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def sample_rate(self) -> int:
        return int(self.voice.config.sample_rate)


class VoiceError(Exception):
    """Unknown voice or speaker."""


class TtsEngine:
    def __init__(
        self, sources: list[ModelSource], default_voice: str | None, default_speaker: str | None
    ) -> None:
        if not sources:
            raise ValueError("no Piper voice is installed or given with --voice/--data-dir")
        self.voices: dict[str, LoadedVoice] = {}
        for source in sources:
            _LOGGER.info("Loading Piper voice %s from %s", source.name, source.path)
            self.voices[source.name] = _load(source)
        name = default_voice or sources[0].name
        if name not in self.voices:
            raise ValueError(f"default voice '{name}' is not among {sorted(self.voices)}")
        self.default = self.voices[name]
        self.default_speaker = default_speaker
        try:
            self.version: str | None = version("piper-tts")
        except PackageNotFoundError:
            self.version = None

    def choose(self, name: str | None, language: str | None) -> LoadedVoice:
        """Voice by name (error if unknown), else by language (default voice if none fits)."""
        if name:
            if name not in self.voices:
                raise VoiceError(f"unknown voice '{name}'; installed: {sorted(self.voices)}")
            return self.voices[name]
        if language:
            wanted = language.replace("-", "_").lower()
            for candidate in (wanted, wanted.split("_")[0]):
                for loaded in self.voices.values():
                    voice_lang = loaded.language.lower()
                    if candidate in (voice_lang, voice_lang.split("_")[0]):
                        return loaded
            _LOGGER.warning(
                "No voice for language '%s'; using the default voice %s",
                language,
                self.default.source.name,
            )
        return self.default

    def speaker_id(self, loaded: LoadedVoice, speaker: str | None) -> int | None:
        if speaker is None and loaded is self.default:
            speaker = self.default_speaker
        if speaker is None or not loaded.speakers:
            return None
        if speaker in loaded.speakers:
            return loaded.speakers[speaker]
        if speaker.isdigit() and int(speaker) in loaded.speakers.values():
            return int(speaker)
        raise VoiceError(f"voice {loaded.source.name} has no speaker '{speaker}'")

    def warm_up(self) -> None:
        for loaded in self.voices.values():
            self.synthesize(loaded, "Ready.", None)

    @staticmethod
    def synthesize(loaded: LoadedVoice, text: str, speaker_id: int | None) -> bytes:
        """Blocking: text -> 16-bit mono PCM at the voice's rate. Runs in the pool."""
        config = SynthesisConfig(speaker_id=speaker_id)
        with loaded.lock:
            return b"".join(c.audio_int16_bytes for c in loaded.voice.synthesize(text, config))

    @classmethod
    def stream(cls, loaded: LoadedVoice, text: str, speaker_id: int | None) -> Iterator[bytes]:
        """Like `synthesize`, in parts as they are made; each `next` is blocking (pool)."""
        if loaded.stream is None:
            yield cls.synthesize(loaded, text, speaker_id)
            return
        for window in loaded.stream.windows(text, speaker_id):
            yield (window * _MAX_INT16).astype(np.int16).tobytes()


def _load(source: ModelSource) -> LoadedVoice:
    config_path = source.path.with_name(source.path.name + ".json")
    config = json.loads(config_path.read_text(encoding="utf-8"))
    voice = PiperVoice.load(source.path, config_path=config_path)
    language = (config.get("language") or {}).get("code") or config.get("espeak", {}).get(
        "voice", "und"
    )
    dataset = config.get("dataset") or source.name
    quality = (config.get("audio") or {}).get("quality") or ""
    return LoadedVoice(
        source=source,
        voice=voice,
        stream=split(voice, source.path),
        language=str(language),
        speakers={str(k): int(v) for k, v in (config.get("speaker_id_map") or {}).items()},
        description=f"Piper {dataset} {quality}".strip(),
    )


def resolve_voices(
    voice_specs: list[str], data_dirs: list[Path], builtins: list[ModelSource]
) -> list[ModelSource]:
    """Built-in voices, voices in --data-dir directories, and --voice paths to .onnx files."""
    found: dict[str, ModelSource] = {s.name: s for s in builtins}
    for directory in data_dirs:
        for source in piper_voices_in(directory):
            found.setdefault(source.name, source)
    for spec in voice_specs:
        path = Path(spec).expanduser()
        if spec.endswith(".onnx"):
            if not (path.is_file() and path.with_name(path.name + ".json").is_file()):
                raise FileNotFoundError(f"voice {spec} needs {path.name} and {path.name}.json")
            found[path.name.removesuffix(".onnx")] = ModelSource(
                path.name.removesuffix(".onnx"), path.resolve()
            )
    return list(found.values())
