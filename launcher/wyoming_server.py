"""Start and health-check Heisenberg's Wyoming servers (wake word, speech-to-text, speech).

By default one process serves all three on one port (HA's `wyoming` integration then makes the
three entities from one entry). `separate=True` runs one process per service on the ports the
official servers use, for setups that want them apart.
"""

import json
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from .process import ChildProcess, LaunchError, ManagedServer, local_address, port_in_use

# The official servers' ports: faster-whisper 10300, piper 10200, openWakeWord 10400.
SEPARATE_PORTS = {"stt": 10300, "tts": 10200, "wake": 10400}


def describe(host: str, port: int, timeout: float = 2.0) -> dict[str, Any] | None:
    """The server's `info` (Wyoming `describe`), or None when it does not answer with one."""
    try:
        with socket.create_connection((local_address(host), port), timeout=timeout) as sock:
            sock.sendall(b'{"type": "describe"}\n')
            reader = sock.makefile("rb")
            header = json.loads(reader.readline())
            if header.get("type") != "info":
                return None
            data = dict(header.get("data") or {})
            if length := int(header.get("data_length") or 0):
                data.update(json.loads(reader.read(length)))
            reader.read(int(header.get("payload_length") or 0))
            return data
    except OSError, ValueError:
        return None


def summarize(info: dict[str, Any]) -> str:
    """'stt: faster-whisper (tiny.en, base) · tts: ...' from an `info`."""
    parts = []
    for kind in ("asr", "tts", "wake"):
        for program in info.get(kind) or []:
            models = program.get("models") or program.get("voices") or []
            names = ", ".join(str(m.get("name")) for m in models)
            parts.append(f"{kind}: {program.get('name')} ({names})")
    return " · ".join(parts) or "no services"


@dataclass
class WyomingServerProcess(ManagedServer):
    """One `python -m wyoming_servers[.SERVICE]` process listening on host:port."""

    service: str | None = None  # None: all three in one process
    host: str = "0.0.0.0"
    port: int = 10300
    extra_args: list[str] = field(default_factory=list)
    log_path: Path | None = None
    python: str = sys.executable
    info: dict[str, Any] | None = field(default=None, init=False)
    _child: ChildProcess | None = field(default=None, init=False, repr=False)

    @property
    def name(self) -> str:
        """Human name for messages."""
        return f"Wyoming {self.service or 'wake/STT/TTS'} server"

    def command(self) -> list[str]:
        """The server's command line."""
        module = "wyoming_servers" + (f".{self.service}" if self.service else "")
        return [
            self.python,
            "-m",
            module,
            "--uri",
            f"tcp://{self.host}:{self.port}",
            *self.extra_args,
        ]

    def _healthy(self) -> bool:
        self.info = describe(self.host, self.port, timeout=1.0)
        return self.info is not None

    def start(
        self, wait_seconds: float = 300.0, on_wait: Callable[[float], None] | None = None
    ) -> Self:
        """Start and wait until the server answers `describe` (its models are loaded)."""
        if port_in_use(self.host, self.port):
            raise LaunchError(
                f"Port {self.port} is already in use: pick another with --wyoming-port"
            )
        self._child = ChildProcess(self.name, self.log_path)
        self._child.launch(self.command(), self._healthy, wait_seconds, on_wait)
        return self
