"""Time to first token of the agent's prompts against a real llama-server and model.

    .venv/bin/python -m benchmarks.llm_first_token [--runs 3] [--model M.gguf] [--llama-server BIN]

For each run, a fresh llama-server is started (nothing cached), then:
  1. turn 1 without warm-up    the first question pays for the system prompt and examples
  2. turn 1 after warm-up      a second fresh server, warmed up as the integration does at start
  3. turn 3 with history       two earlier turns in the prompt, stable prefix reused
  4. turn 3, clock on top      the same, but with the date/time at the top of the system prompt
                               (what a naive prompt does): shows what the stable prefix saves
Prints the median of each row. Prompts are built by the integration's own modules.
"""

import argparse
import asyncio
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from custom_components.heisenberg.agent_options import AgentOptions
from custom_components.heisenberg.llama_client import CompletionStats, LlamaServerClient
from custom_components.heisenberg.prompt_format import (
    PromptFormat,
    PromptParts,
    Turn,
    build_prefix,
    build_prompt,
)
from launcher.llama_server import LlamaServerProcess, find_llama_server
from launcher.llm_models import resolve_model
from launcher.process import cache_dir, free_port

QUESTIONS = ("What is the capital of France?", "And of Germany?", "Which one is bigger?")


@dataclass
class Row:
    """One measured scenario."""

    name: str
    ttft_ms: list[float]
    evaluated: list[int]
    cached: list[int]


def clock_note() -> str:
    now = time.localtime()
    return time.strftime("Current time is %H:%M:%S. Today's date is %Y-%m-%d.", now)


async def ask(
    client: LlamaServerClient, options: AgentOptions, parts: PromptParts, clock_on_top: bool = False
) -> tuple[str, CompletionStats]:
    fmt = PromptFormat.CHATML
    if clock_on_top:
        parts = PromptParts(
            system=f"{parts.context_note} {parts.system}",
            examples=parts.examples,
            history=parts.history,
            user_message=parts.user_message,
        )
    request = options.completion_request(fmt, build_prompt(fmt, parts))
    stream = client.stream_completion(request, first_token_timeout=60, stall_timeout=10)
    answer = "".join([piece async for piece in stream]).strip()
    return answer, stream.stats


async def one_run(binary: Path, model: Path, rows: dict[str, Row]) -> None:
    options = AgentOptions(max_tokens=32, temperature=0.0)
    persona = options.persona_for("en")
    system = persona.instructions.replace("{{ ha_name }}", "Home")

    def parts(question: str, history: list[Turn]) -> PromptParts:
        return PromptParts(system, question, persona.examples, history, clock_note())

    def record(name: str, stats: CompletionStats) -> None:
        row = rows.setdefault(name, Row(name, [], [], []))
        row.ttft_ms.append((stats.time_to_first_token or 0) * 1000)
        row.evaluated.append(stats.prompt_tokens or 0)
        row.cached.append(stats.cached_tokens or 0)

    async with aiohttp.ClientSession() as session:
        for warm in (False, True):
            server = LlamaServerProcess(
                model=model, binary=binary, port=free_port(),
                log_path=cache_dir() / "bench-llama-server.log",
            )  # fmt: skip
            with server:
                client = LlamaServerClient(session, server.url)
                if warm:
                    await client.warm_up(
                        build_prefix(PromptFormat.CHATML, system, persona.examples), 60
                    )
                history: list[Turn] = []
                for index, question in enumerate(QUESTIONS):
                    answer, stats = await ask(client, options, parts(question, history))
                    if index == 0:
                        record("turn 1 after warm-up" if warm else "turn 1 without warm-up", stats)
                    if index == 2 and warm:
                        record("turn 3 with history", stats)
                        _, naive = await ask(
                            client, options, parts(question, history), clock_on_top=True
                        )
                        record("turn 3, clock on top of prompt", naive)
                    history.append(Turn(question, answer or "I don't know."))
                    await asyncio.sleep(1.1)  # let the clock tick, as between real turns


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--model", help="a model name or GGUF path (default: the default model)")
    parser.add_argument("--llama-server", dest="binary")
    args = parser.parse_args()
    binary = find_llama_server(args.binary)
    model = resolve_model(args.model)
    rows: dict[str, Row] = {}
    for _ in range(args.runs):
        asyncio.run(one_run(binary, model, rows))
    print(f"\nTime to first token — {model.name}, {args.runs} runs, median\n")
    print(f"{'scenario':<34}{'TTFT ms':>10}{'evaluated tok':>15}{'cached tok':>12}")
    for row in rows.values():
        print(
            f"{row.name:<34}{statistics.median(row.ttft_ms):>10.0f}"
            f"{statistics.median(row.evaluated):>15.0f}{statistics.median(row.cached):>12.0f}"
        )


if __name__ == "__main__":
    main()
