"""Everyday requests (#23): timers, the shopping list, the weather, "which lights are on?",
"turn everything off", the satellite's own room, two devices at once, the heating, scenes,
media, and questions that must be asked back. Per model, mode and language.

    .venv/bin/python -m benchmarks.everyday_requests [--models qwen2.5-1.5b]
        [--modes alone,local-first] [--show wrong|all|none] [--only CATEGORY,…]
        [--home everyday|second]

Every case of `benchmarks/everyday_cases.py` is said to the real Heisenberg agent in HA's
harness, over `harness/everyday_home.py`, from a timer-capable satellite device in the kitchen
(its `device_id` goes with the text, as a pipeline sends it), each in a new conversation and
from the same starting home. What counts is what HA did (see `everyday_judge.py`).
- alone: every request goes to the agent.
- local-first: HA's own matcher first ("Prefer handling commands locally"); the agent gets
  what it does not match.
Printed per model, mode and language: % right; device changes on a question; calls on the
unexposed device; false claims (a confirmation without the action); median text → first action
and text → complete answer; then right/total per category.

`--home second`: plain device control (30 commands, half French) in a second home with other
names, rooms and devices (`harness/second_home.py`, `everyday_second_cases.py`), to check
that device control is not shaped to the first homes.
"""

import argparse
import asyncio
import logging
import statistics
import sys
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from homeassistant import loader
from homeassistant.components.intent.timers import TimerEventType, TimerInfo
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import async_test_home_assistant

import custom_components.heisenberg  # noqa: F401 - HA finds the integration once imported
from harness import second_home
from harness.assist_turn import async_say
from harness.everyday_home import (
    HOME,
    SHOPPING_LIST,
    Satellite,
    async_build_everyday_home,
    async_reset_shopping_list,
    async_todo_items,
)
from harness.home_builder import Home, async_reset
from launcher.llama_server import LlamaServerProcess, find_llama_server
from launcher.llm_models import DEFAULT_MODEL, resolve_model
from launcher.process import cache_dir, free_port

from .device_control import MODEL_CALLS
from .everyday_cases import CASES, Case
from .everyday_judge import UNEXPOSED_CALL, Observer, Verdict, judge, snapshot, timers
from .everyday_second_cases import SECOND_CASES
from .ha_agent import async_add_agent

HOMES: dict[str, tuple[Home, tuple[Case, ...], Callable[[HomeAssistant], Awaitable[Satellite]]]] = {
    "everyday": (HOME, CASES, async_build_everyday_home),
    "second": (second_home.HOME, SECOND_CASES, second_home.async_build_second_home),
}


@dataclass
class Outcome:
    case: Case
    verdict: Verdict
    answer: str
    local: bool
    to_action: float | None
    to_answer: float
    to_text: float | None = None  # first streamed text (agent answers only)


async def _items(hass: HomeAssistant) -> list[dict[str, Any]]:
    return await async_todo_items(hass) if hass.states.get(SHOPPING_LIST) else []


async def _prepare(hass: HomeAssistant, home: Home, satellite: Satellite, case: Case) -> None:
    """The same starting home for every case: states, list, timers; then the case's setup."""
    manager = timers(hass)
    for timer_id in list(manager.timers):
        manager.cancel_timer(timer_id)
    await async_reset(hass, home)
    if hass.states.get(SHOPPING_LIST):
        await async_reset_shopping_list(hass)
    for domain, service, entity in case.before:
        await hass.services.async_call(domain, service, {"entity_id": entity}, blocking=True)
    if case.running_timer:
        seconds, name, paused = case.running_timer
        timer_id = manager.start_timer(satellite.device_id, None, None, seconds,
                                       case.language, name=name)  # fmt: skip
        if paused:
            manager.pause_timer(timer_id)
    await hass.async_block_till_done()
    satellite.events.clear()


async def run_case(
    hass: HomeAssistant, home: Home, agent_id: str, satellite: Satellite, case: Case, *,
    local_first: bool,
) -> Outcome:  # fmt: skip
    await _prepare(hass, home, satellite, case)
    before = snapshot(hass, home, await _items(hass))
    seen = Observer(home)

    def on_timer(event_type: TimerEventType, timer: TimerInfo) -> None:
        satellite.handle(event_type, timer)
        seen.on_timer(str(event_type))

    manager = timers(hass)
    handler = manager.handlers[satellite.device_id]
    manager.handlers[satellite.device_id] = on_timer
    stop = hass.bus.async_listen("call_service", seen.on_call)
    MODEL_CALLS.last = ""
    try:
        turn = await async_say(hass, case.text, case.language, agent_id,
                               device_id=satellite.device_id, local_first=local_first)  # fmt: skip
    finally:
        stop()
        manager.handlers[satellite.device_id] = handler
    after = snapshot(hass, home, await _items(hass))
    verdict = judge(
        case, before, after, seen, answer=turn.answer, asked_back=turn.continue_conversation
    )
    to_action = None if seen.first_action is None else seen.first_action - turn.started
    return Outcome(case, verdict, turn.answer, turn.local, to_action, turn.seconds, turn.first_text)


