"""Several satellites asking at once, through the real Home Assistant Assist pipeline.

    .venv/bin/python -m benchmarks.satellites [--counts 1,2,4,8] [--rounds 2]
        [--parallel N] [--model NAME] [--llama-arg=--opt ...]
        [--wyoming-arg=--stt-max-queue=8 ...]

The setup of benchmarks/voice_e2e.py: the HA test harness's instance, HA's `wyoming` integration
against our all-in-one Wyoming server, the Heisenberg agent against llama-server with the default
model (the launcher's command line), one Assist pipeline. For each count N, N satellites stream
their request ("Hey Jarvis", a pause, a question, silence) in real time at the same moment: each
its own pipeline run and conversation, each a different question (HA caches TTS audio per
sentence). Per N: how many runs were answered (answer audio of a real answer), the median and
worst time from audio-stop (HA decided the user stopped) to the first byte of answer audio, and
the median of each stage. Then, to find where the time goes, each round's stages sorted (a
staircase is a queue), and what llama-server reported for the agent's completions (tokens
evaluated / reused from the cache, prompt time, slot).

Targets (the issue): 8 at once all answered with the worst ≤ 4 s; 2 at once ≤ 1.5 x one.
By default the satellites stream the wake word to HA (our wake server detects it) and HA's
duplicate wake-up policy (the same wake word within 2 s elsewhere is one person heard twice,
refused) is switched off for the benchmark: N people asking at once is what is measured.
`--on-device-wake` is a satellite that detects its wake word itself (the pipeline starts at STT).
The machine's load average is printed at the start, per count and at the end: on a shared 2-core
machine the timings are only as good as the load lets them be.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from homeassistant import loader
from homeassistant.components.assist_pipeline import (
    PipelineEvent,
    PipelineEventType,
    PipelineStage,
)
from homeassistant.components.assist_pipeline import run as pipeline_run
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import async_test_home_assistant

import custom_components.heisenberg  # noqa: F401 - HA finds the integration once imported
from benchmarks.satellites_report import (
    APOLOGIES,
    TOTAL,
    Completion,
    CountResult,
    Outcome,
    ms,
    print_report,
)
from custom_components.heisenberg import llama_client
from custom_components.heisenberg.apologies import without_holding_phrase
from harness.assist_pipeline import add_voice_assistant, of_type, run_pipeline
from harness.audio_clip import AudioClip
from harness.servers import ours, running
from harness.spoken_requests import speak, spoken_request
from launcher.llama_server import LlamaServerProcess, find_llama_server
from launcher.llm_models import resolve_model
from launcher.process import cache_dir, free_port

COUNTRIES = [
    "France", "Spain", "Germany", "Japan", "Canada", "Egypt", "Peru", "Norway", "Kenya",
    "Greece", "Chile", "Italy", "Portugal", "Sweden", "Finland", "Poland", "Austria", "Ireland",
    "Belgium", "Denmark", "Hungary", "Turkey", "India", "China", "Mexico", "Brazil",
    "Argentina", "Australia", "Russia", "Cuba", "Morocco", "Nigeria", "Ghana", "Vietnam",
    "Thailand", "Iran", "Iraq", "Israel", "Colombia", "Venezuela", "Ukraine", "Romania",
    "Bulgaria", "Croatia", "Serbia", "Switzerland", "Netherlands", "Scotland", "Wales",
    "Iceland", "Ethiopia", "Senegal", "Nepal", "Mongolia", "Indonesia", "Pakistan", "Syria",
    "Jordan", "Lebanon", "Bolivia", "Ecuador", "Uruguay", "Paraguay", "Jamaica", "Tunisia",
]  # fmt: skip
QUESTIONS = [f"What is the capital of {country}?" for country in COUNTRIES]


def watch_completions() -> list[Completion]:
    """Record the final payload of every completion the agent streams (llama-server's own
    figures), by wrapping the client's hook for it. Benchmark-only instrumentation."""
    seen: list[Completion] = []
    original: Callable[..., None] = llama_client.record_final_payload

    def recording(stats: Any, payload: dict[str, Any]) -> None:
        seen.append(
            Completion(time.monotonic(), payload.get("timings") or {}, payload.get("id_slot", -1))
        )
        original(stats, payload)

    llama_client.record_final_payload = recording
    return seen


async def one_satellite(
    hass: HomeAssistant, pipeline_id: str, question: str, request: AudioClip, wake: bool
) -> Outcome:
    outcome = Outcome(question)
    stage = PipelineStage.WAKE_WORD if wake else PipelineStage.STT
    try:
        run = await run_pipeline(hass, pipeline_id, request, start_stage=stage)
    except Exception as err:  # a failed run is a result, counted as such
        outcome.errors.append(f"{type(err).__name__}: {err}")
        return outcome
    outcome.marks, outcome.audio_bytes = run.marks, len(run.audio)
    for error in of_type(run.events, PipelineEventType.ERROR):
        outcome.errors.append(f"{error.get('code')}: {error.get('message')}")
    if stt := of_type(run.events, PipelineEventType.STT_END):
        outcome.heard = stt[0].get("stt_output", {}).get("text", "")
    if intent := of_type(run.events, PipelineEventType.INTENT_END):
        speech = intent[0]["intent_output"]["response"]["speech"]
        outcome.answer = speech.get("plain", {}).get("speech", "")
    if (at := answer_text_at(run.events)) is not None and "stt-end" in run.marks:
        outcome.marks["answer_text"] = run.marks["stt-end"] + at
    return outcome


