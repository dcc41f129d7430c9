"""The UI flows against a live llama-server, a closed port and a server that is not one."""

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from homeassistant import config_entries
from homeassistant.components.conversation import ConversationEntityFeature
from homeassistant.const import CONF_LLM_HASS_API
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er

from custom_components.heisenberg.agent_options import DEFAULT_AGENT_OPTIONS
from custom_components.heisenberg.const import (
    CONF_BACKUP_URLS,
    CONF_CUSTOM_PROMPT,
    CONF_PERSONA,
    CONF_URL,
    DOMAIN,
)
from launcher.process import free_port

from .conftest import EntryFactory
from .fault_server import FaultServer


@pytest.fixture(autouse=True)
async def _components(ha_ready: HomeAssistant) -> None:
    """The flow loads the integration, which needs HA core and conversation."""


@pytest.fixture
async def not_llama_url() -> AsyncIterator[str]:
    """A real HTTP server that is something else (every path: 404 with an HTML page)."""
    runner = web.AppRunner(web.Application())
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def _submit_user_step(hass: HomeAssistant, url: str, persona: str = "concise") -> dict:  # type: ignore[type-arg]
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    return await hass.config_entries.flow.async_configure(  # type: ignore[return-value]
        result["flow_id"], {CONF_URL: url, CONF_PERSONA: persona}
    )


async def test_user_flow_against_a_live_server(hass: HomeAssistant, llama_url: str) -> None:
    result = await _submit_user_step(hass, f"{llama_url}/")
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {CONF_URL: llama_url, CONF_BACKUP_URLS: []}
    assert llama_url.split("://")[1] in result["title"]
    entry = result["result"]
    subentries = list(entry.subentries.values())
    assert len(subentries) == 1
    assert subentries[0].subentry_type == "conversation"
    assert subentries[0].data == {**DEFAULT_AGENT_OPTIONS, CONF_PERSONA: "concise"}
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.async_entity_ids("conversation")


@pytest.mark.parametrize("url", ["not a url", "ftp://localhost:8080", "http://", "http://h:99999"])
async def test_malformed_url(hass: HomeAssistant, url: str) -> None:
    result = await _submit_user_step(hass, url)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_URL: "invalid_url"}


async def test_unreachable_server(hass: HomeAssistant) -> None:
    result = await _submit_user_step(hass, f"http://127.0.0.1:{free_port()}")
    assert result["errors"] == {"base": "cannot_connect"}


async def test_something_else_answers(hass: HomeAssistant, not_llama_url: str) -> None:
    result = await _submit_user_step(hass, not_llama_url)
    assert result["errors"] == {"base": "not_llama_server"}