def _median_ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.0f}" if values else "-"


@dataclass
class Tally:
    outcomes: list[Outcome] = field(default_factory=list)

    def row(self) -> str:
        n = len(self.outcomes)
        right = sum(o.verdict.right for o in self.outcomes)
        changes = sum(o.verdict.changed_on_question for o in self.outcomes)
        unexposed = sum(UNEXPOSED_CALL in o.verdict.why for o in self.outcomes)
        claims = sum(o.verdict.false_claim for o in self.outcomes)
        local = sum(o.local for o in self.outcomes)
        action = _median_ms([o.to_action for o in self.outcomes if o.to_action is not None])
        answer = _median_ms([o.to_answer for o in self.outcomes])
        return (f"{n:>4}{100 * right / n:>8.1f}%{right:>5}{changes:>10}{unexposed:>10}"
                f"{claims:>8}{local:>7}{action:>11}{answer:>11}")  # fmt: skip


HEADER = (f"{'model':<16}{'mode':<13}{'lang':<6}{'n':>4}{'right':>9}{'':>5}{'q-changes':>10}"
          f"{'unexposed':>10}{'claims':>8}{'local':>7}{'action ms':>11}{'answer ms':>11}")  # fmt: skip


async def run_model(
    hass: HomeAssistant, home: Home, url: str, satellite: Satellite, *, cases: list[Case],
    modes: list[str], show: str,
) -> dict[str, list[Outcome]]:  # fmt: skip
    entry, agent_id = await async_add_agent(hass, url)
    results: dict[str, list[Outcome]] = {}
    for mode in modes:
        for case in cases:
            outcome = await run_case(
                hass, home, agent_id, satellite, case, local_first=mode == "local-first"
            )
            results.setdefault(mode, []).append(outcome)
            if show == "all" or (show == "wrong" and not outcome.verdict.right):
                mark = "ok " if outcome.verdict.right else "BAD"
                where = "local" if outcome.local else "agent"
                print(f"  {mark} [{mode}/{where}] {case.text!r} → {outcome.answer!r} "
                      f"{outcome.verdict.why} {MODEL_CALLS.last!r}", file=sys.stderr)  # fmt: skip
    await hass.config_entries.async_remove(entry.entry_id)
    return results


async def run(
    models: list[str], home_name: str, cases: list[Case], modes: list[str], show: str
) -> dict[str, dict[str, list[Outcome]]]:
    home, _, build = HOMES[home_name]
    results: dict[str, dict[str, list[Outcome]]] = {}
    binary = find_llama_server()
    async with async_test_home_assistant() as hass:
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
        for component in ("homeassistant", "conversation", "intent"):
            assert await async_setup_component(hass, component, {})
        satellite = await build(hass)
        for name in models:
            server = LlamaServerProcess(
                model=resolve_model(name), binary=binary, port=free_port(),
                log_path=cache_dir() / "bench-everyday-llama.log",
            )  # fmt: skip
            await asyncio.to_thread(server.start)
            try:
                results[name] = await run_model(
                    hass, home, server.url, satellite, cases=cases, modes=modes, show=show
                )
            finally:
                server.stop()
        for manager_timer in list(timers(hass).timers):
            timers(hass).cancel_timer(manager_timer)
        await hass.async_stop(force=True)
    return results


def print_tables(results: dict[str, dict[str, list[Outcome]]]) -> None:
    print("\n" + HEADER)
    for name, modes in results.items():
        for mode, outcomes in modes.items():
            for language in ("en", "fr", "all"):
                tally = Tally([o for o in outcomes if language in ("all", o.case.language)])
                if tally.outcomes:
                    print(f"{name:<16}{mode:<13}{language:<6}{tally.row()}")
    print("\nright / total per category")
    for name, modes in results.items():
        for mode, outcomes in modes.items():
            per: dict[str, list[bool]] = defaultdict(list)
            for o in outcomes:
                per[o.case.category].append(o.verdict.right)
            cells = "  ".join(f"{c} {sum(v)}/{len(v)}" for c, v in per.items())
            print(f"{name:<16}{mode:<13}{cells}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--models", default=DEFAULT_MODEL, help="names or GGUF paths")
    parser.add_argument("--modes", default="alone,local-first")
    parser.add_argument("--show", choices=("none", "wrong", "all"), default="wrong")
    parser.add_argument("--only", default="", help="categories, comma-separated")
    parser.add_argument("--home", choices=tuple(HOMES), default="everyday")
    args = parser.parse_args()
    agent_logger = logging.getLogger("custom_components.heisenberg.conversation")
    agent_logger.setLevel(logging.DEBUG)
    agent_logger.addHandler(MODEL_CALLS)
    only = set(filter(None, args.only.split(",")))
    cases = [c for c in HOMES[args.home][1] if not only or c.category in only]
    models, modes = args.models.split(","), args.modes.split(",")
    results = asyncio.run(run(models, args.home, cases, modes, args.show))
    french = sum(c.language == "fr" for c in cases)
    print(f"\n{args.home} home: {len(cases)} cases ({french} French), one run each")
    print_tables(results)


if __name__ == "__main__":
    main()
