"""llama-server slots and prompt-cache affinity for two agents with different personas.

    .venv/bin/python -m benchmarks.llama_slots [--rounds 3] [--configs P1,P2,P2-pin,...]

Two agents share one llama-server, each with its own long stable prefix (the agent's real one:
persona + device protocol + a 13-device home + examples, built by the integration's modules;
the two differ from their first sentence on, so they share almost no prefix). For each
llama-server configuration (a fresh server per round, the default model, the launcher's
command line plus the configuration's options), the requests the integration sends:

  warm A, warm B     the two agents' warm-ups at start (n_predict 0)
  seq A / seq B      A, B, A, B, A, B one after the other (a question each, a new conversation)
  pair A / pair B    A and B at the same moment, twice
  4 x A              four requests of agent A at the same moment (four satellites, one agent)

For each request: time to first token (client side), tokens evaluated (`timings.prompt_n`),
tokens reused from a cache (`timings.cache_n`) and the slot that served it (`id_slot`).
A reused prefix shows as ~0 evaluated tokens; an evicted one as the whole prefix evaluated again.
`pin` configurations send `id_slot` (agent A → slot 0, agent B → slot 1), as the integration
could. Prints the medians per configuration and step, and the load average (noisy machine).

`benchmarks/llama_slots_threads.py` measures thread settings for two answers at once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp

from custom_components.heisenberg.agent_options import AgentOptions
from custom_components.heisenberg.assist_tools.calls import Action, Target, Value, ValueKind
from custom_components.heisenberg.assist_tools.prompt import examples, instructions
from custom_components.heisenberg.context_note import date_note
from custom_components.heisenberg.personas import Persona, persona_text
from custom_components.heisenberg.prompt_format import (
    PromptFormat,
    PromptParts,
    build_prefix,
    build_prompt,
)
from launcher.llama_server import LlamaServerProcess, find_llama_server
from launcher.llm_models import resolve_model
from launcher.process import cache_dir, free_port

FMT = PromptFormat.CHATML  # what format detection picks for the default model (Qwen 2.5)
CONTEXT = 8192  # the launcher's --ctx-size; without --kv-unified each slot gets CONTEXT/parallel

ON_OFF = (Action("on"), Action("off"), Action("state", read_only=True))
# The harness's fake home (harness/fake_home.py LAYOUT), as the agent sees it.
HOME = [
    Target("Kitchen Light", (*ON_OFF, Action("brightness", Value(ValueKind.NUMBER, 0, 100))), ("lumière de la cuisine",), "Kitchen"),
    Target("Bedroom Lamp", (*ON_OFF, Action("brightness", Value(ValueKind.NUMBER, 0, 100))), ("lampe de la chambre",), "Bedroom"),
    Target("Porch Light", ON_OFF, ("lumière du porche",), "Porch"),
    Target("Coffee Maker", ON_OFF, ("machine à café",), "Kitchen"),
    Target("Garden Sprinkler", ON_OFF, ("arrosage du jardin",), "Garden"),
    Target("Sauna Heater", ON_OFF, ("chauffage du sauna",), "Garden"),
    Target("Garage Door", (Action("open"), Action("close"), Action("state", read_only=True)), ("porte du garage",), "Garage"),
    Target(
        "Living Room Blinds",
        (Action("open"), Action("close"), Action("position", Value(ValueKind.NUMBER, 0, 100)), Action("state", read_only=True)),
        ("stores du salon",), "Living Room",
    ),
    Target("Ceiling Fan", (*ON_OFF, Action("speed", Value(ValueKind.NUMBER, 0, 100))), ("ventilateur",), "Bedroom"),
    Target("Front Door", (Action("lock"), Action("unlock"), Action("state", read_only=True)), ("porte d'entrée",), "Hall"),
    Target("Thermostat", (Action("temperature", Value(ValueKind.NUMBER, 7, 30)), Action("state", read_only=True)), ("chauffage",), "Living Room"),
    Target("Outside Temperature", (Action("state", read_only=True),), ("température extérieure",), "Garden"),
    Target(
        "Living Room TV",
        (*ON_OFF, Action("volume", Value(ValueKind.NUMBER, 0, 100)), Action("pause"), Action("play")),
        ("télé du salon",), "Living Room",
    ),
]  # fmt: skip

QUESTIONS = [
    "What is the capital of France?", "How many legs does a spider have?",
    "What colour is the sky on a clear day?", "Who wrote Romeo and Juliet?",
    "What is the largest planet?", "How many days are in a leap year?",
    "What is the boiling point of water in Fahrenheit?", "Which ocean is the biggest?",
    "What language do people speak in Brazil?", "What is the chemical symbol for gold?",
    "How many continents are there?", "What is the tallest mountain on Earth?",
    "What do bees make?", "Which planet is called the red planet?",
    "What is the capital of Japan?", "How many minutes are in an hour?",
    "What is frozen water called?", "Who painted the Mona Lisa?",
    "What is the fastest land animal?", "How many strings does a violin have?",
    "What is the capital of Canada?", "Which gas do plants take in?",
    "What is the smallest prime number?", "What is the main ingredient of guacamole?",
]  # fmt: skip


@dataclass(frozen=True)
class Config:
    """One llama-server configuration."""

    name: str
    parallel: int
    extra: tuple[str, ...] = ()
    pin: bool = False  # the client sends id_slot: agent A → 0, agent B → 1
    what: str = ""


CONFIGS = {
    c.name: c
    for c in (
        Config("P1", 1, what="--parallel 1"),
        Config("P2", 2, what="--parallel 2 (the launcher today)"),
        Config(
            "P2-sps0", 2, ("--slot-prompt-similarity", "0"), what="--parallel 2, similarity off"
        ),
        Config("P2-pin", 2, pin=True, what="--parallel 2, client sends id_slot"),
        Config("P2-noram", 2, ("--cache-ram", "0"), what="--parallel 2, no RAM prompt cache"),
        Config("P1-cram256", 1, ("--cache-ram", "256"), what="--parallel 1 --cache-ram 256"),
        Config("P2-cram256", 2, ("--cache-ram", "256"), what="--parallel 2 --cache-ram 256"),
        Config("P4", 4, what="--parallel 4"),
        Config("P4-pin", 4, pin=True, what="--parallel 4, client sends id_slot"),
        Config("P4-kvu", 4, ("--kv-unified",), what="--parallel 4 --kv-unified"),
    )
}


@dataclass
class Sample:
    step: str
    ttft_ms: float
    evaluated: int
    reused: int
    slot: int
    error: str = ""
    tokens_per_second: float = 0.0


@dataclass
class Agent:
    name: str
    system: str
    examples: tuple[Any, ...]
    slot: int

    def prefix(self) -> str:
        return build_prefix(FMT, self.system, self.examples)

    def prompt(self, question: str) -> str:
        note = date_note(datetime.now(), "en")
        parts = PromptParts(self.system, question, self.examples, conversation_note=note)
        return build_prompt(FMT, parts)


def agents() -> tuple[Agent, Agent]:
    """The two agents: the default and the friendly persona, both controlling the home."""
    made = []
    for slot, persona in enumerate((Persona.DEFAULT, Persona.FRIENDLY)):
        text = persona_text(persona, "en", can_control=True)
        system = text.instructions.replace("{{ ha_name }}", "Home")
        system = f"{system}\n{instructions(HOME, [], group_kinds=[], area_example='', domains={}, language='en')}"
        shown = (*examples(HOME, [], {}, "en"), *text.examples)
        made.append(Agent("A" if slot == 0 else "B", system, shown, slot))
    return made[0], made[1]


@dataclass
class Client:
    session: aiohttp.ClientSession
    url: str
    n_predict: int
    pin: bool
    questions: list[str] = field(default_factory=lambda: list(QUESTIONS))
    asked: int = 0
    extra_body: dict[str, Any] = field(default_factory=dict)

    def next_question(self) -> str:
        self.asked += 1
        return self.questions[(self.asked - 1) % len(self.questions)]

    async def ask(self, agent: Agent, step: str, warm_up: bool = False) -> Sample:
        """One streamed /completion as the agent sends it; TTFT from the client's side."""
        options = AgentOptions(max_tokens=0 if warm_up else self.n_predict, temperature=0.0)
        prompt = agent.prefix() if warm_up else agent.prompt(self.next_question())
        body = options.completion_request(FMT, prompt).as_json(stream=not warm_up)
        body.update(self.extra_body)
        if self.pin:
            body["id_slot"] = agent.slot
        started = time.monotonic()
        ttft: float | None = None
        final: dict[str, Any] = {}
        async with self.session.post(f"{self.url}/completion", json=body) as resp:
            if resp.status != 200:
                return Sample(step, 0, 0, 0, -1, f"HTTP {resp.status}: {await resp.text()}")
            if warm_up:
                final = await resp.json()
                ttft = time.monotonic() - started
            else:
                async for raw in resp.content:
                    line = raw.decode().strip()
                    if not line.startswith("data:"):
                        continue
                    payload = json.loads(line[5:])
                    if ttft is None and (payload.get("content") or payload.get("stop")):
                        ttft = time.monotonic() - started
                    if payload.get("stop"):
                        final = payload
                        break
        timings = final.get("timings") or {}
        return Sample(
            step,
            (ttft or 0) * 1000,
            int(timings.get("prompt_n", -1)),
            int(timings.get("cache_n", -1)),
            int(final.get("id_slot", -1)),
            tokens_per_second=float(timings.get("predicted_per_second", 0.0)),
        )


