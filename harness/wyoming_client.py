"""Plain Wyoming requests over real TCP with the real `wyoming` client (tests, benchmarks)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.client import AsyncTcpClient
from wyoming.event import Event
from wyoming.info import Describe, Info
from wyoming.tts import Synthesize, SynthesizeVoice
from wyoming.wake import Detect

from .audio_clip import CHUNK_SAMPLES, AudioClip

TIMEOUT = 60.0  # generous: only here so a broken server fails the test instead of hanging it


@dataclass
class TtsResult:
    speech: AudioClip
    events: list[Event] = field(default_factory=list)


async def read(client: AsyncTcpClient, timeout: float = TIMEOUT) -> Event | None:
    return await asyncio.wait_for(client.read_event(), timeout)


async def synthesize(port: int, text: str, voice: SynthesizeVoice | None = None) -> TtsResult:
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Synthesize(text=text, voice=voice).event())
        return await read_audio(client)


async def read_audio(client: AsyncTcpClient, until: str = "audio-stop") -> TtsResult:
    events: list[Event] = []
    audio = bytearray()
    rate, width = 0, 2
    while (event := await read(client)) is not None:
        events.append(event)
        if event.type == "error":
            break
        if AudioStart.is_type(event.type):
            start = AudioStart.from_event(event)
            rate, width = start.rate, start.width
        elif AudioChunk.is_type(event.type):
            audio += AudioChunk.from_event(event).audio
        if event.type == until:
            break
    return TtsResult(AudioClip(bytes(audio), rate, width), events)


async def send_clip(client: AsyncTcpClient, clip: AudioClip, realtime: bool = False) -> float:
    """audio-start, the clip's chunks, audio-stop; `realtime` paces them like a microphone
    (and lets the last chunk's audio time pass). Returns when audio-stop was sent
    (`time.perf_counter()`)."""
    await client.write_event(
        AudioStart(rate=clip.rate, width=clip.width, channels=clip.channels).event()
    )
    start = time.perf_counter()
    for i, chunk in enumerate(clip.chunks()):
        if realtime:
            delay = start + i * CHUNK_SAMPLES / clip.rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
        await client.write_event(chunk.event())
    if realtime:
        await asyncio.sleep(max(0.0, start + clip.seconds - time.perf_counter()))
    stopped = time.perf_counter()
    await client.write_event(AudioStop().event())
    return stopped


async def transcribe(port: int, speech: AudioClip, language: str | None = None) -> Event | None:
    """Send one utterance; return the first event that answers it (transcript or error)."""
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Transcribe(language=language).event())
        await send_clip(client, speech)
        return await read(client)


async def transcript_text(port: int, speech: AudioClip, language: str | None = None) -> str:
    event = await transcribe(port, speech, language)
    assert event is not None and Transcript.is_type(event.type), event
    return Transcript.from_event(event).text


async def detect(
    port: int, speech: AudioClip, names: list[str] | None, pause: float = 5.0
) -> list[Event]:
    """Stream audio to the wake server; return every event until not-detected, or until
    nothing has come for `pause` seconds (a long clip takes the server a while)."""
    events: list[Event] = []
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Detect(names=names).event())
        await send_clip(client, speech)
        while True:
            try:
                event = await read(client, timeout=pause)
            except TimeoutError:
                break
            if event is None:
                break
            events.append(event)
            if event.type in ("not-detected", "error"):
                break
    return events


async def describe(port: int) -> Info:
    """The server's `info`."""
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Describe().event())
        event = await read(client)
    assert event is not None and Info.is_type(event.type), event
    return Info.from_event(event)


def chunked(pcm: bytes, sizes: list[int]) -> Iterator[bytes]:
    """`pcm` in pieces of these sizes (in 16-bit samples), cycling through them."""
    offset, i = 0, 0
    while offset < len(pcm):
        size = sizes[i % len(sizes)] * 2
        yield pcm[offset : offset + size]
        offset, i = offset + size, i + 1
