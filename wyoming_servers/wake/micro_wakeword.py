"""The microWakeWord `WakeDetector`, through `pymicro-wakeword`: each model loaded once and
shared, an interpreter per stream.

A microWakeWord model is a streaming model: what it remembers of earlier audio (the ring
buffers of its convolutions) lives in TFLite resource variables inside the interpreter, which
TFLite's C API can neither read nor write. So, unlike openwakeword.py, the state cannot be
lifted out of a shared interpreter: each stream gets interpreters of its own, all made from the
one loaded model (TFLite shares a model's read-only weights between its interpreters).
Measured on this machine: 0.2 ms and about 110 KB per interpreter; a stream of all four
built-in models holds under 0.5 MB. A dropped stream frees its interpreters.

Per stream, besides: the audio front end (`pymicro-features`, with its noise reduction and gain
control state) shared by the stream's wake words, and per wake word the feature frames not yet
given to the model and the window of its recent outputs. `process` does what the library's
`MicroWakeWordFeatures.process_streaming` and `MicroWakeWord.process_streaming_prob` do, with
the same numpy operations on the same numbers, but without their per-frame overhead (a numpy
array per 10 ms frame, `statistics.mean` over Fractions per inference): a stream costs 2.6 ms
of CPU per audio second for okay_nabu_mww alone, 5.9 ms for all four (11.3 ms through the
library's objects). The results are the library's, exactly (tested against the library used
as its README shows). Calls touch only their stream's state: no lock is needed.

Step: one inference per `stride` feature frames of 10 ms (the model's input length: 3 for every
built-in model), so one probability per 30 ms. Trigger: the library detects when the mean of
the last `sliding_window_size` outputs exceeds `probability_cutoff` (both from the model's
JSON). `process` returns that mean per step (0 until the window is full, like the library), and
the default `Trigger` is (probability_cutoff, level 1): the handler's "above the threshold on 1
step" is then the library's decision, step for step.

XNNPACK (see tflite_accel.py) is not used: on these int8 models it saves about 0.6 ms per
audio second per model but rounds differently from the library's kernels (other
probabilities) and doubles each interpreter's memory. One thread changes nothing measurable.
"""

from __future__ import annotations

import ctypes
import json
import logging
import weakref
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# pymicro-features' C front end, called as its `MicroFrontend` wrapper does but without the
# wrapper's dataclass per 10 ms frame (a hundred a second per stream).
from micro_features_cpp import create_frontend, process_samples
from pymicro_wakeword import MicroWakeWord
from pymicro_wakeword.microwakeword import BYTES_PER_CHUNK, BYTES_PER_SAMPLE, SAMPLES_PER_CHUNK
from wyoming.info import Attribution, WakeModel

from ..server.model_sources import ModelSource, package_version
from .detector import Trigger

_LOGGER = logging.getLogger(__name__)

FEATURES = 40  # channels per 10 ms frame of the front end


class _Interpreter:
    """A TFLite interpreter of a loaded model, deleted when its stream is dropped."""

    def __init__(self, model: MicroWakeWord) -> None:
        lib = model.lib
        # As the library makes its own: no options (its kernels, its default threads).
        handle = lib.TfLiteInterpreterCreate(model.model, None)
        if not handle:
            raise RuntimeError(f"TFLite interpreter for {model.id} could not be created")
        self.handle: int = handle
        self.free = weakref.finalize(self, lib.TfLiteInterpreterDelete, handle)
        if lib.TfLiteInterpreterAllocateTensors(handle) != 0:
            self.free()
            raise RuntimeError(f"TFLite could not allocate tensors for {model.id}")
        self.input_tensor = lib.TfLiteInterpreterGetInputTensor(handle, 0)
        self.output_tensor = lib.TfLiteInterpreterGetOutputTensor(handle, 0)
        if lib.TfLiteTensorByteSize(self.output_tensor) != 1:
            raise ValueError(f"{model.id}: not a model of one 8-bit output")
        # The output is read straight into a ctypes byte: the address is taken once, and the
        # value indexes the model's table of levels (see `_levels`).
        self.output = ctypes.c_int8() if model.output_dtype == np.int8 else ctypes.c_uint8()
        self.output_address = ctypes.addressof(self.output)


