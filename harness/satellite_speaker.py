"""A satellite's speaker, as the program wyoming-satellite runs with `--snd-command`.

    python -m harness.satellite_speaker OUT_DIR

wyoming-satellite starts its sound program when an answer's audio starts, writes the raw PCM
to its stdin (`aplay -r 22050 -c 1 -f S16_LE -t raw` on a Raspberry Pi) and closes it after the
answer. This one records instead of playing: each run writes `OUT_DIR/answer-<ns>.pcm` (the
audio as received) and, when the pipe closes, `answer-<ns>.json` with `first_audio` (the
`time.monotonic()` of its first bytes of audio; one clock for every process of this machine),
`last_audio` and `bytes`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path


def record(out_dir: Path) -> None:
    name = f"answer-{time.monotonic_ns()}"
    audio = out_dir / f"{name}.pcm"
    first: float | None = None
    last: float | None = None
    size = 0
    with audio.open("wb") as sink:
        while data := os.read(sys.stdin.fileno(), 65536):
            last = time.monotonic()
            first = first or last
            size += len(data)
            sink.write(data)
            sink.flush()
    summary = {"first_audio": first, "last_audio": last, "bytes": size}
    # Written last, and renamed in: a reader that sees the JSON sees the whole answer.
    partial = out_dir / f"{name}.json.partial"
    partial.write_text(json.dumps(summary))
    partial.rename(out_dir / f"{name}.json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path, help="folder for the recorded answers")
    record(parser.parse_args().out_dir)


if __name__ == "__main__":
    main()
