"""Wake word fairness: clients flooding audio (as fast as the server takes it, in HA's 64 ms
chunks, in chunks of a minute, in a format that needs converting, or at rate=1) must not delay
another satellite's detection by more than half a second.

Each wake stream's inference goes through one shared worker in jobs of bounded audio, first
come first served, and a connection's next job only starts once its last one is done: whatever
one client sends, another real-time stream waits for at most one of its jobs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator

import numpy as np
from wyoming.audio import AudioChunk, AudioStart
from wyoming.client import AsyncTcpClient
from wyoming.event import Event
from wyoming.wake import Detect, Detection

from harness.audio_clip import AudioClip
from harness.wyoming_client import send_clip

from .conftest import Servers

# What the issue asks: another stream's detection at most this much later than without abuse.
MAX_EXTRA_DELAY = 0.5
# Under the default 4 MiB event limit, with room for the header: 64 s of 16 kHz audio a chunk.
BIG_CHUNK_BYTES = 2 * 1024 * 1024


async def detection_time(port: int, clip: AudioClip, name: str) -> float:
    """Stream `clip` in real time (as a satellite does); seconds from its first chunk to the
    detection of `name`."""
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Detect(names=[name]).event())
        detected = asyncio.get_running_loop().create_future()

        async def listen() -> None:
            while (event := await client.read_event()) is not None:
                if Detection.is_type(event.type):
                    detected.set_result(time.perf_counter())
                    return

        listener = asyncio.create_task(listen())
        start = time.perf_counter()
        try:
            await send_clip(client, clip, realtime=True)
            found = await asyncio.wait_for(detected, 10.0)
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
    return float(found) - start


def loud_noise(seconds: float, rate: int, channels: int, seed: int = 0) -> bytes:
    """Noise loud enough that the server never pauses inference on it (16-bit samples)."""
    rng = np.random.default_rng(seed)
    samples = rng.standard_normal(int(seconds * rate) * channels) * 4000
    return samples.clip(-32768, 32767).astype(np.int16).tobytes()


def wire(event: Event) -> bytes:
    """An event as the Wyoming protocol sends it."""
    data = json.dumps(event.data).encode()
    header = {"type": event.type, "data_length": len(data)}
    if event.payload:
        header["payload_length"] = len(event.payload)
    return json.dumps(header).encode() + b"\n" + data + (event.payload or b"")


class Flood(threading.Thread):
    """A client sending one audio chunk over and over, as fast as the server takes it, never
    reading. A thread with a blocking socket, so it keeps sending while the test's own event
    loop (the satellite being measured) stays free."""

    def __init__(self, port: int, chunk: AudioChunk, names: list[str] | None = None) -> None:
        super().__init__(daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", port))
        start = AudioStart(rate=chunk.rate, width=chunk.width, channels=chunk.channels)
        # No names: every wake word of both engines.
        self.sock.sendall(wire(Detect(names=names).event()) + wire(start.event()))
        self.chunk = memoryview(wire(chunk.event()))
        self.sent = 0  # bytes
        self.error: OSError | None = None
        self.stopping = False

    def run(self) -> None:
        try:
            while not self.stopping:
                self.sent += self.sock.send(self.chunk[self.sent % len(self.chunk) :])
        except OSError as err:
            self.error = err

    def stop(self) -> None:
        self.stopping = True
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)  # unblocks a sendall the server holds back
        self.join(10)
        self.sock.close()


@contextlib.contextmanager
def flooding(
    port: int, *chunks: AudioChunk, names: list[str] | None = None
) -> Iterator[list[Flood]]:
    floods = [Flood(port, chunk, names) for chunk in chunks]
    for flood in floods:
        flood.start()
    try:
        yield floods
    finally:
        for flood in floods:
            flood.stop()


async def test_a_flooding_client_does_not_delay_another_streams_detection(
    servers: Servers, phrases: dict[str, AudioClip]
) -> None:
    port = servers.all.port
    clip = phrases["okay_nabu"].to_16k_mono().with_silence(0.5, 1.0)
    alone = min([await detection_time(port, clip, "okay_nabu") for _ in range(2)])
    big = AudioChunk(16000, 2, 1, loud_noise(BIG_CHUNK_BYTES / 32000, 16000, 1, seed=1))
    fast = AudioChunk(16000, 2, 1, loud_noise(0.064, 16000, 1, seed=2))  # as HA sends them
    converted = AudioChunk(48000, 2, 6, loud_noise(1.0, 48000, 6, seed=3))
    nonsense = AudioChunk(1, 2, 1, loud_noise(20_000 / 2, 1, 1, seed=4))  # 20 KB at rate=1
    with flooding(port, big, fast, converted, nonsense) as floods:
        await asyncio.sleep(1.0)  # well under way
        abused = await detection_time(port, clip, "okay_nabu")
        # The server kept taking every flood's audio (held back, not cut off).
        assert all(f.sent > 0 and f.error is None and f.is_alive() for f in floods), [
            (f.sent, f.error) for f in floods
        ]
    assert abused - alone <= MAX_EXTRA_DELAY, (alone, abused)


async def test_floods_of_the_models_run_on_the_event_loop_do_not_delay_another_stream(
    servers: Servers, phrases: dict[str, AudioClip]
) -> None:
    """microWakeWord-only streams run their models on the event loop, not the shared worker:
    a backlog of a minute, or HA-sized chunks as fast as possible, must still leave the other
    streams' events and jobs their turn between its jobs."""
    port = servers.all.port
    clip = phrases["okay_nabu"].to_16k_mono().with_silence(0.5, 1.0)
    mww = ["okay_nabu_mww", "hey_jarvis_mww", "hey_mycroft_mww", "alexa_mww"]
    for victim in ("okay_nabu", "okay_nabu_mww"):
        alone = min([await detection_time(port, clip, victim) for _ in range(2)])
        big = AudioChunk(16000, 2, 1, loud_noise(BIG_CHUNK_BYTES / 32000, 16000, 1, seed=5))
        fast = AudioChunk(16000, 2, 1, loud_noise(0.064, 16000, 1, seed=6))
        with flooding(port, big, fast, fast, names=mww) as floods:
            await asyncio.sleep(1.0)
            abused = await detection_time(port, clip, victim)
            assert all(f.sent > 0 and f.error is None and f.is_alive() for f in floods)
        assert abused - alone <= MAX_EXTRA_DELAY, (victim, alone, abused)
