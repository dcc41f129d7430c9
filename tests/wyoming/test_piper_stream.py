"""Streaming synthesis gives the voice's own audio: the cut graph and its windows change nothing.

With Piper's noise scales at 0 a voice is deterministic, so the audio of the original,
uncut ONNX graph can be compared sample by sample with the windows `piper_stream` makes.
"""

from __future__ import annotations

import numpy as np
import pytest
from piper import PiperVoice

from wyoming_servers.tts import piper_stream
from wyoming_servers.tts import voices as models

SENTENCES = [
    "Okay.",  # shorter than the first window
    "I have turned on the kitchen lights and closed the garage door.",
    "Your next appointment is tomorrow morning with the dentist, at nine, and then you are "
    "free for the rest of the day, so you could go for a long walk in the park.",
]


@pytest.fixture(scope="module")
def voice() -> tuple[PiperVoice, piper_stream.StreamingVoice]:
    source = models.piper_joe()
    assert source is not None
    piper_voice = PiperVoice.load(source.path)
    streaming = piper_stream.split(piper_voice, source.path)
    assert streaming is not None
    piper_voice.config.noise_scale = 0.0
    piper_voice.config.noise_w_scale = 0.0
    return piper_voice, streaming


def uncut_audio(piper_voice: PiperVoice, text: str) -> np.ndarray:
    config = piper_voice.config
    scales = np.array([config.noise_scale, config.length_scale, config.noise_w_scale], "f4")
    pieces = []
    for phonemes in piper_voice.phonemize(text):
        ids = np.array([piper_voice.phonemes_to_ids(phonemes)], dtype=np.int64)
        args = {"input": ids, "input_lengths": np.array([ids.shape[1]]), "scales": scales}
        pieces.append(piper_voice.session.run(None, args)[0].reshape(-1))
    return np.concatenate(pieces)


def test_the_flow_is_windowed_too(voice: tuple[PiperVoice, piper_stream.StreamingVoice]) -> None:
    assert voice[1].flow is not None  # Piper's graph shape: the three-way cut applies


@pytest.mark.parametrize("text", SENTENCES)
def test_windows_are_the_uncut_voice_audio(
    voice: tuple[PiperVoice, piper_stream.StreamingVoice], text: str
) -> None:
    piper_voice, streaming = voice
    windows = list(streaming._raw(text, None))
    expected = uncut_audio(piper_voice, text)
    if len(expected) > 60_000:  # long enough for several windows of growing size
        assert len(windows) >= 3
    first = piper_stream._FIRST * piper_voice.config.hop_length
    assert len(windows[0]) < 2 * first  # the first audio does not wait for the whole clause
    audio = np.concatenate(windows)
    assert audio.shape == expected.shape
    np.testing.assert_allclose(audio, expected, atol=1e-4)
