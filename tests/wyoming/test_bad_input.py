"""Bad input never takes a server down: each gets an error or a clean close, and the next
client is served normally."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from wyoming.asr import Transcribe
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.client import AsyncTcpClient
from wyoming.event import Event
from wyoming.info import Describe
from wyoming.wake import Detect

from harness.audio_clip import AudioClip
from harness.scoring import word_error_rate
from harness.wyoming_client import read, read_audio, send_clip, synthesize, transcript_text

from .conftest import PHRASES, Servers


async def raw_exchange(port: int, data: bytes) -> list[dict]:
    """Send raw bytes; return the events (header merged with data) that come back until the
    server closes the connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    events = []
    try:
        writer.write(data)
        await writer.drain()
        while line := await asyncio.wait_for(reader.readline(), 10):  # b"" once closed
            event = json.loads(line)
            if event.get("data_length"):
                event["data"] = json.loads(await reader.readexactly(event["data_length"]))
            if event.get("payload_length"):
                await reader.readexactly(event["payload_length"])
            events.append(event)
    finally:
        writer.close()
    return events


async def assert_still_serving(port: int, phrases: dict[str, AudioClip]) -> None:
    text = await transcript_text(port, phrases["weather"])
    assert word_error_rate(PHRASES["weather"], text) <= 0.15, text


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"this is not json\n", "bad-json"),
        (b"[1, 2, 3]\n", "bad-json"),
        (b'{"data": {}}\n', "bad-header"),
        (b'{"type": "describe", "data_length": "ten"}\n', "bad-header"),
        (b'{"type": "audio-chunk", "payload_length": 1000000000}\n', "too-large"),
        (b"{" + b"x" * 200_000 + b"\n", "header-too-large"),
        (b'{"type": "synthesize", "data_length": 5}\nnot{}', "bad-json"),
    ],
    ids=[
        "not-json",
        "not-object",
        "no-type",
        "bad-length",
        "huge-payload",
        "huge-header",
        "bad-data",
    ],
)
async def test_malformed_events_get_an_error_and_a_clean_close(
    port: int, phrases: dict[str, AudioClip], data: bytes, code: str
) -> None:
    headers = await raw_exchange(port, data)
    assert [h["type"] for h in headers] == ["error"]
    assert headers[0]["data"]["code"] == code
    assert headers[0]["data"]["text"]
    await assert_still_serving(port, phrases)


async def test_audio_without_audio_start_is_an_utterance_in_the_chunks_format(
    port: int, phrases: dict[str, AudioClip]
) -> None:
    """What the official faster-whisper server accepts: chunks with no `audio-start` (their
    own format, here Piper's 22050 Hz), and an `audio-stop` with no audio (an empty
    transcript). No error, and the connection goes on."""
    speech = phrases["weather"]
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Transcribe(language="en").event())
        for chunk in speech.chunks():
            await client.write_event(chunk.event())
        await client.write_event(AudioStop().event())
        event = await read(client)
        assert event is not None and event.type == "transcript", event
        assert word_error_rate(PHRASES["weather"], event.data["text"]) <= 0.15, event.data
        await client.write_event(Transcribe(language="en").event())
        await client.write_event(AudioStop().event())
        event = await read(client)
        assert event is not None and event.type == "transcript", event
        assert event.data["text"] == ""


async def test_chunks_of_the_wrong_shape_get_one_error_per_stream(port: int) -> None:
    """A stream of malformed chunks (no rate) is refused once, not once per chunk; the next
    request on the connection is answered."""
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Transcribe(language="en").event())
        for _ in range(20):
            await client.write_event(Event(type="audio-chunk", data={"width": 2, "channels": 1}))
        await client.write_event(AudioStop().event())
        await client.write_event(Describe().event())
        events = []
        while (event := await read(client)) is not None:
            events.append(event)
            if event.type == "info":
                break
    assert [e.type for e in events] == ["error", "info"], events
    assert events[0].data["code"] == "bad-event"
    assert "audio-chunk" in events[0].data["text"]


