"""Spoken commands through the real Raspberry Pi satellite program, in real time.

    .venv/bin/python -m benchmarks.real_satellite [--languages en,fr] [--count 12]
        [--model NAME]

The setup of tests/e2e/test_real_satellite.py: `wyoming-satellite` from PyPI (1.0.0, set up
by scripts/test.sh) in local-wake mode against our wake server, its microphone a program that
plays recorded speech in real time in room noise, its speaker one that records the answers;
HA's test-harness core adds it with its `wyoming` config flow (and a stand-in that answers
HA's ping, which 1.0.0 ignores: harness/wyoming_tap.py); an Assist pipeline per language with
our STT and TTS and the Heisenberg agent (llama-server with the launcher's default model), HA's
Assist API, over the small home of harness/fake_home.py. One satellite per language: English
says "Hey Jarvis" (hey_jarvis), French "Okay Nabu" (okay_nabu) in the French voice; each
command of benchmarks/real_satellite_commands.py is said once, after the previous answer has
had the time to play.

Per language:
  wake detected     the command's wake word found by our wake server in the satellite's stream
  errors/chunk      `error` events our wake server sent per audio chunk it got (must be 0)
  transcript right  HA's transcript within a word error rate of 0.25 of what was said
  device right      the device in the state the command asks for, after the run
  intelligible      the answer audio the sound program got, transcribed back by our STT, within
                    a word error rate of 0.35 (English) / 0.5 (French: Pico + Whisper base) of
                    the agent's answer text
  end of speech → first audio
                    HA's end-of-speech decision (the pipeline's stt-vad-end) to the first bytes of
                    answer audio at the satellite's sound program: median and worst
  held              answers that began with the holding phrase ("One moment, please…")
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from homeassistant import loader
from homeassistant.components.assist_pipeline import PipelineEventType
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import async_test_home_assistant
from wyoming.tts import SynthesizeVoice

import custom_components.heisenberg  # noqa: F401 - HA finds the integration once imported
from custom_components.heisenberg.apologies import without_holding_phrase
from harness.assist_pipeline import add_pipeline, add_voice_assistant
from harness.audio_clip import AudioClip
from harness.fake_home import async_build_home
from harness.ha_satellite import (
    SatelliteInHA,
    SatelliteRun,
    add_satellite,
    choose_pipeline,
    remove_satellite,
    wait_for,
)
from harness.real_satellite import RealSatellite
from harness.scoring import word_error_rate
from harness.servers import ours, running
from harness.spoken_requests import said_to_a_satellite
from harness.wyoming_client import transcript_text
from harness.wyoming_tap import WyomingTap
from launcher.llama_server import LlamaServerProcess, find_llama_server
from launcher.llm_models import resolve_model
from launcher.process import cache_dir, free_port

from .real_satellite_commands import COMMANDS, VOICE, WAKE, SpokenCommand

TRANSCRIPT_WER = 0.25
INTELLIGIBLE_WER = {"en": 0.35, "fr": 0.5}
RUN_TIMEOUT = 45.0  # from the end of the recording: a run that never ends is a failure


@dataclass
class Outcome:
    command: SpokenCommand
    detections: int = 0
    transcript: str = ""
    state: str | None = None
    answer: str = ""
    spoken: str = ""  # the text the answer audio says (a holding phrase included)
    heard_back: str = ""
    to_audio: float | None = None  # stt-vad-end → first answer audio at the sound program
    # From stt-vad-end to the transcript, the first answer text, the first answer audio.
    stages: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def heard_right(self) -> bool:
        return bool(self.transcript) and (
            word_error_rate(self.command.text, self.transcript) <= TRANSCRIPT_WER
        )

    def intelligible(self, language: str) -> bool:
        """The answer audio, heard back, says the answer text."""
        limit = INTELLIGIBLE_WER[language]
        return bool(self.spoken) and word_error_rate(self.spoken, self.heard_back) <= limit

    @property
    def held(self) -> bool:
        """The answer began with the holding phrase."""
        return bool(self.spoken) and without_holding_phrase(self.spoken) != self.spoken

    def line(self) -> str:
        took = "-" if self.to_audio is None else f"{self.to_audio:.2f} s"
        return (
            f"{self.command.text!r}: wake {self.detections}, heard {self.transcript!r}, "
            f"{self.command.entity_id}={self.state}, answer {self.answer!r} "
            f"(heard back {self.heard_back!r}), end of speech → audio {took} "
            f"{' '.join(self.errors)}"
        )


@dataclass
class Rig:
    """One language's satellite, in HA, and where our STT listens (to hear answers back)."""

    hass: HomeAssistant
    satellite: RealSatellite
    in_ha: SatelliteInHA
    language: str
    stt_port: int


