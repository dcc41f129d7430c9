"""The main job as a user runs it: real processes, real ports, real signals."""

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from launcher.__main__ import model_flags, parse_args
from launcher.llama_server import server_is_healthy
from launcher.process import free_port, port_in_use
from launcher.wyoming_server import describe

ROOT = Path(__file__).resolve().parents[2]


def run_launcher(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "launcher", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip


def test_missing_model_is_a_clear_error() -> None:
    result = run_launcher("--no-wyoming", "--model", "/nowhere/model.gguf")
    assert result.returncode == 1
    assert "Model not found: '/nowhere/model.gguf' is neither a model name" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_port_taken_is_a_clear_error() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_launcher("--host", "127.0.0.1", "--llama-port", str(port), "--no-wyoming")
    assert result.returncode == 1
    assert f"Port {port} is already in use" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_missing_voice_model_is_a_clear_error(llama_url: str) -> None:
    port = free_port()
    result = run_launcher(
        "--host", "127.0.0.1", "--llama-url", llama_url, "--wyoming-port", str(port),
        "--tts-voice", "/nowhere/voice.onnx", timeout=180,
    )  # fmt: skip
    assert result.returncode == 1
    assert "/nowhere/voice.onnx" in result.stdout  # the server's own message, passed on
    assert "Traceback" not in result.stdout
    assert not port_in_use("127.0.0.1", port)


def test_model_options_reach_each_server() -> None:
    args, extra = parse_args(
        ["--stt-model", "base", "--stt-model", "/m/small", "--tts-voice", "v.onnx",
         "--wake-model", "hey_jarvis", "--", "--threshold", "0.6"]
    )  # fmt: skip
    assert model_flags(args, None) == [
        "--stt-model", "base", "--stt-model", "/m/small", "--voice", "v.onnx",
        "--wake-model", "hey_jarvis",
    ]  # fmt: skip
    assert model_flags(args, "stt") == ["--model", "base", "--model", "/m/small"]
    assert model_flags(args, "tts") == ["--voice", "v.onnx"]
    assert model_flags(args, "wake") == ["--model", "hey_jarvis"]
    assert extra == ["--threshold", "0.6"]


def test_unreachable_llama_url_is_a_clear_error() -> None:
    result = run_launcher("--llama-url", f"http://127.0.0.1:{free_port()}", "--no-wyoming")
    assert result.returncode == 1
    assert "No healthy llama-server answers at" in result.stdout


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_starts_everything_and_stops_cleanly(stop_signal: signal.Signals) -> None:
    llama_port, wyoming_port = free_port(), free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "launcher", "--host", "127.0.0.1",
         "--llama-port", str(llama_port), "--wyoming-port", str(wyoming_port)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline and not any("Ctrl-C" in line for line in lines):
            line = proc.stdout.readline()
            assert line, f"launcher exited early: {''.join(lines)}"
            lines.append(line)
        output = "".join(lines)
        assert "ready" in output
        assert f"llama-server URL: http://127.0.0.1:{llama_port}" in output
        assert f"host 127.0.0.1, port {wyoming_port}" in output
        assert server_is_healthy(f"http://127.0.0.1:{llama_port}")
        info = describe("127.0.0.1", wyoming_port)
        assert info is not None and info["asr"] and info["tts"] and info["wake"]
    finally:
        proc.send_signal(stop_signal)
        rest, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, rest
    assert "stopped" in rest
    assert not port_in_use("127.0.0.1", llama_port)
    assert not port_in_use("127.0.0.1", wyoming_port)
