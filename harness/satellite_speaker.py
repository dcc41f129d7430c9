"""A satellite's speaker, as the program wyoming-satellite runs with `--snd-command`.

    python -I -S harness/satellite_speaker.py OUT_DIR

wyoming-satellite starts its sound program when an answer's audio starts, writes the raw PCM
to its stdin (`aplay -r 22050 -c 1 -f S16_LE -t raw` on a Raspberry Pi) and closes it after the
answer. This one records instead of playing: each run writes `OUT_DIR/answer-<ns>.pcm` (the
audio as received) and, when the pipe closes, `answer-<ns>.json` with `first_audio` (the
`time.monotonic()` of its first bytes of audio; one clock for every process of this machine),
`last_audio` and `bytes`.

Its start counts in the time to the first answer audio, as `aplay`'s does on a Pi (a few
milliseconds): so it is run by file with `-I -S` (no site-packages, ~40 ms here) and imports
only what that needs; the same interpreter with the project's environment took 0.4 s to start.
"""

import json
import os
import sys
import time
from pathlib import Path


def record(out_dir: Path) -> None:
    name = f"answer-{time.monotonic_ns()}"
    first: float | None = None
    last: float | None = None
    size = 0
    with (out_dir / f"{name}.pcm").open("wb") as sink:
        while data := os.read(sys.stdin.fileno(), 65536):
            last = time.monotonic()
            first = first or last
            size += len(data)
            sink.write(data)
    summary = {"first_audio": first, "last_audio": last, "bytes": size}
    # Written last, and renamed in: a reader that sees the JSON sees the whole answer.
    partial = out_dir / f"{name}.json.partial"
    partial.write_text(json.dumps(summary))
    partial.rename(out_dir / f"{name}.json")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.split("\n\n")[1])
    record(Path(sys.argv[1]))
