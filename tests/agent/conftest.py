"""Fixtures of the agent tests: set up entries against a real or a FAKE (fault) server."""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.heisenberg.const import CONF_URL, DEFAULT_AGENT_OPTIONS, DOMAIN

from .fault_server import FaultServer
from .spy import PromptSpy, install_prompt_spy

type EntryFactory = Callable[..., Awaitable[MockConfigEntry]]


@pytest.fixture
async def ha_ready(hass: HomeAssistant) -> HomeAssistant:
    """HA with the components our integration depends on."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    return hass


@pytest.fixture
async def setup_entry(ha_ready: HomeAssistant) -> EntryFactory:
    """Add a Heisenberg entry with one agent for `url` and set it up."""
    hass = ha_ready

    async def factory(url: str, expect_loaded: bool = True, **options: Any) -> MockConfigEntry:
        entry = MockConfigEntry(
            domain=DOMAIN,
            title="llama-server",
            data={CONF_URL: url},
            subentries_data=[
                ConfigSubentryData(
                    data={**DEFAULT_AGENT_OPTIONS, **options},
                    subentry_type="conversation",
                    title="Heisenberg",
                    unique_id=None,
                )
            ],
        )
        entry.add_to_hass(hass)
        loaded = await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        assert loaded is expect_loaded
        return entry

    return factory


@pytest.fixture
async def fault_server() -> AsyncIterator[FaultServer]:
    """The FAKE llama-server that injects faults (see fault_server.py)."""
    server = FaultServer()
    await server.start()
    yield server
    await server.stop()


def agent_id(hass: HomeAssistant) -> str:
    """The entity id of the only Heisenberg agent."""
    states = hass.states.async_entity_ids("conversation")
    ours = [entity_id for entity_id in states if entity_id != "conversation.home_assistant"]
    assert len(ours) == 1, states
    return ours[0]


@pytest.fixture
def prompt_spy(monkeypatch: pytest.MonkeyPatch) -> PromptSpy:
    """Every completion request the agent sends (to the real server or the fake)."""
    return install_prompt_spy(monkeypatch)
