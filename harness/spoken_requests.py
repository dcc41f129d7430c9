"""Spoken requests made offline by our own TTS, in the format a satellite streams (16 kHz mono)."""

import wave
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO

from wyoming.audio import AudioChunk, AudioChunkConverter

from launcher.wyoming_server import WyomingServerProcess

from .wyoming_client import synthesize

RATE, WIDTH, CHANNELS = 16000, 2, 1


@dataclass(frozen=True)
class Utterance:
    """16-bit PCM; `speech_end` is the byte offset where the user stops speaking."""

    pcm: bytes
    speech_end: int

    def chunks(self, samples: int = 512) -> Iterator[tuple[bytes, bool]]:
        """(chunk, whether the user's speech has ended by the end of this chunk)."""
        step = samples * WIDTH * CHANNELS
        for start in range(0, len(self.pcm), step):
            yield self.pcm[start : start + step], start + step >= self.speech_end


def silence(seconds: float) -> bytes:
    return bytes(int(seconds * RATE) * WIDTH * CHANNELS)


async def speak(server: WyomingServerProcess, text: str) -> bytes:
    """Our TTS says `text`; the audio is converted to the satellite format."""
    speech = (await synthesize(server.port, text)).speech
    converter = AudioChunkConverter(rate=RATE, width=WIDTH, channels=CHANNELS)
    chunk = AudioChunk(
        rate=speech.rate, width=speech.width, channels=speech.channels, audio=speech.audio
    )
    return converter.convert(chunk).audio


def _last_loud_byte(pcm: bytes, threshold: int = 600) -> int:
    """Offset just past the last sample louder than `threshold` (Piper pads with quiet)."""
    for end in range(len(pcm) - WIDTH, -1, -WIDTH):
        if abs(int.from_bytes(pcm[end : end + WIDTH], "little", signed=True)) > threshold:
            return end + WIDTH
    return 0


async def spoken_request(server: WyomingServerProcess, question: str) -> Utterance:
    """'Hey Jarvis', a short pause, the question, then silence."""
    spoken = silence(0.5) + await speak(server, "Hey Jarvis.") + silence(0.3)
    asked = await speak(server, question)
    speech_end = len(spoken) + _last_loud_byte(asked)
    return Utterance(spoken + asked + silence(2.0), speech_end=speech_end)


def wav_duration(data: bytes) -> tuple[float, int]:
    """Seconds and peak amplitude of a WAV file's audio.

    HA streams WAV with a placeholder length in the header, so the audio is what follows the
    `data` chunk header, whatever the header says.
    """
    with wave.open(BytesIO(data)) as wav:
        rate, width, channels = wav.getframerate(), wav.getsampwidth(), wav.getnchannels()
    audio = data[data.index(b"data") + 8 :]
    peak = max(
        (
            abs(int.from_bytes(audio[i : i + width], "little", signed=True))
            for i in range(0, len(audio) - width + 1, width)
        ),
        default=0,
    )
    return len(audio) / (rate * width * channels), peak
