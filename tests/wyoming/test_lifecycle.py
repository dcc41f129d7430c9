"""Stopping: Home Assistant keeps wake word connections open forever; SIGTERM must still stop
the server promptly (a container stop or a service restart)."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

from wyoming.audio import AudioChunk, AudioStart
from wyoming.client import AsyncTcpClient
from wyoming.wake import Detect

from harness.servers import ours


async def test_sigterm_stops_the_server_with_a_client_connected(tmp_path: Path) -> None:
    server = ours("lifecycle", "wyoming_servers.wake", "--model", "okay_nabu")
    server.start(tmp_path)
    try:
        server.wait_ready(time.monotonic() + 120)
        assert server.process is not None
        async with AsyncTcpClient("127.0.0.1", server.port) as client:
            await client.write_event(Detect(names=["okay_nabu"]).event())
            await client.write_event(AudioStart(rate=16000, width=2, channels=1).event())
            await client.write_event(
                AudioChunk(rate=16000, width=2, channels=1, audio=bytes(4096)).event()
            )
            server.process.send_signal(signal.SIGTERM)
            try:
                returncode = server.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                returncode = None
        assert returncode == 0, server.logs()
    finally:
        server.stop()
