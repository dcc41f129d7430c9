"""Audio in any sensible format, through the real servers over TCP: what STT hears and what wake
detects do not depend on the channel count, rate, sample width or where chunks are cut."""

from __future__ import annotations

import numpy as np
import pytest
from wyoming.asr import Transcribe
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.client import AsyncTcpClient
from wyoming.wake import Detect, Detection

from harness.audio_clip import AudioClip
from harness.scoring import word_error_rate
from harness.wyoming_client import read, transcript_text

from .conftest import PHRASES


def samples(clip: AudioClip) -> np.ndarray:
    assert clip.width == 2 and clip.channels == 1
    return np.frombuffer(clip.audio, np.int16).astype(np.int32)


def with_channels(speech: np.ndarray, rate: int, channels: int) -> AudioClip:
    """`speech` in `channels` channels, each drowned in its own loud noise: channels come in
    pairs with opposite noise (an odd one out is clean), so only their mean is `speech`."""
    rng = np.random.default_rng(channels)
    noises = [rng.integers(-6000, 6000, len(speech)) for _ in range(channels // 2)]
    parts = [speech + sign * noise for noise in noises for sign in (1, -1)]
    parts += [speech] * (channels % 2)
    interleaved = np.stack(parts, axis=1)
    assert np.abs(interleaved).max() <= 32767  # nothing clipped: the mean is exact
    return AudioClip(interleaved.astype("<i2").tobytes(), rate, 2, channels)


def resampled(speech: np.ndarray, rate: int, new_rate: int) -> np.ndarray:
    """Band-limited resampling by FFT (independent of the server's converter)."""
    count = len(speech) * new_rate // rate
    out = np.fft.irfft(np.fft.rfft(speech.astype(np.float64)), count) * (count / len(speech))
    return out.round().clip(-32768, 32767).astype(np.int32)


def in_width(speech: np.ndarray, rate: int, width: int) -> AudioClip:
    if width == 1:  # unsigned 8-bit
        return AudioClip(((speech >> 8) + 128).astype(np.uint8).tobytes(), rate, 1)
    if width == 4:
        return AudioClip((speech << 16).astype("<i4").tobytes(), rate, 4)
    return AudioClip(speech.astype("<i2").tobytes(), rate, 2)


async def test_any_channel_count_gives_the_mono_transcript(
    port: int, phrases: dict[str, AudioClip]
) -> None:
    """4 channels used to be read as 2 (a wrong transcript), 6 gave an empty one."""
    speech = phrases["command"]
    half = samples(speech) // 2  # room for the noise
    mono = await transcript_text(port, AudioClip(half.astype("<i2").tobytes(), speech.rate))
    assert word_error_rate(PHRASES["command"], mono) <= 0.15, mono
    for channels in (2, 3, 4, 6, 8):
        text = await transcript_text(port, with_channels(half, speech.rate, channels))
        assert text == mono, (channels, text)


@pytest.mark.parametrize(
    ("rate", "width", "channels"),
    [(48000, 2, 2), (44100, 4, 1), (96000, 2, 1), (16000, 1, 1), (8000, 2, 1)],
)
async def test_other_rates_and_widths_are_transcribed_as_well(
    port: int, phrases: dict[str, AudioClip], rate: int, width: int, channels: int
) -> None:
    speech = phrases["command"]
    pcm = resampled(samples(speech), speech.rate, rate)
    clip = with_channels(pcm // 2, rate, channels) if channels > 1 else in_width(pcm, rate, width)
    text = await transcript_text(port, clip)
    assert word_error_rate(PHRASES["command"], text) <= 0.15, text


async def send_in_pieces(client: AsyncTcpClient, clip: AudioClip, sizes: list[int]) -> None:
    """The clip in chunks of these byte sizes (cycling): frames cut anywhere."""
    await client.write_event(
        AudioStart(rate=clip.rate, width=clip.width, channels=clip.channels).event()
    )
    offset, i = 0, 0
    while offset < len(clip.audio):
        piece = clip.audio[offset : offset + sizes[i % len(sizes)]]
        chunk = AudioChunk(rate=clip.rate, width=clip.width, channels=clip.channels, audio=piece)
        await client.write_event(chunk.event())
        offset, i = offset + len(piece), i + 1
    await client.write_event(AudioStop().event())


@pytest.mark.parametrize("to_16k", [False, True], ids=["converted", "as-is"])
async def test_chunks_cut_inside_a_frame_are_carried_over(
    port: int, phrases: dict[str, AudioClip], to_16k: bool
) -> None:
    """An odd byte count used to fail the whole transcription."""
    speech = phrases["weather"].to_16k_mono() if to_16k else phrases["weather"]
    whole = await transcript_text(port, speech)
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Transcribe(language="en").event())
        await send_in_pieces(client, speech, [2047, 1, 4097, 3, 1001])
        event = await read(client)
    assert event is not None and event.type == "transcript", event
    assert event.data["text"] == whole


async def test_wake_words_in_chunks_cut_inside_a_frame_are_detected(
    port: int, phrases: dict[str, AudioClip]
) -> None:
    speech = phrases["okay_nabu"].with_silence(0.5, 1.0)
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Detect(names=["okay_nabu"]).event())
        await send_in_pieces(client, speech, [2047, 1, 4097, 3, 1001])
        event = await read(client)
    assert event is not None and Detection.is_type(event.type), event
