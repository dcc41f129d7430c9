"""Fixture: our all-in-one Wyoming server (real models), started once per session."""

from collections.abc import Generator

import pytest
import pytest_socket

from harness.servers import ServerProcess, ours, running
from launcher.process import cache_dir


@pytest.fixture(scope="session")
def voice_server() -> Generator[ServerProcess]:
    """The real wake/STT/TTS server in one process on one port, as users run it."""
    pytest_socket.enable_socket()
    with running(ours("test-e2e-wyoming", "wyoming_servers"), cache_dir()) as server:
        yield server
