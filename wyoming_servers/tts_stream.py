"""Piper audio a little at a time: the voice's graph cut in two, the vocoder run in windows.

A Piper voice is VITS: text encoder + duration predictor + flow (fast, gives latent frames `z`,
one per 256 samples) and a HiFi-GAN vocoder (most of the time, purely convolutional). Run as
one graph, no audio exists until the whole sentence is vocoded. Cut at the vocoder's input, the
first ~0.2 s of audio can be vocoded alone and sent while the rest is vocoded. Each window is
vocoded with `_CONTEXT` extra frames on both sides and cropped: the vocoder's receptive field is
narrower than that, so the samples are those of a whole-sentence run (measured: max difference
5e-7 with 16 frames). The cut needs the `onnx` package; without it (or for a graph of another
shape, e.g. multi-speaker where the vocoder also takes the speaker) voices synthesize whole.

Piper scales each sentence to its own peak, which is unknown until the end; here the gain is
1 / max(the voice's peak measured at load, the peak so far), so it never clips and the first
window is not louder than the rest.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import onnxruntime
from piper import PiperVoice, SynthesisConfig

_LOGGER = logging.getLogger(__name__)
_VOCODER_IN = "/dec/conv_pre/Conv"  # first node of the vocoder in Piper's exported graphs
_CONTEXT = 16  # latent frames of context on each side of a window
_FIRST = 20  # latent frames in the first window (20 x 256 samples = 0.23 s at 22.05 kHz)
_CALIBRATION = [
    "It is sunny in Paris right now.",
    "Okay.",
    "Your next appointment is tomorrow morning with the dentist. Do you want a reminder?",
    "Turn off all the lights downstairs and lock the back door!",
]


class StreamingVoice:
    """Text -> float audio windows in [-1, 1] (see the module doc)."""

    def __init__(self, voice: PiperVoice, encoder: bytes, vocoder: bytes, z_name: str) -> None:
        self.voice = voice
        self.z_name = z_name
        options = onnxruntime.SessionOptions()
        # Two sessions run back to back: a spinning thread pool of one would steal the 2 cores
        # from the other (measured: first window 64 -> 45 ms, whole sentence 155 -> 109 ms).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        providers = ["CPUExecutionProvider"]
        self.encoder = onnxruntime.InferenceSession(encoder, options, providers=providers)
        self.vocoder = onnxruntime.InferenceSession(vocoder, options, providers=providers)
        self.lock = threading.Lock()
        self.peak = 0.0
        for text in _CALIBRATION:  # warms both sessions up and measures the voice's peak
            for window in self._raw(text, None):
                self.peak = max(self.peak, float(np.max(np.abs(window), initial=0.0)))
        self.peak = max(self.peak, 1e-3)

    def windows(self, text: str, speaker_id: int | None) -> Iterator[np.ndarray]:
        peak = self.peak
        for window in self._raw(text, speaker_id):
            peak = max(peak, float(np.max(np.abs(window), initial=0.0)))
            yield np.clip(window / peak, -1.0, 1.0)

    def _raw(self, text: str, speaker_id: int | None) -> Iterator[np.ndarray]:
        config = self.voice.config
        syn = SynthesisConfig(speaker_id=speaker_id)
        scales = np.array([config.noise_scale, config.length_scale, config.noise_w_scale], "f4")
        for phonemes in self.voice.phonemize(text):
            if not phonemes:
                continue
            ids = np.array([self.voice.phonemes_to_ids(phonemes)], dtype=np.int64)
            args = {"input": ids, "input_lengths": np.array([ids.shape[1]]), "scales": scales}
            if config.num_speakers > 1:
                args["sid"] = np.array([syn.speaker_id or config.default_speaker_id or 0])
            with self.lock:
                z = self.encoder.run(None, args)[0]
            yield from self._vocode(z, int(config.hop_length))

    def _vocode(self, z: np.ndarray, hop: int) -> Iterator[np.ndarray]:
        frames = z.shape[2]
        start, size = 0, _FIRST
        while start < frames:
            end = min(frames, start + size)
            if frames - end < size:  # a short tail goes with this window
                end = frames
            lo, hi = max(0, start - _CONTEXT), min(frames, end + _CONTEXT)
            with self.lock:
                audio = self.vocoder.run(None, {self.z_name: z[:, :, lo:hi]})[0].reshape(-1)
            yield audio[(start - lo) * hop : (end - lo) * hop]
            start, size = end, size * 2


def split(voice: PiperVoice, model_path: Path) -> StreamingVoice | None:
    """The streaming form of a loaded voice, or None when its graph cannot be cut."""
    try:
        import onnx  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415
        import onnx.utils  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415
    except ImportError:
        _LOGGER.info("onnx is not installed: Piper voices synthesize whole sentences")
        return None
    try:
        model = onnx.load(str(model_path))
        graph = model.graph
        nodes = [n for n in graph.node if n.name == _VOCODER_IN]
        if len(nodes) != 1 or len(graph.output) != 1:
            raise ValueError("no single vocoder input")
        z_name = nodes[0].input[0]
        extractor = onnx.utils.Extractor(model)
        inputs = [i.name for i in graph.input]
        encoder = extractor.extract_model(inputs, [z_name])
        vocoder = extractor.extract_model([z_name], [graph.output[0].name])
        return StreamingVoice(
            voice, encoder.SerializeToString(), vocoder.SerializeToString(), z_name
        )
    except Exception as err:  # another graph layout: whole sentences, as before
        _LOGGER.warning("Cannot stream voice %s (%s): whole sentences", model_path.name, err)
        return None
