"""Shared fixtures: the real llama-server (started once per session) and HA harness glue."""

import os
from collections.abc import Generator, Iterator

import pytest
import pytest_socket

# HA's loader finds custom integrations only once the package is imported.
import custom_components.heisenberg  # noqa: F401
from custom_components.heisenberg import answer_stream
from launcher.llama_server import LlamaServerProcess, find_llama_server
from launcher.llm_models import DEFAULT_MODEL, resolve_model
from launcher.process import cache_dir, free_port

# Most agent tests check the agent's mechanics, not the model's knowledge: they use the small
# instruct model of the same family (ChatML, three times faster here). What depends on the
# model's quality (French answers, the end-to-end pipeline) uses the default model.
FAST_MODEL = "qwen2.5-0.5b"


# The agent tests run nothing else while they wait for llama-server, so the servers they start
# for themselves may use every core, for prompts too (the launcher's default keeps one core for
# the voice servers, which halves prompt evaluation here). What runs beside the voice servers
# (tests/e2e) keeps the launcher's default.
ALL_CORES = os.cpu_count()


def start_llama_server(
    model: str,
    log_name: str,
    threads: int | None = None,
    slot_files: bool = True,
    *,
    context_size: int | None = None,
    parallel: int | None = None,
    extra_args: list[str] | None = None,
) -> LlamaServerProcess:
    """A real llama-server with a real model, as the launcher runs it (`threads`: its default;
    `slot_files=False`: as a user might run their own, without --slot-save-path;
    `context_size`, `parallel`: the launcher's defaults unless given)."""
    pytest_socket.enable_socket()  # session fixtures start before the per-test switch below
    server = LlamaServerProcess(
        model=resolve_model(model),
        binary=find_llama_server(),
        port=free_port(),
        threads=threads,
        slot_files=slot_files,
        log_path=cache_dir() / f"test-{log_name}.log",
    )
    if context_size is not None:
        server.context_size = context_size
    if parallel is not None:
        server.parallel = parallel
    server.extra_args = [*server.extra_args, *(extra_args or [])]
    return server.start()


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> Iterator[None]:
    """Let the HA harness load custom_components/heisenberg in every test."""
    yield


@pytest.fixture(autouse=True)
def allow_loopback_sockets(socket_enabled: None) -> Iterator[None]:
    """Real servers on 127.0.0.1 are the point of these tests (HA's harness blocks sockets)."""
    yield


@pytest.fixture(autouse=True)
def no_holding_phrase(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests that check what the model answers are not about its speed: on a loaded 2-core
    runner a first token can take longer than the holding phrase's 3 s. The holding phrase's
    own tests set it back (tests/agent/test_faults.py)."""
    monkeypatch.setattr(answer_stream, "HOLD_AFTER_SECONDS", 60.0)
    monkeypatch.setattr(answer_stream, "BUSY_HOLD_AFTER_SECONDS", 60.0)


@pytest.fixture(scope="session")
def llama_server() -> Generator[LlamaServerProcess]:
    """A real llama-server with the fast instruct model, shared by the whole session.

    The agent tests run nothing else meanwhile, so it may use every core for generating too
    (the launcher's default keeps one for the voice servers).
    """
    server = start_llama_server(FAST_MODEL, "llama-server", threads=ALL_CORES)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def base_llama_server() -> Generator[LlamaServerProcess]:
    """A real llama-server with a base model that has no chat tokens (Gemma 3 270M)."""
    server = start_llama_server("gemma3-270m", "llama-server-base")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def default_llama_server() -> Generator[LlamaServerProcess]:
    """A real llama-server with the embedded default model (started on first use).

    It generates on the launcher's one thread (the end-to-end tests run it beside the voice
    servers) but evaluates prompts on every core, and its prompt cache holds every prefix the
    tests warm: each test has an HA of its own whose agent warms its home's prefix in two
    languages (700-1,200 tokens each, 1-2 min on one thread), which the launcher's 256 MiB
    lost between test files as each question's prompt went in."""
    server = start_llama_server(
        DEFAULT_MODEL,
        "llama-server-default",
        extra_args=["--threads-batch", str(ALL_CORES), "--cache-ram", "2048"],
    )
    yield server
    server.stop()


@pytest.fixture
def llama_url(llama_server: LlamaServerProcess) -> str:
    """URL of the shared real llama-server."""
    return llama_server.url
