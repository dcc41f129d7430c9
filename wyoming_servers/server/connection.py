"""One client connection: the read loop, safe writes, and the events every service answers.

Replaces `wyoming.server.AsyncEventHandler.run` because that loop cannot report bad input (it
sees `None` for both a hang-up and garbage) and reads the next event only after the previous
one is fully handled. Here `describe` and `ping` are answered straight from the read loop, and
services run long work (a transcription, a synthesis) in tasks, so a client is never stuck
behind its own request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from wyoming.error import Error
from wyoming.event import Event, async_write_event
from wyoming.info import Describe, Info
from wyoming.ping import Ping, Pong

from .event_budget import EventBudget
from .pool import PoolBusy
from .protocol import ProtocolError, read_event

_LOGGER = logging.getLogger(__name__)


class ClientGone(Exception):
    """The peer closed the connection while we were writing to it."""


class Connection:
    """Per-connection state shared by the service handlers: the writer and error reporting."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        peer = writer.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer or "local")
        self.closed = False

    async def write(self, event: Event) -> None:
        if self.closed or self.writer.is_closing():
            raise ClientGone
        try:
            await async_write_event(event, self.writer)
        except (ConnectionError, RuntimeError) as err:
            self.closed = True
            raise ClientGone from err

    async def error(self, text: str, code: str) -> None:
        """Send an `error` event; a client that already left is not an error of ours."""
        _LOGGER.info("%s: error %s: %s", self.peer, code, text)
        with contextlib.suppress(ClientGone):
            await self.write(Error(text=text, code=code).event())


class ServiceHandler:
    """What one service (stt, tts, wake) does with the events of one connection.

    `OWN_TYPES` are the events only this service knows (`transcribe`, `detect`, ...). Audio
    events are shared by STT and wake; in the all-in-one server they go to whichever service
    the client addressed last (`transcribe` or `detect`), as each HA platform opens its own
    connection and starts with that event.
    """

    OWN_TYPES: frozenset[str] = frozenset()
    TAKES_AUDIO = False

    async def handle(self, event: Event) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        """The connection ended (cleanly or not): cancel work, release per-client state."""


class ServiceError(Exception):
    """A request the service refuses; reported to the client as an `error` event."""

    def __init__(self, text: str, code: str) -> None:
        super().__init__(text)
        self.text = text
        self.code = code


HandlerMaker = Callable[[Connection], ServiceHandler]


async def serve_connection(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    info: Callable[[], Info],
    makers: list[HandlerMaker],
    max_event_bytes: int,
) -> None:
    """Serve one client until it leaves or sends something that breaks the framing."""
    conn = Connection(reader, writer)
    handlers = [make(conn) for make in makers]
    router = _Router(handlers)
    budget = EventBudget()  # a client flooding cheap events is read no faster than this
    _LOGGER.debug("%s: connected", conn.peer)
    try:
        while True:
            try:
                event = await read_event(reader, max_event_bytes)
            except ProtocolError as err:
                # The stream cannot be resynchronised after a bad header: say why, then close.
                await conn.error(err.text, err.code)
                await _linger(reader, writer)
                break
            if event is None:
                break
            await budget.spend()
            if not await _dispatch(conn, router, event, info):
                break
    except ConnectionError, ClientGone:
        pass
    except Exception:
        _LOGGER.exception("%s: unexpected error", conn.peer)
        await conn.error("internal server error", "internal")
    finally:
        conn.closed = True
        for handler in handlers:
            try:
                await handler.close()
            except Exception:
                _LOGGER.exception("%s: error while closing", conn.peer)
        writer.close()
        _LOGGER.debug("%s: disconnected", conn.peer)


async def _linger(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Close gracefully after an error: closing a socket with unread input makes the kernel
    send a reset, and the client may lose our error event. Stop writing, then discard what
    the client still sends for a short while."""
    try:
        if writer.can_write_eof():
            writer.write_eof()
        async with asyncio.timeout(1.0):
            discarded = 0
            while discarded < 4 * 1024 * 1024 and (data := await reader.read(65536)):
                discarded += len(data)
    except TimeoutError, ConnectionError, OSError:
        pass


_AUDIO_TYPES = frozenset(("audio-start", "audio-chunk", "audio-stop"))


class _Router:
    """Which service handler gets an event on this connection."""

    def __init__(self, handlers: list[ServiceHandler]) -> None:
        self.handlers = handlers
        self.audio_owner = next((h for h in handlers if h.TAKES_AUDIO), None)

    def route(self, event_type: str) -> ServiceHandler | None:
        if event_type in _AUDIO_TYPES:
            return self.audio_owner
        for handler in self.handlers:
            if event_type in handler.OWN_TYPES:
                if handler.TAKES_AUDIO:
                    self.audio_owner = handler
                return handler
        return None


async def _dispatch(
    conn: Connection, router: _Router, event: Event, info: Callable[[], Info]
) -> bool:
    """Handle one event; False when the connection should end."""
    if Describe.is_type(event.type):
        await conn.write(info().event())
        return True
    if Ping.is_type(event.type):
        await conn.write(Pong(text=Ping.from_event(event).text).event())
        return True
    handler = router.route(event.type)
    if handler is None:
        await conn.error(f"unsupported event type '{event.type}'", "unsupported-event")
        return True
    try:
        await handler.handle(event)
    except ServiceError as err:
        await conn.error(err.text, err.code)
    except PoolBusy as err:
        await conn.error(str(err), "busy")
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        # Event data of the wrong shape (missing "rate", text that is not a string...)
        await conn.error(f"invalid '{event.type}' event: {err}", "bad-event")
    return True
