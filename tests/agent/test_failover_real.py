"""Several REAL llama-server processes: the main one killed mid-conversation, the backup answers
the next turn; restarted, the main one is used again once a health probe finds it healthy. And
a server reached by the machine's network address rather than localhost, as a GPU host on the
LAN would be."""

import ipaddress
import os
import signal
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import pytest_socket
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.heisenberg import conversation, server_watch
from custom_components.heisenberg.breaker import BreakerState
from custom_components.heisenberg.diagnostics import async_get_config_entry_diagnostics
from custom_components.heisenberg.warm_up.prefixes import warmed_key
from launcher.llama_server import LlamaServerProcess, find_llama_server
from launcher.llm_models import resolve_model
from launcher.process import cache_dir, free_port, outgoing_address

from ..conftest import FAST_MODEL, start_llama_server
from .conftest import EntryFactory, converse, speech
from .spy import PromptSpy

APOLOGIES = ("Sorry", "One moment")


@dataclass
class FakeClock:
    """The breakers' clock, moved by the test instead of waiting out a cool-down."""

    now: float = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def probes_only_when_the_test_says(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test probes itself (the 10 s timer would probe in the middle of a slow turn); a
    loaded 2-core machine may pause longer than 4 s mid-answer, which is not the point here."""
    monkeypatch.setattr(server_watch, "PROBE_INTERVAL", timedelta(hours=1))
    monkeypatch.setattr(conversation, "MID_ANSWER_STALL_SECONDS", 30.0)


async def last_turn(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    turn: dict[str, Any] = (await async_get_config_entry_diagnostics(hass, entry))["recent_turns"][
        -1
    ]
    return turn


def kill(server: LlamaServerProcess) -> None:
    """A crash, not a clean stop: SIGKILL, then reap the process."""
    assert server.pid is not None
    os.kill(server.pid, signal.SIGKILL)
    server.stop()


async def test_the_backup_answers_when_the_main_server_dies_and_the_main_is_used_once_back(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    llama_server: LlamaServerProcess,
    prompt_spy: PromptSpy,
) -> None:
    main_process = start_llama_server(FAST_MODEL, "failover-main", threads=os.cpu_count())
    try:
        entry = await setup_entry(
            main_process.url, backup_urls=[llama_server.url], temperature=0.0, max_tokens=24
        )
        await hass.async_block_till_done(wait_background_tasks=True)
        runtime = entry.runtime_data
        assert runtime.watch is not None
        main, backup = runtime.pool.servers
        clock = FakeClock()
        for server in runtime.pool.servers:
            server.breaker.clock = clock
        agent = next(iter(entry.subentries))
        # Warmed on every server of the list.
        assert (
            warmed_key(agent, "en") in main.warmed_prefixes
            and warmed_key(agent, "en") in backup.warmed_prefixes
        )

        first = await converse(hass, "My name is Ada. What is the capital of France?")
        assert (await last_turn(hass, entry))["server"] == main.url
        assert not speech(first).startswith(APOLOGIES), speech(first)

        # Killed mid-conversation: the next turn is answered by the backup, with the history.
        kill(main_process)
        second = await converse(hass, "What is the capital of Spain?", first.conversation_id)
        assert second.response.response_type.value == "action_done", speech(second)
        assert not speech(second).startswith(APOLOGIES), speech(second)
        turn = await last_turn(hass, entry)
        assert turn["server"] == backup.url
        assert turn["failed_over"] == [{"url": main.url, "reason": "cannot_connect"}]
        assert "My name is Ada. What is the capital of France?" in prompt_spy.prompts[-1]
        assert main.breaker.state is BreakerState.OPEN

        # Its breaker keeps the next turns away from it: no second try of the dead server.
        third = await converse(hass, "And of Italy?", first.conversation_id)
        assert not speech(third).startswith(APOLOGIES), speech(third)
        assert (await last_turn(hass, entry))["failed_over"] == []

        # Restarted: let back in by the probe once its cool-down is over, warmed again.
        main_process.start()
        await runtime.watch.async_probe()
        assert main.breaker.state is BreakerState.OPEN  # still in its cool-down: not probed
        clock.now += main.breaker.current_cool_down
        await runtime.watch.async_probe()
        assert main.breaker.state is BreakerState.CLOSED
        await hass.async_block_till_done(wait_background_tasks=True)
        assert (
            warmed_key(agent, "en") in main.warmed_prefixes
        )  # the new process's empty cache, filled again

        fourth = await converse(hass, "Thank you!", first.conversation_id)
        assert not speech(fourth).startswith(APOLOGIES), speech(fourth)
        assert (await last_turn(hass, entry)) | {"at": None} == {
            "at": None,
            "agent": "Heisenberg",
            "server": main.url,
            "failed_over": [],
            "error": None,
        }
        diagnostics = await async_get_config_entry_diagnostics(hass, entry)
        assert [turn["server"] for turn in diagnostics["recent_turns"]] == [
            main.url,
            backup.url,
            backup.url,
            main.url,
        ]
        assert [s["breaker"]["state"] for s in diagnostics["servers"]] == ["closed", "closed"]
    finally:
        main_process.stop()


def network_address() -> str | None:
    """This machine's own address on its network (what scripts/run.sh tells users to enter in
    Home Assistant), or None when it has none but loopback."""
    # HA's test harness lets sockets connect to 127.0.0.1 only. Finding the route connects a
    # UDP socket to the mDNS group, which sends nothing.
    pytest_socket.socket_allow_hosts(["127.0.0.1", "224.0.0.251"])
    address = outgoing_address()
    if address is None or ipaddress.ip_address(address).is_loopback:
        return None
    pytest_socket.socket_allow_hosts(["127.0.0.1", address])
    return address


async def test_the_agent_answers_from_a_server_reached_by_its_network_address(
    hass: HomeAssistant, setup_entry: EntryFactory
) -> None:
    address = network_address()
    if address is None:
        pytest.skip("this machine has no network address other than loopback to reach")
    server = LlamaServerProcess(
        model=resolve_model(FAST_MODEL),
        binary=find_llama_server(),
        host="0.0.0.0",  # listening on every address, as on a GPU host of the LAN
        port=free_port(),
        threads=os.cpu_count(),
        log_path=cache_dir() / "test-llama-server-network.log",
    )
    server.start()
    try:
        url = f"http://{address}:{server.port}"
        entry = await setup_entry(url, temperature=0.0, max_tokens=24)
        result = await converse(hass, "What is the capital of France?")
        assert result.response.response_type.value == "action_done", speech(result)
        assert "Paris" in speech(result)
        assert (await last_turn(hass, entry))["server"] == url
    finally:
        server.stop()
