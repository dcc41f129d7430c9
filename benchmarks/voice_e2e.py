"""End-to-end latency of a spoken question, in the same setup as the end-to-end test.

    .venv/bin/python -m benchmarks.voice_e2e [--runs 5]

A real Home Assistant core (the test harness's instance), HA's `wyoming` integration against our
all-in-one Wyoming server, the Heisenberg agent against llama-server with the default model, an
Assist pipeline; the request ("Hey Jarvis", a pause, the question, silence) is streamed in real
time like a satellite. Stages:

  HA's VAD                      HA waiting for silence after the speech (its own setting, 0.7 s of
                                silence by default; shown for information, not ours to shorten)
  STT                           audio-stop (HA decided the user stopped) → transcript
  LLM first token / answer done the agent's prompt, llama-server's first token, the rest of it
                                (HA starts speaking a short answer when it is complete)
  TTS                           answer → first byte of answer audio, fetched as a satellite does
  TOTAL                         end of the user's speech as HA detects it (audio-stop) → first
                                byte of answer audio; target < 1.5 s
"""

import argparse
import asyncio
import statistics
import sys
from pathlib import Path

from homeassistant import loader
from pytest_homeassistant_custom_component.common import async_test_home_assistant

import custom_components.heisenberg  # noqa: F401 - HA finds the integration once imported
from harness.assist_pipeline import add_voice_assistant, answer_of, run_pipeline
from harness.servers import ours, running
from harness.spoken_requests import spoken_request
from launcher.llama_server import LlamaServerProcess, find_llama_server
from launcher.llm_models import resolve_model
from launcher.process import cache_dir, free_port

STAGES = [
    ("(HA's VAD: end of speech → detected)", "speech_end", "stt-vad-end"),
    ("STT: audio-stop → transcript", "stt-vad-end", "stt-end"),
    ("LLM: transcript → first token", "stt-end", "first_delta"),
    ("LLM: first token → answer done", "first_delta", "intent-end"),
    ("TTS: answer → first audio byte", "intent-end", "first_audio"),
    ("TOTAL: end of speech → first audio", "stt-vad-end", "first_audio"),
]
# A different question each run: HA caches TTS audio per sentence, and a repeated answer would
# come from that cache instead of our TTS.
QUESTIONS = [
    "What is the capital of France?",
    "What is the capital of Spain?",
    "What is the capital of Germany?",
    "What is the capital of Japan?",
    "What is the capital of Canada?",
    "What is the capital of Egypt?",
    "What is the capital of Peru?",
    "What is the capital of Norway?",
    "What is the capital of Kenya?",
    "What is the capital of Greece?",
    "What is the capital of Chile?",
]


async def measure(runs: int, wyoming_port: int, llama_url: str) -> None:
    """Run the pipeline `runs` times (a new conversation each) and print the table."""
    async with async_test_home_assistant() as hass:
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)  # let HA load custom integrations
        pipeline_id = await add_voice_assistant(hass, wyoming_port, llama_url)
        samples: dict[str, list[float]] = {name: [] for name, _, _ in STAGES}
        for run in range(runs + 1):  # run 0 warms every part up and is not counted
            question = QUESTIONS[run % len(QUESTIONS)]
            request = await spoken_request(wyoming_port, question)
            result = await run_pipeline(hass, pipeline_id, request)
            marks = result.marks
            answer, _ = answer_of(result.events)
            print(f"run {run}: {question!r} → {answer!r}", file=sys.stderr)
            if run == 0:
                continue
            for name, start, end in STAGES:
                samples[name].append((marks[end] - marks[start]) * 1000)
        await hass.async_stop(force=True)
    print(f"\nEnd to end — {runs} runs, median (min-max), ms\n")
    print(f"{'stage':<38}{'median':>8}{'min':>8}{'max':>8}")
    for name, values in samples.items():
        print(f"{name:<38}{statistics.median(values):>8.0f}{min(values):>8.0f}{max(values):>8.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    logs = cache_dir()
    llama = LlamaServerProcess(
        model=resolve_model(None), binary=find_llama_server(), port=free_port(),
        log_path=logs / "bench-e2e-llama.log",
    )  # fmt: skip
    with running(ours("bench-e2e-wyoming", "wyoming_servers"), logs) as voice:
        try:
            llama.start()
            asyncio.run(measure(args.runs, voice.port, llama.url))
        finally:
            llama.stop()


if __name__ == "__main__":
    if not Path("custom_components").is_dir():
        sys.exit("run from the repository root: .venv/bin/python -m benchmarks.voice_e2e")
    main()