@dataclass
class LanguageResult:
    language: str
    outcomes: list[Outcome] = field(default_factory=list)
    chunks: int = 0
    wake_errors: int = 0


async def one_command(rig: Rig, command: SpokenCommand, said: AudioClip) -> Outcome:
    hass, satellite, in_ha = rig.hass, rig.satellite, rig.in_ha
    outcome = Outcome(command)
    domain = command.entity_id.split(".")[0]
    await hass.services.async_call(
        domain, command.before, {"entity_id": command.entity_id}, blocking=True
    )
    await hass.async_block_till_done()
    assert satellite.wake_tap is not None
    detections = len(satellite.wake_tap.of_type("detection", "to_client"))
    runs, answers = len(in_ha.runs), len(satellite.answers())
    done_file = satellite.say(said).with_suffix(".done")
    ended = False

    def finished() -> bool:
        nonlocal ended
        ended = len(in_ha.runs) > runs and in_ha.runs[runs].ended
        # No run 4 s after the recording ended: the wake word was missed.
        missed = len(in_ha.runs) == runs and done_file.exists()
        return ended or (missed and time.monotonic() - float(done_file.read_text()) > 4.0)

    try:
        await wait_for(finished, said.seconds + RUN_TIMEOUT, "the run to end")
    except TimeoutError as err:
        outcome.errors.append(str(err).splitlines()[0])
    outcome.detections = len(satellite.wake_tap.of_type("detection", "to_client")) - detections
    if not ended:
        if len(in_ha.runs) == runs:
            outcome.errors.append("no pipeline run")
        else:
            seen = [e.type.value for _, e in in_ha.runs[runs].events]
            outcome.errors.append(f"run not ended, events: {seen}")
        return outcome
    run = in_ha.runs[runs]
    await hass.async_block_till_done()
    state = hass.states.get(command.entity_id)
    outcome.state = state.state if state else None
    outcome.transcript, outcome.answer = run.transcript or "", run.answer or ""
    outcome.spoken = run.spoken
    outcome.errors += [f"{e.get('code')}: {e.get('message')}" for e in run.errors]
    await _take_answer(rig, run, answers, outcome)
    return outcome


async def _take_answer(rig: Rig, run: SatelliteRun, answers: int, outcome: Outcome) -> None:
    """The answer the sound program recorded: when it began, what it says; then the time it
    takes to play, so the next command is not said over it."""
    satellite = rig.satellite
    try:
        await wait_for(lambda: len(satellite.answers()) > answers, 20, "the answer audio")
    except TimeoutError:
        outcome.errors.append("no answer audio")
        return
    answer = satellite.answers()[answers]
    speech = answer.audio.to_16k_mono()
    outcome.heard_back = await transcript_text(rig.stt_port, speech, rig.language)
    if (vad_end := run.first(PipelineEventType.STT_VAD_END)) is not None:
        outcome.to_audio = answer.first_audio - vad_end[0]
        stt_end = run.first(PipelineEventType.STT_END)
        marks = {
            "transcript": stt_end[0] if stt_end else None,
            "first text": run.first_text_at,
            "first audio": answer.first_audio,
        }
        outcome.stages = {k: at - vad_end[0] for k, at in marks.items() if at is not None}
    await asyncio.sleep(max(0.0, answer.first_audio + answer.audio.seconds - time.monotonic()))
    await asyncio.sleep(1.0)  # the user takes a breath before the next command


async def one_language(
    hass: HomeAssistant, language: str, count: int, wyoming_port: int, folder: Path
) -> LanguageResult:
    result = LanguageResult(language)
    wake_word, wake_text = WAKE[language]
    voice = SynthesizeVoice(name=VOICE[language]) if VOICE[language] else None
    commands = COMMANDS[language][:count]
    print(f"{language}: synthesizing {len(commands)} spoken commands...", file=sys.stderr)
    said = [
        await said_to_a_satellite(
            wyoming_port, wake_text, c.text, voice=voice, wake_voice=voice, seed=i
        )
        for i, c in enumerate(commands)
    ]
    satellite = RealSatellite(f"Satellite {language}", folder / language, wyoming_port)
    satellite.wake_words = [wake_word]
    await satellite.start()
    ha_link = await WyomingTap("127.0.0.1", satellite.port, answer_pings=True).start()
    try:
        in_ha = await add_satellite(hass, "127.0.0.1", ha_link.port)
        await choose_pipeline(hass, in_ha, f"Heisenberg {language}")
        wake = satellite.wake_tap
        assert wake is not None

        await wait_for(
            lambda: satellite.listening(ha_link), 20, "the satellite", satellite.log_tail
        )
        rig = Rig(hass, satellite, in_ha, language, wyoming_port)
        for command, clip in zip(commands, said, strict=True):
            outcome = await one_command(rig, command, clip)
            result.outcomes.append(outcome)
            print(f"{language}: {outcome.line()}", file=sys.stderr)
        result.chunks = len(wake.of_type("audio-chunk", "to_server"))
        result.wake_errors = len(wake.of_type("error", "to_client"))
        await remove_satellite(hass, in_ha)
    finally:
        await satellite.close()
        await ha_link.close()
    return result


