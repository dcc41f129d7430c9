"""Text-to-speech: plain and streaming synthesis, voices, concurrency."""

from __future__ import annotations

import asyncio
import time

from wyoming.audio import AudioChunk
from wyoming.client import AsyncTcpClient
from wyoming.info import Describe
from wyoming.tts import (
    Synthesize,
    SynthesizeChunk,
    SynthesizeStart,
    SynthesizeStop,
    SynthesizeVoice,
)

from harness.scoring import word_error_rate
from harness.wyoming_client import read, read_audio, synthesize, transcript_text

from .conftest import Servers

LONG_TEXT = " ".join(
    [
        "This is a long answer that takes the voice a good while to read out loud.",
        "It goes on with a second sentence about the weather and the garden.",
        "A third sentence talks about the lights in the living room and the kitchen.",
        "Finally the fourth sentence wishes everybody a very pleasant evening at home.",
    ]
    * 2
)


async def test_plain_synthesize_gives_one_well_formed_answer(port: int) -> None:
    result = await synthesize(port, "Hello there. How are you today?")
    types = [e.type for e in result.events]
    assert types[0] == "audio-start" and types[-1] == "audio-stop"
    assert set(types[1:-1]) == {"audio-chunk"}
    assert result.speech.rate == 22050 and result.speech.seconds > 1.0


async def test_streaming_sends_audio_before_the_last_text_chunk(port: int) -> None:
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(SynthesizeStart().event())
        for word in ["The", "front", "door", "is", "locked.", ""]:
            await client.write_event(SynthesizeChunk(text=word + " ").event())
        # The last text chunk is held back until the first sentence's audio arrives.
        first = await read(client)
        while first is not None and not AudioChunk.is_type(first.type):
            first = await read(client)
        assert first is not None, "no audio before the end of the text"
        await client.write_event(SynthesizeChunk(text="The lights are off.").event())
        await client.write_event(
            Synthesize(text="The front door is locked. The lights are off.").event()
        )
        await client.write_event(SynthesizeStop().event())
        result = await read_audio(client, until="synthesize-stopped")
    types = [e.type for e in result.events]
    assert types[-2:] == ["audio-stop", "synthesize-stopped"]
    assert "error" not in types
    # The full `synthesize` sent inside the stream is not spoken a second time.
    assert types.count("audio-stop") == 1


async def test_spoken_text_is_what_was_asked(port: int) -> None:
    text = "The washing machine has finished and the clothes are ready."
    speech = (await synthesize(port, text)).speech
    assert word_error_rate(text, await transcript_text(port, speech)) <= 0.2


async def test_voice_by_name_or_by_language(port: int) -> None:
    by_name = await synthesize(port, "Yes.", SynthesizeVoice(name="en_US-joe-medium"))
    assert by_name.speech.seconds > 0.2 and by_name.speech.rate == 22050
    # No Piper voice speaks German: Pico's does (16 kHz), never the English default.
    german = await synthesize(port, "Guten Tag.", SynthesizeVoice(language="de-DE"))
    assert german.speech.seconds > 0.2 and german.speech.rate == 16000


async def test_a_language_no_voice_speaks_is_an_error(port: int) -> None:
    result = await synthesize(port, "Konnichiwa.", SynthesizeVoice(language="ja_JP"))
    assert [e.type for e in result.events] == ["error"]
    assert result.events[0].data["code"] == "unsupported-language"
    assert "ja_JP" in result.events[0].data["text"]


async def test_unknown_voice_is_an_error(port: int) -> None:
    result = await synthesize(port, "Hello.", SynthesizeVoice(name="nobody"))
    assert [e.type for e in result.events] == ["error"]
    assert result.events[0].data["code"] == "unknown-voice"
    # Streaming: one error, and the rest of the refused stream is ignored quietly.
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(SynthesizeStart(voice=SynthesizeVoice(name="nobody")).event())
        await client.write_event(SynthesizeChunk(text="Hello.").event())
        await client.write_event(SynthesizeStop().event())
        await client.write_event(Describe().event())
        events = [await read(client), await read(client)]
    assert [e.type for e in events if e] == ["error", "info"]


async def test_describe_during_a_long_synthesis_is_answered_quickly(port: int) -> None:
    async with AsyncTcpClient("127.0.0.1", port) as busy:
        await busy.write_event(Synthesize(text=LONG_TEXT).event())
        await asyncio.sleep(0.3)  # the synthesis is under way
        for _ in range(3):
            async with AsyncTcpClient("127.0.0.1", port) as other:
                start = time.perf_counter()
                await other.write_event(Describe().event())
                event = await read(other)
                elapsed = time.perf_counter() - start
            assert event is not None and event.type == "info"
            assert elapsed < 0.5, elapsed
        # Also on the very connection that is synthesizing.
        await busy.write_event(Describe().event())
        result = await read_audio(busy)
    assert "info" in [e.type for e in result.events]
    assert result.speech.seconds > 20


async def test_several_clients_at_once_all_get_their_audio(port: int) -> None:
    texts = [
        "The oven in the kitchen is very hot right now.",
        "Please open the window in the living room.",
        "Dinner is ready and the table is set for four people.",
    ]
    results = await asyncio.gather(*(synthesize(port, t) for t in texts))
    heard = [await transcript_text(port, r.speech) for r in results]
    for i, text in enumerate(texts):
        own = word_error_rate(text, heard[i])
        # Each client got its own sentence, not a neighbour's (Piper's voice is stochastic
        # and tiny.en is small: the bound on the error rate is loose, the comparison is not).
        assert own <= 0.3, (text, heard[i])
        assert all(own < word_error_rate(other, heard[i]) for other in texts if other != text)


async def test_a_full_queue_gives_a_busy_error_then_recovers(servers: Servers) -> None:
    port = servers.tts_busy.port
    async with AsyncTcpClient("127.0.0.1", port) as first:
        await first.write_event(Synthesize(text=LONG_TEXT.split(".")[0] * 3 + ".").event())
        await asyncio.sleep(0.3)
        refused = await synthesize(port, "Me too.")
        first_result = await read_audio(first)
    assert [e.type for e in refused.events] == ["error"]
    assert refused.events[0].data["code"] == "busy"
    assert first_result.speech.seconds > 3
    assert (await synthesize(port, "Now it works.")).speech.seconds > 0.5
