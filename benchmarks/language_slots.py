"""Two languages, two slots, two satellites: what each first question finds in llama-server.

    .venv/bin/python -m benchmarks.language_slots [--model NAME] [--rounds 2]

A bilingual home (HA in English, an English and a French Assist pipeline for the agent, the
harness home's devices exposed), the agent against llama-server with the launcher's command
line (2 slots, prompt cache in RAM, slot files). After the warm-up, pairs of questions arrive
at the same moment, as from two satellites, each a new conversation: English + French, English
+ English, French + French, then one of each alone. Printed per question: llama-server's prompt
tokens evaluated / reused, its slot, and the time to the first token. A question that finds
its language's prefix evaluates a few dozen tokens; one that does not, the whole prefix.
"""

import argparse
import asyncio
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homeassistant import loader
from homeassistant.components import conversation
from homeassistant.components.assist_pipeline.pipeline import KEY_ASSIST_PIPELINE
from homeassistant.const import MATCH_ALL
from homeassistant.core import Context, HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import async_test_home_assistant

import custom_components.heisenberg  # noqa: F401 - HA finds the integration once imported
from custom_components.heisenberg import llama_client
from harness.fake_home import async_build_home
from launcher.llama_server import LlamaServerProcess, find_llama_server
from launcher.llm_models import resolve_model
from launcher.process import cache_dir, free_port

from .ha_agent import async_add_agent
from .questions import HOME_NAME

QUESTIONS = {
    "en": ["What is the capital of Peru?", "Who wrote Hamlet?", "What is nine times four?"],
    "fr": ["Quelle est la capitale du Pérou ?", "Qui a écrit Hamlet ?", "Combien font neuf fois quatre ?"],
}  # fmt: skip
PAIRS = (("en", "fr"), ("en", "en"), ("fr", "fr"), ("fr",), ("en",))


async def add_pipelines(hass: HomeAssistant, agent_id: str) -> None:
    """An English and a French pipeline for the agent, as HA's form makes them (text only)."""
    assert await async_setup_component(hass, "assist_pipeline", {})
    store = hass.data[KEY_ASSIST_PIPELINE].pipeline_store
    for language in ("en", "fr"):
        await store.async_create_item(
            {
                "name": f"Heisenberg {language}", "language": language,
                "conversation_engine": agent_id, "conversation_language": MATCH_ALL,
                "stt_engine": None, "stt_language": language, "tts_engine": None,
                "tts_language": None, "tts_voice": None, "wake_word_entity": None,
                "wake_word_id": None,
            }
        )  # fmt: skip


@dataclass
class Sent:
    """One completion the agent asked for, and llama-server's final figures for it."""

    prompt: str
    stream: Any
    payload: dict[str, Any] = field(default_factory=dict)


def watch_requests() -> list[Sent]:
    """Every streamed completion with its prompt and final payload (benchmark-only wrapping of
    the client, which still talks to the real server)."""
    sent: list[Sent] = []
    streaming = llama_client.LlamaServerClient.stream_completion
    recording = llama_client.record_final_payload

    def stream(self: Any, request: Any, **kwargs: Any) -> Any:
        result = streaming(self, request, **kwargs)
        sent.append(Sent(request.prompt, result))
        return result

    def final(stats: Any, payload: dict[str, Any]) -> None:
        for item in sent:
            if item.stream.stats is stats:
                item.payload = payload
        recording(stats, payload)

    llama_client.LlamaServerClient.stream_completion = stream  # type: ignore[method-assign]
    llama_client.record_final_payload = final
    return sent


async def one(hass: HomeAssistant, agent_id: str, language: str, n: int) -> tuple[str, float]:
    text = QUESTIONS[language][n % len(QUESTIONS[language])]
    started = time.monotonic()
    await conversation.async_converse(
        hass, text, None, Context(), language=language, agent_id=agent_id
    )
    return text, time.monotonic() - started


def describe(language: str, text: str, elapsed: float, sent: list[Sent]) -> str:
    mine = next((item for item in reversed(sent) if text in item.prompt), None)
    if mine is None:
        return f"{language} {text!r}: no completion"
    timings = mine.payload.get("timings") or {}
    ttft = mine.stream.stats.time_to_first_token or 0.0
    return (
        f"{language} {timings.get('prompt_n')}/{timings.get('cache_n')} evaluated/reused "
        f"@ slot {mine.payload.get('id_slot')}, first token {ttft:.2f} s, done {elapsed:.2f} s"
    )


async def measure(url: str, rounds: int) -> None:
    async with async_test_home_assistant() as hass:
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
        await hass.config.async_update(location_name=HOME_NAME, language="en")
        assert await async_setup_component(hass, "homeassistant", {})
        assert await async_setup_component(hass, "conversation", {})
        await async_build_home(hass)
        entry, agent_id = await async_add_agent(hass, url)
        await add_pipelines(hass, agent_id)
        await hass.config_entries.async_reload(entry.entry_id)  # warm with the pipelines
        await hass.async_block_till_done(wait_background_tasks=True)
        server = entry.runtime_data.pool.primary
        print(f"warmed: {sorted(server.warmed_prefixes)}; slots: "
              f"{ {k: v[-40:] for k, v in server.slot_prefixes.items()} }")  # fmt: skip
        sent = watch_requests()
        n = 0
        for round_index in range(rounds):
            for pair in PAIRS:
                asked = await asyncio.gather(
                    *(one(hass, agent_id, language, n + i) for i, language in enumerate(pair))
                )
                n += len(pair)
                print(f"round {round_index + 1} {'+'.join(pair)}:", flush=True)
                for language, (text, elapsed) in zip(pair, asked, strict=True):
                    print(f"    {describe(language, text, elapsed, sent)}", flush=True)
        await hass.async_stop(force=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", help="model name or GGUF path (default: the launcher's)")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    llama = LlamaServerProcess(
        model=resolve_model(args.model), binary=find_llama_server(), port=free_port(),
        log_path=cache_dir() / "bench-language-slots-llama.log",
    )  # fmt: skip
    try:
        llama.start()
        asyncio.run(measure(llama.url, args.rounds))
    finally:
        llama.stop()


if __name__ == "__main__":
    if not Path("custom_components").is_dir():
        sys.exit("run from the repository root: .venv/bin/python -m benchmarks.language_slots")
    main()
