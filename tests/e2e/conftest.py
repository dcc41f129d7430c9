"""Fixtures: our all-in-one Wyoming server (real models), spoken requests made by our own TTS."""

import wave
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from io import BytesIO

import pytest
import pytest_socket
from wyoming.audio import AudioChunk, AudioChunkConverter

from launcher.llama_server import cache_dir, free_port
from launcher.wyoming_server import WyomingServerProcess

from ..wyoming.helpers import synthesize

RATE, WIDTH, CHANNELS = 16000, 2, 1  # what a satellite streams to HA


@pytest.fixture(scope="session")
def voice_server() -> Generator[WyomingServerProcess]:
    """The real wake/STT/TTS server in one process on one port, as users run it."""
    pytest_socket.enable_socket()
    server = WyomingServerProcess(
        host="127.0.0.1", port=free_port(), log_path=cache_dir() / "test-e2e-wyoming.log"
    )
    server.start(wait_seconds=300)
    yield server
    server.stop()


@dataclass(frozen=True)
class Utterance:
    """16 kHz mono 16-bit PCM, as a satellite sends it."""

    pcm: bytes

    @property
    def seconds(self) -> float:
        return len(self.pcm) / (RATE * WIDTH * CHANNELS)

    def chunks(self, samples: int = 512) -> Iterator[bytes]:
        step = samples * WIDTH * CHANNELS
        for start in range(0, len(self.pcm), step):
            yield self.pcm[start : start + step]


def silence(seconds: float) -> bytes:
    return bytes(int(seconds * RATE) * WIDTH * CHANNELS)


async def speak(server: WyomingServerProcess, text: str) -> bytes:
    """Our TTS says `text`; the audio converted to the satellite format."""
    result = await synthesize(server.port, text)
    speech = result.speech
    converter = AudioChunkConverter(rate=RATE, width=WIDTH, channels=CHANNELS)
    chunk = AudioChunk(
        rate=speech.rate, width=speech.width, channels=speech.channels, audio=speech.audio
    )
    return converter.convert(chunk).audio


async def spoken_request(server: WyomingServerProcess, question: str) -> Utterance:
    """'Hey Jarvis', a short pause, the question, then silence."""
    wake = await speak(server, "Hey Jarvis.")
    asked = await speak(server, question)
    return Utterance(silence(0.5) + wake + silence(0.3) + asked + silence(2.0))


def wav_duration(data: bytes) -> tuple[float, int]:
    """Seconds and peak amplitude of a WAV file's audio.

    HA streams WAV with a placeholder length in the header, so the audio is what follows the
    `data` chunk header, whatever the header says.
    """
    with wave.open(BytesIO(data)) as wav:
        rate, width, channels = wav.getframerate(), wav.getsampwidth(), wav.getnchannels()
    audio = data[data.index(b"data") + 8 :]
    seconds = len(audio) / (rate * width * channels)
    peak = max(
        (
            abs(int.from_bytes(audio[i : i + width], "little", signed=True))
            for i in range(0, len(audio) - width + 1, width)
        ),
        default=0,
    )
    return seconds, peak
