"""The main job as a user runs it: real processes, real ports, real signals."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from launcher.__main__ import build_wyoming, parse_args
from launcher.llama_server import server_is_healthy
from launcher.process import LaunchError, free_port, port_in_use
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
        "--voice", "/nowhere/voice.onnx", timeout=180,
    )  # fmt: skip
    assert result.returncode == 1
    assert "/nowhere/voice.onnx" in result.stdout  # the server's own message, passed on
    assert "Traceback" not in result.stdout
    assert not port_in_use("127.0.0.1", port)


def test_server_options_pass_through_unchanged() -> None:
    """Options the launcher does not know go to the all-in-one server in its own spelling."""
    args, extra = parse_args(
        ["--stt-model", "base", "--voice", "v.onnx", "--model", "qwen2.5-0.5b",
         "--wake-model", "hey_jarvis", "--threshold", "0.6", "--", "--debug"]
    )  # fmt: skip
    assert args.model == "qwen2.5-0.5b"  # ours: the language model
    assert extra == [
        "--stt-model", "base", "--voice", "v.onnx", "--wake-model", "hey_jarvis",
        "--threshold", "0.6", "--debug",
    ]  # fmt: skip
    (server,) = build_wyoming(args, extra)
    assert server.command()[-len(extra) :] == extra


def test_separate_servers_get_their_own_options() -> None:
    args, extra = parse_args(
        ["--separate", "--stt-args", "--model base --beam-size 1", "--wake-args", "--model alexa"]
    )
    servers = {s.service: s.extra_args for s in build_wyoming(args, extra)}
    assert servers == {
        "stt": ["--model", "base", "--beam-size", "1"],
        "tts": [],
        "wake": ["--model", "alexa"],
    }
    args, extra = parse_args(["--separate", "--threshold", "0.6"])
    with pytest.raises(LaunchError, match="--wake-args"):
        build_wyoming(args, extra)


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


class LauncherOutput:
    """The launcher's output, read by a thread as it comes."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        assert proc.stdout is not None
        stdout = proc.stdout
        threading.Thread(
            target=lambda: self.lines.extend(iter(stdout.readline, "")), daemon=True
        ).start()

    def wait_for(self, text: str, seconds: float) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if found := next((line for line in self.lines if text in line), None):
                return found
            time.sleep(0.2)
        raise AssertionError(f"no {text!r} within {seconds} s:\n{''.join(self.lines)}")


def test_a_dead_llama_server_is_restarted_while_the_voice_keeps_serving() -> None:
    llama_port, wyoming_port = free_port(), free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "launcher", "--host", "127.0.0.1", "--model", "qwen2.5-0.5b",
         "--llama-port", str(llama_port), "--wyoming-port", str(wyoming_port)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    output = LauncherOutput(proc)
    try:
        processes = output.wait_for("processes:", 240)
        llama_pid = int(processes.split("llama-server pid ")[1].split(",")[0])
        os.kill(llama_pid, signal.SIGKILL)
        output.wait_for("llama-server stopped (killed by SIGKILL", 10)
        # The voice never stopped: satellites still get wake words, transcripts and speech.
        assert proc.poll() is None
        info = describe("127.0.0.1", wyoming_port)
        assert info is not None and info["tts"]
        back = output.wait_for("llama-server is back", 30)
        assert server_is_healthy(f"http://127.0.0.1:{llama_port}")
        assert f"pid {llama_pid}" not in back
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    assert proc.returncode == 0, "".join(output.lines)
    assert not port_in_use("127.0.0.1", llama_port)
    assert not port_in_use("127.0.0.1", wyoming_port)
