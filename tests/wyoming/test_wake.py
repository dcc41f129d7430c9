"""Wake word detection with speech made by our TTS."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.client import AsyncTcpClient
from wyoming.event import Event
from wyoming.info import Describe
from wyoming.wake import Detect, Detection

from harness.audio_clip import AudioClip
from harness.wyoming_client import detect, read, send_clip

from .conftest import Servers


def detections(events: list) -> list[Detection]:
    return [Detection.from_event(e) for e in events if Detection.is_type(e.type)]


async def test_each_wake_word_is_detected_by_name(port: int, phrases: dict[str, AudioClip]) -> None:
    for key in ("hey_jarvis", "okay_nabu"):
        events = await detect(
            port, phrases[key].with_silence(0.5, 1.0), ["okay_nabu", "hey_jarvis"]
        )
        found = detections(events)
        assert [d.name for d in found] == [key], events
        assert found[0].timestamp is not None and found[0].timestamp > 0


async def test_ordinary_speech_triggers_nothing(port: int, phrases: dict[str, AudioClip]) -> None:
    speech = phrases["ordinary"].with_silence(0.5, 0.5)
    events = await detect(port, speech, ["okay_nabu", "hey_jarvis", "alexa"])
    assert [e.type for e in events] == ["not-detected"]


async def test_only_requested_wake_words_are_reported(
    port: int, phrases: dict[str, AudioClip]
) -> None:
    events = await detect(port, phrases["hey_jarvis"].with_silence(0.5, 1.0), ["okay_nabu"])
    assert [e.type for e in events] == ["not-detected"]


async def test_refractory_period_is_counted_in_audio_time(
    servers: Servers, phrases: dict[str, AudioClip]
) -> None:
    word = phrases["hey_jarvis"]
    gap = lambda s: AudioClip(bytes(int(s * word.rate) * 2), word.rate)  # noqa: E731
    close = AudioClip(word.audio + gap(0.3).audio + word.audio + gap(1.0).audio, word.rate)
    far = AudioClip(word.audio + gap(2.5).audio + word.audio + gap(1.0).audio, word.rate)
    # Sent as fast as possible: audio time, not wall-clock time, decides.
    assert len(detections(await detect(servers.wake.port, close, ["hey_jarvis"]))) == 1
    assert len(detections(await detect(servers.wake.port, far, ["hey_jarvis"]))) == 2


async def test_unknown_wake_word_is_an_error_and_nothing_else(
    port: int, phrases: dict[str, AudioClip]
) -> None:
    """One answer per request: the error, then no detection of any other word."""
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Detect(names=["hey_nobody"]).event())
        event = await read(client)
        assert event is not None and event.type == "error"
        assert event.data["code"] == "unknown-wake-word"
        speech = phrases["hey_jarvis"].with_silence(0.5, 1.0)
        await send_clip(client, speech)
        events = []
        while (event := await read(client)) is not None:
            events.append(event)
            if event.type in ("not-detected", "error"):
                break
    assert [e.type for e in events] == ["not-detected"], events


async def test_the_official_servers_names_are_accepted(
    port: int, phrases: dict[str, AudioClip]
) -> None:
    """Pipelines made with the official server ask for hey_jarvis_v0.1 / ok_nabu_v0.1; the
    detection carries the name asked for (HA ignores any other)."""
    for key, official in (("hey_jarvis", "hey_jarvis_v0.1"), ("okay_nabu", "ok_nabu_v0.1")):
        events = await detect(port, phrases[key].with_silence(0.5, 1.0), [official])
        assert [d.name for d in detections(events)] == [official], events


async def test_streams_without_audio_stop_like_home_assistant(
    port: int, phrases: dict[str, AudioClip]
) -> None:
    """HA never sends audio-stop: the detection must come while audio is still flowing,
    and many connections at once each get their own result."""

    async def one(key: str) -> str:
        speech = phrases[key].with_silence(0.5, 1.0)
        async with AsyncTcpClient("127.0.0.1", port) as client:
            await client.write_event(Detect(names=["okay_nabu", "hey_jarvis"]).event())
            await client.write_event(AudioStart(rate=speech.rate, width=2, channels=1).event())
            for chunk in speech.chunks():
                await client.write_event(chunk.event())
            event = await read(client, timeout=10)
        assert event is not None and Detection.is_type(event.type)
        return str(Detection.from_event(event).name)

    keys = ["hey_jarvis", "okay_nabu"] * 3
    assert await asyncio.gather(*(one(k) for k in keys)) == keys


@pytest.mark.parametrize("server", ["all", "wake"])
async def test_wake_word_after_a_long_quiet_stretch(
    servers: Servers, phrases: dict[str, AudioClip], server: str
) -> None:
    """Inference pauses on long quiet audio; the wake word that follows is still found, at
    the right audio time, whether 80 ms steps are computed one or two at a time."""
    word = phrases["hey_jarvis"]
    rng = np.random.default_rng(1)
    room = (rng.standard_normal(int(4.0 * word.rate)) * 30).astype(np.int16).tobytes()
    speech = AudioClip(room + word.audio + bytes(word.rate * 2), word.rate)
    port = getattr(servers, server).port
    found = detections(await detect(port, speech, ["hey_jarvis"]))
    assert [d.name for d in found] == ["hey_jarvis"]
    assert found[0].timestamp is not None
    assert 4000 < found[0].timestamp < 4000 + word.seconds * 1000 + 500


async def read_until_quiet(client: AsyncTcpClient, first: float = 15.0, pause: float = 1.0) -> list:
    """Every event until the server has said nothing for `pause` seconds after its first one
    (each caller expects one; an error per chunk or a second detection would follow it as the
    server works through chunks that were all sent already)."""
    events = []
    timeout = first
    while True:
        try:
            event = await read(client, timeout=timeout)
        except TimeoutError:
            return events
        if event is None:
            return events
        events.append(event)
        timeout = pause


@pytest.mark.parametrize("server", ["all", "wake"])
async def test_the_satellites_local_wake_stream_detects_every_time(
    servers: Servers, phrases: dict[str, AudioClip], server: str
) -> None:
    """wyoming-satellite's local-wake mode: `detect`, then chunks with no `audio-start` and no
    `audio-stop`; after each command a new `detect` and more chunks. Each wake word is found
    and nothing else is said (no error per chunk)."""
    port = getattr(servers, server).port
    async with AsyncTcpClient("127.0.0.1", port) as client:
        for key in ("hey_jarvis", "okay_nabu", "hey_jarvis"):
            await client.write_event(Detect(names=["hey_jarvis", "okay_nabu"]).event())
            for chunk in phrases[key].with_silence(0.5, 1.0).chunks():
                await client.write_event(chunk.event())
            events = await read_until_quiet(client)
            assert [e.type for e in events] == ["detection"], events
            assert Detection.from_event(events[0]).name == key


@pytest.mark.parametrize("server", ["all", "wake"])
async def test_the_current_satellites_local_wake_stream_detects_every_time(
    servers: Servers, phrases: dict[str, AudioClip], server: str
) -> None:
    """wyoming-satellite since 1.3.1 (its current source): `describe` in the middle of its
    stream (it reports our wake words to HA), `detect` then `audio-start`, chunks stamped with
    its own clock (`time.monotonic_ns()`), and after each command `detect` and `audio-start`
    again, never an `audio-stop`. Each wake word is found, the `describe` answered, and
    nothing else is said."""
    port = getattr(servers, server).port
    clock = 10**13  # what time.monotonic_ns() reads on a Raspberry Pi up for a few hours
    async with AsyncTcpClient("127.0.0.1", port) as client:
        for key in ("hey_jarvis", "okay_nabu", "hey_jarvis"):
            await client.write_event(Detect(names=["hey_jarvis", "okay_nabu"]).event())
            await client.write_event(AudioStart(rate=16000, width=2, channels=1).event())
            for i, chunk in enumerate(phrases[key].to_16k_mono().with_silence(0.5, 1.0).chunks()):
                stamped = AudioChunk(chunk.rate, chunk.width, chunk.channels, chunk.audio, clock)
                await client.write_event(stamped.event())
                clock += 64_000_000
                if i == 3:
                    await client.write_event(Describe().event())
            events = await read_until_quiet(client)
            assert [e.type for e in events] == ["info", "detection"], events
            assert Detection.from_event(events[1]).name == key


async def test_a_new_detect_ends_the_stream_before_it(
    port: int, phrases: dict[str, AudioClip]
) -> None:
    """Half a wake word, then a new `detect`: the next stream starts from a fresh state (no
    detection made of the two halves), and an `audio-stop` answers not-detected."""
    word = phrases["hey_jarvis"]
    half = len(word.audio) // 2 // 2 * 2
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Detect(names=["hey_jarvis"]).event())
        for chunk in AudioClip(bytes(word.rate) + word.audio[:half], word.rate).chunks():
            await client.write_event(chunk.event())
        await client.write_event(Detect(names=["hey_jarvis"]).event())
        for chunk in AudioClip(word.audio[half:] + bytes(word.rate), word.rate).chunks():
            await client.write_event(chunk.event())
        await client.write_event(AudioStop().event())
        events = await read_until_quiet(client)
    assert [e.type for e in events] == ["not-detected"], events


async def test_names_written_as_one_string_are_one_wake_word(
    port: int, phrases: dict[str, AudioClip]
) -> None:
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Event(type="detect", data={"names": "hey_jarvis"}))
        await send_clip(client, phrases["hey_jarvis"].with_silence(0.5, 1.0))
        events = await read_until_quiet(client)
    assert [(e.type, e.data.get("name")) for e in events] == [("detection", "hey_jarvis")]


async def test_names_of_the_wrong_shape_are_one_error_in_protocol_terms(
    port: int, phrases: dict[str, AudioClip]
) -> None:
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Event(type="detect", data={"names": [1, 2]}))
        for chunk in phrases["hey_jarvis"].with_silence(0.5, 1.0).chunks():
            await client.write_event(chunk.event())
        events = await read_until_quiet(client)
    assert [e.type for e in events] == ["error"], events
    assert events[0].data["code"] == "bad-event"
    assert "'names' must be a list of wake word names" in events[0].data["text"]


async def test_a_stream_of_bad_chunks_gets_one_error(port: int) -> None:
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Detect(names=["hey_jarvis"]).event())
        for _ in range(30):
            await client.write_event(
                AudioChunk(rate=16000, width=3, channels=1, audio=bytes(3 * 1024)).event()
            )
        events = await read_until_quiet(client)
        assert [e.type for e in events] == ["error"], events
        assert events[0].data["code"] == "unsupported-audio-format"
        # The next stream on the connection is served normally.
        await client.write_event(Detect(names=["hey_jarvis"]).event())
        await client.write_event(AudioStop().event())
        assert [e.type for e in await read_until_quiet(client)] == ["not-detected"]
