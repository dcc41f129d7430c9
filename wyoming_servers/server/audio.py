"""The audio front door shared by STT and wake: speech formats in, 16 kHz mono s16 out.

Each stream has an `AudioInput`. It refuses formats that make no sense for speech (a clear
`error`, saying what is accepted) before allocating anything, carries a chunk's trailing partial
frame over to the next chunk, and converts with numpy: 8-bit unsigned, 16- or 32-bit signed PCM
to one scale, any number of channels averaged into one, the rate changed by band-limited
interpolation (`resample.py`). Chunks already in the target format (what Home Assistant sends)
pass through without a copy; small chunks convert on the event loop (well under a millisecond),
larger ones in a thread so other connections are served meanwhile.
"""

from __future__ import annotations

import asyncio
from math import ceil

import numpy as np
from wyoming.audio import AudioChunk

from .connection import ServiceError
from .resample import Resampler

RATE = 16000
WIDTH = 2
CHANNELS = 1

# Accepted input rates. Speech needs at least the telephone band (8 kHz); 192 kHz is the highest
# rate sound cards and WAV files use. Anything else is a mistake or an attack: at rate=1 each
# byte would become 16,000 samples, at huge rates a chunk would be a few samples of nothing.
MIN_RATE, MAX_RATE = 8000, 192000
# Sample widths in bytes: 8-bit unsigned, 16- and 32-bit signed little-endian PCM (what WAV and
# Wyoming's own converter use; no 24-bit).
WIDTHS = (1, 2, 4)
# Microphone arrays have up to 16 channels; twice that leaves room and refuses nonsense.
MAX_CHANNELS = 32
# The most audio one chunk may hold once converted. Satellites send 64 ms; a client uploading a
# file in one chunk needs at most what STT takes in one utterance (120 s). Checked before
# converting, so an absurd chunk allocates nothing (a chunk already in the target format is not
# copied: `--max-event-bytes` bounds it).
MAX_CHUNK_SECONDS = 120
# Chunks up to this much audio (at 16 kHz, and 8 bytes of input per sample) convert on the event
# loop: half a millisecond at most (measured; 0.1 ms for 64 ms of 48 kHz stereo), no more than a
# hand-off to a thread costs. Larger ones convert in a thread.
_INLINE_SAMPLES = 4000
# Input frames converted per numpy step: bounds the float copies of a large chunk.
_BLOCK_FRAMES = 1 << 16

# Frames quieter than this (RMS, int16 scale, about -50 dBFS) count as silence. Real
# microphones idle around -60 dBFS; speech is well above -40 dBFS.
SILENCE_RMS = 100.0
FRAME_SAMPLES = 480  # 30 ms at 16 kHz

Format = tuple[int, int, int]  # rate, width, channels
TARGET: Format = (RATE, WIDTH, CHANNELS)


class AudioFormatError(ServiceError):
    """A chunk or stream the front door refuses; the connection goes on."""


def check_format(rate: object, width: object, channels: object) -> Format:
    """The format if it is one we convert, else `AudioFormatError` saying what is accepted."""
    if (
        isinstance(rate, int)
        and isinstance(width, int)
        and isinstance(channels, int)
        and not any(isinstance(v, bool) for v in (rate, width, channels))  # JSON true is no 1
        and MIN_RATE <= rate <= MAX_RATE
        and width in WIDTHS
        and 1 <= channels <= MAX_CHANNELS
    ):
        return rate, width, channels
    raise AudioFormatError(
        f"unsupported audio format (rate={rate!r}, width={width!r}, channels={channels!r}): "
        f"accepted are rates of {MIN_RATE}-{MAX_RATE} Hz, widths of 1, 2 or 4 bytes "
        f"(8-bit unsigned, 16- or 32-bit signed PCM) and 1-{MAX_CHANNELS} channels",
        "unsupported-audio-format",
    )


class AudioInput:
    """One stream's converter to 16 kHz mono 16-bit PCM."""

    def __init__(self) -> None:
        self._format: Format = TARGET
        self._carry = b""  # the last chunk's trailing partial frame, in `_format`
        self._resampler: Resampler | None = None

    async def convert(self, chunk: AudioChunk) -> bytes:
        """The chunk's audio at 16 kHz mono s16 (may be empty); `AudioFormatError` if refused."""
        rate, width, channels = fmt = check_format(chunk.rate, chunk.width, chunk.channels)
        if fmt != self._format:  # a new format mid-stream: what was kept is of the old one
            self._format, self._carry = fmt, b""
            self._resampler = Resampler(rate, RATE) if rate != RATE else None
        audio = self._carry + chunk.audio if self._carry else chunk.audio
        frame = width * channels
        whole = len(audio) - len(audio) % frame
        self._carry = bytes(audio[whole:])
        if fmt == TARGET:
            return audio if whole == len(audio) else audio[:whole]
        frames = whole // frame
        samples = frames if rate == RATE else ceil(frames * RATE / rate)
        if samples > MAX_CHUNK_SECONDS * RATE:
            self._carry = b""
            raise AudioFormatError(
                f"audio chunk of {samples / RATE:.0f} s; at most {MAX_CHUNK_SECONDS} s per chunk",
                "chunk-too-long",
            )
        pcm = memoryview(audio)[:whole]
        if samples <= _INLINE_SAMPLES and len(pcm) <= _INLINE_SAMPLES * 8:
            return self._convert(pcm, width, channels)
        return await asyncio.to_thread(self._convert, pcm, width, channels)

    def _convert(self, pcm: memoryview, width: int, channels: int) -> bytes:
        """Whole frames -> 16 kHz mono s16, a block of frames at a time."""
        step = _BLOCK_FRAMES * width * channels
        pieces = []
        for offset in range(0, len(pcm), step):
            mono = _mono(pcm[offset : offset + step], width, channels)
            pieces.append(mono if self._resampler is None else self._resampler.process(mono))
        samples = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
        return np.clip(np.rint(samples), -32768, 32767).astype("<i2").tobytes()


def _mono(pcm: memoryview, width: int, channels: int) -> np.ndarray:
    """Frames of any width and channel count -> float32 samples on the int16 scale, the mean of
    the channels (a microphone array's channels hear the same voice)."""
    if width == 1:  # unsigned, silence at 128
        samples = np.frombuffer(pcm, dtype=np.uint8).astype(np.float32)
        samples -= 128
        samples *= 256
    elif width == 2:
        samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32)
    else:
        samples = np.frombuffer(pcm, dtype="<i4").astype(np.float32)
        samples *= 1 / 65536
    if channels == 1:
        return samples
    return samples.reshape(-1, channels).mean(axis=1, dtype=np.float32)


def is_silent(pcm: bytes | bytearray | memoryview, threshold: float = SILENCE_RMS) -> bool:
    """True when no 30 ms frame of this 16-bit PCM rises above the silence threshold (RMS).

    Shorter audio is one frame; a trailing partial frame is dropped. Called on every wake word
    job, so it compares each frame's energy with the threshold's in one pass (no square root,
    no mean: numpy's `mean` alone cost more than the rest).
    """
    samples = np.frombuffer(pcm, dtype=np.int16)
    usable = len(samples) - len(samples) % FRAME_SAMPLES or len(samples)
    if usable == 0:
        return True
    frames = samples[:usable].astype(np.float32).reshape(-1, min(usable, FRAME_SAMPLES))
    energy = np.einsum("ij,ij->i", frames, frames)
    return bool(np.maximum.reduce(energy) < threshold * threshold * frames.shape[1])
