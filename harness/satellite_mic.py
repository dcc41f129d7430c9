"""A satellite's microphone, as the program wyoming-satellite runs with `--mic-command`.

    python -m harness.satellite_mic QUEUE_DIR [--noise-dbfs -60]

Writes what a microphone would hear to stdout, in real time: raw 16 kHz mono 16-bit PCM (what
wyoming-satellite reads from `arecord -r 16000 -c 1 -f S16_LE -t raw`). A quiet room (Gaussian
noise, harness/room_noise.py) until a recording is queued; the recordings in QUEUE_DIR
(`NAME.pcm`, same format, written elsewhere and renamed in, so never read half-written) are
played in name order, each once, in room noise, and then the room again. For each one it writes
`NAME.started` (the `time.monotonic()` at which its first sample went out; one clock for every
process of this machine) and `NAME.done` when its last sample went out. Ends when the satellite
closes the pipe.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

from .audio_clip import RATE, WIDTH

CHUNK_SAMPLES = 1024  # 64 ms: what `arecord` gives wyoming-satellite per read by default


def _noise(dbfs: float, seconds: float, seed: int) -> bytes:
    samples = np.random.default_rng(seed).standard_normal(int(seconds * RATE))
    return (samples * 32768 * 10 ** (dbfs / 20)).clip(-32768, 32767).astype(np.int16).tobytes()


def _next_recording(queue: Path, played: set[str]) -> Path | None:
    waiting = sorted(p for p in queue.glob("*.pcm") if p.name not in played)
    return waiting[0] if waiting else None


def run(queue: Path, noise_dbfs: float) -> None:
    out = sys.stdout.buffer
    step = CHUNK_SAMPLES * WIDTH
    room = _noise(noise_dbfs, 10.0, seed=1)  # looped: 10 s of a quiet room
    room_at = 0
    played: set[str] = set()
    playing: tuple[Path, bytes, int] | None = None  # (recording, its audio, bytes sent)
    start = time.monotonic()
    sent = 0  # chunks written since `start`
    while True:
        if playing is None and (found := _next_recording(queue, played)) is not None:
            played.add(found.name)
            playing = (found, found.read_bytes(), 0)
        if playing is not None:
            path, audio, offset = playing
            chunk = audio[offset : offset + step]
            playing = (path, audio, offset + step)
        else:
            chunk = b""
        if len(chunk) < step:  # the room around and after a recording
            rest = step - len(chunk)
            piece = (room + room)[room_at : room_at + rest]
            room_at = (room_at + rest) % len(room)
            chunk += piece
        # Real time: each chunk leaves when a microphone would have finished recording it.
        delay = start + (sent + 1) * CHUNK_SAMPLES / RATE - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        out.write(chunk)
        out.flush()
        sent += 1
        if playing is not None and playing[2] == step:
            playing[0].with_suffix(".started").write_text(
                repr(time.monotonic() - step / (RATE * WIDTH))
            )
        if playing is not None and playing[2] >= len(playing[1]):
            playing[0].with_suffix(".done").write_text(repr(time.monotonic()))
            playing = None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("queue", type=Path, help="folder where recordings (NAME.pcm) appear")
    parser.add_argument("--noise-dbfs", type=float, default=-60.0, help="room noise level")
    args = parser.parse_args()
    try:
        run(args.queue, args.noise_dbfs)
    except BrokenPipeError, KeyboardInterrupt:
        # The satellite stopped reading: it is gone. No flush of stdout at exit either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


if __name__ == "__main__":
    main()
