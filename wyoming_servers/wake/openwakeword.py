"""The openWakeWord `WakeDetector`, through `pyopen-wakeword`: model weights shared, feature
state per stream.

`pyopen-wakeword` keeps its streaming state (audio window, mel frames, embeddings) as numpy
arrays on the objects that also own the TFLite interpreters. One set of interpreters is loaded
at start; each stream owns its arrays, which are put in place around each call (all calls run
in one worker thread, under a lock).

Connecting is free: `pyopen-wakeword` (like the official server) starts each stream by
processing 8 s of silence so the models have context. The result of that is the same for every
stream, so it is computed once at start and each new stream gets a copy of it.

The library keeps 10 s of audio, mel frames and embeddings per stream and shifts the whole
buffer left on every call (640 KB of audio per 80 ms step), which pushes the model weights out of
the CPU cache. It only ever reads the newest few hundred milliseconds, so each stream gets
buffers just long enough for what is read (its results are identical: tested), and audio is fed
in pieces no longer than those buffers can take.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from pyopen_wakeword import OpenWakeWord, OpenWakeWordFeatures
from pyopen_wakeword.openwakeword import EMB_FEATURES, EMB_STEP, MEL_SAMPLES, SAMPLES_PER_CHUNK
from wyoming.info import Attribution, WakeModel

from ..server.model_sources import ModelSource
from .detector import Trigger
from .tflite_accel import accelerate

_LOGGER = logging.getLogger(__name__)

# What the library reads of its buffers: audio for one mel window after up to a piece of new
# samples; mel frames for one embedding window plus the frames one mel call adds; per wake word,
# its input windows plus the embeddings one call adds. Margins keep every read in bounds.
_PIECE_SAMPLES = 4 * SAMPLES_PER_CHUNK
_AUDIO_KEEP = MEL_SAMPLES + _PIECE_SAMPLES
_MELS_KEEP = EMB_FEATURES + 4 * EMB_STEP
_EMBEDDINGS_MARGIN = 8


@dataclass
class _FeatureState:
    audio: np.ndarray
    new_audio_samples: int
    mels: np.ndarray
    new_mels: int

    def copy(self) -> _FeatureState:
        return _FeatureState(
            self.audio.copy(), self.new_audio_samples, self.mels.copy(), self.new_mels
        )


@dataclass
class _ModelState:
    embeddings: np.ndarray
    new_embeddings: int

    def copy(self) -> _ModelState:
        return _ModelState(self.embeddings.copy(), self.new_embeddings)


@dataclass
class StreamState:
    """One client stream: its features and, per requested wake word, its embeddings."""

    features: _FeatureState
    models: dict[str, _ModelState] = field(default_factory=dict)


class OpenWakeWordDetector:
    """openWakeWord models (a `WakeDetector`)."""

    step_samples = SAMPLES_PER_CHUNK  # 1280: one probability per 80 ms
    # The models see 775 ms of mel frames and 16 embeddings (1.28 s): past this much quiet
    # audio their state no longer depends on what came before it.
    context_samples = int(2.2 * 16000)
    runs_inline = False  # several ONNX models per step: the pool keeps the streams fair

    def __init__(self, sources: list[ModelSource], triggers: dict[str, Trigger]) -> None:
        if not sources:
            raise ValueError("no openWakeWord model is installed or given with --model")
        self.sources = {s.name: s for s in sources}
        self.triggers = triggers
        self._lock = threading.Lock()
        self._features = OpenWakeWordFeatures.from_builtin()
        self._models: dict[str, OpenWakeWord] = {}
        for source in sources:
            _LOGGER.info("Loading wake word %s from %s", source.name, source.path)
            self._models[source.name] = OpenWakeWord.from_model(source.path)
        self._accelerator = accelerate(self._features, list(self._models.values()))
        self._initial = self._trimmed(self._context_of_silence())

    @property
    def names(self) -> Sequence[str]:
        return list(self.sources)

    def trigger(self, name: str) -> Trigger:
        return self.triggers.get(name) or self.triggers["*"]

    engine_name = "openWakeWord"

    @property
    def version(self) -> str | None:
        return next((s.version for s in self.sources.values() if s.version), None)

    def info_models(self) -> list[WakeModel]:
        attribution = Attribution(
            name="David Scripka (openWakeWord)", url="https://github.com/dscripka/openWakeWord"
        )
        return [
            WakeModel(
                name=name,
                description=name.replace("_", " "),
                phrase=name.replace("_", " "),
                attribution=attribution,
                installed=True,
                languages=["en"],
                version=source.version,
            )
            for name, source in self.sources.items()
        ]

    def new_stream(self, names: Sequence[str]) -> StreamState:
        """A fresh stream for these wake words (cheap: copies of the precomputed arrays)."""
        return StreamState(
            self._initial.features.copy(),
            {name: self._initial.models[name].copy() for name in names},
        )

    def process(self, state: object, pcm: bytes) -> dict[str, list[float]]:
        """Blocking: 16 kHz mono s16 audio -> probabilities per wake word, in order."""
        assert isinstance(state, StreamState)
        probabilities: dict[str, list[float]] = {name: [] for name in state.models}
        piece_bytes = _PIECE_SAMPLES * 2
        with self._lock:
            features = self._features
            f = state.features
            features.audio, features.new_audio_samples = f.audio, f.new_audio_samples
            features.mels, features.new_mels = f.mels, f.new_mels
            for offset in range(0, len(pcm), piece_bytes):
                for embedding in features.process_streaming(pcm[offset : offset + piece_bytes]):
                    for name, m in state.models.items():
                        model = self._models[name]
                        model.embeddings, model.new_embeddings = m.embeddings, m.new_embeddings
                        probabilities[name].extend(model.process_streaming(embedding))
                        m.embeddings, m.new_embeddings = model.embeddings, model.new_embeddings
            f.audio, f.new_audio_samples = features.audio, features.new_audio_samples
            f.mels, f.new_mels = features.mels, features.new_mels
        return probabilities

    def _context_of_silence(self) -> StreamState:
        """Run the library's 8 s silence autofill once, for every model, and keep the state."""
        self._features.reset()  # sets up the autofill
        self._features.audio = self._features.audio.copy()
        for model in self._models.values():
            model.reset()
        state = StreamState(
            _FeatureState(
                self._features.audio,
                self._features.new_audio_samples,
                self._features.mels,
                self._features.new_mels,
            ),
            {name: _ModelState(m.embeddings, m.new_embeddings) for name, m in self._models.items()},
        )
        self.process(state, bytes(SAMPLES_PER_CHUNK * 2))
        return state

    def _trimmed(self, state: StreamState) -> StreamState:
        """The same state with buffers only as long as the library reads (see module doc)."""
        f = state.features
        assert f.new_audio_samples < MEL_SAMPLES and f.new_mels < EMB_FEATURES
        features = _FeatureState(
            f.audio[-_AUDIO_KEEP:].copy(),
            f.new_audio_samples,
            f.mels[-_MELS_KEEP:].copy(),
            f.new_mels,
        )
        models = {}
        for name, m in state.models.items():
            keep = self._models[name].input_windows + _EMBEDDINGS_MARGIN
            assert m.new_embeddings < keep
            models[name] = _ModelState(m.embeddings[-keep:].copy(), m.new_embeddings)
        return StreamState(features, models)

    def close(self) -> None:
        self._features.close()
        for model in self._models.values():
            model.close()
        if self._accelerator is not None:  # after the interpreters that use it
            self._accelerator.close()
