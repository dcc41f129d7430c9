"""Real Wyoming servers for the tests, started once per session on free ports.

All server processes are launched at once (their model loading overlaps) and shared by every
test. Test phrases are spoken by our own TTS server once per session and reused.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import pytest_socket

from harness.audio_clip import AudioClip
from harness.servers import ServerProcess, ours
from harness.wyoming_client import synthesize

START_TIMEOUT = 240.0

PHRASES = {
    "command": "Please turn on the lights in the kitchen and close the garage door.",
    "weather": "What is the weather like in Paris this afternoon?",
    "ordinary": "I went to the market this morning and bought some bread, cheese and apples.",
    "hey_jarvis": "Hey Jarvis.",
    "okay_nabu": "Okay Nabu.",
}


@dataclass
class Servers:
    all: ServerProcess  # wake + STT + TTS on one port, default options
    wake: ServerProcess  # `python -m wyoming_servers.wake` alone
    tts_busy: ServerProcess  # TTS alone with a queue bound of 1 and whole sentences only


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    pytest_socket.enable_socket()  # the HA harness blocks sockets; these tests are about them
    log_dir = tmp_path_factory.mktemp("wyoming-logs")
    result = Servers(
        all=ours("all", "wyoming_servers"),
        # One 80 ms step per inference here, two (the default) in `all`: tests on both cover both.
        wake=ours(
            "wake",
            "wyoming_servers.wake",
            "--refractory-seconds",
            "2",
            "--steps-per-inference",
            "1",
        ),
        tts_busy=ours(
            "tts_busy", "wyoming_servers.tts", "--max-queue", "1", "--fast-start-words", "0"
        ),
    )
    started = [result.all, result.wake, result.tts_busy]
    try:
        for server in started:
            server.start(log_dir)
        deadline = time.monotonic() + START_TIMEOUT
        for server in started:
            server.wait_ready(deadline)
        yield result
    finally:
        for server in started:
            server.stop()


@pytest.fixture(scope="session")
def port(servers: Servers) -> int:
    """The all-in-one server's port."""
    return servers.all.port


@pytest.fixture(scope="session")
def phrases(servers: Servers) -> dict[str, AudioClip]:
    """Each test phrase spoken by our TTS, 22050 Hz as it comes out of Piper."""
    # Session fixtures are set up before the per-test socket switch: the first test to ask for
    # the phrases may come after the one that started the servers (and enabled sockets then).
    pytest_socket.enable_socket()

    async def make() -> dict[str, AudioClip]:
        return {
            key: (await synthesize(servers.all.port, text)).speech for key, text in PHRASES.items()
        }

    return asyncio.run(make())


@pytest.fixture(scope="session")
def stream_audio(phrases: dict[str, AudioClip]) -> bytes:
    """16 kHz: ordinary speech, then both wake words, with quiet between (about 12 s); the
    engines' tests compare their probabilities on it with their libraries'."""
    quiet = bytes(16000)  # 0.5 s
    parts = [phrases[k] for k in ("ordinary", "hey_jarvis", "command", "okay_nabu")]
    return b"".join(quiet + p.to_16k_mono().audio for p in parts) + quiet


@pytest.fixture(autouse=True)
def _server_survives(servers: Servers) -> Iterator[None]:
    """Whatever a test sends, the servers must still be running afterwards."""
    yield
    for server in (servers.all, servers.wake, servers.tts_busy):
        assert server.alive, f"{server.name} died: {server.logs()}"


os.environ.setdefault("PYTHONUNBUFFERED", "1")
