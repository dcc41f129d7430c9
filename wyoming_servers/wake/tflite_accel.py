"""Faster TFLite interpreters for `pyopen-wakeword`'s models: XNNPACK, one thread.

`pyopen-wakeword` creates its interpreters without options, so TFLite's C library uses its
reference kernels on several threads. On this 2-core machine that costs about 87 ms of CPU per
second of audio; XNNPACK on one thread computes the same probabilities for about 16 ms
(measured). The library's objects keep working unchanged: only their interpreter handles are
replaced by ones built from the same loaded models with options.
"""

from __future__ import annotations

import ctypes as C
import logging
from typing import Any

from pyopen_wakeword import OpenWakeWord, OpenWakeWordFeatures
from pyopen_wakeword.openwakeword import EMB_SHAPE, MEL_SHAPE

_LOGGER = logging.getLogger(__name__)


class Accelerator:
    """Owns the XNNPACK delegate; must outlive the interpreters it was given to."""

    def __init__(self, lib: Any, threads: int = 1) -> None:
        self.lib = lib
        self.threads = threads
        lib.TfLiteInterpreterOptionsCreate.restype = C.c_void_p
        lib.TfLiteInterpreterOptionsSetNumThreads.argtypes = [C.c_void_p, C.c_int32]
        lib.TfLiteInterpreterOptionsAddDelegate.argtypes = [C.c_void_p, C.c_void_p]
        lib.TfLiteInterpreterOptionsDelete.argtypes = [C.c_void_p]
        lib.TfLiteXNNPackDelegateCreate.restype = C.c_void_p
        lib.TfLiteXNNPackDelegateCreate.argtypes = [C.c_void_p]
        lib.TfLiteXNNPackDelegateDelete.argtypes = [C.c_void_p]
        # NULL options = XNNPACK's defaults.
        self.delegate = lib.TfLiteXNNPackDelegateCreate(None)
        if not self.delegate:
            raise RuntimeError("XNNPACK delegate could not be created")

    def _interpreter(self, model: int, input_shape: tuple[int, ...] | None) -> int:
        lib = self.lib
        options = lib.TfLiteInterpreterOptionsCreate()
        try:
            lib.TfLiteInterpreterOptionsSetNumThreads(options, self.threads)
            lib.TfLiteInterpreterOptionsAddDelegate(options, self.delegate)
            interpreter = lib.TfLiteInterpreterCreate(model, options)
        finally:
            lib.TfLiteInterpreterOptionsDelete(options)
        if not interpreter:
            raise RuntimeError("TFLite interpreter could not be created")
        if input_shape is not None:
            dims = (C.c_int32 * len(input_shape))(*input_shape)
            lib.TfLiteInterpreterResizeInputTensor(
                interpreter, C.c_int32(0), dims, C.c_int32(len(input_shape))
            )
        if lib.TfLiteInterpreterAllocateTensors(interpreter) != 0:
            lib.TfLiteInterpreterDelete(interpreter)
            raise RuntimeError("TFLite could not allocate tensors")
        return int(interpreter)

    def features(self, features: OpenWakeWordFeatures) -> None:
        lib = self.lib
        mel = self._interpreter(features.mel_model, MEL_SHAPE)
        emb = self._interpreter(features.emb_model, EMB_SHAPE)
        lib.TfLiteInterpreterDelete(features.mel_interpreter)
        lib.TfLiteInterpreterDelete(features.emb_interpreter)
        features.mel_interpreter, features.emb_interpreter = mel, emb
        features.mel_input_tensor = lib.TfLiteInterpreterGetInputTensor(mel, C.c_int32(0))
        features.mel_output_tensor = lib.TfLiteInterpreterGetOutputTensor(mel, C.c_int32(0))
        features.emb_input_tensor = lib.TfLiteInterpreterGetInputTensor(emb, C.c_int32(0))
        features.emb_output_tensor = lib.TfLiteInterpreterGetOutputTensor(emb, C.c_int32(0))

    def wake_word(self, model: OpenWakeWord) -> None:
        lib = self.lib
        interpreter = self._interpreter(model.model, None)
        lib.TfLiteInterpreterDelete(model.interpreter)
        model.interpreter = interpreter
        model.input_tensor = lib.TfLiteInterpreterGetInputTensor(interpreter, C.c_int32(0))
        model.output_tensor = lib.TfLiteInterpreterGetOutputTensor(interpreter, C.c_int32(0))

    def close(self) -> None:
        if self.delegate:
            self.lib.TfLiteXNNPackDelegateDelete(self.delegate)
            self.delegate = None


def accelerate(features: OpenWakeWordFeatures, models: list[OpenWakeWord]) -> Accelerator | None:
    """Switch every interpreter to XNNPACK; on any failure keep the library's defaults."""
    try:
        accelerator = Accelerator(features.lib)
        accelerator.features(features)
        for model in models:
            accelerator.wake_word(model)
    except (AttributeError, RuntimeError, OSError) as err:
        _LOGGER.warning("TFLite acceleration unavailable, using defaults: %s", err)
        return None
    return accelerator