async def test_same_server_cannot_be_added_twice(hass: HomeAssistant, llama_url: str) -> None:
    assert (await _submit_user_step(hass, llama_url))["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)
    again = await _submit_user_step(hass, f"{llama_url}/")
    assert again["type"] is FlowResultType.ABORT
    assert again["reason"] == "already_configured"


async def _agent_form(hass: HomeAssistant, entry_id: str) -> dict:  # type: ignore[type-arg]
    return await hass.config_entries.subentries.async_init(  # type: ignore[return-value]
        (entry_id, "conversation"), context={"source": config_entries.SOURCE_USER}
    )


AGENT_INPUT = {
    "name": "Chef",
    CONF_PERSONA: "friendly",
    # The settings most users never change come back in their collapsed section.
    "advanced": {
        "prompt_format": "chatml",
        "temperature": 0.3,
        "top_p": 0.8,
        "top_k": 20.0,
        "min_p": 0.1,
        "max_tokens": 128.0,
        "repeat_penalty": 1.2,
        "timeout": 15.0,
        "max_history_turns": 3.0,
    },
}


async def test_add_and_reconfigure_an_agent(
    hass: HomeAssistant, setup_entry: EntryFactory, llama_url: str
) -> None:
    entry = await setup_entry(llama_url)
    form = await _agent_form(hass, entry.entry_id)
    assert form["type"] is FlowResultType.FORM
    suggested = {
        str(key): (key.description or {}).get("suggested_value")
        for key in form["data_schema"].schema
    }
    assert suggested["name"] == "Heisenberg 2"  # prefilled, and not the first agent's name
    result = await hass.config_entries.subentries.async_configure(form["flow_id"], AGENT_INPUT)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)
    chef = next(s for s in entry.subentries.values() if s.title == "Chef")
    assert chef.data["prompt_format"] == "chatml" and chef.data["min_p"] == 0.1
    assert chef.data["max_tokens"] == 128 and isinstance(chef.data["max_tokens"], int)
    assert len(hass.states.async_entity_ids("conversation")) == 3  # HA's own + two agents

    reconfigure = await entry.start_subentry_reconfigure_flow(hass, chef.subentry_id)
    assert reconfigure["type"] is FlowResultType.FORM
    # The advanced settings: a collapsed section, showing the agent's own values.
    advanced = next(
        value for key, value in reconfigure["data_schema"].schema.items() if str(key) == "advanced"
    )
    assert advanced.options == {"collapsed": True}
    shown = {str(k): (k.description or {}).get("suggested_value") for k in advanced.schema.schema}
    assert shown["temperature"] == 0.3 and shown["max_tokens"] == 128
    result = await hass.config_entries.subentries.async_configure(
        reconfigure["flow_id"], {**AGENT_INPUT, "name": "Chef", CONF_PERSONA: "technical"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "agent_updated"  # the integration's own, translated text
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.subentries[chef.subentry_id].data[CONF_PERSONA] == "technical"
    assert entry.subentries[chef.subentry_id].title == "Chef"
    # The reload that follows a reconfigure warms the changed agent up again.
    figures = entry.runtime_data.figures_for(chef.subentry_id)
    assert figures.last_warm_up is not None and figures.last_warm_up["prompt_tokens"] > 0


async def test_custom_persona_needs_a_valid_prompt(
    hass: HomeAssistant, setup_entry: EntryFactory, llama_url: str
) -> None:
    entry = await setup_entry(llama_url)
    form = await _agent_form(hass, entry.entry_id)
    custom = {**AGENT_INPUT, CONF_PERSONA: "custom"}
    result = await hass.config_entries.subentries.async_configure(form["flow_id"], custom)
    assert result["errors"] == {CONF_CUSTOM_PROMPT: "custom_prompt_required"}
    # A broken template: the integration's own error, in the user's language, with its line
    # (not the selector's check, which shows Jinja's English message).
    broken = "You serve the home.\nHello {{ broken"
    result = await hass.config_entries.subentries.async_configure(
        form["flow_id"], {**custom, CONF_CUSTOM_PROMPT: broken}
    )
    assert result["errors"] == {CONF_CUSTOM_PROMPT: "invalid_template"}
    assert result["description_placeholders"]["line"] == "2"
    # The help shows how a template variable is written.
    assert result["description_placeholders"]["template_example"] == "`{{ ha_name }}`"
    result = await hass.config_entries.subentries.async_configure(
        form["flow_id"], {**custom, CONF_CUSTOM_PROMPT: "You serve {{ ha_name }}."}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_the_device_shows_the_model_file_not_its_path(
    hass: HomeAssistant, setup_entry: EntryFactory, llama_url: str
) -> None:
    entry = await setup_entry(llama_url)
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    assert [d.model for d in devices] == ["qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"]


async def test_the_server_step_offers_only_personas_it_can_set_up(hass: HomeAssistant) -> None:
    form = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    persona = next(key for key in form["data_schema"].schema if str(key) == CONF_PERSONA)
    options = form["data_schema"].schema[persona].config["options"]
    assert "custom" not in options and "default" in options


def _suggested(form: dict) -> dict[str, object]:  # type: ignore[type-arg]
    return {
        str(key): (key.description or {}).get("suggested_value")
        for key in form["data_schema"].schema
    }


async def test_the_agent_form_offers_home_control(
    hass: HomeAssistant, setup_entry: EntryFactory, llama_url: str
) -> None:
    entry = await setup_entry(llama_url)
    first = next(iter(entry.subentries.values()))
    assert first.data[CONF_LLM_HASS_API] == ["assist"]  # a new agent controls the home
    form = await _agent_form(hass, entry.entry_id)
    assert _suggested(form)[CONF_LLM_HASS_API] == ["assist"]
    key = next(k for k in form["data_schema"].schema if str(k) == CONF_LLM_HASS_API)
    options = form["data_schema"].schema[key].config["options"]
    # HA's own label for its API ("Assist"; "Device control" from HA 2026.11).
    assert any(option["value"] == "assist" and option["label"] for option in options), options

    # Ticked: stored as core stores it, and the agent says it can control.
    result = await hass.config_entries.subentries.async_configure(
        form["flow_id"], {**AGENT_INPUT, CONF_LLM_HASS_API: ["assist"]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)
    chef = next(s for s in entry.subentries.values() if s.title == "Chef")
    assert chef.data[CONF_LLM_HASS_API] == ["assist"]
    chef_entity = er.async_get(hass).async_get_entity_id("conversation", DOMAIN, chef.subentry_id)
    state = hass.states.get(chef_entity or "")
    assert state is not None
    assert state.attributes["supported_features"] & ConversationEntityFeature.CONTROL

    # Emptied: the form leaves the key out; "no API" is stored, not the default.
    reconfigure = await entry.start_subentry_reconfigure_flow(hass, chef.subentry_id)
    result = await hass.config_entries.subentries.async_configure(
        reconfigure["flow_id"], {**AGENT_INPUT, "name": "Chef"}
    )
    assert result["reason"] == "agent_updated"
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.subentries[chef.subentry_id].data[CONF_LLM_HASS_API] == []
    state = hass.states.get(chef_entity or "")
    assert state is not None
    assert not state.attributes.get("supported_features", 0) & ConversationEntityFeature.CONTROL

    # An agent saved before the setting existed shows it off, as it behaves.
    hass.config_entries.async_update_subentry(
        entry, first, data={k: v for k, v in first.data.items() if k != CONF_LLM_HASS_API}
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    reconfigure = await entry.start_subentry_reconfigure_flow(hass, first.subentry_id)
    assert _suggested(reconfigure)[CONF_LLM_HASS_API] == []


async def test_the_server_url_can_change_and_the_agents_stay(
    hass: HomeAssistant, setup_entry: EntryFactory, llama_url: str, fault_server: FaultServer
) -> None:
    """The FAKE server stands in for "another llama-server": it answers /health and /props."""
    entry = await setup_entry(llama_url)
    agents = dict(entry.subentries)
    form = await entry.start_reconfigure_flow(hass)
    assert form["type"] is FlowResultType.FORM
    assert _suggested(form)[CONF_URL] == llama_url  # starts from the current address

    result = await hass.config_entries.flow.async_configure(form["flow_id"], {CONF_URL: "ftp://x"})
    assert result["errors"] == {CONF_URL: "invalid_url"}
    closed = f"http://127.0.0.1:{free_port()}"
    result = await hass.config_entries.flow.async_configure(form["flow_id"], {CONF_URL: closed})
    assert result["errors"] == {"base": "cannot_connect"}
    assert entry.data[CONF_URL] == llama_url  # nothing saved on a failed check

    host_port = fault_server.url.removeprefix("http://")
    result = await hass.config_entries.flow.async_configure(form["flow_id"], {CONF_URL: host_port})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "server_updated"
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.data[CONF_URL] == fault_server.url
    assert entry.unique_id == fault_server.url
    assert "FAKE" in entry.title
    assert dict(entry.subentries) == agents  # every agent, untouched
    assert entry.state is config_entries.ConfigEntryState.LOADED


async def test_the_url_cannot_move_onto_another_entrys_server(
    hass: HomeAssistant, setup_entry: EntryFactory, llama_url: str, fault_server: FaultServer
) -> None:
    first = await setup_entry(llama_url)
    await setup_entry(fault_server.url)
    form = await first.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        form["flow_id"], {CONF_URL: fault_server.url}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert first.data[CONF_URL] == llama_url


async def test_a_name_of_spaces_is_no_name(
    hass: HomeAssistant, setup_entry: EntryFactory, llama_url: str
) -> None:
    entry = await setup_entry(llama_url)
    form = await _agent_form(hass, entry.entry_id)
    await hass.config_entries.subentries.async_configure(
        form["flow_id"], {**AGENT_INPUT, "name": "   "}
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert sorted(s.title for s in entry.subentries.values()) == ["Heisenberg", "Heisenberg"]


async def test_an_unreachable_server_is_explained_in_the_users_language(
    hass: HomeAssistant, setup_entry: EntryFactory
) -> None:
    entry = await setup_entry(f"http://127.0.0.1:{free_port()}", expect_loaded=False)
    assert entry.error_reason_translation_key == "server_unavailable_cannot_connect"
    placeholders = entry.error_reason_translation_placeholders or {}
    assert placeholders["url"] == entry.data["url"]
