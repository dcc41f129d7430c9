"""How many CPU threads should llama-server take, next to the Wyoming voice servers?

    .venv/bin/python -m benchmarks.llm_threads [--model qwen2.5-1.5b] [--rounds 3]

In a voice pipeline the LLM is not alone: Home Assistant streams the answer's text to the TTS
server while the model is still writing it, and the wake-word server keeps listening to every
satellite. On a small machine, a llama-server that takes every core spins on its thread barrier
whenever another process runs, and can crawl. For each llama-server setting this prints:

  alone         time to first token and generation speed with the machine to itself
  with TTS      generation speed while our TTS server synthesizes sentences back to back
  TTS latency   our TTS server's time to first audio while the LLM generates

Everything is real: the launcher's llama-server with the model, our all-in-one Wyoming server.
"""

import argparse
import asyncio
import json
import statistics
import time
import urllib.request
from dataclasses import dataclass

from harness.wyoming_timing import tts
from launcher.llama_server import LlamaServerProcess, find_llama_server
from launcher.llm_models import DEFAULT_MODEL, resolve_model
from launcher.process import cache_dir, free_port
from launcher.wyoming_server import WyomingServerProcess

PROMPT = (
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
    "<|im_start|>user\nTell me a long story about a lighthouse keeper.<|im_end|>\n"
    "<|im_start|>assistant\n"
)
SENTENCE = "The weather today is mild, with a light breeze from the west and some sunshine."
# (label, extra llama-server arguments)
SETTINGS = [
    ("2 threads (llama.cpp default)", ["--threads", "2"]),
    ("2 threads, no busy-wait", ["--threads", "2", "--poll", "0"]),
    ("1 thread (ours, the launcher's default on 2 cores)", ["--threads", "1"]),
    ("1 thread, 2 for prompts", ["--threads", "1", "--threads-batch", "2"]),
]


@dataclass
class Generation:
    ttft_ms: float
    tokens_per_second: float


def generate(url: str, tokens: int) -> Generation:
    body = {"prompt": PROMPT, "n_predict": tokens, "temperature": 0.0, "cache_prompt": False}
    request = urllib.request.Request(
        f"{url}/completion", json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=300) as resp:
        timings = json.load(resp)["timings"]
    return Generation(timings["prompt_ms"], timings["predicted_per_second"])


async def tts_loop(port: int, stop: asyncio.Event, firsts: list[float]) -> None:
    while not stop.is_set():
        run = await tts(port, SENTENCE, streaming=True)
        firsts.append(run.first_audio * 1000)


async def under_load(url: str, wyoming_port: int) -> tuple[Generation, float]:
    """LLM generation while TTS runs back to back; and TTS first audio meanwhile."""
    stop = asyncio.Event()
    firsts: list[float] = []
    loop_task = asyncio.create_task(tts_loop(wyoming_port, stop, firsts))
    await asyncio.sleep(0.5)
    generation = await asyncio.to_thread(generate, url, 64)
    stop.set()
    await loop_task
    return generation, statistics.median(firsts) if firsts else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    model, binary, logs = resolve_model(args.model), find_llama_server(), cache_dir()
    voice = WyomingServerProcess(
        host="127.0.0.1", port=free_port(), log_path=logs / "bench-threads-wyoming.log"
    )
    voice.start(wait_seconds=300)
    tts_alone = [asyncio.run(tts(voice.port, SENTENCE, streaming=True)).first_audio * 1000
                 for _ in range(5)]  # fmt: skip
    rows = []
    try:
        for label, extra in SETTINGS:
            samples: dict[str, list[float]] = {k: [] for k in ("ttft", "alone", "loaded", "tts")}
            server = LlamaServerProcess(
                model=model, binary=binary, port=free_port(), extra_args=extra,
                log_path=logs / "bench-threads-llama.log",
            )  # fmt: skip
            with server:
                generate(server.url, 4)  # load the weights into memory
                for _ in range(args.rounds):
                    alone = generate(server.url, 64)
                    loaded, tts_first = asyncio.run(under_load(server.url, voice.port))
                    samples["ttft"].append(alone.ttft_ms)
                    samples["alone"].append(alone.tokens_per_second)
                    samples["loaded"].append(loaded.tokens_per_second)
                    samples["tts"].append(tts_first)
            rows.append((label, {k: statistics.median(v) for k, v in samples.items()}))
            time.sleep(1)
    finally:
        voice.stop()
    print(f"\nllama-server threads — {model.name}, 2 CPU cores, median of {args.rounds}\n")
    print(
        f"TTS time to first audio with the machine to itself: {statistics.median(tts_alone):.0f} ms\n"
    )
    print(
        f"{'setting':<32}{'prompt ms':>10}{'tok/s alone':>13}{'tok/s w/ TTS':>14}{'TTS first ms':>14}"
    )
    for label, m in rows:
        print(
            f"{label:<32}{m['ttft']:>10.0f}{m['alone']:>13.1f}{m['loaded']:>14.1f}{m['tts']:>14.0f}"
        )


if __name__ == "__main__":
    main()
