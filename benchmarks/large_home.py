"""Large homes (#24): the same 32 requests (16 English, 16 French) in homes of 15, 60, 150 and
300 exposed entities, per model and mode.

    .venv/bin/python -m benchmarks.large_home [--models qwen2.5-1.5b] [--sizes 15,60,150,300]
        [--modes alone,local-first] [--show wrong|all|none] [--languages en,fr] [--no-probe]

Each size is a fresh harness HA with the home of `harness/large_home.py` (real HA entities,
French aliases on every entity and area, a timer-capable satellite in the hall) and a new
Heisenberg agent (default settings) on one llama-server.
- warm-up: from the agent's setup to the end of its config entry's background tasks (the
  warm-up of that home); a question (`PROBE`) is asked the moment setup returns, and whether it
  was answered right, and how fast, is printed beside it.
- per request (judged as in everyday_requests: what HA did): right or not; prompt tokens the
  server evaluated before its answers (their `prompt_n`; not what the agent evaluates in the
  background after it, the next turn's opening);
  refused for context (the agent logged llama-server's "exceeds the available context size");
  text → first streamed text, text → first action. A refused request's tokens are the prompt
  size llama-server reported when refusing it.
Printed per size, mode and language: accuracy, median and max prompt tokens, refusals, median
first text, median text → action; then the warm-up line per size.
"""

import argparse
import asyncio
import logging
import re
import statistics
import sys
import time
from dataclasses import dataclass, field

from homeassistant import loader
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import frame
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import async_test_home_assistant

import custom_components.heisenberg  # noqa: F401 - HA finds the integration once imported
from harness.everyday_home import async_add_satellite
from harness.home_builder import async_build
from harness.large_home import SATELLITE_AREA, SIZES, build_home
from launcher.llama_server import LlamaServerProcess, find_llama_server
from launcher.llm_models import DEFAULT_MODEL, resolve_model
from launcher.process import cache_dir, free_port

from .completion_log import answers, watch_completions
from .device_control import MODEL_CALLS
from .everyday_requests import Outcome, run_case
from .large_home_agent import async_setup_agent, background_tasks
from .large_home_cases import LARGE_CASES, PROBE


