"""Does "turn on the kitchen light" really turn it on, and nothing else? Per candidate model.

    .venv/bin/python -m benchmarks.device_control [--models qwen2.5-1.5b,qwen2.5-0.5b]
                                                  [--modes alone,local-first] [--show wrong|all]
                                                  [--set main|holdout|all]

Every command of `benchmarks/device_commands.py` (half French) is said to the real Heisenberg
agent in Home Assistant's harness (a real HA core, the agent's default settings with HA's
Assist API), over the fake home of `tests/home/fake_home.py`, each in a new conversation. What
counts is what HA really did: the `call_service` events on the home's entities.
- alone: every command goes to the agent.
- local-first: HA's own matcher first, as the pipeline option "Prefer handling commands
  locally" does (`conversation.async_handle_intents`); the agent gets what it does not match.
Printed per model and mode: % right (exactly the expected calls with their values, or for a
command with no action, no call and the expected words), actions on a wrong device, claims
without an action (a confirmation in the answer and no call on the expected device), and the
median time from the text to HA's first service call.
"""

import argparse
import asyncio
import logging
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from homeassistant import loader
from homeassistant.components import conversation
from homeassistant.core import Context, Event, HomeAssistant, callback
from homeassistant.helpers import chat_session, intent
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    async_test_home_assistant,
)

import custom_components.heisenberg  # noqa: F401 - HA finds the integration once imported
from harness.fake_home import LAYOUT, async_build_home
from launcher.llama_server import LlamaServerProcess, find_llama_server
from launcher.llm_models import DEFAULT_MODEL, resolve_model
from launcher.process import cache_dir, free_port

from .device_commands import COMMANDS, Command
from .device_commands_holdout import HOLDOUT
from .ha_agent import async_add_agent

# "main": the commands the agent's prompt and guards were tuned on; "holdout": 40 more,
# written separately by someone who had not seen the agent's code or results.
SETS = {"main": COMMANDS, "holdout": HOLDOUT, "all": COMMANDS + HOLDOUT}

# A sentence that claims an action, in either language (the agent's own or the model's).
CLAIM = re.compile(
    r"\b(i (have |'ve )?(turned|switched|set|opened|closed|locked|unlocked|paused|started|dimmed)"
    r"|done\b|j'ai |c'est fait|est maintenant|is now)",
    re.IGNORECASE,
)


@dataclass
class Result:
    command: Command
    answer: str
    calls: list[tuple[str, str, str, dict[str, Any]]]
    seconds_to_action: float | None
    local: bool

    @property
    def right(self) -> bool:
        expected = {(d, s, e) for d, s, e, _ in self.command.calls}
        made = {(d, s, e) for d, s, e, _ in self.calls}
        if made != expected:
            return False
        for domain, service, entity, data in self.command.calls:
            for d, s, e, made_data in self.calls:
                if (d, s, e) == (domain, service, entity) and any(
                    abs(float(made_data.get(k, -999)) - float(v)) > 1 for k, v in data.items()
                ):
                    return False
        if self.command.calls:
            return True
        text = self.answer.lower()
        if self.command.yes is not None and re.match(r"\W*(yes|oui|no|non)\b", text):
            return text.lstrip(" .,!").startswith(
                ("yes", "oui") if self.command.yes else ("no", "non")
            )
        return any(w in text for w in self.command.answer_words) and not any(
            w in text for w in self.command.wrong_words
        )

    @property
    def wrong_device(self) -> bool:
        expected = {e for _, _, e, _ in self.command.calls}
        return any(e not in expected for _, _, e, _ in self.calls)

    @property
    def false_claim(self) -> bool:
        acted = {e for _, _, e, _ in self.calls}
        expected = {e for _, _, e, _ in self.command.calls}
        return bool(CLAIM.search(self.answer)) and not (acted & expected if expected else acted)


@dataclass
class Recorder:
    """The service calls HA makes on the home's entities, with the time of the first."""

    calls: list[tuple[str, str, str, dict[str, Any]]] = field(default_factory=list)
    first_at: float | None = None

    @callback
    def record(self, event: Event[Any]) -> None:
        data = event.data
        if data["domain"] == "homeassistant":  # HassTurnOn's generic call; the domain's follows
            return
        service_data = dict(data.get("service_data") or {})
        targets = service_data.get("entity_id") or []
        for entity in [targets] if isinstance(targets, str) else targets:
            if entity in LAYOUT:
                self.first_at = self.first_at or time.monotonic()
                self.calls.append((data["domain"], data["service"], entity, service_data))


