"""Timed Wyoming requests, paced like a satellite when asked: the same requests against any
Wyoming server (ours or the official ones), for benchmarks.

Uses only the `wyoming` library, so it measures what Home Assistant's client would see.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk, AudioChunkConverter
from wyoming.client import AsyncTcpClient
from wyoming.tts import (
    Synthesize,
    SynthesizeChunk,
    SynthesizeStart,
    SynthesizeStop,
    SynthesizeVoice,
)
from wyoming.wake import Detect, Detection

from .audio_clip import RATE, AudioClip
from .wyoming_client import send_clip

TIMEOUT = 120.0


async def _read(client: AsyncTcpClient):
    return await asyncio.wait_for(client.read_event(), TIMEOUT)


# --------------------------------------------------------------------------------- TTS


@dataclass
class TtsRun:
    first_audio: float  # seconds from the first request event to the first audio chunk
    total: float
    audio_seconds: float
    clip: AudioClip  # the answer at 16 kHz mono


async def tts(
    port: int, text: str, streaming: bool, voice: SynthesizeVoice | None = None
) -> TtsRun:
    async with AsyncTcpClient("127.0.0.1", port) as client:
        start = time.perf_counter()
        if streaming:
            # As HA does with a streaming agent: start, the text in word-sized pieces, the
            # full text for old servers, stop. Sent back to back (a fast LLM).
            await client.write_event(SynthesizeStart(voice=voice).event())
            for word in re.findall(r"\S+\s*", text):
                await client.write_event(SynthesizeChunk(text=word).event())
            await client.write_event(Synthesize(text=text, voice=voice).event())
            await client.write_event(SynthesizeStop().event())
            end_type = "synthesize-stopped"
        else:
            await client.write_event(Synthesize(text=text, voice=voice).event())
            end_type = "audio-stop"
        first = None
        converter = AudioChunkConverter(rate=RATE, width=2, channels=1)
        pcm = bytearray()
        audio_bytes = 0
        rate = 22050
        while (event := await _read(client)) is not None:
            if AudioChunk.is_type(event.type):
                chunk = AudioChunk.from_event(event)
                first = first or time.perf_counter() - start
                audio_bytes += len(chunk.audio)
                rate = chunk.rate
                pcm += chunk.audio if chunk.rate == RATE else converter.convert(chunk).audio
            elif event.type == "error":
                raise RuntimeError(f"TTS error: {event.data}")
            if event.type == end_type:
                break
        total = time.perf_counter() - start
    return TtsRun(first or total, total, audio_bytes / (2 * rate), AudioClip(bytes(pcm)))


# --------------------------------------------------------------------------------- STT


@dataclass
class SttRun:
    latency: float  # seconds from audio-stop to transcript
    text: str


async def stt(port: int, audio: AudioClip, realtime: bool, language: str = "en") -> SttRun:
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Transcribe(language=language).event())
        stop = await send_clip(client, audio, realtime)
        while (event := await _read(client)) is not None:
            if Transcript.is_type(event.type):
                return SttRun(time.perf_counter() - stop, Transcript.from_event(event).text)
            if event.type == "error":
                raise RuntimeError(f"STT error: {event.data}")
    raise RuntimeError("STT server closed the connection")


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def settled_cpu(pid: int) -> float:
    """CPU time once the process has stopped working on what it was sent."""
    last = process_cpu_seconds(pid)
    while True:
        await asyncio.sleep(0.3)
        now = process_cpu_seconds(pid)
        if now == last:
            return now
        last = now


async def wake_stream(
    port: int, audio: AudioClip, names: list[str], realtime: bool = True
) -> list[str]:
    """Stream audio for wake word detection; return the names detected.

    Real-time pacing matters: the official server keeps a ring buffer per client that a
    background thread drains, so audio sent faster than real time is partly skipped."""
    found: list[str] = []
    async with AsyncTcpClient("127.0.0.1", port) as client:

        async def reader() -> None:
            while (event := await client.read_event()) is not None:
                if Detection.is_type(event.type):
                    found.append(str(Detection.from_event(event).name))
                if event.type in ("not-detected", "error"):
                    return

        task = asyncio.create_task(reader())
        await client.write_event(Detect(names=names).event())
        await send_clip(client, audio, realtime)
        try:
            await asyncio.wait_for(task, 3.0)
        except TimeoutError:
            task.cancel()
    return found
