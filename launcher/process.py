"""A child process of the back end: started with a log file, health-checked, stopped cleanly."""

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Self

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def cache_dir() -> Path:
    """Where logs and joined models go: $HEISENBERG_CACHE, else the project's .cache/."""
    path = Path(os.environ.get("HEISENBERG_CACHE") or PROJECT_ROOT / ".cache")
    path.mkdir(parents=True, exist_ok=True)
    return path


class LaunchError(RuntimeError):
    """A part of the back end cannot start; the message says what to do."""


# What a death by these signals usually means, and what to do about it.
_SIGNAL_HINTS = {
    signal.SIGILL: (
        "an instruction this CPU does not have: a binary built for another CPU (a llama.cpp "
        "compiled once on another machine is rebuilt after removing ~/.cache/heisenberg/wheels)"
    ),
    signal.SIGKILL: "killed from outside, often by the kernel when memory runs out",
    signal.SIGSEGV: "a crash (segmentation fault)",
}


def describe_exit(code: int | None) -> str:
    """A process's end in words: 'exit code 1', or 'killed by SIGILL (what it means)'."""
    if code is None or code >= 0:
        return f"exit code {code}"
    try:
        sig = signal.Signals(-code)
    except ValueError:
        return f"killed by signal {-code}"
    hint = _SIGNAL_HINTS.get(sig)
    return f"killed by {sig.name}" + (f": {hint}" if hint else "")


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def local_address(host: str) -> str:
    """The address a client on this machine uses for a server bound to `host`."""
    return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host


def outgoing_address() -> str | None:
    """This machine's address on the network (the interface that routes to the mDNS group);
    None without a network."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("224.0.0.251", 5353))  # no packet is sent; this only picks the route
        except OSError:
            return None
        return str(probe.getsockname()[0])


def port_in_use(host: str, port: int) -> bool:
    """True when something already accepts connections on host:port."""
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((local_address(host), port)) == 0


class ChildProcess:
    """One server process: `start()` returns once `healthy()` says so, `stop()` always cleans up."""

    def __init__(self, name: str, log_path: Path | None) -> None:
        self.name = name
        self.log_path = log_path
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def process(self) -> subprocess.Popen[bytes] | None:
        """The running process (None before `spawn`)."""
        return self._proc

    def spawn(self, command: list[str], cwd: Path | None = None) -> None:
        """Start `command` with its output in the log; returns at once."""
        self._log = self.log_path.open("ab") if self.log_path else None
        self._proc = subprocess.Popen(
            command,
            cwd=cwd,
            stdout=self._log if self._log is not None else subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )

    def wait_until(
        self,
        healthy: Callable[[], bool],
        wait_seconds: float,
        on_wait: Callable[[float], None] | None = None,
    ) -> None:
        """Return once `healthy()`; LaunchError (and the process stopped) if it exits or times out."""
        assert self._proc is not None, "spawn() first"
        started = time.monotonic()
        while (waited := time.monotonic() - started) < wait_seconds:
            if self._proc.poll() is not None:
                code = self._proc.returncode
                self.stop()
                raise LaunchError(f"{self.name} ended ({describe_exit(code)}){self._see_log()}")
            if healthy():
                return
            if on_wait is not None:
                on_wait(waited)
            time.sleep(0.25)
        self.stop()
        raise LaunchError(f"{self.name} was not ready within {wait_seconds:.0f} s{self._see_log()}")

    def launch(
        self,
        command: list[str],
        healthy: Callable[[], bool],
        wait_seconds: float,
        on_wait: Callable[[float], None] | None = None,
    ) -> None:
        """Start `command` and wait until `healthy()`."""
        self.spawn(command)
        self.wait_until(healthy, wait_seconds, on_wait)

    def _see_log(self) -> str:
        if not self.log_path:
            return ""
        try:
            lines = [
                ln for ln in self.log_path.read_text(errors="replace").splitlines() if ln.strip()
            ]
        except OSError:
            lines = []
        last = f": {lines[-1].strip()}" if lines else ""
        return f"{last} (see {self.log_path})"

    def is_running(self) -> bool:
        """Whether the process is still alive."""
        return self._proc is not None and self._proc.poll() is None

    def stop(self, grace_seconds: float = 10.0) -> None:
        """Terminate (then kill) the process; safe to call twice."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(grace_seconds)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None


class ManagedServer:
    """Mixin for a server object that owns one ChildProcess in `_child`."""

    _child: ChildProcess | None
    log_path: Path | None

    @property
    def name(self) -> str:
        """Human name for messages."""
        raise NotImplementedError

    def start(
        self, wait_seconds: float = 300.0, on_wait: Callable[[float], None] | None = None
    ) -> Self:
        """Start and wait until healthy; LaunchError when it cannot."""
        raise NotImplementedError

    def is_running(self) -> bool:
        """Whether the process is still alive."""
        return self._child is not None and self._child.is_running()

    @property
    def pid(self) -> int | None:
        process = self._child.process if self._child else None
        return process.pid if process else None

    @property
    def exit_code(self) -> int | None:
        """The process's exit code once it has ended (negative: killed by that signal)."""
        process = self._child.process if self._child else None
        return process.poll() if process else None

    def last_log_lines(self, count: int = 5) -> list[str]:
        """The end of its log, for a message that says why it stopped."""
        try:
            text = self.log_path.read_text(errors="replace") if self.log_path else ""
        except OSError:
            return []
        return [line for line in text.splitlines() if line.strip()][-count:]

    def stop(self) -> None:
        """Stop the process; safe to call twice."""
        if self._child is not None:
            self._child.stop()
