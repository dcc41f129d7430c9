"""The real Raspberry Pi satellite program, `wyoming-satellite` from PyPI, run as users run it.

`scripts/bootstrap.sh` (`ensure_wyoming_satellite`, called by `scripts/test.sh`) installs it in
its own virtual environment, `.cache/wyoming-satellite` (it pins `wyoming==1.4.1`, HA
another). `HEISENBERG_WYOMING_SATELLITE` may name another interpreter that has it.

`RealSatellite` runs it in local-wake mode: its wake word found by the wake server at
`wake_port` (`--wake-uri`), its microphone `harness/satellite_mic.py` (recordings queued in
`folder/mic`, played in real time in room noise) and its speaker
`harness/satellite_speaker.py` (answers recorded in `folder/answers`, with the time their
first bytes came). Both wake connections
and HA's go through `WyomingTap`s (`harness/wyoming_tap.py`), so a test sees every event.
"""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from launcher.process import ChildProcess, LaunchError, free_port, port_in_use

from .audio_clip import AudioClip
from .wyoming_tap import WyomingTap

ROOT = Path(__file__).resolve().parents[1]
VENV_PYTHON = ROOT / ".cache" / "wyoming-satellite" / "bin" / "python"
SPEAKER = Path(__file__).with_name("satellite_speaker.py")
SNDRATE = 22050  # wyoming-satellite's default --snd-command-rate (aplay's format on a Pi)


def satellite_python() -> Path:
    """The interpreter with wyoming-satellite installed, or LaunchError saying how to get it."""
    explicit = os.environ.get("HEISENBERG_WYOMING_SATELLITE")
    python = Path(explicit) if explicit else VENV_PYTHON
    if not python.is_file():
        raise LaunchError(
            f"wyoming-satellite is not installed ({python} is missing): `bash scripts/test.sh` "
            "sets it up (scripts/bootstrap.sh: ensure_wyoming_satellite)"
        )
    return python


@dataclass(frozen=True)
class Answer:
    """One answer the sound program received: its audio and when its first bytes came."""

    audio: AudioClip
    first_audio: float


@dataclass
class RealSatellite:
    """One wyoming-satellite process with its microphone and speaker programs."""

    name: str
    folder: Path  # its own: mic queue, answers, log
    wake_port: int  # our Wyoming server (wake service)
    wake_words: list[str] = field(default_factory=lambda: ["hey_jarvis"])
    port: int = 0
    wake_tap: WyomingTap | None = None  # satellite <-> wake server
    _child: ChildProcess | None = None
    _queued: int = 0

    @property
    def mic_dir(self) -> Path:
        return self.folder / "mic"

    @property
    def answers_dir(self) -> Path:
        return self.folder / "answers"

    @property
    def log(self) -> Path:
        return self.folder / "satellite.log"

    async def start(self, timeout: float = 30.0) -> RealSatellite:
        for folder in (self.mic_dir, self.answers_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self.wake_tap = await WyomingTap("127.0.0.1", self.wake_port).start()
        self.port = free_port()
        here = shlex.quote(sys.executable)
        command = [
            str(satellite_python()), "-m", "wyoming_satellite",
            "--name", self.name,
            "--uri", f"tcp://127.0.0.1:{self.port}",
            "--mic-command", f"{here} -m harness.satellite_mic {shlex.quote(str(self.mic_dir))}",
            # By file, without site-packages: it starts as fast as `aplay` would (its doc).
            "--snd-command", f"{here} -I -S {shlex.quote(str(SPEAKER))} "
            f"{shlex.quote(str(self.answers_dir))}",
            "--snd-command-rate", str(SNDRATE),
            "--wake-uri", f"tcp://127.0.0.1:{self.wake_tap.port}",
            *(arg for word in self.wake_words for arg in ("--wake-word-name", word)),
            "--no-zeroconf",
            "--debug",
        ]  # fmt: skip
        self._child = ChildProcess(self.name, self.log)
        # From the repository root: its mic and sound programs are this project's modules.
        self._child.spawn(command, cwd=ROOT)
        deadline = time.monotonic() + timeout
        while not port_in_use("127.0.0.1", self.port):
            if not self._child.is_running() or time.monotonic() > deadline:
                self.stop()
                raise LaunchError(f"wyoming-satellite did not start:\n{self.log_tail()}")
            await asyncio.sleep(0.1)
        return self

    def stop(self) -> None:
        if self._child is not None:
            self._child.stop(grace_seconds=5)

    async def close(self) -> None:
        self.stop()
        if self.wake_tap is not None:
            await self.wake_tap.close()

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.is_file() else ""

    def say(self, speech: AudioClip) -> Path:
        """Queue a recording (16 kHz mono) for the microphone; its `.started` file will hold
        the time its first sample was heard."""
        self._queued += 1
        name = f"{self._queued:04d}"
        partial = self.mic_dir / f"{name}.partial"
        partial.write_bytes(speech.to_16k_mono().audio)
        partial.rename(self.mic_dir / f"{name}.pcm")
        return self.mic_dir / f"{name}.started"

    def listening(self, ha_link: WyomingTap) -> bool:
        """Whether HA (through `ha_link`) has told it to run, and it has since asked the wake
        server for its wake word: from then on what it hears goes to the wake server."""
        run = ha_link.of_type("run-satellite", "to_server")
        detects = self.wake_tap.of_type("detect", "to_server") if self.wake_tap else []
        return bool(run) and any(d.at > run[0].at for d in detects)

    def answers(self) -> list[Answer]:
        """Every answer fully received so far, in order."""
        found = []
        summaries = self.answers_dir.glob("answer-*.json")
        for summary in sorted(summaries, key=lambda p: int(p.stem.removeprefix("answer-"))):
            facts = json.loads(summary.read_text())
            if facts["first_audio"] is None:
                continue  # a sound program run with no audio (an empty answer)
            audio = summary.with_suffix(".pcm").read_bytes()
            found.append(Answer(AudioClip(audio, rate=SNDRATE), facts["first_audio"]))
        return found
