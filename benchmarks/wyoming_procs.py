"""Processes for `wyoming_bench.py`: the official servers' virtual environments, and
starting any server on a free port until it listens."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / ".cache" / "bench"
OFFICIAL = {
    "faster-whisper": (["wyoming-faster-whisper==3.8.1", "av<19"], None),
    "piper": (["wyoming-piper==2.5.2"], None),
    "openwakeword": (["wyoming-openwakeword==1.8.2", "numpy<2"], "3.11"),
}
# av 19 dropped open(metadata_errors=...), which faster-whisper 1.2.1 (used by
# wyoming-faster-whisper 3.8.1) passes: every transcription fails without the pin.


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def official_python(name: str) -> Path | None:
    """The venv interpreter for an official server, created and installed once."""
    packages, python_version = OFFICIAL[name]
    venv = BENCH / "venvs" / name
    python = venv / "bin" / "python"
    marker = venv / ".installed"
    if marker.is_file() and marker.read_text() == " ".join(packages):
        return python
    uv = shutil.which("uv")
    if uv is None:
        raise SystemExit("uv is needed to install the official servers")
    interpreter = sys.executable
    if python_version:
        found = shutil.which(f"python{python_version}")
        if found is None:
            print(f"  (no python{python_version}: skipping the official {name} server)")
            return None
        interpreter = found
    print(f"  installing {' '.join(packages)} into {venv} ...", flush=True)
    subprocess.run([uv, "venv", "-q", "--clear", "-p", interpreter, str(venv)], check=True)
    subprocess.run([uv, "pip", "install", "-q", "-p", str(python), *packages], check=True)
    marker.write_text(" ".join(packages))
    return python


@contextmanager
def server(label: str, command: list[str]) -> Iterator[tuple[int, int]]:
    """Start a server on a free port; yield (port, pid) once the port is open."""
    port = free_port()
    log = BENCH / f"{label}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--uri", f"tcp://127.0.0.1:{port}"],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 300
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{label} exited; see {log}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{label} did not start; see {log}") from None
                time.sleep(0.2)
        yield port, process.pid
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