class ModelCalls(logging.Handler):
    """The agent's debug line with the model's raw calls, to show beside a wrong result."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.last = ""

    def emit(self, record: logging.LogRecord) -> None:
        if "the model's calls" in record.getMessage():
            args = record.args
            self.last = str(args[-1]) if isinstance(args, tuple) and args else ""


MODEL_CALLS = ModelCalls()


async def say(hass: HomeAssistant, agent_id: str, command: Command, local_first: bool) -> Result:
    for domain, service, entity in command.before:
        await hass.services.async_call(domain, service, {"entity_id": entity}, blocking=True)
    await hass.async_block_till_done()
    recorder = Recorder()
    MODEL_CALLS.last = ""
    stop = hass.bus.async_listen("call_service", recorder.record)
    started = time.monotonic()
    answer, local = "", False
    try:
        if local_first:
            answer_local = await _local(hass, command)
            if answer_local is not None:
                answer, local = answer_local, True
        if not local:
            result = await conversation.async_converse(
                hass, command.text, None, Context(), language=command.language, agent_id=agent_id
            )
            answer = str(result.response.speech.get("plain", {}).get("speech", ""))
        await hass.async_block_till_done()
    finally:
        stop()
    seconds = None if recorder.first_at is None else recorder.first_at - started
    return Result(command, answer, recorder.calls, seconds, local)


async def _local(hass: HomeAssistant, command: Command) -> str | None:
    """HA's own matcher, the way the pipeline runs it before the agent; None: no match."""
    user_input = conversation.ConversationInput(
        text=command.text, context=Context(), conversation_id=None, device_id=None,
        satellite_id=None, language=command.language,
        agent_id=conversation.HOME_ASSISTANT_AGENT,
    )  # fmt: skip
    with (
        chat_session.async_get_chat_session(hass) as session,
        conversation.async_get_chat_log(hass, session, user_input) as chat_log,
    ):
        response = await conversation.async_handle_intents(hass, user_input, chat_log)
    if response is None or response.response_type is intent.IntentResponseType.ERROR:
        return None
    return str(response.speech.get("plain", {}).get("speech", ""))


@dataclass
class Tally:
    results: list[Result] = field(default_factory=list)

    def row(self) -> str:
        n = len(self.results)
        right = sum(r.right for r in self.results)
        wrong = sum(r.wrong_device for r in self.results)
        claims = sum(r.false_claim for r in self.results)
        local = sum(r.local for r in self.results)
        times = [r.seconds_to_action for r in self.results if r.seconds_to_action is not None]
        median = f"{statistics.median(times) * 1000:.0f}" if times else "-"
        return (f"{n:>4}{100 * right / n:>8.1f}%{right:>5}{wrong:>8}{claims:>8}{local:>7}"
                f"{median:>10}")  # fmt: skip


async def run_model(
    hass: HomeAssistant, url: str, commands: tuple[Command, ...], modes: list[str], show: str
) -> dict[str, Tally]:
    entry, agent_id = await async_add_agent(hass, url)
    tallies: dict[str, Tally] = {}
    for mode in modes:
        tally = tallies.setdefault(mode, Tally())
        for command in commands:
            result = await say(hass, agent_id, command, mode == "local-first")
            tally.results.append(result)
            bad = not result.right or result.wrong_device or result.false_claim
            if show == "all" or (show == "wrong" and bad):
                mark = "ok " if result.right else "BAD"
                made = [f"{d}.{s} {e}" for d, s, e, _ in result.calls]
                where = "local" if result.local else "agent"
                print(f"  {mark} [{mode}/{where}] {command.text!r} → {result.answer!r} {made}"
                      f" {MODEL_CALLS.last!r}", file=sys.stderr)  # fmt: skip
    await hass.config_entries.async_remove(entry.entry_id)
    return tallies


async def run(
    models: list[str], commands: tuple[Command, ...], modes: list[str], show: str
) -> dict[str, dict[str, Tally]]:
    results: dict[str, dict[str, Tally]] = {}
    binary = find_llama_server()
    async with async_test_home_assistant() as hass:
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
        for component in ("homeassistant", "conversation", "intent"):
            assert await async_setup_component(hass, component, {})
        await async_build_home(hass)
        for name in models:
            server = LlamaServerProcess(
                model=resolve_model(name), binary=binary, port=free_port(),
                log_path=cache_dir() / "bench-device-control-llama.log",
            )  # fmt: skip
            await asyncio.to_thread(server.start)
            try:
                results[name] = await run_model(hass, server.url, commands, modes, show)
            finally:
                server.stop()
            for mode, tally in results[name].items():
                print(f"[{name}] {mode}: {tally.row()}", file=sys.stderr)
        await hass.async_stop(force=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--models", default=DEFAULT_MODEL, help="names or GGUF paths")
    parser.add_argument("--modes", default="alone,local-first")
    parser.add_argument("--show", choices=("none", "wrong", "all"), default="wrong")
    parser.add_argument("--set", choices=tuple(SETS), default="all", dest="command_set")
    args = parser.parse_args()
    agent_logger = logging.getLogger("custom_components.heisenberg.conversation")
    agent_logger.setLevel(logging.DEBUG)
    agent_logger.addHandler(MODEL_CALLS)
    commands = SETS[args.command_set]
    results = asyncio.run(run(args.models.split(","), commands, args.modes.split(","), args.show))
    french = sum(c.language == "fr" for c in commands)
    print(
        f"\nDevice control — {args.command_set}: {len(commands)} commands ({french} French),"
        " one run each\n"
    )
    print(f"{'model':<16}{'mode':<13}{'n':>4}{'right':>9}{'':>5}{'wrong dev':>8}"
          f"{'claims':>8}{'local':>7}{'action ms':>10}")  # fmt: skip
    for name, tallies in results.items():
        for mode, tally in tallies.items():
            print(f"{name:<16}{mode:<13}{tally.row()}")


if __name__ == "__main__":
    main()
