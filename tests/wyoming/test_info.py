"""`describe` -> `info`: only what is installed, with real languages; answered fast."""

from __future__ import annotations

import subprocess
import sys
import time

from homeassistant.components.wyoming.data import WyomingService
from homeassistant.const import Platform
from wyoming.client import AsyncTcpClient
from wyoming.ping import Ping, Pong

from harness.servers import ROOT
from harness.wyoming_client import describe, read
from wyoming_servers.server.announce import reachable_address

from .conftest import Servers


async def test_all_in_one_lists_all_three_services(port: int) -> None:
    info = await describe(port)
    assert [p.name for p in info.asr] == ["heisenberg-faster-whisper"]
    # One program per service: Home Assistant reads only the first of each kind.
    assert [p.name for p in info.tts] == ["heisenberg-tts"]
    assert [p.name for p in info.wake] == ["heisenberg-wake"]


async def test_stt_models_have_their_real_languages(port: int) -> None:
    models = {m.name: m for m in (await describe(port)).asr[0].models}
    assert set(models) == {"tiny.en", "base"}
    assert models["tiny.en"].languages == ["en"]  # English-only: not Whisper's 99 languages
    assert {"en", "fr", "de"} <= set(models["base"].languages)
    assert all(m.installed and m.attribution.name for m in models.values())


async def test_tts_voice_and_streaming_are_advertised(port: int) -> None:
    program = (await describe(port)).tts[0]
    assert program.supports_synthesize_streaming
    voices = [(v.name, v.languages) for v in program.voices]
    assert voices[0] == ("en_US-joe-medium", ["en_US"])  # the default voice comes first
    assert {
        ("fr_FR-pico", "fr_FR"),
        ("de_DE-pico", "de_DE"),
        ("es_ES-pico", "es_ES"),
        ("it_IT-pico", "it_IT"),
    } <= {(name, languages[0]) for name, languages in voices}
    assert program.version


async def test_wake_words_are_the_installed_models(port: int) -> None:
    program = (await describe(port)).wake[0]
    names = {m.name for m in program.models}
    openwakeword = {"okay_nabu", "hey_jarvis", "hey_mycroft", "alexa", "hey_rhasspy"}
    assert names == openwakeword | {
        "okay_nabu_mww",
        "hey_jarvis_mww",
        "hey_mycroft_mww",
        "alexa_mww",
    }
    assert {m.phrase for m in program.models} >= {"okay nabu", "hey jarvis"}


async def test_single_service_server_describes_only_itself(servers: Servers) -> None:
    info = await describe(servers.wake.port)
    assert info.wake and not info.asr and not info.tts


async def test_ping_is_answered(port: int) -> None:
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Ping(text="hello").event())
        event = await read(client)
    assert event is not None and Pong.is_type(event.type)
    assert Pong.from_event(event).text == "hello"


async def test_describe_is_answered_quickly(port: int) -> None:
    start = time.perf_counter()
    await describe(port)
    assert time.perf_counter() - start < 0.5  # HA gives describe 1 s


def test_help_explains_the_flags() -> None:
    for module, flags in (
        ("wyoming_servers.stt", ["--model", "--language", "--beam-size", "--initial-prompt"]),
        ("wyoming_servers.tts", ["--voice", "--speaker", "--data-dir"]),
        (
            "wyoming_servers.wake",
            ["--model", "--threshold", "--trigger-level", "--refractory-seconds"],
        ),
        ("wyoming_servers", ["--stt-model", "--wake-model", "--voice", "--zeroconf"]),
    ):
        result = subprocess.run(
            [sys.executable, "-m", module, "--help"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        for flag in [*flags, "--uri", "--zeroconf", "--debug"]:
            assert flag in result.stdout, (module, flag)


def test_a_missing_model_path_is_a_clear_start_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "wyoming_servers.wake", "--model", "/nonexistent/x.tflite"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "/nonexistent/x.tflite" in result.stderr


def test_zeroconf_announces_a_reachable_address() -> None:
    # In a subprocess: the HA test harness only lets tests connect to 127.0.0.1.
    code = "from wyoming_servers.server.announce import reachable_address as r; print(r('0.0.0.0', None))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() not in ("0.0.0.0", "")
    assert reachable_address("0.0.0.0", "192.168.1.5") == "192.168.1.5"
    assert reachable_address("10.0.0.7", None) == "10.0.0.7"


async def test_home_assistant_sees_all_three_platforms_on_one_port(port: int) -> None:
    """HA's own Wyoming code reads our info: one entry gives STT, TTS and wake word."""
    service = await WyomingService.create("127.0.0.1", port)
    assert service is not None
    assert set(service.platforms) == {Platform.STT, Platform.TTS, Platform.WAKE_WORD}
