"""Shared fixtures: the real llama-server (started once per session) and HA harness glue."""

from collections.abc import Generator, Iterator

import pytest
import pytest_socket

# HA's loader finds custom integrations only once the package is imported.
import custom_components.heisenberg  # noqa: F401
from launcher.llama_server import (
    LlamaServerProcess,
    cache_dir,
    default_model_path,
    find_llama_server,
)
from launcher.process import free_port


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> Iterator[None]:
    """Let the HA harness load custom_components/heisenberg in every test."""
    yield


@pytest.fixture(autouse=True)
def allow_loopback_sockets(socket_enabled: None) -> Iterator[None]:
    """Real servers on 127.0.0.1 are the point of these tests (HA's harness blocks sockets)."""
    yield


@pytest.fixture(scope="session")
def llama_server() -> Generator[LlamaServerProcess]:
    """A real llama-server with the real default GGUF model, shared by the whole session."""
    pytest_socket.enable_socket()  # session fixtures start before the per-test switch above
    server = LlamaServerProcess(
        model=default_model_path(),
        binary=find_llama_server(),
        port=free_port(),
        context_size=8192,
        parallel=2,
        log_path=cache_dir() / "test-llama-server.log",
    )
    with server:
        yield server


@pytest.fixture
def llama_url(llama_server: LlamaServerProcess) -> str:
    """URL of the shared real llama-server."""
    return llama_server.url