def answer_text_at(events: list[PipelineEvent]) -> float | None:
    """Seconds from stt-end to the first text of the model's own answer (not the holding
    phrase, not an apology), by the events' timestamps."""
    stt_end = next((e for e in events if e.type is PipelineEventType.STT_END), None)
    if stt_end is None:
        return None
    text = ""
    for event in events:
        delta = (event.data or {}).get("chat_log_delta") or {}
        if event.type is not PipelineEventType.INTENT_PROGRESS or not delta.get("content"):
            continue
        text += delta["content"]
        rest = without_holding_phrase(text).strip()
        if rest.startswith(("…", *APOLOGIES)):
            return None
        if rest:
            start = datetime.fromisoformat(stt_end.timestamp)
            return (datetime.fromisoformat(event.timestamp) - start).total_seconds()
    return None


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


async def requests_for(port: int, questions: list[str], wake: bool) -> list[AudioClip]:
    """'Hey Jarvis', a pause, the question, silence; without the wake word (a satellite that
    detects it itself streams what follows it) when `wake` is False."""
    clips = [await spoken_request(port, q) for q in questions]
    if wake:
        return clips
    # spoken_request's wake part: "Hey Jarvis." with 0.5 s of silence before and 0.3 s after
    skip = len((await speak(port, "Hey Jarvis.")).with_silence(before=0.5, after=0.3).audio)
    return [
        AudioClip(c.audio[skip:], speech_end=None if c.speech_end is None else c.speech_end - skip)
        for c in clips
    ]


async def measure(
    counts: list[int], rounds: int, wyoming_port: int, llama_url: str, wake: bool
) -> list[CountResult]:
    needed = 1 + rounds * sum(counts)
    if needed > len(QUESTIONS):
        sys.exit(f"{needed} runs need {needed} different questions; there are {len(QUESTIONS)}")
    print(f"synthesizing {needed} spoken requests...", file=sys.stderr)
    clips = await requests_for(wyoming_port, QUESTIONS[:needed], wake)
    requests = list(zip(QUESTIONS[:needed], clips, strict=True))
    completions = watch_completions()
    results = [CountResult(n) for n in counts]
    async with async_test_home_assistant() as hass:
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)  # let HA load custom integrations
        pipeline_id = await add_voice_assistant(hass, wyoming_port, llama_url)
        warm = await one_satellite(hass, pipeline_id, *requests.pop(0), wake)  # not counted
        print(f"warm-up run: {warm.heard!r} → {warm.answer!r} {warm.errors}", file=sys.stderr)
        for round_index in range(rounds):
            for result in results:
                batch, requests = requests[: result.count], requests[result.count :]
                before, first = load(), len(completions)
                await asyncio.sleep(2)  # let the previous round's last bits settle
                outcomes = await asyncio.gather(
                    *(one_satellite(hass, pipeline_id, q, r, wake) for q, r in batch)
                )
                result.loads.append(f"{before} → {load()}")
                result.rounds.append(list(outcomes))
                result.outcomes += outcomes
                result.completions.append(completions[first:])
                for o in outcomes:
                    total = o.span_ms(*TOTAL)
                    print(
                        f"round {round_index + 1} N={result.count}: {o.heard!r} → {o.answer!r} "
                        f"total {ms(total)} ms {' '.join(o.errors)}",
                        file=sys.stderr,
                    )
        await hass.async_stop(force=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--counts", default="1,2,4,8", help="satellites at once, per step")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--parallel", type=int, help="llama-server slots (default: launcher's)")
    parser.add_argument("--model", help="model name or GGUF path (default: the launcher's)")
    parser.add_argument(
        "--llama-arg", action="append", default=[], help="extra llama-server option (repeatable)"
    )
    parser.add_argument(
        "--wyoming-arg",
        action="append",
        default=[],
        help="extra Wyoming server option, e.g. --wyoming-arg=--stt-max-queue=8 (repeatable)",
    )
    parser.add_argument(
        "--on-device-wake",
        action="store_true",
        help="satellites that detect the wake word themselves: the pipeline starts at STT",
    )
    parser.add_argument(
        "--ha-wake-cooldown",
        action="store_true",
        help="keep HA's duplicate wake-up policy (the same wake word within 2 s on another "
        "satellite is refused as the same person heard twice); off by default: N different "
        "people saying it at once is what is measured",
    )
    args = parser.parse_args()
    counts = [int(n) for n in args.counts.split(",")]
    print(f"load average at start: {load()} ({os.cpu_count()} CPUs)")
    logs = cache_dir()
    llama = LlamaServerProcess(
        model=resolve_model(args.model), binary=find_llama_server(), port=free_port(),
        log_path=logs / "bench-satellites-llama.log", extra_args=args.llama_arg,
    )  # fmt: skip
    if args.parallel:
        llama.parallel = args.parallel
    setup = f"llama-server {llama.model.name} --parallel {llama.parallel}"
    setup = f"{setup} {' '.join(args.llama_arg)}".strip()
    if args.wyoming_arg:
        setup += f", wyoming {' '.join(args.wyoming_arg)}"
    wake = not args.on_device_wake
    if wake and not args.ha_wake_cooldown:
        pipeline_run.WAKE_WORD_COOLDOWN = 0  # type: ignore[misc]
    setup += (
        ", wake word on the satellite"
        if not wake
        else f", wake word in HA (duplicate cooldown {pipeline_run.WAKE_WORD_COOLDOWN} s)"
    )
    wyoming = ours("bench-satellites-wyoming", "wyoming_servers", *args.wyoming_arg, debug=False)
    with running(wyoming, logs) as voice:
        try:
            llama.start()
            results = asyncio.run(measure(counts, args.rounds, voice.port, llama.url, wake))
        finally:
            llama.stop()
    print_report(results, args.rounds, setup)
    print(f"load average at end: {load()}")


if __name__ == "__main__":
    if not Path("custom_components").is_dir():
        sys.exit("run from the repository root: .venv/bin/python -m benchmarks.satellites")
    main()