@dataclass
class _ModelState:
    """One wake word of a stream."""

    interpreter: _Interpreter
    window: deque[float]  # the model's latest outputs (maxlen: its sliding window)
    # Feature frames not yet given to the model (fewer than a stride), one per row.
    pending: np.ndarray = field(default_factory=lambda: np.empty((0, FEATURES)))


@dataclass
class StreamState:
    """One client stream: its audio front end and, per requested wake word, its model state."""

    frontend: object  # the C front end's handle (`create_frontend()`)
    models: dict[str, _ModelState]
    audio: bytes = b""  # not yet taken by the front end (under 10 ms)


def read_config(source: ModelSource) -> dict[str, Any]:
    """A microWakeWord model's JSON (what `MicroWakeWord.from_config` reads)."""
    with source.path.open(encoding="utf-8") as config:
        return dict(json.load(config))


class MicroWakeWordDetector:
    """microWakeWord models (a `WakeDetector`)."""

    # The models see about 1.6 s of features (okay_nabu; the others less) and average 5 steps;
    # the front end's noise estimate forgets within a second or two. Measured: after 2.2 s of
    # room noise following speech, probabilities differ from those of any other history by at
    # most 0.03 and stay under 0.03 (the cutoffs are 0.85 and up). A fresh stream that starts
    # on a wake word detects it like a running one, and restarting fresh before each of 1,050
    # recorded prompts (48 min) gives about as many false accepts as one stream with 4 s
    # pauses between them (8 against 9).
    context_samples = int(2.2 * 16000)
    # A 320 ms job of all four models is about 2 ms of CPU. Measured on a real-time stream of
    # recorded speech in 1024-sample chunks (2 cores, okay_nabu_mww): 16.7 ms of CPU per audio
    # second through the pool's thread, 13.6 ms inline (the loop's and the worker's wake-ups
    # per job, on caches gone cold in the 160 ms between two jobs, cost more than the model).
    runs_inline = True

    def __init__(
        self,
        sources: list[ModelSource],
        thresholds: Mapping[str, float] | None = None,
        trigger_levels: Mapping[str, int] | None = None,
    ) -> None:
        """`sources`: JSON configs; named `thresholds`/`trigger_levels` override a model's own
        cutoff and level 1 (a "*" entry, meant for openWakeWord, is ignored)."""
        if not sources:
            raise ValueError("no microWakeWord model is installed or given with --micro-model")
        self.sources = {s.name: s for s in sources}
        self._configs = {s.name: read_config(s) for s in sources}
        self._models: dict[str, MicroWakeWord] = {}
        for source in sources:
            _LOGGER.info("Loading wake word %s from %s", source.name, source.path)
            self._models[source.name] = MicroWakeWord.from_config(source.path)
        for name, model in self._models.items():
            if model.lib.TfLiteTensorDim(model.input_tensor, 2) != FEATURES:
                raise ValueError(f"{name}: not a model of {FEATURES} features per frame")
        strides = {model.stride for model in self._models.values()}
        if len(strides) != 1:
            raise ValueError(f"microWakeWord models with different strides: {strides}")
        self.stride = strides.pop()
        self.step_samples = self.stride * SAMPLES_PER_CHUNK
        thresholds, trigger_levels = thresholds or {}, trigger_levels or {}
        self.triggers = {
            name: Trigger(
                thresholds.get(name, model.probability_cutoff), trigger_levels.get(name, 1)
            )
            for name, model in self._models.items()
        }
        self._interpreters: weakref.WeakSet[_Interpreter] = weakref.WeakSet()
        self._levels = {name: _levels(model) for name, model in self._models.items()}

    @property
    def names(self) -> Sequence[str]:
        return list(self.sources)

    @property
    def open_interpreters(self) -> int:
        """Interpreters of streams still alive (a dropped stream frees its own)."""
        return len(self._interpreters)

    def trigger(self, name: str) -> Trigger:
        return self.triggers[name]

    engine_name = "microWakeWord"

    @property
    def version(self) -> str | None:
        return package_version("pymicro-wakeword")

    def info_models(self) -> list[WakeModel]:
        models = []
        for name, source in self.sources.items():
            config = self._configs[name]
            phrase = str(config.get("wake_word") or name.removesuffix("_mww").replace("_", " "))
            models.append(
                WakeModel(
                    name=name,
                    description=f"{phrase} (microWakeWord)",
                    phrase=phrase,
                    attribution=Attribution(
                        name=str(config.get("author") or "microWakeWord"),
                        url=str(
                            config.get("website") or "https://github.com/kahrendt/microWakeWord"
                        ),
                    ),
                    installed=True,
                    languages=[str(lang) for lang in config.get("trained_languages", [])],
                    version=source.version,
                )
            )
        return models

    def new_stream(self, names: Sequence[str]) -> StreamState:
        """A fresh stream, as the library starts one: new front end, new interpreters."""
        models = {}
        for name in names:
            interpreter = _Interpreter(self._models[name])
            self._interpreters.add(interpreter)
            window = int(self._models[name].sliding_window_size)
            models[name] = _ModelState(interpreter, deque(maxlen=window))
        return StreamState(create_frontend(), models)

    def process(self, state: object, pcm: bytes) -> dict[str, list[float]]:
        """Blocking: 16 kHz mono s16 audio -> probabilities per wake word, one per step."""
        assert isinstance(state, StreamState)
        frames = _features(state, pcm)
        return {name: self._infer(name, m, frames) for name, m in state.models.items()}

    def _infer(self, name: str, m: _ModelState, frames: np.ndarray) -> list[float]:
        """`process_streaming_prob` on each frame, keeping the values of complete strides."""
        model = self._models[name]
        frames = np.concatenate((m.pending, frames)) if len(m.pending) else frames
        full = len(frames) - len(frames) % model.stride
        m.pending = frames[full:]
        # The library's quantization, for all strides at once: the same float64 operations on
        # each number. A stride's frames are then `stride` consecutive rows, as the library's
        # (1, stride, 40) input.
        quantized = np.round(frames[:full] / model.input_scale + model.input_zero_point)
        blocks = quantized.astype(model.input_dtype).reshape(-1, model.stride * FEATURES)
        lib, interpreter = model.lib, m.interpreter
        levels, lowest = self._levels[name]
        # Addresses taken once per call: numpy's `.ctypes` costs more than the copy itself.
        address, row_bytes = blocks.ctypes.data, blocks.strides[0]
        probabilities = []
        for row in range(len(blocks)):
            lib.TfLiteTensorCopyFromBuffer(
                interpreter.input_tensor, address + row * row_bytes, row_bytes
            )
            lib.TfLiteInterpreterInvoke(interpreter.handle)
            lib.TfLiteTensorCopyToBuffer(interpreter.output_tensor, interpreter.output_address, 1)
            m.window.append(levels[interpreter.output.value - lowest])
            if len(m.window) < (m.window.maxlen or 0):
                probabilities.append(0.0)
                continue
            # The library takes statistics.mean: an output is one of 256 levels of one scale,
            # so a window of them adds up exactly in float64 and one division rounds the same.
            probabilities.append(sum(m.window) / len(m.window))
        return probabilities

    def close(self) -> None:
        for interpreter in list(self._interpreters):
            interpreter.free()
        for model in self._models.values():
            model.close()