async def test_a_language_that_is_not_a_string_is_refused_in_protocol_terms(
    port: int, phrases: dict[str, AudioClip]
) -> None:
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Event(type="transcribe", data={"language": 42}))
        await send_clip(client, phrases["weather"])
        event = await read(client)
        assert event is not None and event.type == "error", event
        assert event.data["code"] == "bad-event"
        assert "'language' must be a language code" in event.data["text"]
        assert "attribute" not in event.data["text"]
        # Its audio is dropped without another word; the next request is served.
        await client.write_event(Describe().event())
        event = await read(client)
        assert event is not None and event.type == "info", event
    await assert_still_serving(port, phrases)


async def test_unknown_event_type_is_an_error(port: int) -> None:
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Event(type="make-coffee", data={"sugar": 2}))
        event = await read(client)
        assert event is not None and event.type == "error"
        assert event.data["code"] == "unsupported-event"
        await client.write_event(Describe().event())
        assert (await read(client)).type == "info"  # type: ignore[union-attr]


async def test_events_with_wrong_fields_are_errors(port: int) -> None:
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Event(type="audio-start", data={"rate": 16000}))
        event = await read(client)
        assert event is not None and event.type == "error"
        await client.write_event(Event(type="synthesize", data={"text": 42}))
        event = await read(client)
        assert event is not None and event.type == "error"


async def test_clients_that_hang_up_mid_stream(port: int, phrases: dict[str, AudioClip]) -> None:
    speech = phrases["command"]
    # STT: audio, then gone before audio-stop.
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(AudioStart(rate=speech.rate, width=2, channels=1).event())
        for chunk in speech.chunks()[:20]:
            await client.write_event(chunk.event())
    # TTS: gone while a long answer is being synthesized and sent.
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Event(type="synthesize", data={"text": PHRASES["ordinary"] * 4}))
        await read(client)
    # Half an event, then gone.
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b'{"type": "audio-chunk", "payload_length": 3200}\n' + bytes(100))
    await writer.drain()
    writer.close()
    del reader
    await asyncio.sleep(0.2)
    await assert_still_serving(port, phrases)
    assert (await synthesize(port, "Still here.")).speech.seconds > 0.3


async def test_control_characters_in_text_are_dropped_and_the_rest_is_spoken(port: int) -> None:
    text = "The kitchen\x00 light\x07 is on\x1b. Good\x7f night."
    result = await synthesize(port, text)
    assert "error" not in [e.type for e in result.events]
    heard = await transcript_text(port, result.speech)
    assert word_error_rate("The kitchen light is on. Good night.", heard) <= 0.2, heard


async def test_a_lone_surrogate_in_text_is_dropped_and_the_rest_is_spoken(port: int) -> None:
    """A lone surrogate ("\\ud800", written as JSON's ASCII escape) is valid JSON but no
    character, and no voice can encode it."""
    # Long enough that one word misheard by the STT check (Piper's voice varies from one
    # synthesis to the next: "kitchen" was once heard "catch and") does not fail it.
    data = json.dumps({"text": "The kitchen light\ud800 is on. Good night."}).encode()
    assert b"\\ud800" in data
    async with AsyncTcpClient("127.0.0.1", port) as client:
        writer = client._writer  # the library cannot write this text
        assert writer is not None
        header = json.dumps({"type": "synthesize", "data_length": len(data)}).encode()
        writer.write(header + b"\n" + data)
        result = await read_audio(client)
    assert "error" not in [e.type for e in result.events], result.events
    heard = await transcript_text(port, result.speech)
    assert word_error_rate("The kitchen light is on. Good night.", heard) <= 0.3, heard


async def test_text_over_the_limit_is_refused_with_a_clear_error(port: int) -> None:
    result = await synthesize(port, "Hello. " * 4000)  # 28,000 characters
    assert [e.type for e in result.events] == ["error"]
    assert result.events[0].data["code"] == "text-too-long"
    assert "25000" in result.events[0].data["text"]
    assert (await synthesize(port, "Still here.")).speech.seconds > 0.3


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) / 1024


