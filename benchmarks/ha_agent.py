"""The Heisenberg agent in a harness Home Assistant, as the benchmarks set it up."""

import os
from typing import Any

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.heisenberg.agent_options import DEFAULT_AGENT_OPTIONS
from custom_components.heisenberg.const import CONF_TIMEOUT, CONF_URL, DOMAIN


def bench_options() -> dict[str, Any]:
    """The agent's default settings; with HEISENBERG_BENCH_TIMEOUT=S, a longer timeout, for
    accuracy runs on a machine other jobs load (never for timings: they need a quiet one)."""
    options: dict[str, Any] = dict(DEFAULT_AGENT_OPTIONS)
    if timeout := os.environ.get("HEISENBERG_BENCH_TIMEOUT"):
        options[CONF_TIMEOUT] = float(timeout)
    return options


async def async_add_agent(hass: HomeAssistant, url: str) -> tuple[MockConfigEntry, str]:
    """An entry with one agent (default settings) for the server at `url`, warmed up; the
    entry and the agent's entity id."""
    entry = MockConfigEntry(
        domain=DOMAIN, title="llama-server", data={CONF_URL: url},
        subentries_data=[ConfigSubentryData(
            data=bench_options(), subentry_type="conversation",
            title="Heisenberg", unique_id=None,
        )],
    )  # fmt: skip
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)  # the warm-up
    agent_id = next(
        entity.entity_id
        for entity in er.async_get(hass).entities.values()
        if entity.config_entry_id == entry.entry_id and entity.domain == "conversation"
    )
    return entry, agent_id