def _levels(model: MicroWakeWord) -> tuple[list[float], int]:
    """Every value the library can make of the model's 8-bit output, by level (from the lowest
    level, returned too): its own float32 dequantization, done once for all 256 levels, so a
    step costs a list lookup and gives the library's number exactly."""
    limits = np.iinfo(model.output_dtype)
    raw = np.arange(limits.min, limits.max + 1).astype(model.output_dtype)
    values = (raw.astype(np.float32) - model.output_zero_point) * model.output_scale
    return [float(v) for v in values], int(limits.min)


def _features(state: StreamState, pcm: bytes) -> np.ndarray:
    """`MicroWakeWordFeatures.process_streaming`: the front end fed 10 ms at a time, from where
    its last call stopped; the feature frames (float64, as numpy makes of its lists) as rows."""
    audio = state.audio + pcm
    rows: list[list[float]] = []
    offset = 0
    frontend = state.frontend
    while offset + BYTES_PER_CHUNK <= len(audio):
        features, samples_read = process_samples(frontend, audio[offset : offset + BYTES_PER_CHUNK])
        offset += samples_read * BYTES_PER_SAMPLE
        if features:
            rows.append(features)
    state.audio = audio[offset:]
    return np.array(rows, dtype=np.float64).reshape(-1, FEATURES)
