"""Client-side helpers for the Wyoming server tests: real TCP, the real `wyoming` client."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.client import AsyncTcpClient
from wyoming.event import Event
from wyoming.tts import Synthesize, SynthesizeVoice
from wyoming.wake import Detect

from .wyoming_timing import word_errors

TIMEOUT = 60.0  # generous: only here so a broken server fails the test instead of hanging it


@dataclass
class Speech:
    audio: bytes
    rate: int
    width: int = 2
    channels: int = 1

    def seconds(self) -> float:
        return len(self.audio) / (self.rate * self.width * self.channels)

    def with_silence(self, before: float = 0.0, after: float = 0.0) -> Speech:
        frame = self.width * self.channels
        pad = lambda s: bytes(int(s * self.rate) * frame)  # noqa: E731
        return Speech(pad(before) + self.audio + pad(after), self.rate, self.width, self.channels)

    def chunks(self, samples: int = 1024) -> list[AudioChunk]:
        step = samples * self.width * self.channels
        return [
            AudioChunk(
                rate=self.rate,
                width=self.width,
                channels=self.channels,
                audio=self.audio[i : i + step],
            )
            for i in range(0, len(self.audio), step)
        ]


@dataclass
class TtsResult:
    speech: Speech
    events: list[Event] = field(default_factory=list)


async def read(client: AsyncTcpClient, timeout: float = TIMEOUT) -> Event | None:
    return await asyncio.wait_for(client.read_event(), timeout)


async def synthesize(port: int, text: str, voice: SynthesizeVoice | None = None) -> TtsResult:
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Synthesize(text=text, voice=voice).event())
        return await read_audio(client)


async def read_audio(client: AsyncTcpClient, until: str = "audio-stop") -> TtsResult:
    result = TtsResult(Speech(b"", 0))
    audio = bytearray()
    while (event := await read(client)) is not None:
        result.events.append(event)
        if event.type == "error":
            break
        if AudioStart.is_type(event.type):
            start = AudioStart.from_event(event)
            result.speech.rate, result.speech.width = start.rate, start.width
        elif AudioChunk.is_type(event.type):
            audio += AudioChunk.from_event(event).audio
        if event.type == until:
            break
    result.speech.audio = bytes(audio)
    return result


async def transcribe(port: int, speech: Speech, language: str | None = None) -> Event | None:
    """Send one utterance; return the first event that answers it (transcript or error)."""
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Transcribe(language=language).event())
        await client.write_event(
            AudioStart(rate=speech.rate, width=speech.width, channels=speech.channels).event()
        )
        for chunk in speech.chunks():
            await client.write_event(chunk.event())
        await client.write_event(AudioStop().event())
        return await read(client)


async def transcript_text(port: int, speech: Speech, language: str | None = None) -> str:
    event = await transcribe(port, speech, language)
    assert event is not None and Transcript.is_type(event.type), event
    return Transcript.from_event(event).text


async def detect(port: int, speech: Speech, names: list[str] | None) -> list[Event]:
    """Stream audio to the wake server; return every event until not-detected or a pause."""
    events: list[Event] = []
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Detect(names=names).event())
        await client.write_event(
            AudioStart(rate=speech.rate, width=speech.width, channels=speech.channels).event()
        )
        for chunk in speech.chunks():
            await client.write_event(chunk.event())
        await client.write_event(AudioStop().event())
        while True:
            try:
                event = await read(client, timeout=5.0)
            except TimeoutError:
                break
            if event is None:
                break
            events.append(event)
            if event.type in ("not-detected", "error"):
                break
    return events


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word-level Levenshtein distance / reference length, on lower-cased words."""
    errors, words = word_errors(reference, hypothesis)
    return errors / max(1, words)
