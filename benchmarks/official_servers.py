"""The official Wyoming servers for `wyoming_bench.py`: each in its own virtual environment,
made once under `.cache/bench/venvs`."""

from __future__ import annotations

import shutil
import subprocess
import sys
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


def official_python(name: str) -> Path | None:
    """The venv interpreter for an official server, created and installed once."""
    packages, python_version = OFFICIAL[name]
    venv = BENCH / "venvs" / name
    python = venv / "bin" / "python"
    marker = venv / ".installed"
    if marker.is_file() and marker.read_text() == " ".join(packages):
        return python
    # uv on PATH, else the one beside this interpreter (the project's .venv has it).
    uv = shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))
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