async def describe_seconds(port: int) -> float:
    start = time.perf_counter()
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Describe().event())
        assert (await read(client)).type == "info"  # type: ignore[union-attr]
    return time.perf_counter() - start


@pytest.mark.parametrize(
    ("rate", "width", "channels"),
    [(1, 2, 1), (10**9, 2, 1), (16000, 3, 1), (16000, 2, 0), (16000, 2, 1000)],
    ids=["rate-1", "huge-rate", "width-3", "no-channels", "1000-channels"],
)
async def test_audio_formats_that_make_no_sense_are_refused_at_once(
    servers: Servers, phrases: dict[str, AudioClip], rate: int, width: int, channels: int
) -> None:
    """STT and wake both say what they accept, and nothing is spent on the chunk: a 20 KB chunk
    at rate=1 used to become 610 MB of audio and stall `describe` on other connections."""
    port = servers.all.port
    memory = rss_mb(servers.all.pid)
    chunk = AudioChunk(rate=rate, width=width, channels=channels, audio=bytes(20_000))
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Transcribe(language="en").event())
        await client.write_event(AudioStart(rate=16000, width=2, channels=1).event())
        await client.write_event(chunk.event())
        assert await describe_seconds(port) < 0.5
        event = await read(client)
    assert event is not None and event.type == "error", event
    assert event.data["code"] == "unsupported-audio-format"
    assert "8000-192000 Hz" in event.data["text"] and "1, 2 or 4 bytes" in event.data["text"]
    # STT with the format at audio-start: one error is the request's only answer (no
    # transcript of an empty stream after it), and the connection goes on.
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Transcribe(language="en").event())
        await client.write_event(AudioStart(rate=rate, width=width, channels=channels).event())
        for _ in range(3):
            await client.write_event(chunk.event())
        await client.write_event(AudioStop().event())
        await client.write_event(Describe().event())
        answers = [await read(client), await read(client)]
    assert [a.type if a else None for a in answers] == ["error", "info"], answers
    # Wake: refused at audio-start; the error is the stream's only answer, and the
    # connection goes on.
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Detect(names=["okay_nabu"]).event())
        await client.write_event(AudioStart(rate=rate, width=width, channels=channels).event())
        event = await read(client)
        assert event is not None and event.type == "error", event
        assert event.data["code"] == "unsupported-audio-format"
        await client.write_event(chunk.event())
        await client.write_event(AudioStop().event())
        await client.write_event(Describe().event())
        event = await read(client)
        assert event is not None and event.type == "info", event
    assert rss_mb(servers.all.pid) - memory < 50
    await assert_still_serving(port, phrases)


async def test_a_flood_of_cheap_events_is_read_at_a_bounded_pace(port: int) -> None:
    """`detect` gets no reply and costs nothing to handle, so nothing else slows a client
    sending thousands of them: the connection's read loop is held to its event budget (500 a
    second after a burst of 1000), while another client is answered at once."""
    flood = 3000
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        start = time.monotonic()
        line = (json.dumps(Detect(names=["hey_jarvis"]).event().to_dict()) + "\n").encode()
        writer.write(line * flood + b'{"type": "ping", "data": {"text": "after"}}\n')
        await writer.drain()
        async with AsyncTcpClient("127.0.0.1", port) as other:
            for _ in range(5):
                asked = time.monotonic()
                await other.write_event(Describe().event())
                answer = await read(other)
                assert answer is not None and answer.type == "info"
                assert time.monotonic() - asked < 0.5
                await asyncio.sleep(0.3)
        while True:  # the pong comes once every detect before it has been read
            event = json.loads(await asyncio.wait_for(reader.readline(), 30))
            if event.get("data_length"):
                await reader.readexactly(event["data_length"])
            if event["type"] == "pong":
                break
        elapsed = time.monotonic() - start
        # (3000 - 1000) / 500 = 4 s at the budget; network speed would be a few ms.
        assert 3.5 <= elapsed <= 15, elapsed
    finally:
        writer.close()
