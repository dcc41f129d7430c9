"""The Heisenberg agent set up without waiting for its warm-up, for the large-home benchmark:
what a user's HA does at start, when a question may come before the warm-up has finished."""

import asyncio
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.heisenberg.const import CONF_URL, DOMAIN

from .ha_agent import AGENT_ENTITY_ID, async_speak_also, bench_options, other_language


async def async_setup_agent(hass: HomeAssistant, url: str) -> tuple[MockConfigEntry, str]:
    """An entry with one agent (default settings) for the server at `url`, set up; its warm-up
    may still be running (both languages of a bilingual home: `async_speak_also`). The entry
    and the agent's entity id."""
    await async_speak_also(hass, other_language(hass))
    entry = MockConfigEntry(
        domain=DOMAIN, title="llama-server", data={CONF_URL: url},
        subentries_data=[ConfigSubentryData(
            data=bench_options(), subentry_type="conversation",
            title="Heisenberg", unique_id=None,
        )],
    )  # fmt: skip
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    agent_id = next(
        entity.entity_id
        for entity in er.async_get(hass).entities.values()
        if entity.config_entry_id == entry.entry_id and entity.domain == "conversation"
    )
    assert agent_id == AGENT_ENTITY_ID, agent_id
    return entry, agent_id


def background_tasks(entry: ConfigEntry) -> set[asyncio.Future[Any]]:
    """The entry's warm-up tasks still running: its background tasks named for a warm-up (the
    entry's other background tasks, such as a server watch, never end)."""
    tasks: set[asyncio.Future[Any]] = entry._background_tasks
    return {
        task for task in tasks
        if not task.done() and isinstance(task, asyncio.Task) and "warm" in task.get_name().lower()
    }  # fmt: skip
