"""Real Wyoming servers for the tests, started once per session on free ports.

All server processes are launched at once (their model loading overlaps) and shared by every
test. Speech is made by our own TTS server once per session and reused.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_socket

from .helpers import Speech, synthesize

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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServerProcess:
    name: str
    args: list[str]
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    def start(self, log_dir: Path) -> None:
        self.port = free_port()
        self.log = log_dir / f"{self.name}.log"
        command = [
            sys.executable,
            "-m",
            *self.args,
            "--uri",
            f"tcp://127.0.0.1:{self.port}",
            "--cache-dir",
            str(CACHE),
            "--debug",
        ]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)

    def wait_ready(self, deadline: float) -> None:
        assert self.process is not None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.logs()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not open its port in time: {self.logs()}")

    def logs(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


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
        wake=ServerProcess("wake", ["wyoming_servers.wake", "--refractory-seconds", "2"]),
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
