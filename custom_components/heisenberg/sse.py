"""Incremental parser for llama-server's server-sent events (no Home Assistant imports).

llama-server streams `/completion` as lines `data: {json}` separated by blank lines, and reports
an error that happens mid-stream as `error: {json}`. Anything that is neither is a broken stream.
"""

import json
from dataclasses import dataclass
from typing import Any


class SseProtocolError(ValueError):
    """The stream does not follow the server-sent events format llama-server uses."""


@dataclass(frozen=True, slots=True)
class SseData:
    """One `data:` event, decoded."""

    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class SseError:
    """One `error:` event, decoded: the server gave up mid-stream."""

    payload: dict[str, Any]


type SseEvent = SseData | SseError


def parse_sse_line(raw: bytes) -> SseEvent | None:
    """Decode one line of the stream; None for blank lines, comments and ignorable fields."""
    try:
        line = raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as err:
        raise SseProtocolError("stream line is not UTF-8") from err
    if not line or line.startswith(":"):
        return None
    field, sep, value = line.partition(":")
    if not sep:
        raise SseProtocolError(f"not an event line: {line[:80]!r}")
    value = value.removeprefix(" ")
    if field in ("event", "id", "retry"):
        return None
    if field not in ("data", "error"):
        raise SseProtocolError(f"unknown event field {field!r}")
    if value == "[DONE]":  # the OpenAI-style terminator, harmless here
        return None
    try:
        payload = json.loads(value)
    except json.JSONDecodeError as err:
        raise SseProtocolError(f"event is not JSON: {value[:80]!r}") from err
    if not isinstance(payload, dict):
        raise SseProtocolError("event JSON is not an object")
    return SseData(payload) if field == "data" else SseError(payload)
