"""Starting Wyoming servers (ours or the official ones) on free ports, for tests and benchmarks.

The launcher's `ChildProcess` runs each one (log file, clean stop); a server is ready once its
port accepts connections (ours open it only after their models are loaded).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from launcher.process import ChildProcess, LaunchError, free_port, port_in_use

ROOT = Path(__file__).resolve().parents[1]
MODEL_CACHE = ROOT / ".cache" / "wyoming"  # our servers' --cache-dir (the joined Whisper base)


@dataclass
class ServerProcess:
    """A server process listening on a free port of 127.0.0.1."""

    name: str
    command: list[str]  # without --uri, which is added
    port: int = 0
    log: Path | None = None
    child: ChildProcess | None = field(default=None, repr=False)

    def start(self, log_dir: Path) -> None:
        """Spawn; returns at once (see `wait_ready`)."""
        self.port = free_port()
        self.log = log_dir / f"{self.name}.log"
        self.child = ChildProcess(self.name, self.log)
        self.child.spawn([*self.command, "--uri", f"tcp://127.0.0.1:{self.port}"], cwd=ROOT)

    def wait_ready(self, deadline: float) -> None:
        """Until the port opens; RuntimeError with the log's end if it exits or times out."""
        assert self.child is not None, "start() first"
        try:
            self.child.wait_until(
                lambda: port_in_use("127.0.0.1", self.port), deadline - time.monotonic()
            )
        except LaunchError as err:
            raise RuntimeError(f"{err}\n{self.logs()}") from err

    @property
    def process(self) -> subprocess.Popen[bytes] | None:
        return self.child.process if self.child else None

    @property
    def pid(self) -> int:
        assert self.process is not None, "start() first"
        return self.process.pid

    @property
    def alive(self) -> bool:
        return self.child is not None and self.child.is_running()

    def logs(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log else ""

    def stop(self) -> None:
        if self.child is not None:
            self.child.stop(grace_seconds=15)


def ours(name: str, module: str, *args: str, debug: bool = True) -> ServerProcess:
    """One of our servers (`wyoming_servers`, `wyoming_servers.stt`, ...) with these options;
    tests log at DEBUG, benchmarks do not (it costs a little per event)."""
    command = [sys.executable, "-m", module, *args, "--cache-dir", str(MODEL_CACHE)]
    return ServerProcess(name, command + ["--debug"] * debug)


@contextmanager
def running(server: ServerProcess, log_dir: Path, timeout: float = 300) -> Iterator[ServerProcess]:
    """Start, wait until ready, yield, always stop."""
    try:
        server.start(log_dir)
        server.wait_ready(time.monotonic() + timeout)
        yield server
    finally:
        server.stop()
