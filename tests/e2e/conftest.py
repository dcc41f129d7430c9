"""Fixture: our all-in-one Wyoming server (real models), started once per session."""

from collections.abc import Generator

import pytest
import pytest_socket

from launcher.process import cache_dir, free_port
from launcher.wyoming_server import WyomingServerProcess


@pytest.fixture(scope="session")
def voice_server() -> Generator[WyomingServerProcess]:
    """The real wake/STT/TTS server in one process on one port, as users run it."""
    pytest_socket.enable_socket()
    server = WyomingServerProcess(
        host="127.0.0.1", port=free_port(), log_path=cache_dir() / "test-e2e-wyoming.log"
    )
    server.start(wait_seconds=300)
    yield server
    server.stop()
