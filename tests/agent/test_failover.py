"""Failover to a backup server within a turn, and the breaker that keeps turns away from a
failing server until a health probe lets it back in.

The main server is the FAKE fault-injection server (a real llama-server cannot be made to
answer 500 or stall on demand); the backup is the REAL llama-server. The same story with two
real llama-server processes, one of them killed: test_failover_real.py.
"""

import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.heisenberg import conversation, server_watch
from custom_components.heisenberg.breaker import BreakerState
from custom_components.heisenberg.const import DOMAIN
from custom_components.heisenberg.diagnostics import async_get_config_entry_diagnostics
from custom_components.heisenberg.failover import HAND_OVER_AFTER
from custom_components.heisenberg.prompt_format import PromptFormat
from custom_components.heisenberg.warm_up.prefixes import warmed_key
from launcher.llama_server import LlamaServerProcess
from launcher.process import free_port

from .conftest import EntryFactory, converse, speech
from .fault_server import Fault, FaultServer
from .spy import PromptSpy

APOLOGY_START = "Sorry,"


@pytest.fixture(autouse=True)
def probes_only_when_the_test_says(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests call the watch's probe themselves: the 10 s timer would probe in the middle
    of a slow turn. And they are about which server answers, not about pauses mid-answer: on
    a loaded 2-core machine the real server can pause longer than the satellite-friendly 4 s."""
    monkeypatch.setattr(server_watch, "PROBE_INTERVAL", timedelta(hours=1))
    monkeypatch.setattr(conversation, "MID_ANSWER_STALL_SECONDS", 30.0)


@dataclass
class FakeClock:
    """The breakers' clock, moved by the test instead of waiting out a cool-down."""

    now: float = 0.0

    def __call__(self) -> float:
        return self.now


async def last_turn(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    """The newest turn as diagnostics show it: who answered, who failed before."""
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    turn: dict[str, Any] = diagnostics["recent_turns"][-1]
    return turn


async def test_a_5xx_goes_to_the_backup_and_the_breaker_keeps_turns_away_until_a_probe(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    fault_server: FaultServer,
    llama_server: LlamaServerProcess,
    prompt_spy: PromptSpy,
) -> None:
    entry = await setup_entry(
        fault_server.url, backup_urls=[llama_server.url], max_tokens=24, temperature=0.0
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    runtime = entry.runtime_data
    assert runtime.watch is not None
    main, backup = runtime.pool.servers
    clock = FakeClock()
    for server in runtime.pool.servers:
        server.breaker.clock = clock
    # Each server in its own model's format, each warmed with its own prefix.
    assert main.detected_format is PromptFormat.PLAIN
    assert backup.detected_format is PromptFormat.CHATML
    agent = next(iter(entry.subentries))
    assert main.warmed_prefixes[warmed_key(agent, "en")].startswith("System: ")
    assert backup.warmed_prefixes[warmed_key(agent, "en")].startswith("<|im_start|>system\n")

    # The main server fails before any text: the backup answers, in its own format.
    fault_server.fault = Fault.HTTP_500
    first = await converse(hass, "What is the capital of France?")
    assert first.response.response_type.value == "action_done", speech(first)
    assert "Paris" in speech(first)
    assert prompt_spy.prompts[-2].startswith("System: ")
    assert prompt_spy.prompts[-1].startswith("<|im_start|>system\n")
    turn = await last_turn(hass, entry)
    assert turn["server"] == backup.url
    assert turn["failed_over"] == [{"url": main.url, "reason": "server_error"}]
    assert main.breaker.state is BreakerState.OPEN

    # During the cool-down, turns go straight to the backup and probes leave the main alone.
    fault_server.fault = Fault.NONE
    asked = len(fault_server.requests)
    await runtime.watch.async_probe()
    assert main.breaker.state is BreakerState.OPEN
    second = await converse(hass, "And the capital of Spain?", first.conversation_id)
    assert not speech(second).startswith(APOLOGY_START)
    assert (await last_turn(hass, entry))["failed_over"] == []
    assert len(fault_server.requests) == asked

    # Cool-down over: half-open, still skipped by turns until a health probe passes.
    clock.now += main.breaker.current_cool_down
    assert main.breaker.state is BreakerState.HALF_OPEN
    await converse(hass, "Thank you.", first.conversation_id)
    assert (await last_turn(hass, entry))["server"] == backup.url
    assert len(fault_server.requests) == asked
    await runtime.watch.async_probe()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert main.breaker.state is BreakerState.CLOSED

    # Back in: the main server answers again (the FAKE's fixed answer), the conversation kept.
    again = await converse(hass, "Are you there?", first.conversation_id)
    assert speech(again) == "Hello there."
    assert (await last_turn(hass, entry)) | {"at": None} == {
        "at": None,
        "agent": "Heisenberg",
        "server": main.url,
        "failed_over": [],
        "error": None,
    }
    assert "User: And the capital of Spain?\n" in prompt_spy.prompts[-1]

    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert [s["url"] for s in diagnostics["servers"]] == [main.url, backup.url]
    assert [s["role"] for s in diagnostics["servers"]] == ["main", "backup 1"]
    assert diagnostics["servers"][0]["breaker"]["state"] == "closed"
    assert [t["server"] for t in diagnostics["recent_turns"]] == [
        backup.url,
        backup.url,
        backup.url,
        main.url,
    ]


async def test_a_server_silent_before_its_first_token_is_left_for_the_next(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    fault_server: FaultServer,
    llama_server: LlamaServerProcess,
) -> None:
    # A server with a backup behind it gets HAND_OVER_AFTER seconds, not the agent's whole
    # timeout (60 s here, so a loaded machine's slow backup still fits); the backup, the last
    # of the list, gets all of it.
    entry = await setup_entry(
        fault_server.url, backup_urls=[llama_server.url], timeout=60, max_tokens=16
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    fault_server.fault = Fault.STALL_BEFORE_FIRST_TOKEN
    started = time.monotonic()
    result = await converse(hass, "What is two plus two?")
    elapsed = time.monotonic() - started
    assert result.response.response_type.value == "action_done", speech(result)
    assert HAND_OVER_AFTER <= elapsed < 60, elapsed  # handed over, then the backup's answer
    turn = await last_turn(hass, entry)
    assert turn["server"] == llama_server.url
    assert turn["failed_over"] == [{"url": fault_server.url, "reason": "timeout"}]


async def test_after_the_first_token_a_failure_is_an_apology_not_a_second_answer(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    fault_server: FaultServer,
    llama_server: LlamaServerProcess,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entry = await setup_entry(fault_server.url, backup_urls=[llama_server.url], max_tokens=16)
    await hass.async_block_till_done(wait_background_tasks=True)
    fault_server.fault = Fault.STALL_MID_ANSWER
    monkeypatch.setattr(conversation, "MID_ANSWER_STALL_SECONDS", 1.0)
    broken = await converse(hass, "Tell me something")
    # The satellite already spoke "Hello there": another server's answer would follow it.
    assert speech(broken) == "Hello there … Sorry, the language model took too long to answer."
    turn = await last_turn(hass, entry)
    # Answered (in part) by the main server, and nothing was asked of another.
    assert turn["server"] == fault_server.url and turn["failed_over"] == []
    assert turn["error"].startswith("ServerTimeout")
    # But the next turn does not wait on the server that just stalled.
    monkeypatch.setattr(conversation, "MID_ANSWER_STALL_SECONDS", 30.0)
    main = entry.runtime_data.pool.primary
    assert main.breaker.state is BreakerState.OPEN
    result = await converse(hass, "What is two plus two?", broken.conversation_id)
    assert result.response.response_type.value == "action_done", speech(result)
    assert (await last_turn(hass, entry)) | {"at": None} == {
        "at": None,
        "agent": "Heisenberg",
        "server": llama_server.url,
        "failed_over": [],  # the main server was not even tried
        "error": None,
    }


async def test_the_main_server_down_at_setup_the_backup_answers_and_an_issue_names_it(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    llama_server: LlamaServerProcess,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(server_watch, "ISSUE_AFTER_SECONDS", 0.0)
    down = f"http://127.0.0.1:{free_port()}"
    entry = await setup_entry(down, backup_urls=[llama_server.url], max_tokens=16)
    assert entry.state is ConfigEntryState.LOADED
    result = await converse(hass, "What is two plus two?")
    assert result.response.response_type.value == "action_done", speech(result)
    turn = await last_turn(hass, entry)
    # Never reached: not even tried (its model's prompt format is unknown).
    assert turn["server"] == llama_server.url and turn["failed_over"] == []

    # Still down (in its cool-down, not even probed): its own issue, which says that the
    # assistant answers with the other servers meanwhile. None for the backup.
    watch = entry.runtime_data.watch
    assert watch is not None
    backup = entry.runtime_data.pool.servers[1]
    await watch.async_probe()
    issues = ir.async_get(hass)
    issue = issues.async_get_issue(DOMAIN, watch.issue_id)
    assert issue is not None
    assert issue.translation_key == "server_unreachable_others_answer"
    assert (issue.translation_placeholders or {})["url"] == down
    assert issues.async_get_issue(DOMAIN, watch.issue_id_for(backup)) is None


async def test_no_server_answering_at_setup_is_retried_and_names_the_main_server(
    hass: HomeAssistant, setup_entry: EntryFactory
) -> None:
    main, backup = (f"http://127.0.0.1:{free_port()}" for _ in range(2))
    entry = await setup_entry(main, backup_urls=[backup], expect_loaded=False)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert entry.error_reason_translation_key == "server_unavailable_cannot_connect"
    assert (entry.error_reason_translation_placeholders or {})["url"] == main