async def one_round(config: Config, url: str, n_predict: int, offset: int) -> list[Sample]:
    a, b = agents()
    samples: list[Sample] = []
    timeout = aiohttp.ClientTimeout(total=600)
    # A new connection per request: llama-server drops idle keep-alive connections.
    connector = aiohttp.TCPConnector(force_close=True)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        client = Client(session, url, n_predict, config.pin, asked=offset)
        for agent in (a, b):  # the integration warms every agent at start
            samples.append(await client.ask(agent, f"warm {agent.name}", warm_up=True))
        for agent in (a, b, a, b, a, b):
            samples.append(await client.ask(agent, f"seq {agent.name}"))
        for _ in range(2):
            samples += await asyncio.gather(client.ask(a, "pair A"), client.ask(b, "pair B"))
        samples += await asyncio.gather(*(client.ask(a, "4 x A") for _ in range(4)))
    return samples


def token_count(url: str, text: str) -> int:
    request = urllib.request.Request(
        f"{url}/tokenize",
        data=json.dumps({"content": text, "add_special": False, "parse_special": True}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as resp:
        return len(json.load(resp)["tokens"])


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def print_table(results: dict[str, list[list[Sample]]], prefix_tokens: tuple[int, int]) -> None:
    print(
        f"\nPrefixes: agent A {prefix_tokens[0]} tokens, agent B {prefix_tokens[1]} tokens "
        f"(ChatML, shared start: a few tokens). TTFT in ms; 'evaluated'/'reused' = "
        "timings.prompt_n/cache_n, medians over rounds; 're-eval' = requests that evaluated "
        "more than half their agent's prefix again.\n"
    )
    header = (
        f"{'config':<12}{'step':<9}{'n':>3}{'TTFT med':>10}{'min':>7}{'max':>7}"
        f"{'evaluated':>11}{'reused':>8}{'re-eval':>9}  slots"
    )
    print(header)
    print("-" * len(header))
    half = min(prefix_tokens) // 2
    for name, rounds in results.items():
        flat = [s for r in rounds for s in r]
        steps = list(dict.fromkeys(s.step.replace("A", "*").replace("B", "*") for s in flat))
        for step in steps:
            rows = [s for s in flat if s.step.replace("A", "*").replace("B", "*") == step]
            ok = [s for s in rows if not s.error]
            if not ok:
                print(f"{name:<12}{step:<9}{len(rows):>3}  errors: {rows[0].error[:60]}")
                continue
            ttft = [s.ttft_ms for s in ok]
            slots = ",".join(str(x) for x in sorted({s.slot for s in ok}))
            reeval = sum(s.evaluated > half for s in ok)
            print(
                f"{name:<12}{step:<9}{len(ok):>3}{statistics.median(ttft):>10.0f}"
                f"{min(ttft):>7.0f}{max(ttft):>7.0f}"
                f"{statistics.median(s.evaluated for s in ok):>11.0f}"
                f"{statistics.median(s.reused for s in ok):>8.0f}{reeval:>9}  {slots}"
            )
        print()


def print_sequences(results: dict[str, list[list[Sample]]]) -> None:
    """Per configuration and round, the seq steps as evaluated/reused@slot: shows evictions."""
    print("Sequences A,B,A,B,A,B per round (evaluated tokens / reused tokens @ slot):")
    for name, rounds in results.items():
        for index, samples in enumerate(rounds):
            seq = [s for s in samples if s.step.startswith("seq")]
            text = "  ".join(f"{s.step[-1]}:{s.evaluated}/{s.reused}@{s.slot}" for s in seq)
            print(f"  {name:<12} round {index + 1}: {text}")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--configs", default=",".join(CONFIGS), help=f"of {', '.join(CONFIGS)}")
    parser.add_argument("--n-predict", type=int, default=16, help="answer length, tokens")
    parser.add_argument("--model", help="a model name or GGUF path (default: the default model)")
    args = parser.parse_args()
    binary, model = find_llama_server(), resolve_model(args.model)
    chosen = [CONFIGS[name] for name in args.configs.split(",")]
    print(f"load average at start: {load()}  ({os.cpu_count()} CPUs)", file=sys.stderr)
    results: dict[str, list[list[Sample]]] = {c.name: [] for c in chosen}
    loads: dict[str, list[str]] = {c.name: [] for c in chosen}
    prefix_tokens = (0, 0)
    log = cache_dir() / "bench-slots-llama.log"
    for round_index in range(args.rounds):
        for config in chosen:  # configurations interleaved: slow phases of the machine spread
            server = LlamaServerProcess(
                model=model, binary=binary, port=free_port(), context_size=CONTEXT,
                parallel=config.parallel, extra_args=list(config.extra), log_path=log,
            )  # fmt: skip
            with server:
                if prefix_tokens == (0, 0):
                    a, b = agents()
                    prefix_tokens = (
                        token_count(server.url, a.prefix()),
                        token_count(server.url, b.prefix()),
                    )
                before = load()
                samples = asyncio.run(
                    one_round(config, server.url, args.n_predict, round_index * 7)
                )
                loads[config.name].append(f"{before} → {load()}")
            results[config.name].append(samples)
            seq = " ".join(f"{s.evaluated}/{s.reused}@{s.slot}" for s in samples)
            print(f"round {round_index + 1} {config.name}: {seq}", file=sys.stderr)
    print(f"\nllama-server slots — {model.name}, ctx {CONTEXT}, {args.rounds} rounds")
    for config in chosen:
        print(f"  {config.name:<12} {config.what}")
    print_table(results, prefix_tokens)
    print_sequences(results)
    print("Load average (1, 5, 15 min) before → after each round:")
    for name, values in loads.items():
        print(f"  {name:<12} " + " | ".join(values))
    print(f"load average at end: {load()}")


if __name__ == "__main__":
    if not Path("custom_components").is_dir():
        sys.exit("run from the repository root: .venv/bin/python -m benchmarks.llama_slots")
    main()
