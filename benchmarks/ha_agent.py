"""The Heisenberg agent in a harness Home Assistant, as the benchmarks set it up."""

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.heisenberg.agent_options import DEFAULT_AGENT_OPTIONS
from custom_components.heisenberg.const import CONF_URL, DOMAIN


async def async_add_agent(hass: HomeAssistant, url: str) -> tuple[MockConfigEntry, str]:
    """An entry with one agent (default settings) for the server at `url`, warmed up; the
    entry and the agent's entity id."""
    entry = MockConfigEntry(
        domain=DOMAIN, title="llama-server", data={CONF_URL: url},
        subentries_data=[ConfigSubentryData(
            data=dict(DEFAULT_AGENT_OPTIONS), subentry_type="conversation",
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