class ContextRefusals(logging.Handler):
    """Counts the agent's log lines that report llama-server refusing a prompt for its size,
    and keeps the prompt size the server reported ("request (7825 tokens) exceeds …")."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0
        self.tokens = 0

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "context size" in message:
            self.count += 1
            if found := re.search(r"request \((\d+) tokens\)", message):
                self.tokens = int(found[1])


REFUSALS = ContextRefusals()
COMPLETIONS = watch_completions()


@dataclass
class Measured:
    outcome: Outcome
    tokens: float
    refused: bool


@dataclass
class SizeResult:
    size: int
    by_mode: dict[str, list[Measured]] = field(default_factory=dict)
    warmup: float = 0.0
    probe_seconds: float = 0.0
    probe_right: bool = False
    probed: bool = True


async def run_size(hass: HomeAssistant, url: str, size: int, *, modes: list[str],
                   show: str, languages: set[str], probe: bool = True) -> SizeResult:  # fmt: skip
    home = build_home(size)
    await async_build(hass, home)
    satellite = await async_add_satellite(hass, SATELLITE_AREA)
    result = SizeResult(size, probed=probe)
    started = time.monotonic()
    entry, agent_id = await async_setup_agent(hass, url)
    if probe:
        asked = await run_case(hass, home, agent_id, satellite, PROBE, local_first=False)
        result.probe_seconds, result.probe_right = asked.to_answer, asked.verdict.right
    await _wait_warmup(entry)
    result.warmup = time.monotonic() - started
    for mode in modes:
        for case in [c for c in LARGE_CASES if c.language in languages]:
            refusals, seen = REFUSALS.count, len(COMPLETIONS)
            outcome = await run_case(hass, home, agent_id, satellite, case,
                                     local_first=mode == "local-first")  # fmt: skip
            await _wait_warmup(entry)  # the next turn's opening, evaluated after the answer
            refused = REFUSALS.count > refusals
            evaluated = sum(t.get("prompt_n", 0) for t in answers(COMPLETIONS[seen:]))
            # A refused prompt is not evaluated: its size is what the server said it was.
            measured = Measured(outcome, REFUSALS.tokens if refused else evaluated, refused)
            result.by_mode.setdefault(mode, []).append(measured)
            if show == "all" or (show == "wrong" and not outcome.verdict.right):
                mark = "ok " if outcome.verdict.right else "BAD"
                where = "local" if outcome.local else "agent"
                print(f"  {mark} [{size}/{mode}/{where}] {case.text!r} → {outcome.answer!r} "
                      f"{outcome.verdict.why} {MODEL_CALLS.last!r} {measured.tokens:.0f} tok",
                      file=sys.stderr)  # fmt: skip
    await hass.config_entries.async_remove(entry.entry_id)
    return result


async def _wait_warmup(entry: ConfigEntry) -> None:
    while tasks := background_tasks(entry):
        await asyncio.wait(tasks)


def _median(values: list[float], scale: float = 1.0, fmt: str = "{:.0f}") -> str:
    return fmt.format(statistics.median(values) * scale) if values else "-"


def row(measured: list[Measured]) -> str:
    n = len(measured)
    right = sum(m.outcome.verdict.right for m in measured)
    tokens = [m.tokens for m in measured if not m.outcome.local]
    refused = sum(m.refused for m in measured)
    text = [m.outcome.to_text for m in measured if m.outcome.to_text is not None]
    action = [m.outcome.to_action for m in measured if m.outcome.to_action is not None]
    most = f"{max(tokens):.0f}" if tokens else "-"
    return (f"{n:>4}{100 * right / n:>8.1f}%{right:>4}{_median(tokens):>9}{most:>8}{refused:>9}"
            f"{_median(text, 1000):>10}{_median(action, 1000):>11}")  # fmt: skip


async def run(model: str, sizes: list[int], modes: list[str], show: str,
              languages: set[str], *, probe: bool = True) -> list[SizeResult]:  # fmt: skip
    results = []
    for size in sizes:
        # A new server per size: its warm-up must not find the last size's prefix cached (a
        # large home's prefix does not list its devices, so it is the same at 150 and 300).
        server = LlamaServerProcess(
            model=resolve_model(model), binary=find_llama_server(), port=free_port(),
            log_path=cache_dir() / "bench-large-home-llama.log",
        )  # fmt: skip
        await asyncio.to_thread(server.start)
        try:
            async with async_test_home_assistant() as hass:
                hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
                frame.async_setup(hass)  # a second harness hass finds it unset
                for component in ("homeassistant", "conversation", "intent"):
                    assert await async_setup_component(hass, component, {})
                results.append(
                    await run_size(
                        hass,
                        server.url,
                        size,
                        modes=modes,
                        show=show,
                        languages=languages,
                        probe=probe,
                    )
                )
                await hass.async_stop(force=True)
            print(f"[{model}] {size} entities done", file=sys.stderr)
        finally:
            server.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--models", default=DEFAULT_MODEL, help="names or GGUF paths")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--modes", default="alone,local-first")
    parser.add_argument("--show", choices=("none", "wrong", "all"), default="wrong")
    parser.add_argument("--languages", default="en,fr")
    parser.add_argument("--no-probe", action="store_true",
                        help="no question during the warm-up: the warm-up's own time")  # fmt: skip
    args = parser.parse_args()
    for name in ("custom_components.heisenberg", "custom_components.heisenberg.conversation"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    logging.getLogger("custom_components.heisenberg").addHandler(REFUSALS)
    logging.getLogger("custom_components.heisenberg.conversation").addHandler(MODEL_CALLS)
    sizes, modes = [int(s) for s in args.sizes.split(",")], [m for m in args.modes.split(",") if m]
    print(f"\nLarge homes: {len(LARGE_CASES)} requests per size (half French), one run each")
    header = (f"{'model':<14}{'size':>5} {'mode':<12}{'lang':<5}{'n':>4}{'right':>9}{'':>4}"
              f"{'tok med':>9}{'tok max':>8}{'refused':>9}{'text ms':>10}{'action ms':>11}")  # fmt: skip
    warm_lines = []
    for model in args.models.split(","):
        languages = set(args.languages.split(","))
        results = asyncio.run(
            run(model, sizes, modes, args.show, languages, probe=not args.no_probe)
        )
        print("\n" + header)
        for result in results:
            for mode, measured in result.by_mode.items():
                for lang in ("en", "fr", "all"):
                    part = [m for m in measured if lang in ("all", m.outcome.case.language)]
                    if not part:
                        continue
                    print(f"{model:<14}{result.size:>5} {mode:<12}{lang:<5}{row(part)}")
            probe = "right" if result.probe_right else "wrong"
            asked = (f"; question during warm-up: {probe} in {result.probe_seconds:.1f} s"
                     if result.probed else " (no question meanwhile)")  # fmt: skip
            warm_lines.append(f"{model:<14}{result.size:>5}  warm-up {result.warmup:6.1f} s{asked}")
    print("\n" + "\n".join(warm_lines))


if __name__ == "__main__":
    main()
