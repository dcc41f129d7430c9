"""Real Wyoming servers for the tests, started once per session on free ports.

All server processes are launched at once (their model loading overlaps) and shared by every
test. Speech is made by our own TTS server once per session and reused.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_socket

from harness.wyoming_client import Speech, synthesize
from launcher.process import ChildProcess, LaunchError, free_port, port_in_use

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "wyoming"
START_TIMEOUT = 240.0

PHRASES = {
    "command": "Please turn on the lights in the kitchen and close the garage door.",
    "weather": "What is the weather like in Paris this afternoon?",
    "ordinary": "I went to the market this morning and bought some bread, cheese and apples.",
    "hey_jarvis": "Hey Jarvis.",
    "okay_nabu": "Okay Nabu.",
}


@dataclass
class ServerProcess:
    """A Wyoming server process on a free port (the launcher's ChildProcess underneath)."""

    name: str
    args: list[str]
    port: int = 0
    log: Path | None = None
    child: ChildProcess | None = None

    def start(self, log_dir: Path) -> None:
        self.port = free_port()
        self.log = log_dir / f"{self.name}.log"
        self.child = ChildProcess(self.name, self.log)
        self.child.spawn(
            [sys.executable, "-m", *self.args, "--uri", f"tcp://127.0.0.1:{self.port}",
             "--cache-dir", str(CACHE), "--debug"],
            cwd=ROOT,
        )  # fmt: skip

    def wait_ready(self, deadline: float) -> None:
        """Until the port opens (the server opens it once its models are loaded)."""
        assert self.child is not None
        try:
            self.child.wait_until(
                lambda: port_in_use("127.0.0.1", self.port), deadline - time.monotonic()
            )
        except LaunchError as err:
            raise RuntimeError(f"{err}\n{self.logs()}") from err

    @property
    def process(self) -> subprocess.Popen[bytes] | None:
        return self.child.process if self.child else None

    def logs(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log else ""

    def stop(self) -> None:
        if self.child is not None:
            self.child.stop(grace_seconds=15)

    @property
    def alive(self) -> bool:
        return self.child is not None and self.child.is_running()


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
        all=ServerProcess("all", ["wyoming_servers"]),
        # One 80 ms step per inference here, two (the default) in `all`: tests on both cover both.
        wake=ServerProcess(
            "wake",
            ["wyoming_servers.wake", "--refractory-seconds", "2", "--steps-per-inference", "1"],
        ),
        tts_busy=ServerProcess(
            "tts_busy", ["wyoming_servers.tts", "--max-queue", "1", "--fast-start-words", "0"]
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
def phrases(servers: Servers) -> dict[str, Speech]:
    """Each test phrase spoken by our TTS, 22050 Hz as it comes out of Piper."""

    async def make() -> dict[str, Speech]:
        return {
            key: (await synthesize(servers.all.port, text)).speech for key, text in PHRASES.items()
        }

    return asyncio.run(make())


@pytest.fixture(autouse=True)
def _server_survives(servers: Servers) -> Iterator[None]:
    """Whatever a test sends, the servers must still be running afterwards."""
    yield
    for server in (servers.all, servers.wake, servers.tts_busy):
        assert server.alive, f"{server.name} died: {server.logs()}"


os.environ.setdefault("PYTHONUNBUFFERED", "1")
