"""Piper audio a little at a time: the voice's graph cut in three, flow and vocoder in windows.

A Piper voice is VITS: a text encoder + duration predictor (gives the prior `z_p`, one latent
frame per 256 samples), a normalizing flow (`z_p` -> `z`) and a HiFi-GAN vocoder (`z` -> audio).
Run as one graph, no audio exists until the whole sentence is done. Cut at the flow's and the
vocoder's inputs, the first ~0.2 s of audio can be made alone and sent while the rest is made.
Flow and vocoder are convolutional over time: each window gets extra frames of context on
both sides (`_FLOW_CONTEXT` for the flow, `_CONTEXT` for the vocoder), wider than their
receptive fields, and is cropped, so the samples are those of a whole-sentence run (measured:
flow max difference 6e-6 with 32 frames, vocoder 5e-7 with 16). Only the text encoder still sees
the whole clause. The cut needs the `onnx` package; a graph of another shape is cut at the
vocoder only, or (e.g. multi-speaker, where flow and vocoder also take the speaker) not at all.
The flow runs twice per clause (the first window, then the rest), the vocoder once per window
(windows double in size up to `_MAX_WINDOW`, which bounds its memory).

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
_CONTEXT = 16  # latent frames of vocoder context on each side of a window
_FLOW_CONTEXT = 32  # latent frames of flow context beyond the vocoder's window, each side
_FIRST = 20  # latent frames in the first window (20 x 256 samples = 0.23 s at 22.05 kHz)
# Windows double in size after the first, up to this: the vocoder's memory grows with its
# window (HiFi-GAN's activations, about 0.27 MB per frame: 145 MB for 512 frames and their
# context, 420 MB for 2048), its speed per frame does not, and a 300-character piece is up to
# ~1700 frames. The context around each window costs about 5 % more vocoder work at this
# size (measured 4 to 14 % at 256).
_MAX_WINDOW = 512
_CALIBRATION = [
    "It is sunny in Paris right now.",
    "Okay.",
    "Your next appointment is tomorrow morning with the dentist. Do you want a reminder?",
    "Turn off all the lights downstairs and lock the back door!",
]


class StreamingVoice:
    """Text -> float audio windows in [-1, 1] (see the module doc)."""

    def __init__(
        self,
        voice: PiperVoice,
        encoder: bytes,
        vocoder: bytes,
        z_name: str,
        flow: tuple[bytes, str, str] | None = None,
    ) -> None:
        """`encoder` gives `z` (to `vocoder`), or with `flow` = (graph, z_p name, mask name)
        it gives `z_p` and the mask, and the flow turns windows of them into `z`."""
        self.voice = voice
        self.z_name = z_name
        options = onnxruntime.SessionOptions()
        # Two sessions run back to back: a spinning thread pool of one would steal the 2 cores
        # from the other (measured: first window 64 -> 45 ms, whole sentence 155 -> 109 ms).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        # ONNX Runtime's memory arena keeps the largest tensors it ever held: a long answer
        # grew the server by 200 MB, for good. Shrunk after each run, its memory is freed
        # (and given back to the system after a long answer, `memory.py`) while a run still
        # reuses its own blocks. Measured on 20,000 characters: 40 to 70 MB over the start
        # during synthesis, against 120 to 280 MB with no arena at all (the heap fragments).
        self.run_options = onnxruntime.RunOptions()
        self.run_options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
        providers = ["CPUExecutionProvider"]
        self.encoder = onnxruntime.InferenceSession(encoder, options, providers=providers)
        self.vocoder = onnxruntime.InferenceSession(vocoder, options, providers=providers)
        # (session, z_p input name, mask input name), or None when the encoder gives `z`.
        self.flow: tuple[onnxruntime.InferenceSession, str, str] | None = None
        if flow is not None:
            graph, z_p_name, mask_name = flow
            session = onnxruntime.InferenceSession(graph, options, providers=providers)
            self.flow = (session, z_p_name, mask_name)
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
                outputs = self.encoder.run(None, args, self.run_options)
            yield from self._vocode(outputs, int(config.hop_length))

    def _latent(self, encoded: list[np.ndarray], lo: int, hi: int) -> np.ndarray:
        """`z` for frames lo..hi: a slice, or the flow run on a window with context."""
        if self.flow is None:
            return encoded[0][:, :, lo:hi]
        session, z_p_name, mask_name = self.flow
        z_p, mask = encoded
        frames = z_p.shape[2]
        flo, fhi = max(0, lo - _FLOW_CONTEXT), min(frames, hi + _FLOW_CONTEXT)
        with self.lock:
            window = {z_p_name: z_p[:, :, flo:fhi], mask_name: mask[:, :, flo:fhi]}
            z = session.run(None, window, self.run_options)
        return z[0][:, :, lo - flo : hi - flo]

    def _vocode(self, encoded: list[np.ndarray], hop: int) -> Iterator[np.ndarray]:
        frames = encoded[0].shape[2]
        start, size = 0, _FIRST
        rest: tuple[int, np.ndarray] | None = None  # (first frame, z from there to the end)
        while start < frames:
            end = min(frames, start + size)
            if frames - end < min(size, _MAX_WINDOW - size):  # a short tail goes with this one
                end = frames
            lo, hi = max(0, start - _CONTEXT), min(frames, end + _CONTEXT)
            if start > 0 and rest is None:
                # Only the first window needs its own flow run (to start soon); the flow runs
                # once for all that is left instead of once per window with context each time.
                rest = (lo, self._latent(encoded, lo, frames))
            z = (
                rest[1][:, :, lo - rest[0] : hi - rest[0]]
                if rest
                else self._latent(encoded, lo, hi)
            )
            with self.lock:
                (audio,) = self.vocoder.run(None, {self.z_name: z}, self.run_options)
            audio = audio.reshape(-1)
            yield audio[(start - lo) * hop : (end - lo) * hop]
            start, size = end, min(size * 2, _MAX_WINDOW)


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
        vocoder = extractor.extract_model([z_name], [graph.output[0].name]).SerializeToString()
    except Exception as err:  # another graph layout: whole sentences, as before
        _LOGGER.warning("Cannot stream voice %s (%s): whole sentences", model_path.name, err)
        return None
    try:
        z_p, mask = _flow_inputs(graph, z_name)
        encoder = extractor.extract_model(inputs, [z_p, mask]).SerializeToString()
        flow = extractor.extract_model([z_p, mask], [z_name]).SerializeToString()
        return StreamingVoice(voice, encoder, vocoder, z_name, (flow, z_p, mask))
    except Exception as err:  # the vocoder-only cut still streams
        _LOGGER.info("Voice %s: flow not windowed (%s)", model_path.name, err)
    try:
        encoder = extractor.extract_model(inputs, [z_name]).SerializeToString()
        return StreamingVoice(voice, encoder, vocoder, z_name)
    except Exception as err:
        _LOGGER.warning("Cannot stream voice %s (%s): whole sentences", model_path.name, err)
        return None


def _flow_inputs(graph: object, z_name: str) -> tuple[str, str]:
    """(z_p, mask): in Piper's graphs the vocoder input is Mul(flow output, mask) and the first
    flow node reads z_p."""
    nodes = list(graph.node)  # type: ignore[attr-defined]
    producer = {out: n for n in nodes for out in n.output}
    mul = producer.get(z_name)
    if mul is None or mul.op_type != "Mul":
        raise ValueError("vocoder input is not the masked flow output")
    flow_out = [i for i in mul.input if i in producer and producer[i].name.startswith("/flow/")]
    if len(flow_out) != 1:
        raise ValueError("no flow output")
    mask = next(i for i in mul.input if i != flow_out[0])
    first = next((n for n in nodes if n.name.startswith("/flow/")), None)
    if first is None or not first.input:
        raise ValueError("no flow")
    return first.input[0], mask
