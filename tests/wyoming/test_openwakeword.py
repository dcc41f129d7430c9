"""The wake engine computes what `pyopen-wakeword` itself computes, whatever the chunking.

The engine shares one set of interpreters between streams, starts streams from a precomputed
quiet context and keeps short buffers; none of that may change a probability. The reference is
the library used as its README shows, one object per stream, fed 80 ms at a time.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from pyopen_wakeword import OpenWakeWord, OpenWakeWordFeatures

from harness.wyoming_client import chunked
from wyoming_servers.wake import models
from wyoming_servers.wake.detector import Trigger
from wyoming_servers.wake.openwakeword import OpenWakeWordDetector, StreamState

NAMES = ["hey_jarvis", "okay_nabu"]
STEP_BYTES = 1280 * 2
# Chunk sizes a client might send, in samples: odd sizes, 10 ms, 80 ms, and 3 s in one go.
CHUNKINGS = [[1280], [160], [333, 1024, 48000, 7]]


@pytest.fixture(scope="module")
def engine() -> Iterator[OpenWakeWordDetector]:
    sources = [s for s in models.openwakeword_builtin() if s.name in NAMES]
    engine = OpenWakeWordDetector(sources, {"*": Trigger()})
    yield engine
    engine.close()


def library_probabilities(pcm: bytes) -> dict[str, list[float]]:
    sources = {s.name: s for s in models.openwakeword_builtin()}
    features = OpenWakeWordFeatures.from_builtin()
    wake_words = {name: OpenWakeWord.from_model(sources[name].path) for name in NAMES}
    result: dict[str, list[float]] = {name: [] for name in NAMES}
    try:
        # The library's first call also runs its 8 s of autofilled silence; the engine did
        # that (with one 80 ms step of silence) at start. Do the same here and drop it.
        for embedding in features.process_streaming(bytes(STEP_BYTES)):
            for model in wake_words.values():
                list(model.process_streaming(embedding))
        for offset in range(0, len(pcm), STEP_BYTES):
            for embedding in features.process_streaming(pcm[offset : offset + STEP_BYTES]):
                for name, model in wake_words.items():
                    result[name].extend(model.process_streaming(embedding))
    finally:
        features.close()
        for model in wake_words.values():
            model.close()
    return result


def engine_probabilities(
    engine: OpenWakeWordDetector, state: StreamState, chunks: Iterator[bytes]
) -> dict[str, list[float]]:
    result: dict[str, list[float]] = {name: [] for name in NAMES}
    for chunk in chunks:
        for name, values in engine.process(state, chunk).items():
            result[name].extend(values)
    return result


def assert_same(ours: dict[str, list[float]], reference: dict[str, list[float]]) -> None:
    for name in NAMES:
        assert len(ours[name]) == len(reference[name])
        # Our interpreters use XNNPACK, the library's its reference kernels: float rounding only.
        np.testing.assert_allclose(ours[name], reference[name], atol=1e-4)


def test_probabilities_match_the_library_for_any_chunking(
    engine: OpenWakeWordDetector, stream_audio: bytes
) -> None:
    reference = library_probabilities(stream_audio)
    for name in NAMES:  # the audio really contains each wake word
        assert max(reference[name]) > 0.5, name
    for sizes in CHUNKINGS:
        state = engine.new_stream(NAMES)
        assert_same(engine_probabilities(engine, state, chunked(stream_audio, sizes)), reference)


def test_interleaved_streams_do_not_disturb_each_other(
    engine: OpenWakeWordDetector, stream_audio: bytes
) -> None:
    reference = library_probabilities(stream_audio)
    first, second = engine.new_stream(NAMES), engine.new_stream(NAMES)
    results = [{name: [] for name in NAMES} for _ in range(2)]  # type: list[dict[str, list[float]]]
    for offset in range(0, len(stream_audio), STEP_BYTES):
        chunk = stream_audio[offset : offset + STEP_BYTES]
        for state, result in zip((first, second), results, strict=True):
            for name, values in engine.process(state, chunk).items():
                result[name].extend(values)
    for result in results:
        assert_same(result, reference)


def test_a_stream_keeps_short_buffers(engine: OpenWakeWordDetector) -> None:
    state = engine.new_stream(NAMES)
    engine.process(state, bytes(16000 * 2 * 3))
    # The library's own buffers are 10 s of audio (640 KB) and 970 mel frames per stream.
    assert state.features.audio.nbytes < 32_000
    assert len(state.features.mels) < 200
    assert all(len(m.embeddings) < 40 for m in state.models.values())
