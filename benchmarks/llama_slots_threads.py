"""Two answers generated at once (which llama.cpp runs as batches, with --threads-batch
threads), alone and while our TTS server synthesizes, per thread setting.

    .venv/bin/python -m benchmarks.llama_slots_threads [--rounds 2] [--model NAME_OR_GGUF]

The agents and their requests are `benchmarks/llama_slots.py`'s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
from pathlib import Path

import aiohttp

from benchmarks.llama_slots import Client, Sample, agents, load
from harness.wyoming_timing import tts
from launcher.llama_server import LlamaServerProcess, find_llama_server
from launcher.llm_models import resolve_model
from launcher.process import cache_dir, free_port
from launcher.wyoming_server import WyomingServerProcess

# Generation threads when two answers are generated at once: llama.cpp uses --threads for a
# batch of one token and --threads-batch for more, and two slots generating together make
# batches of two. (label, extra llama-server options after the launcher's own)
THREAD_SETTINGS = [
    ("launcher (--threads 1 --threads-batch 1)", ()),
    ("--threads-batch 2", ("--threads-batch", "2")),
    ("--threads-batch 2 --poll 0", ("--threads-batch", "2", "--poll", "0")),
]
SENTENCE = "The weather today is mild, with a light breeze from the west and some sunshine."


async def _tts_loop(port: int, stop: asyncio.Event) -> None:
    while not stop.is_set():
        await tts(port, SENTENCE, streaming=True)


async def _two_at_once(url: str, tts_port: int | None, offset: int) -> list[Sample]:
    """Two answers of agent A at once (32 tokens each), optionally while TTS synthesizes."""
    a, _ = agents()
    connector = aiohttp.TCPConnector(force_close=True)
    timeout = aiohttp.ClientTimeout(total=900)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        client = Client(session, url, 32, False, asked=offset, extra_body={"ignore_eos": True})
        stop = asyncio.Event()
        loop = None
        if tts_port is not None:
            loop = asyncio.create_task(_tts_loop(tts_port, stop))
            await asyncio.sleep(0.5)
        try:
            return list(await asyncio.gather(client.ask(a, "two"), client.ask(a, "two")))
        finally:
            stop.set()
            if loop is not None:
                await loop


def threads_check(rounds: int, model_name: str | None) -> None:
    """Two answers generated at once, alone and next to our TTS, per thread setting."""
    binary, model, logs = find_llama_server(), resolve_model(model_name), cache_dir()
    print(f"load average at start: {load()}  ({os.cpu_count()} CPUs)")
    voice = WyomingServerProcess(
        host="127.0.0.1", port=free_port(), log_path=logs / "bench-slots-wyoming.log"
    )
    voice.start(wait_seconds=300)
    rows: dict[str, dict[str, list[float]]] = {
        label: {"ttft": [], "alone": [], "ttft_tts": [], "tts": []} for label, _ in THREAD_SETTINGS
    }
    try:
        for round_index in range(rounds):
            for label, extra in THREAD_SETTINGS:
                server = LlamaServerProcess(
                    model=model, binary=binary, port=free_port(), extra_args=list(extra),
                    log_path=logs / "bench-slots-llama.log",
                )  # fmt: skip
                with server:
                    asyncio.run(_two_at_once(server.url, None, 0))  # the prefix in both slots
                    alone = asyncio.run(_two_at_once(server.url, None, 2 + round_index * 4))
                    loaded = asyncio.run(_two_at_once(server.url, voice.port, 4 + round_index * 4))
                row = rows[label]
                row["ttft"] += [s.ttft_ms for s in alone]
                row["alone"] += [s.tokens_per_second for s in alone]
                row["ttft_tts"] += [s.ttft_ms for s in loaded]
                row["tts"] += [s.tokens_per_second for s in loaded]
                print(
                    f"round {round_index + 1} {label}: alone "
                    f"{[f'{s.tokens_per_second:.1f}' for s in alone]} tok/s, with TTS "
                    f"{[f'{s.tokens_per_second:.1f}' for s in loaded]} tok/s",
                    file=sys.stderr,
                )
    finally:
        voice.stop()
    print(f"\nTwo answers generated at once (32 tokens each, prefix cached) — {model.name}")
    print(f"medians over {rounds} rounds x 2 answers; tok/s is each answer's own speed\n")
    print(f"{'setting':<42}{'TTFT ms':>9}{'tok/s':>7}{'TTFT w/ TTS':>13}{'tok/s w/ TTS':>14}")
    for label, row in rows.items():
        print(
            f"{label:<42}{statistics.median(row['ttft']):>9.0f}"
            f"{statistics.median(row['alone']):>7.1f}{statistics.median(row['ttft_tts']):>13.0f}"
            f"{statistics.median(row['tts']):>14.1f}"
        )
    print(f"load average at end: {load()}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--model", help="a model name or GGUF path (default: the default model)")
    args = parser.parse_args()
    threads_check(args.rounds, args.model)


if __name__ == "__main__":
    if not Path("custom_components").is_dir():
        sys.exit("run from the repository root: .venv/bin/python -m benchmarks.llama_slots_threads")
    main()
