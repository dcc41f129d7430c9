"""A restarted llama-server is warmed again; one that stays gone gets a repair issue that
clears itself. Real llama-server processes, stopped and started on the same port."""

from __future__ import annotations

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from custom_components.heisenberg import breaker, server_watch
from custom_components.heisenberg.const import DOMAIN
from custom_components.heisenberg.runtime import AgentFigures, HeisenbergRuntime
from launcher.llama_server import LlamaServerProcess

from ..conftest import ALL_CORES, FAST_MODEL, start_llama_server
from .conftest import EntryFactory


def figures(runtime: HeisenbergRuntime) -> AgentFigures:
    (agent,) = runtime.figures.values()
    return agent


def restart_on_same_port(server: LlamaServerProcess) -> None:
    server.stop()
    server.start()


async def test_restarts_are_warmed_again_and_an_outage_is_reported(
    hass: HomeAssistant, setup_entry: EntryFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_watch, "ISSUE_AFTER_SECONDS", 0.0)  # at the first failed probe
    monkeypatch.setattr(breaker, "COOL_DOWN_SECONDS", 0.0)  # probed again at once
    server = start_llama_server(FAST_MODEL, "server-watch", threads=ALL_CORES)
    try:
        entry = await setup_entry(server.url)
        await hass.async_block_till_done(wait_background_tasks=True)
        runtime = entry.runtime_data
        assert runtime.watch is not None
        first = figures(runtime).last_warm_up
        assert first is not None and first["prompt_tokens"] > 100

        # Gone: a repair issue names the server.
        server.stop()
        await runtime.watch.async_probe()
        issue = ir.async_get(hass).async_get_issue(DOMAIN, runtime.watch.issue_id)
        assert issue is not None and issue.translation_key == "server_unreachable"
        assert issue.translation_placeholders["url"] == server.url  # type: ignore[index]

        # Back: the issue clears and the cold cache is filled again, before any question.
        server.start()
        await runtime.watch.async_probe()
        await hass.async_block_till_done(wait_background_tasks=True)
        assert ir.async_get(hass).async_get_issue(DOMAIN, runtime.watch.issue_id) is None
        second = figures(runtime).last_warm_up
        assert second is not first and second["prompt_tokens"] == first["prompt_tokens"]
        assert not second["cached_tokens"]  # evaluated anew: the new process had nothing

        # Restarted between two probes (never seen down): its new identity gives it away.
        restart_on_same_port(server)
        await runtime.watch.async_probe()
        await hass.async_block_till_done(wait_background_tasks=True)
        assert figures(runtime).last_warm_up is not second

        # Unchanged server: nothing is sent again.
        third = figures(runtime).last_warm_up
        await runtime.watch.async_probe()
        await hass.async_block_till_done(wait_background_tasks=True)
        assert figures(runtime).last_warm_up is third
    finally:
        server.stop()


async def test_a_backup_has_its_own_issue_and_issues_clear_during_a_cool_down(
    hass: HomeAssistant, setup_entry: EntryFactory, llama_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Which server is down shows in the title (a backup's names its URL); an issue goes at
    the first probe that reaches the server, not when its breaker's cool-down (up to two
    minutes) ends."""
    monkeypatch.setattr(server_watch, "ISSUE_AFTER_SECONDS", 0.0)
    server = start_llama_server(FAST_MODEL, "server-watch-backup", threads=ALL_CORES)
    try:
        entry = await setup_entry(llama_url, backup_urls=[server.url])
        watch = entry.runtime_data.watch
        assert watch is not None
        backup = entry.runtime_data.pool.servers[1]
        server.stop()
        await watch.async_probe()
        issues = ir.async_get(hass)
        issue = issues.async_get_issue(DOMAIN, watch.issue_id_for(backup))
        assert issue is not None and issue.translation_key == "backup_server_unreachable"
        assert issue.translation_placeholders == {"url": server.url}
        assert issues.async_get_issue(DOMAIN, watch.issue_id) is None  # the main one answers

        server.start()
        assert not backup.breaker.due_for_probe  # still in its cool-down
        await watch.async_probe()
        assert issues.async_get_issue(DOMAIN, watch.issue_id_for(backup)) is None
        assert not backup.breaker.allows_turns  # the breaker still decides about turns
    finally:
        server.stop()
