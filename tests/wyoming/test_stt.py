"""Speech-to-text: our TTS speaks, our STT transcribes it back."""

from __future__ import annotations

import asyncio

import numpy as np
from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioStart, AudioStop
from wyoming.client import AsyncTcpClient

from harness.audio_clip import AudioClip
from harness.scoring import word_error_rate
from harness.wyoming_client import read, transcribe, transcript_text

from .conftest import PHRASES


async def test_round_trip_word_error_rate_is_low(port: int, phrases: dict[str, AudioClip]) -> None:
    for key in ("command", "weather"):
        text = await transcript_text(port, phrases[key])
        assert word_error_rate(PHRASES[key], text) <= 0.15, (PHRASES[key], text)
        assert text == text.strip()


async def test_language_from_request_picks_a_model_that_knows_it(
    port: int, phrases: dict[str, AudioClip]
) -> None:
    # English audio asked as French: base (multilingual) must serve it; tiny.en cannot.
    event = await transcribe(port, phrases["weather"], language="fr")
    assert event is not None and Transcript.is_type(event.type), event
    assert Transcript.from_event(event).language == "fr"
    text = await transcript_text(port, phrases["weather"], language="en-US")
    assert word_error_rate(PHRASES["weather"], text) <= 0.15, text


async def test_unknown_language_is_an_error(port: int, phrases: dict[str, AudioClip]) -> None:
    event = await transcribe(port, phrases["weather"], language="xx")
    assert event is not None and event.type == "error"
    assert event.data["code"] == "unsupported-language"


async def test_any_input_format_is_converted(port: int, phrases: dict[str, AudioClip]) -> None:
    speech = phrases["command"]
    mono = np.frombuffer(speech.audio, dtype=np.int16)
    stereo = AudioClip(np.repeat(mono, 2).tobytes(), speech.rate, width=2, channels=2)
    text = await transcript_text(port, stereo)
    assert word_error_rate(PHRASES["command"], text) <= 0.15, text


async def test_empty_and_silent_audio_give_an_empty_transcript(port: int) -> None:
    assert await transcript_text(port, AudioClip(b"", 16000)) == ""
    assert await transcript_text(port, AudioClip(bytes(16000 * 2), 16000)) == ""
    assert await transcript_text(port, AudioClip(bytes(200), 16000)) == ""


async def test_real_time_stream_with_trailing_silence(
    port: int, phrases: dict[str, AudioClip]
) -> None:
    """Streamed at real-time pace with a pause at the end, as a satellite does: the
    speculative decode made during the pause must give the right transcript."""
    speech = phrases["command"].with_silence(after=0.8)
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Transcribe(language="en").event())
        await client.write_event(AudioStart(rate=speech.rate, width=2, channels=1).event())
        chunks = speech.chunks(samples=speech.rate // 10)
        for chunk in chunks:
            await client.write_event(chunk.event())
            await asyncio.sleep(0.1)
        await client.write_event(AudioStop().event())
        event = await read(client)
    assert event is not None and Transcript.is_type(event.type)
    text = Transcript.from_event(event).text
    assert word_error_rate(PHRASES["command"], text) <= 0.15, text


async def test_several_clients_at_once_all_get_their_transcript(
    port: int, phrases: dict[str, AudioClip]
) -> None:
    keys = ["command", "weather", "command"]
    texts = await asyncio.gather(*(transcript_text(port, phrases[k]) for k in keys))
    for key, text in zip(keys, texts, strict=True):
        assert word_error_rate(PHRASES[key], text) <= 0.15, (key, text)
