"""One audio clip type for every test and benchmark: PCM bytes and their format."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from wyoming.audio import AudioChunk, AudioChunkConverter

RATE, WIDTH, CHANNELS = 16000, 2, 1  # what satellites stream and our STT/wake work in
CHUNK_SAMPLES = 1024  # 64 ms at 16 kHz, what HA sends per audio-chunk


@dataclass(frozen=True)
class AudioClip:
    """PCM audio; `speech_end` (byte offset) marks where the speaker stops, when known."""

    audio: bytes
    rate: int = RATE
    width: int = WIDTH
    channels: int = CHANNELS
    speech_end: int | None = None

    @property
    def frame_bytes(self) -> int:
        return self.width * self.channels

    @property
    def seconds(self) -> float:
        return len(self.audio) / (self.rate * self.frame_bytes)

    def silence(self, seconds: float) -> bytes:
        """Digital silence in this clip's format."""
        return bytes(int(seconds * self.rate) * self.frame_bytes)

    def with_silence(self, before: float = 0.0, after: float = 0.0) -> AudioClip:
        lead = self.silence(before)
        end = None if self.speech_end is None else len(lead) + self.speech_end
        return replace(self, audio=lead + self.audio + self.silence(after), speech_end=end)

    def then(self, *others: AudioClip) -> AudioClip:
        """This clip followed by others of the same format (speech_end of the last one that
        has it)."""
        audio, end = bytearray(self.audio), self.speech_end
        for other in others:
            if (other.rate, other.width, other.channels) != (self.rate, self.width, self.channels):
                raise ValueError("clips to join must have one format")
            if other.speech_end is not None:
                end = len(audio) + other.speech_end
            audio += other.audio
        return replace(self, audio=bytes(audio), speech_end=end)

    def to_16k_mono(self) -> AudioClip:
        """The clip as satellites send it: 16 kHz mono 16-bit."""
        if (self.rate, self.width, self.channels) == (RATE, WIDTH, CHANNELS):
            return self
        converter = AudioChunkConverter(rate=RATE, width=WIDTH, channels=CHANNELS)
        chunk = AudioChunk(
            rate=self.rate, width=self.width, channels=self.channels, audio=self.audio
        )
        end = None
        if self.speech_end is not None:
            end = int(self.speech_end / self.frame_bytes * RATE / self.rate) * WIDTH
        return AudioClip(converter.convert(chunk).audio, speech_end=end)

    def chunks(self, samples: int = CHUNK_SAMPLES) -> list[AudioChunk]:
        """The clip as audio-chunk events of `samples` samples."""
        return [
            AudioChunk(rate=self.rate, width=self.width, channels=self.channels, audio=piece)
            for piece, _ in self.pieces(samples)
        ]

    def pieces(self, samples: int = CHUNK_SAMPLES) -> Iterator[tuple[bytes, bool]]:
        """(piece, whether the speech has ended by the end of this piece)."""
        step = samples * self.frame_bytes
        end = len(self.audio) if self.speech_end is None else self.speech_end
        for start in range(0, len(self.audio), step):
            yield self.audio[start : start + step], start + step >= end