async def measure(
    languages: list[str], count: int, wyoming_port: int, llama_url: str
) -> list[LanguageResult]:
    results = []
    async with async_test_home_assistant() as hass:
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)  # let HA load custom integrations
        assert await async_setup_component(hass, "homeassistant", {})
        await async_build_home(hass)  # before the agent, so its warm-up lists the devices
        first = languages[0]
        await add_voice_assistant(
            hass, wyoming_port, llama_url, language=first, name=f"Heisenberg {first}"
        )
        for language in languages[1:]:
            await add_pipeline(hass, language, name=f"Heisenberg {language}")
        with tempfile.TemporaryDirectory(prefix="real-satellite-") as folder:
            for language in languages:
                results.append(
                    await one_language(hass, language, count, wyoming_port, Path(folder))
                )
        await hass.async_stop(force=True)
    return results


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f} %)" if whole else "-"


def print_report(results: list[LanguageResult], setup: str) -> None:
    print(f"\n{setup}\n")
    header = (
        f"{'':<5}{'wake detected':>16}{'errors/chunk':>16}{'transcript right':>18}"
        f"{'device right':>16}{'intelligible':>16}{'end of speech → first audio':>34}{'held':>14}"
    )
    print(header + "\n" + "-" * len(header))
    for r in results:
        n, done = len(r.outcomes), r.outcomes
        times = [o.to_audio for o in done if o.to_audio is not None]
        timing = (
            f"median {statistics.median(times):.2f} s, worst {max(times):.2f} s" if times else "-"
        )
        print(
            f"{r.language:<5}"
            f"{_pct(sum(o.detections == 1 for o in done), n):>16}"
            f"{f'{r.wake_errors}/{r.chunks}':>16}"
            f"{_pct(sum(o.heard_right for o in done), n):>18}"
            f"{_pct(sum(o.state == o.command.state for o in done), n):>16}"
            f"{_pct(sum(o.intelligible(r.language) for o in done), n):>16}"
            f"{timing:>34}"
            f"{_pct(sum(o.held for o in done), n):>14}"
        )


def print_stages(results: list[LanguageResult]) -> None:
    """Medians from HA's end-of-speech decision (stt-vad-end) to each step."""
    steps = ["transcript", "first text", "first audio"]
    print(f"\nmedian from stt-vad-end to: {', '.join(steps)}")
    for r in results:
        cells = []
        for step in steps:
            times = [o.stages[step] for o in r.outcomes if step in o.stages]
            cells.append(f"{statistics.median(times):.2f} s" if times else "-")
        print(f"{r.language:<5}" + "".join(f"{c:>14}" for c in cells))


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--languages", default="en,fr", help="comma-separated: en, fr")
    parser.add_argument("--count", type=int, default=12, help="commands per language (≤ 12)")
    parser.add_argument("--model", help="model name or GGUF path (default: the launcher's)")
    args = parser.parse_args()
    languages = args.languages.split(",")
    print(f"load average at start: {load()} ({os.cpu_count()} CPUs)")
    logs = cache_dir()
    llama = LlamaServerProcess(
        model=resolve_model(args.model), binary=find_llama_server(), port=free_port(),
        log_path=logs / "bench-real-satellite-llama.log",
    )  # fmt: skip
    wyoming = ours("bench-real-satellite-wyoming", "wyoming_servers", debug=False)
    with running(wyoming, logs) as voice:
        try:
            llama.start()
            results = asyncio.run(measure(languages, args.count, voice.port, llama.url))
        finally:
            llama.stop()
    print_report(results, f"wyoming-satellite 1.0.0, llama-server {llama.model.name}")
    print_stages(results)
    print(f"load average at end: {load()}")


if __name__ == "__main__":
    if not Path("custom_components").is_dir():
        sys.exit("run from the repository root: .venv/bin/python -m benchmarks.real_satellite")
    main()
