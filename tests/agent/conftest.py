"""Fixtures of the agent tests: set up entries against a real or a FAKE (fault) server."""

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

import pytest
from homeassistant.components import conversation
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import chat_session
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.heisenberg.agent_options import DEFAULT_AGENT_OPTIONS
from custom_components.heisenberg.const import CONF_BACKUP_URLS, CONF_URL, DOMAIN

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
    """Add a Heisenberg entry with one agent for `url` (and `backup_urls`) and set it up.

    The entry is saved as version 1.1 (before backups existed) unless it has backups: the
    migration runs in every other test."""
    hass = ha_ready

    async def factory(
        url: str, expect_loaded: bool = True, backup_urls: Sequence[str] = (), **options: Any
    ) -> MockConfigEntry:
        backups = {CONF_BACKUP_URLS: list(backup_urls)} if backup_urls else {}
        entry = MockConfigEntry(
            domain=DOMAIN,
            title="llama-server",
            data={CONF_URL: url, **backups},
            minor_version=2 if backup_urls else 1,
            unique_id=url,  # as the config flow sets it
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


async def converse(
    hass: HomeAssistant, text: str, conversation_id: str | None = None, language: str = "en"
) -> conversation.ConversationResult:
    """One turn with the Heisenberg agent, as HA's conversation API does it."""
    return await conversation.async_converse(
        hass, text, conversation_id, Context(), language=language, agent_id=agent_id(hass)
    )


async def converse_streaming(
    hass: HomeAssistant, text: str, listener: Callable[[conversation.ChatLog, dict[str, Any]], None]
) -> conversation.ConversationResult:
    """One turn with a chat-log delta listener attached, the way the Assist pipeline does."""
    user_input = conversation.ConversationInput(
        text=text, context=Context(), conversation_id=None, device_id=None,
        satellite_id=None, language="en", agent_id=agent_id(hass),
    )  # fmt: skip
    # HA 2026.11 wants the caller's context (None: no user, as a satellite); 2026.10 has no
    # such argument.
    takes_context = "context" in inspect.signature(chat_session.async_get_chat_session).parameters
    session_args: dict[str, Any] = {"context": None} if takes_context else {}
    with (
        chat_session.async_get_chat_session(hass, **session_args) as session,
        conversation.async_get_chat_log(
            hass, session, user_input, chat_log_delta_listener=listener
        ),
    ):
        return await converse(hass, text, session.conversation_id)


def speech(result: conversation.ConversationResult) -> str:
    """What the agent said."""
    return str(result.response.speech["plain"]["speech"])


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
