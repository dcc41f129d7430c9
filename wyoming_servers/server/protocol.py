"""Reading Wyoming events defensively.

The `wyoming` library's reader has no size limit (a header may announce a 4 GB payload and the
server will try to buffer it) and turns bad JSON into `None`, which looks exactly like a clean
hang-up. This reader keeps the library's wire format and `Event` type but says *why* it stopped,
so the connection can answer with an `error` event before closing.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from wyoming.event import Event

# A header line is a small JSON object; anything near this is garbage or an attack.
MAX_HEADER_BYTES = 64 * 1024


class ProtocolError(Exception):
    """The byte stream is not a valid Wyoming event; the framing is lost, so close after this."""

    def __init__(self, text: str, code: str) -> None:
        super().__init__(text)
        self.text = text
        self.code = code


async def read_event(reader: asyncio.StreamReader, max_event_bytes: int) -> Event | None:
    """Read one event; `None` on a clean end of stream, `ProtocolError` on bad input."""
    try:
        line = await reader.readuntil(b"\n")
    except asyncio.IncompleteReadError as err:
        if not err.partial.strip():
            return None  # the peer closed between events: a normal hang-up
        raise ProtocolError("connection closed in the middle of a header", "truncated") from err
    except asyncio.LimitOverrunError as err:
        raise ProtocolError("event header line is too long", "header-too-large") from err

    header = _parse_json_object(line, "header")
    event_type = header.get("type")
    if not isinstance(event_type, str) or not event_type:
        raise ProtocolError("event header has no 'type' string", "bad-header")

    data = header.get("data") or {}
    if not isinstance(data, dict):
        raise ProtocolError("event 'data' must be an object", "bad-header")

    data_length = _length(header, "data_length")
    payload_length = _length(header, "payload_length")
    if data_length + payload_length > max_event_bytes:
        raise ProtocolError(
            f"event of {data_length + payload_length} bytes exceeds the limit of "
            f"{max_event_bytes} bytes",
            "too-large",
        )

    try:
        if data_length:
            data.update(_parse_json_object(await reader.readexactly(data_length), "data"))
        payload = await reader.readexactly(payload_length) if payload_length else None
    except asyncio.IncompleteReadError as err:
        raise ProtocolError("connection closed in the middle of an event", "truncated") from err

    return Event(type=event_type, data=data, payload=payload)


# `raw_decode` on text: `json.loads` on bytes first guesses their encoding and checks for
# trailing text, twice per audio chunk (header and data); Wyoming is UTF-8 and a header line
# is one object. What follows the object is only the line's own whitespace or newline.
_DECODER = json.JSONDecoder()


def _parse_json_object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        text = raw.decode()
        value, end = _DECODER.raw_decode(text, len(text) - len(text.lstrip()))
        if text[end:].strip():
            raise ValueError("text after the JSON object")
    except (UnicodeDecodeError, ValueError) as err:
        raise ProtocolError(f"event {what} is not valid JSON", "bad-json") from err
    if not isinstance(value, dict):
        raise ProtocolError(f"event {what} is not a JSON object", "bad-json")
    return value


def _length(header: dict[str, Any], key: str) -> int:
    value = header.get(key)
    if value is None:
        return 0
    # bool is an int subclass; a "true" length is as malformed as a string one.
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ProtocolError(f"'{key}' must be a non-negative integer", "bad-header")
    return value
