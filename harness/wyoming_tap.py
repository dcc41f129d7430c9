"""A Wyoming relay that records what passes: the test's window on two real programs talking.

`WyomingTap` listens on a free port of 127.0.0.1; each connection to it is relayed to the real
server behind it, every event forwarded byte for byte (its header line, data and payload as
sent), and noted with the time it passed (`time.monotonic()`), its direction and its data.

`answer_pings=True` makes it a **stand-in**, for one thing only: it answers the client's `ping`
with `pong` (echoing its text) instead of forwarding it. wyoming-satellite 1.0.0, the version
on PyPI, predates ping (1.1.0 added it) and ignores it; Home Assistant's `wyoming` satellite
client pings and, when nothing at all comes back for 5 s, drops the connection and reconnects
3 s later, cancelling the pipeline run under way. A satellite waiting for its wake word sends
HA nothing, and neither does it while HA thinks about an answer, so with 1.0.0 as is HA drops
it about every 8 s: a command said in those 3 s is lost, and an answer slower than 5 s is cut
off (seen in the test's first runs). The stand-in answers as every later wyoming-satellite
does (1.1.0 to 1.4.1 answer `ping` with `pong` carrying its text); it changes nothing else.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field
from typing import Any, Literal

Direction = Literal["to_server", "to_client"]


@dataclass(frozen=True)
class Tapped:
    """One event that passed: when, which way, its type, its data, its payload's size."""

    at: float
    direction: Direction
    type: str
    data: dict[str, Any]
    payload_bytes: int
    connection: int  # which client connection (1, 2, ...)


@dataclass
class _Frame:
    raw: bytes  # exactly as read
    type: str
    data: dict[str, Any]
    payload_bytes: int


async def _read_frame(reader: asyncio.StreamReader) -> _Frame | None:
    """One Wyoming event as raw bytes; None at the end of the stream."""
    try:
        line = await reader.readline()
        if not line:
            return None
        header = json.loads(line)
        data = dict(header.get("data") or {})
        raw = bytearray(line)
        if data_length := header.get("data_length") or 0:
            data_bytes = await reader.readexactly(data_length)
            raw += data_bytes
            data.update(json.loads(data_bytes))
        payload_length = header.get("payload_length") or 0
        if payload_length:
            raw += await reader.readexactly(payload_length)
        return _Frame(bytes(raw), str(header.get("type")), data, payload_length)
    except asyncio.IncompleteReadError, ConnectionError:
        return None


def _frame(event_type: str, data: dict[str, Any]) -> bytes:
    body = json.dumps(data).encode()
    header = {"type": event_type, "version": "1.4.1", "data_length": len(body)}
    return json.dumps(header).encode() + b"\n" + body


@dataclass
class WyomingTap:
    """Relays connections on `port` to `server_host:server_port`, recording the events."""

    server_host: str
    server_port: int
    answer_pings: bool = False
    events: list[Tapped] = field(default_factory=list)
    connections: int = 0
    port: int = 0
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def start(self) -> WyomingTap:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._server is not None:
            await self._server.wait_closed()

    def of_type(self, event_type: str, direction: Direction | None = None) -> list[Tapped]:
        return [
            e
            for e in self.events
            if e.type == event_type and (direction is None or e.direction == direction)
        ]

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.connections += 1
        number = self.connections
        try:
            server_r, server_w = await asyncio.open_connection(self.server_host, self.server_port)
        except OSError:
            client_w.close()
            self._tasks.discard(task)
            return
        relays = [
            asyncio.create_task(self._relay(client_r, server_w, client_w, "to_server", number)),
            asyncio.create_task(self._relay(server_r, client_w, None, "to_client", number)),
        ]
        try:
            # Either side hanging up ends the relay, as a direct connection would end.
            await asyncio.wait(relays, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for relay in relays:
                relay.cancel()
            await asyncio.gather(*relays, return_exceptions=True)
            for writer in (client_w, server_w):
                writer.close()
            self._tasks.discard(task)

    async def _relay(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        back: asyncio.StreamWriter | None,
        direction: Direction,
        number: int,
    ) -> None:
        while (frame := await _read_frame(reader)) is not None:
            self.events.append(
                Tapped(
                    time.monotonic(), direction, frame.type, frame.data, frame.payload_bytes, number
                )
            )
            if self.answer_pings and back is not None and frame.type == "ping":
                pong = {"text": frame.data["text"]} if frame.data.get("text") else {}
                back.write(_frame("pong", pong))
                self.events.append(Tapped(time.monotonic(), "to_client", "pong", pong, 0, number))
                await back.drain()
                continue
            writer.write(frame.raw)
            await writer.drain()
